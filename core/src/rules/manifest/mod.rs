//! Manifests and database roots (`SDB-MAN-*`).

pub mod delete_in_progress;
pub mod manifest_rollback;
pub mod root_missing;
