//! `SDB-WAL-006` fence-accumulation: zero-byte fence WALs below the replay point pile up. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Counts the zero-byte WAL objects (fences) below the latest manifest's
    /// `replay_after_wal_id`: every writer open leaves one.
    ///
    /// ## Why it matters
    /// Regular WAL GC deletes only WAL objects with data; fences are deleted only by the fence
    /// task, which is a dry run by default. They are harmless, but they are what operators see
    /// as "empty WAL files" and delete by hand; a script that does so must never touch fences
    /// inside a checkpoint's WAL range (`SDB-WAL-001`, `SDB-WAL-002`).
    ///
    /// ## SlateDB error it prevents
    /// None by itself: it is information for WAL cleanups.
    ///
    /// ## Example
    /// `parent/wal/…01.sst` (0 bytes, from the first open) survives every GC pass.
    pub static RULE = {
        id: "SDB-WAL-006",
        name: "fence-accumulation",
        family: Wal,
        severity: Note,
        summary: "zero-byte fence WALs below the replay point accumulate; GC keeps them",
        scan: scan,
    };
}

/// A note for the fences below `latest`'s replay point.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let objects = cx.wal_objects(root).ok()?;
    let fences: Vec<u64> = objects
        .range(..=latest.replay_after_wal_id)
        .filter(|(_, o)| o.size == 0)
        .map(|(id, _)| *id)
        .collect();
    if fences.is_empty() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}` keeps {} zero-byte fence WAL(s) below its replay point ({}): regular GC never deletes them",
            root.path,
            fences.len(),
            latest.replay_after_wal_id
        ),
        evidence![("replay_after_wal_id", latest.replay_after_wal_id), ("fence_wal_ids", fences)],
        "leave them, or enable fence GC (wal_fence_options with dry_run = false) knowing a stale writer could reuse a deleted slot; never delete fences inside a checkpoint's WAL range",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
