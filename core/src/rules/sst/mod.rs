//! Compacted SSTs (`SDB-SST-*`).

pub mod l0_ulid_cutoff;
pub mod sst_missing;
pub mod sst_truncated;

use crate::model::{Manifest, SstId};
use crate::snapshot::RootState;

/// The root whose `compacted/` holds SST `id` of `manifest` (of `root`): the database one of
/// its `external_dbs` names for it (a clone reads its parent's SSTs in place), or its own.
pub(crate) fn owner_of<'a>(manifest: &'a Manifest, root: &'a RootState, id: SstId) -> &'a str {
    manifest
        .external_dbs
        .iter()
        .find(|db| db.sst_ids.contains(&id))
        .map_or(root.path.as_str(), |db| db.path.as_str())
}
