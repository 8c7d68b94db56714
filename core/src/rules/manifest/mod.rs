//! Manifests and database roots (`SDB-MAN-*`).

pub mod root_missing;
