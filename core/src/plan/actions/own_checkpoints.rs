//! Which checkpoints of a database are SlateDB's own (nobody clones from them), told apart by
//! what the store shows about them, not by a missing name: users and operators create unnamed
//! checkpoints with lifetimes through the API too.

use crate::model::{Checkpoint, Manifest, SstId};
use crate::plan::actions::clone_use::CloneUse;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

/// The lifetime of the checkpoint a clone of the latest state is made through (slatedb
/// `clone.rs`, `Duration::from_secs(300)`).
const CLONE_EPHEMERAL_SECONDS: i64 = 300;

/// How long before its checkpoint the compactor may have written the output SSTs of the
/// compaction the checkpoint precedes.
const COMPACTION_WINDOW_MS: u64 = 10 * 60 * 1000;

/// Why `checkpoint` is one of SlateDB's own, or `None` when it may be cloned from.
pub(crate) fn slatedb_own(
    root: &RootState,
    checkpoint: &Checkpoint,
    clone_use: &CloneUse,
) -> Option<&'static str> {
    if clone_use.unfinished.contains(&checkpoint.id) {
        return None;
    }
    if clone_use.finished.contains(&checkpoint.id) {
        return Some(
            "the final pin of a finished clone (nested clones pin SSTs and copy no WAL from it)",
        );
    }
    let lifetime = checkpoint
        .expire_time
        .map(|expire| (expire - checkpoint.create_time).num_seconds());
    if checkpoint.name.is_some() || lifetime.is_none() {
        return None;
    }
    if clone_use.finished_sources.contains(&checkpoint.id)
        && lifetime == Some(CLONE_EPHEMERAL_SECONDS)
    {
        return Some(
            "the ephemeral checkpoint a finished clone of the latest state was made through",
        );
    }
    if precedes_a_compaction(root, checkpoint) {
        return Some("the compactor's checkpoint on the manifest its compaction replaced");
    }
    None
}

/// The compactor writes its output SSTs, then a checkpoint on the manifest it is about to
/// replace, then the compacted manifest (slatedb `compactor_state_protocols.rs`
/// `write_manifest`). So its checkpoint pins a manifest that lacks sorted-run SSTs which a later
/// manifest has and which were written shortly before the checkpoint. A user's checkpoint
/// pins the manifest current when it was made, which holds every SST written before it.
fn precedes_a_compaction(root: &RootState, checkpoint: &Checkpoint) -> bool {
    let Ok(pinned) = root.manifest(checkpoint.manifest_id) else {
        return false;
    };
    let in_pinned: BTreeSet<SstId> = pinned.sst_views().map(|view| view.sst.id).collect();
    let created_ms = checkpoint.create_time.timestamp_millis().max(0) as u64;
    // `create_time` has whole seconds: the SSTs may be up to a second newer.
    let latest_ms = created_ms + 999;
    let earliest_ms = created_ms.saturating_sub(COMPACTION_WINDOW_MS);
    root.manifests
        .values()
        .map(|file| &file.manifest)
        .filter(|m| m.id > pinned.id)
        .flat_map(sorted_run_ssts)
        .any(|id| {
            let at = id.0.timestamp_ms();
            !in_pinned.contains(&id) && (earliest_ms..=latest_ms).contains(&at)
        })
}

fn sorted_run_ssts(manifest: &Manifest) -> impl Iterator<Item = SstId> + '_ {
    manifest
        .trees()
        .flat_map(|tree| tree.compacted.iter())
        .flat_map(|run| run.sst_views.iter())
        .map(|view| view.sst.id)
}
