//! Which checkpoints of a database are SlateDB's own, told apart by what the store shows about
//! them, not by a missing name: users and operators create unnamed checkpoints with lifetimes
//! through the API too. SlateDB never clones from its own checkpoints, but anyone may (they are
//! listed like any other), so an action that breaks a clone from one is judged as for any
//! checkpoint, and the finding says which it is and what it is for.

use crate::finding::Finding;
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

/// One of SlateDB's own checkpoints, and what it is for.
/// Ordered by how long it lasts: a final pin never expires.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum OwnCheckpoint {
    /// The never-expiring pin a finished clone (the root named) placed on its source, which
    /// keeps the SSTs it reads through `external_dbs` from GC (slatedb `clone.rs`).
    FinalPin { clone: String },
    /// The checkpoint a finished clone of the latest state was made through, with its 300 s
    /// lifetime.
    CloneSource { clone: String },
    /// The compactor's checkpoint on the manifest its compaction replaced, which keeps the
    /// compaction's inputs for in-flight scans for `checkpoint_lifetime`
    /// (`compactor_state_protocols.rs`, `write_manifest`).
    Compactor,
}

impl OwnCheckpoint {
    /// What it is, as a noun phrase.
    fn role(&self) -> String {
        match self {
            Self::FinalPin { clone } => format!("the final pin of finished clone `{clone}`"),
            Self::CloneSource { clone } => {
                format!(
                    "the checkpoint finished clone `{clone}` of the latest state was made through"
                )
            }
            Self::Compactor => {
                "the compactor's checkpoint on the manifest its compaction replaced".into()
            }
        }
    }

    /// `breaks`, a finding that an action breaks a clone from `checkpoint`, which is this one,
    /// told with what it is: SlateDB itself never clones from it, so only a clone someone makes
    /// from it directly fails; and what to do instead of deleting it.
    pub(crate) fn explain(&self, checkpoint: &Checkpoint, mut breaks: Finding) -> Finding {
        let expires = checkpoint
            .expire_time
            .map_or_else(String::new, |at| format!(" at {at}"));
        let (what_for, instead) = match self {
            Self::FinalPin { clone } => (
                format!("a clone of `{clone}` reads SSTs through it and copies `{clone}`'s own WAL, never this one"),
                format!("do not delete the checkpoint to make way: it keeps the SSTs `{clone}` reads from GC (SDB-CLONE-004)"),
            ),
            Self::CloneSource { .. } => (
                "it was needed only while the clone was made".into(),
                format!("or wait until it expires{expires} (300 s after the clone was made) and GC's next pass removes it"),
            ),
            Self::Compactor => (
                "it keeps the compaction's inputs for scans that were running".into(),
                format!("or wait until it expires{expires} (`checkpoint_lifetime` after the compaction) and GC's next pass removes it"),
            ),
        };
        breaks.message = format!(
            "{}; checkpoint {} is {} ({what_for}): SlateDB never clones from it itself, but it is listed like any other, and a clone made from it directly fails",
            breaks.message,
            checkpoint.id,
            self.role()
        );
        breaks.remediation = format!(
            "keep these WAL objects while anyone may clone from this checkpoint directly; if no one will, the wipe breaks nothing SlateDB does itself, and saying so is the operator's call; {instead}"
        );
        breaks
    }
}

/// Which of SlateDB's own checkpoints `checkpoint` is, or `None` for any other.
pub(crate) fn slatedb_own(
    root: &RootState,
    checkpoint: &Checkpoint,
    clone_use: &CloneUse,
) -> Option<OwnCheckpoint> {
    if clone_use.unfinished.contains(&checkpoint.id) {
        return None;
    }
    if let Some(clone) = clone_use.finished.get(&checkpoint.id) {
        return Some(OwnCheckpoint::FinalPin {
            clone: clone.clone(),
        });
    }
    let lifetime = checkpoint
        .expire_time
        .map(|expire| (expire - checkpoint.create_time).num_seconds());
    if checkpoint.name.is_some() || lifetime.is_none() {
        return None;
    }
    if let Some(clone) = clone_use.finished_sources.get(&checkpoint.id) {
        if lifetime == Some(CLONE_EPHEMERAL_SECONDS) {
            return Some(OwnCheckpoint::CloneSource {
                clone: clone.clone(),
            });
        }
    }
    if precedes_a_compaction(root, checkpoint) {
        return Some(OwnCheckpoint::Compactor);
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
