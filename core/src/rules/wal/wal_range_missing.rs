//! `SDB-WAL-001` wal-range-missing: a WAL object a clone from this manifest must copy is missing. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::listing::input_missing;
use crate::rules::{RuleContext, WalPolicy};
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// For every manifest a clone may start from (each checkpoint's manifest, and the latest
    /// manifest for a clone of "latest"), that every WAL object a single-source clone copies
    /// exists: ids `replay_after_wal_id + 1 ..= next_wal_sst_id - 1` under the root, in the
    /// store that holds its WAL, zero-byte fences included. Before a `wipe-wal:`, every live
    /// checkpoint's range is checked, SlateDB's own included (a finished clone's final pin, the
    /// checkpoint a clone of the latest state was made through, the compactor's): SlateDB never
    /// clones from those itself, but they are listed like any other, and the finding names them.
    ///
    /// ## Why it matters
    /// `SlateDbWalAdmin::clone_wal` copies each id in that range and turns any failure into an
    /// error (slatedb `wal/slatedb/admin.rs`); there is no skipping. A checkpoint taken after a
    /// reopen routinely pins a fence WAL and a WAL whose rows are already in L0
    /// (`replay_after_wal_id` only moves on L0 flushes), so wiping the WAL store after a split
    /// breaks every later clone from that checkpoint, although no data is lost.
    ///
    /// ## SlateDB error it prevents
    /// `WalUnavailable` ("wal unavailable (Object at location …/wal/…2.sst not found)",
    /// SlateDB 0.18; 0.15 reports `Data error: object store error … not found`). The failed
    /// clone stays `initialized=false` and leaves a never-expiring checkpoint on the parent.
    ///
    /// ## Example
    /// Checkpoint `split` of `shard` pins manifest 6 with `replay_after_wal_id=1`,
    /// `next_wal_sst_id=4`; after the WAL store was wiped, WAL 2 and 3 are missing, so
    /// `clone:shard@split` is unsafe.
    pub static RULE = {
        id: "SDB-WAL-001",
        name: "wal-range-missing",
        family: Wal,
        severity: Error,
        summary: "a WAL object a clone from this manifest must copy is missing",
        scan: scan,
    };
}

/// Checks the WAL objects a clone of `manifest` (of `root`) copies; `subject` names the
/// manifest in messages (e.g. "checkpoint `split` (manifest 6)").
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
    let present = match cx.wal_ids(root) {
        Ok(present) => present,
        Err(why) => {
            return Some(input_missing::finding(
                &root.path,
                &format!("whether WAL {} of `{}` exist", id_ranges(&range), root.path),
                &why,
            ))
        }
    };
    let missing: Vec<u64> = range
        .iter()
        .copied()
        .filter(|id| !present.contains(id))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let fatal: Vec<u64> = match cx.options.wal_policy {
        WalPolicy::Upstream => missing.clone(),
        WalPolicy::SkipLeadingMissing => {
            let first_present = range.iter().find(|id| present.contains(id));
            first_present.map_or_else(Vec::new, |first| {
                missing.iter().copied().filter(|id| id > first).collect()
            })
        }
    };
    if fatal.is_empty() {
        return None;
    }
    let keys: Vec<String> = fatal.iter().map(|id| root.wal_key(*id)).collect();
    Some(RULE.finding(
        &root.path,
        format!(
            "cloning `{}` from {subject} copies WAL {}, and WAL {} {} missing",
            root.path,
            id_ranges(&range),
            id_ranges(&fatal),
            if fatal.len() == 1 { "is" } else { "are" }
        ),
        evidence![
            ("manifest_id", manifest.id),
            ("replay_after_wal_id", manifest.replay_after_wal_id),
            ("next_wal_sst_id", manifest.next_wal_sst_id),
            ("wal_range", range),
            ("missing_wal_ids", fatal),
            ("missing_keys", keys),
        ],
        "restore the missing WAL objects (from object versioning or a backup) before cloning, or clone from a checkpoint whose WAL range is intact; after a split, keep each checkpoint's WAL range until its clones are initialized",
        Impact::Unsafe { predicted_error: format!("WalUnavailable (NotFound {})", root.wal_key(fatal[0])) },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        let Some(latest) = root.latest_given() else {
            continue;
        };
        out.extend(check(
            cx,
            root,
            latest,
            &format!("its latest manifest ({})", latest.id),
        ));
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

/// The finding for deleting WAL objects `ids` that a clone of `manifest` copies.
pub fn would_break(root: &RootState, manifest: &Manifest, subject: &str, ids: &[u64]) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, which a clone from {subject} copies: that clone would fail",
            root.path,
            id_ranges(ids)
        ),
        evidence![
            ("manifest_id", manifest.id),
            ("wal_range", manifest.wal_replay_range().collect::<Vec<_>>()),
            ("needed_wal_ids", ids),
            ("needed_keys", ids.iter().map(|id| root.wal_key(*id)).collect::<Vec<_>>()),
        ],
        "keep these WAL objects until every clone from the checkpoint is initialized (or delete the checkpoint first if no clone will be made from it)",
        Impact::Unsafe { predicted_error: format!("WalUnavailable (NotFound {}) on a clone from {subject}", root.wal_key(ids[0])) },
    )
}

/// The finding for deleting WAL objects `ids` that a clone of `manifest` copies, when that
/// clone fails already (other objects of its range, or SSTs its manifest references, are gone):
/// nothing that works breaks, but a restore of the missing objects would no longer mend the
/// checkpoint.
pub fn would_break_further(
    root: &RootState,
    manifest: &Manifest,
    subject: &str,
    ids: &[u64],
) -> Finding {
    let mut finding = would_break(root, manifest, subject, ids);
    finding.message = format!(
        "wiping the WAL of `{}` deletes WAL {}, which a clone from {subject} copies: that clone fails already (objects it needs are gone), and after the wipe restoring those alone would not mend it",
        root.path,
        id_ranges(ids)
    );
    finding.remediation = "to keep the checkpoint usable, restore its missing WAL objects (from object versioning or a backup) and keep these until its clones are initialized; otherwise delete the checkpoint".into();
    finding
}
