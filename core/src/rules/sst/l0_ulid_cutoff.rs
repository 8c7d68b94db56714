//! `SDB-SST-002` level-zero-ulid-cutoff: an L0 SST was added with a ULID time below the previous L0 watermark. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{LsmTree, Manifest, SstId};
use crate::rules::manifest::successions;
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Between consecutive manifest versions of a database, tree by tree (the unsegmented tree
    /// and each segment): that every L0 SST the later version adds has a ULID time no earlier
    /// than the earlier version's L0 watermark, the newest ULID time among its L0 views and its
    /// `last_compacted_l0_sst_view_id` (RFC-0026/0029, `manifest/invariants.rs:18-85`).
    ///
    /// ## Why it matters
    /// Compacted-SST GC deletes unreferenced SSTs older than a cutoff that includes the newest
    /// L0's ULID time; that is safe only because L0 ULIDs are minted in order, so an SST still
    /// being uploaded is never older than the newest published L0. An L0 added with an older
    /// ULID (a writer host whose clock is behind the previous writer's, or a rewritten
    /// manifest) breaks that: while such an SST is in flight, GC may delete it and the manifest
    /// then references a missing SST. SlateDB implements this check but does not enforce it yet
    /// (`invariants.rs:52, 87-93`, "Will be attached … in the follow-up wiring PR").
    ///
    /// ## SlateDB error it prevents
    /// `InvalidClockTick` once SlateDB enforces the check; until then, a possible
    /// `ObjectStoreError(NotFound)` on reads of an L0 that GC deleted while it was in flight.
    ///
    /// ## Example
    /// `parent` manifest 4 adds L0 `01M8…` whose ULID time is 2 s before that of the L0 manifest
    /// 3 already had.
    pub static RULE = {
        id: "SDB-SST-002",
        name: "level-zero-ulid-cutoff",
        family: Sst,
        severity: Warning,
        summary: "an L0 SST was added with a ULID time below the previous manifest's L0 watermark",
        scan: scan,
    };
}

/// The trees of a manifest keyed by segment prefix (`None` for the unsegmented tree).
fn keyed_trees(manifest: &Manifest) -> Vec<(Option<&[u8]>, &LsmTree)> {
    std::iter::once((None, &manifest.tree))
        .chain(
            manifest
                .segments
                .iter()
                .map(|segment| (Some(segment.prefix.as_slice()), &segment.tree)),
        )
        .collect()
}

/// The newest ULID time (ms) among a tree's L0 views and its last compacted L0 view.
fn watermark(tree: &LsmTree) -> Option<u64> {
    tree.l0
        .iter()
        .map(|view| view.id.timestamp_ms())
        .chain(
            tree.last_compacted_l0_sst_view_id
                .map(|id| id.timestamp_ms()),
        )
        .max()
}

fn check_step(root: &RootState, earlier: &Manifest, later: &Manifest) -> Vec<Finding> {
    let earlier_trees = keyed_trees(earlier);
    let mut out = Vec::new();
    for (prefix, tree) in keyed_trees(later) {
        let Some((_, before)) = earlier_trees.iter().find(|(p, _)| *p == prefix) else {
            continue;
        };
        let Some(mark) = watermark(before) else {
            continue;
        };
        let known: BTreeSet<SstId> = before.sst_views().map(|view| view.sst.id).collect();
        let early: Vec<(SstId, u64)> = tree
            .l0
            .iter()
            .map(|view| view.sst.id)
            .filter(|id| !known.contains(id) && id.0.timestamp_ms() < mark)
            .map(|id| (id, mark - id.0.timestamp_ms()))
            .collect();
        if let Some((first, behind_ms)) = early.first() {
            out.push(RULE.finding(
                &root.path,
                format!(
                    "manifest {} of `{}` adds {} L0 SST(s){} older than the L0 watermark of manifest {}, e.g. {first} ({behind_ms} ms behind)",
                    later.id,
                    root.path,
                    early.len(),
                    prefix.map(|p| format!(" to segment `{}`", String::from_utf8_lossy(p))).unwrap_or_default(),
                    earlier.id
                ),
                evidence![
                    ("earlier_manifest_id", earlier.id),
                    ("later_manifest_id", later.id),
                    ("watermark_ms", mark),
                    ("early_l0_sst_ids", early.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>()),
                ],
                "check the clocks of the hosts that write this database (L0 ULIDs carry the writer's wall time); keep GC's min_age well above any clock skew",
                Impact::Advisory,
            ));
        }
    }
    out
}

/// The L0 watermark violations between consecutive manifests of `root`.
pub fn check(root: &RootState) -> Vec<Finding> {
    successions(root)
        .into_iter()
        .flat_map(|(earlier, later)| check_step(root, earlier, later))
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        out.extend(check(root));
    }
}
