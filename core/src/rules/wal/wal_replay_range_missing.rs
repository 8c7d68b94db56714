//! `SDB-WAL-004` wal-replay-range-missing: WAL objects after the replay point are gone: a writer open may drop writes. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::{RootState, WriterOpenForecast};

crate::declare_rule! {
    /// ## What it checks
    /// Whether WAL objects the latest manifest says were written after its replay point
    /// (`replay_after_wal_id + 1 ..= next_wal_sst_id - 1`) are gone, with nothing after them:
    /// a wiped or cleaned-up WAL.
    ///
    /// ## Why it matters
    /// A writer open then finds no WAL to replay and succeeds. If those objects held writes not
    /// yet flushed to L0, the writes are silently lost; if they were fences or rows already in L0,
    /// nothing is lost. The manifest cannot tell which, so the open is `inconclusive`.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: the loss is silent (reopen succeeds; reads return `None` for the keys).
    ///
    /// ## Example
    /// `db` was closed after a WAL flush (`CloseOptions { flush_type: Some(Wal) }`) and its WAL
    /// store wiped: WAL 3 (with `walkey`) is gone and the reopen drops `walkey`.
    pub static RULE = {
        id: "SDB-WAL-004",
        name: "wal-replay-range-missing",
        family: Wal,
        severity: Warning,
        summary: "WAL objects after the replay point are gone: a writer open may drop writes",
        scan: scan,
    };
}

/// Checks the latest manifest's WAL range for objects gone past the probe's end.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let present = cx.wal_ids(root).ok()?;
    let forecast = WriterOpenForecast::new(latest.replay_after_wal_id, &present);
    let gone: Vec<u64> = latest
        .wal_replay_range()
        .filter(|id| *id > forecast.last_seen && !present.contains(id))
        .collect();
    if gone.is_empty() || !forecast.is_clean() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "manifest {} of `{}` records WAL {} after its replay point, and {} gone: a writer open succeeds but drops any writes {} held that were not yet in L0",
            latest.id,
            root.path,
            id_ranges(&gone),
            if gone.len() == 1 { "it is" } else { "they are" },
            if gone.len() == 1 { "it" } else { "they" }
        ),
        evidence![
            ("manifest_id", latest.id),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("next_wal_sst_id", latest.next_wal_sst_id),
            ("missing_wal_ids", gone),
        ],
        "if the WAL objects can be restored (versioning, backup, the WAL disk), restore them before opening a writer; otherwise accept that writes after the last L0 flush may be lost",
        Impact::Inconclusive,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}

/// The finding for deleting WAL objects `ids` (with data, after the replay point) of `latest`.
pub fn would_drop(root: &RootState, latest: &Manifest, ids: &[u64]) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {} after the replay point of manifest {}: any writes in them not yet flushed to L0 are lost",
            root.path,
            id_ranges(ids),
            latest.id
        ),
        evidence![("manifest_id", latest.id), ("replay_after_wal_id", latest.replay_after_wal_id), ("wal_ids_with_data", ids)],
        "flush the memtable to L0 first (Db::flush_with_options(FlushType::MemTable), or close the writer with a memtable flush), then check again",
        Impact::Inconclusive,
    )
}
