//! `SDB-MAN-002` manifest-rollback: SSTs newer than the latest manifest that it does not know. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Whether the root's `compacted/` folder holds SSTs that no manifest given references and
    /// that are newer (by ULID time) than every SST the latest manifest references; for a clone
    /// from latest, also whether WAL objects with data lie past the latest manifest's WAL range.
    ///
    /// ## Why it matters
    /// The latest manifest is simply the highest id listed. If the newest manifest object was
    /// deleted (by hand, a bad sync or restore, a lifecycle rule), SlateDB silently rolls back
    /// to the previous one: the L0 SSTs written since become orphans, the writes in them are
    /// gone, and checkpoints recorded only in the deleted manifest vanish. The same traces are
    /// left, harmlessly, by a writer or compactor that crashed after uploading an SST and
    /// before publishing it; the listing cannot tell which, so actions that depend on the
    /// latest state are `inconclusive`.
    ///
    /// ## SlateDB error it prevents
    /// Silent loss of the writes in the orphaned SSTs (reads return `None`), and
    /// `CheckpointMissing` for checkpoints only the deleted manifest held.
    ///
    /// ## Example
    /// `p/manifest/…07.manifest` was deleted; `p/compacted/01M8C…` (written for manifest 7)
    /// is newer than every SST manifest 6 references.
    pub static RULE = {
        id: "SDB-MAN-002",
        name: "manifest-rollback",
        family: Manifest,
        severity: Warning,
        summary: "SSTs newer than the latest manifest are unknown to it: it may have been rolled back",
        scan: scan,
    };
}

/// A finding when `root` holds unreferenced SSTs newer than everything `latest` references.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    // Anything a manifest given or another root's external_dbs references is not an orphan.
    let mut referenced: BTreeSet<SstId> = root
        .manifests
        .values()
        .flat_map(|file| file.manifest.sst_views().map(|view| view.sst.id))
        .collect();
    for other in cx.roots() {
        for file in other.manifests.values() {
            for db in file
                .manifest
                .external_dbs
                .iter()
                .filter(|db| db.path == root.path)
            {
                referenced.extend(db.sst_ids.iter().copied());
            }
        }
    }
    let newest_known = latest
        .sst_views()
        .map(|view| view.sst.id.0.timestamp_ms())
        .max()
        .unwrap_or(0);
    let orphans: Vec<String> = root
        .compacted
        .iter()
        .filter(|(id, _)| !referenced.contains(id) && id.0.timestamp_ms() > newest_known)
        .map(|(_, listed)| listed.key.clone())
        .collect();
    if orphans.is_empty() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}` holds {} SST(s) newer than everything its latest manifest ({}) references, and no manifest references them: the newest manifest may have been deleted (SlateDB then rolls back silently), or a writer crashed before publishing them",
            root.path,
            orphans.len(),
            latest.id
        ),
        evidence![("manifest_id", latest.id), ("unreferenced_keys", orphans)],
        "find out whether a manifest object newer than the latest listed was deleted (object versioning, access logs) and restore it before any writer, reader or clone uses the database",
        Impact::Inconclusive,
    ))
}

/// For a clone from the latest state: a finding when WAL objects holding data lie beyond the
/// latest manifest's WAL range (`next_wal_sst_id` and up).
///
/// SlateDB's clone copies exactly `replay_after_wal_id + 1 ..= next_wal_sst_id - 1` of the
/// manifest it clones (`WalAdmin::clone_wal`, `wal/slatedb/admin.rs:132-160`), while a writer
/// or reader of the database itself replays every WAL object after `replay_after_wal_id` until
/// the first missing one. Data WAL objects past the range are the trace of a deleted newest
/// manifest (the oracle: both sessions closed with a WAL flush, the newest manifest deleted, the
/// clone lost the second session's writes) or of a writer that is running or crashed before
/// recording them; either way the clone does not get those writes.
pub fn check_wal_beyond(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
) -> Option<Finding> {
    let objects = cx.wal_objects(root).ok()?;
    let beyond: Vec<String> = objects
        .range(latest.next_wal_sst_id..)
        .filter(|(_, listed)| listed.size > 0)
        .map(|(_, listed)| listed.key.clone())
        .collect();
    if beyond.is_empty() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}` holds {} WAL object(s) with data past the WAL range of its latest manifest ({}, next_wal_sst_id {}): a clone from latest copies only that range and does not get their writes; the newest manifest may have been deleted (SlateDB then rolls back silently), or a writer is running or crashed before recording them",
            root.path,
            beyond.len(),
            latest.id,
            latest.next_wal_sst_id
        ),
        evidence![("manifest_id", latest.id), ("next_wal_sst_id", latest.next_wal_sst_id), ("unreferenced_keys", beyond)],
        "find out whether a manifest object newer than the latest listed was deleted and restore it, or let the writer record its WAL (a flush or a clean close) before cloning",
        Impact::Inconclusive,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
