//! Checkpoints (`SDB-CKPT-*`).

pub mod checkpoint_expiry;
pub mod checkpoint_id_duplicate;
pub mod checkpoint_manifest_missing;
pub mod checkpoint_missing;
pub mod stale_detached_checkpoint;

use crate::model::Checkpoint;

/// "checkpoint `split` (e61ddf97-…, manifest 6)", for messages.
pub fn describe(checkpoint: &Checkpoint) -> String {
    match &checkpoint.name {
        Some(name) => format!(
            "checkpoint `{name}` ({}, manifest {})",
            checkpoint.id, checkpoint.manifest_id
        ),
        None => format!(
            "checkpoint {} (manifest {})",
            checkpoint.id, checkpoint.manifest_id
        ),
    }
}
