//! Manifests and database roots (`SDB-MAN-*`).

pub mod manifest_rollback;
pub mod root_missing;
