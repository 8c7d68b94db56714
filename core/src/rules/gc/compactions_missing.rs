//! `SDB-GC-002` compactions-missing: a database compacted its own SSTs but has no compactor state: GC keeps every SST. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a database whose latest manifest has sorted runs made of its own SSTs (so a
    /// compactor ran on it) has any `<root>/compactions/*.compactions` object in a complete
    /// listing. Sorted runs a clone inherited from its parent (ids in `external_dbs`) do not
    /// count: the parent's compactor made them.
    ///
    /// ## Why it matters
    /// Compacted-SST GC bounds what it deletes by the oldest compaction in the latest
    /// compactions file; with no such file the bound is the Unix epoch, so GC never deletes a
    /// compacted SST again (`compacted_gc.rs:84-112`). Nothing fails, but storage grows
    /// without limit: merged-away L0s and old runs stay forever. Compactions GC always keeps
    /// the newest file, so its absence means it was deleted from outside (a lifecycle rule on
    /// the folder, a partial copy of the database).
    ///
    /// ## SlateDB error it prevents
    /// None: a GC that silently stops collecting compacted SSTs.
    ///
    /// ## Example
    /// `parent`'s latest manifest has one sorted run of its own SSTs and the listing shows no
    /// `parent/compactions/` object.
    pub static RULE = {
        id: "SDB-GC-002",
        name: "compactions-missing",
        family: Gc,
        severity: Note,
        summary: "a database compacted its own SSTs but has no compactor state: GC keeps every SST",
        scan: scan,
    };
}

/// The SSTs of `latest`'s sorted runs that `latest`'s database owns.
fn own_run_ssts(latest: &Manifest) -> Vec<SstId> {
    let external: BTreeSet<SstId> = latest
        .external_dbs
        .iter()
        .flat_map(|entry| entry.sst_ids.iter().copied())
        .collect();
    latest
        .trees()
        .flat_map(|tree| tree.compacted.iter())
        .flat_map(|run| run.sst_views.iter().map(|view| view.sst.id))
        .filter(|id| !external.contains(id))
        .collect()
}

/// A note when `root` compacted its own SSTs and no compactions object is listed.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    if root.compactions_listed || cx.root_main_unknown(root).is_some() {
        return None;
    }
    let own = own_run_ssts(latest);
    if own.is_empty() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}`'s latest manifest ({}) has sorted runs of its own SSTs ({}), but no `{}/compactions/` object is listed: GC will not delete any compacted SST of it",
            root.path, latest.id, own.len(), root.path
        ),
        evidence![
            ("manifest_id", latest.id),
            ("own_sorted_run_ssts", own.iter().map(|id| id.to_string()).collect::<Vec<_>>()),
        ],
        "find what deleted the compactions folder (a lifecycle rule, a partial copy); running the compactor again writes a new compactions file and lets GC collect again",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
