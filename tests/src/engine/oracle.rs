// SlateDB's own view of a store: what its `Admin` API reads and serializes. Included into one
// module per SlateDB version (see `lib.rs`).

use crate::store::StoreDirs;
use anyhow::{Context, Result};
use serde_json::Value;
use super::sdb;
use sdb::admin::AdminBuilder;
use sdb::object_store::{local::LocalFileSystem, ObjectStore};
use std::path::Path;
use std::sync::Arc;

/// A `LocalFileSystem` object store rooted at `dir`.
pub fn local_store(dir: &Path) -> Result<Arc<dyn ObjectStore>> {
    Ok(Arc::new(
        LocalFileSystem::new_with_prefix(dir).with_context(|| format!("opening store {}", dir.display()))?,
    ))
}

/// Every manifest of `root` as SlateDB serializes it (`Admin::list_manifests`, i.e. what
/// `slatedb-cli list-manifests` prints), in id order.
pub async fn slatedb_manifests(dirs: &StoreDirs, root: &str) -> Result<Vec<Value>> {
    let mut admin = AdminBuilder::new(root, local_store(&dirs.main)?);
    if let Some(wal) = &dirs.wal {
        admin = admin.with_wal_object_store(local_store(wal)?);
    }
    let manifests = admin
        .build()
        .list_manifests(..)
        .await
        .with_context(|| format!("slatedb list_manifests on {root}"))?;
    manifests
        .iter()
        .map(|manifest| serde_json::to_value(manifest).context("serializing a VersionedManifest"))
        .collect()
}
