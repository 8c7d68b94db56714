//! `SDB-WAL-002` wal-fence-gap: a checkpoint pins WAL objects that are only zero-byte fences. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a checkpoint pins a WAL range made only of zero-byte fence objects: the range
    /// is not empty, every object in it exists, and none holds data.
    ///
    /// ## Why it matters
    /// Each writer open writes a zero-byte fence WAL and advances `next_wal_sst_id`, but
    /// `replay_after_wal_id` only moves when a non-empty memtable reaches L0. A checkpoint taken
    /// after a reopen without writes (`CheckpointScope::All` with an empty memtable, `Durable`,
    /// or a detached checkpoint) therefore pins fences. A clone gains nothing from them, yet
    /// fails if any is gone, and operators clean up "empty" WAL files and local WAL disks.
    ///
    /// ## SlateDB error it prevents
    /// `WalUnavailable` on a later clone, once the fences are deleted (see `SDB-WAL-001`).
    ///
    /// ## Example
    /// A checkpoint of manifest 9 with `replay_after_wal_id=4`, `next_wal_sst_id=6`: WAL 5 is
    /// a 0-byte fence. Clone soon, or keep WAL 5 until the clone is initialized.
    pub static RULE = {
        id: "SDB-WAL-002",
        name: "wal-fence-gap",
        family: Wal,
        severity: Warning,
        summary: "a checkpoint pins WAL objects that are only zero-byte fences",
        scan: scan,
    };
}

/// Checks whether `manifest`'s WAL range holds only fences.
pub fn check(
    cx: &RuleContext<'_>,
    root: &RootState,
    manifest: &Manifest,
    subject: &str,
) -> Option<Finding> {
    let range: Vec<u64> = manifest.wal_replay_range().collect();
    if range.is_empty() {
        return None;
    }
    let objects = cx.wal_objects(root).ok()?;
    let all_fences = range
        .iter()
        .all(|id| objects.get(id).is_some_and(|o| o.size == 0));
    if !all_fences {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "{subject} of `{}` pins WAL {}, which {}: a clone from it fails if {} deleted",
            root.path,
            id_ranges(&range),
            if range.len() == 1 { "is only a zero-byte fence" } else { "are only zero-byte fences" },
            if range.len() == 1 { "it is" } else { "they are" }
        ),
        evidence![("manifest_id", manifest.id), ("wal_range", range)],
        "keep these WAL objects (do not delete 0-byte WAL files or wipe the WAL store) until every clone from this checkpoint is initialized; or write and flush to L0 before checkpointing so the range closes",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        let Some(latest) = root.latest_given() else {
            continue;
        };
        for checkpoint in &latest.checkpoints {
            if let Ok(manifest) = root.manifest(checkpoint.manifest_id) {
                out.extend(check(
                    cx,
                    root,
                    manifest,
                    &super::super::checkpoint::describe(checkpoint),
                ));
            }
        }
    }
}
