//! Manifests and database roots (`SDB-MAN-*`).

pub mod compactor_epoch_ahead;
pub mod delete_in_progress;
pub mod epoch_regression;
pub mod manifest_boundary_ahead;
pub mod manifest_damaged;
pub mod manifest_rollback;
pub mod root_missing;
pub mod segment_order;
pub mod seq_regression;

use crate::model::Manifest;
use crate::snapshot::RootState;

/// Consecutive manifests given for `root`, in id order, as (earlier, later) pairs: the later
/// one was written from the earlier one's state (directly, or through versions GC deleted), so
/// whatever SlateDB only ever advances must not go back between them.
///
/// Pairs starting at an unfinished clone's manifest (`initialized=false`) are left out: clone
/// creation stamps the WAL range its WAL copy returned when it finishes, and a union clone
/// starts from a fresh core, so those steps are not a writer advancing its own state.
pub fn successions(root: &RootState) -> Vec<(&Manifest, &Manifest)> {
    let ordered: Vec<&Manifest> = root.manifests.values().map(|file| &file.manifest).collect();
    ordered
        .windows(2)
        .filter_map(|pair| match pair {
            [earlier, later] if earlier.initialized => Some((*earlier, *later)),
            _ => None,
        })
        .collect()
}
