//! `SDB-CLONE-007` external-coverage: `external_dbs[*].sst_ids` and the SSTs the manifest references disagree. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::listing::{object_key, SlateObject};
use crate::model::{Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// That the latest manifest routes every SST it references to where the SST lives:
    /// an SST missing from the root's own `compacted/` folder must be listed in some
    /// `external_dbs[*].sst_ids`. It fires (error) when such an SST is not covered but exists
    /// under another database of the listing, typically the clone's parent. Conversely, it
    /// notes `sst_ids` entries the manifest no longer references.
    ///
    /// ## Why it matters
    /// SlateDB resolves an SST id to `<external path>/compacted/` only when the id is in that
    /// external database's `sst_ids` (`paths.rs:95-99`); any other id resolves under the clone
    /// itself. A clone manifest that lost part of its `sst_ids` (rewritten by hand or by a
    /// tool) therefore reads its parent's SSTs at the wrong place, although the SSTs still
    /// exist: `SDB-SST-001` reports them missing, this rule says why and that restoring them is
    /// not the fix. The converse is harmless to reads but keeps the parent pinned: SlateDB
    /// prunes `sst_ids` on every merge (`prune_external_sst_ids`), and detach only releases
    /// the parent's checkpoint once `sst_ids` is empty.
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (… <clone>/compacted/<ULID>.sst not found)` on reads of
    /// the uncovered SSTs.
    ///
    /// ## Example
    /// `clone`'s latest manifest references `01M8…` in L0, `clone/compacted/01M8….sst` does not
    /// exist, `parent/compacted/01M8….sst` does, and `external_dbs[0].sst_ids` omits it.
    pub static RULE = {
        id: "SDB-CLONE-007",
        name: "external-coverage",
        family: Clone,
        severity: Error,
        summary: "an SST the manifest references is neither in its own folder nor routed to the database holding it",
        scan: scan,
    };
}

/// Where else in the listing SST `id` exists: the external databases first, then any root.
fn found_elsewhere(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
    id: SstId,
) -> Option<String> {
    let external = latest
        .external_dbs
        .iter()
        .filter_map(|entry| cx.snapshot.root(&entry.path));
    external
        .chain(cx.roots())
        .filter(|other| other.path != root.path)
        .find(|other| other.compacted.contains_key(&id))
        .map(|other| object_key(&other.path, &SlateObject::Compacted { id }))
}

/// The uncovered SSTs (error) and stale `sst_ids` (note) of `root`'s latest manifest.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Vec<Finding> {
    let mut out = Vec::new();
    let referenced: BTreeSet<SstId> = latest.sst_views().map(|view| view.sst.id).collect();
    let covered: BTreeSet<SstId> = latest
        .external_dbs
        .iter()
        .flat_map(|entry| entry.sst_ids.iter().copied())
        .collect();
    // Absence from the root's own folder needs a complete, current listing.
    if cx.root_main_unknown(root).is_none() {
        let misrouted: Vec<(String, String)> = referenced
            .iter()
            .filter(|id| !covered.contains(id) && !root.compacted.contains_key(id))
            .filter_map(|id| {
                found_elsewhere(cx, root, latest, *id).map(|found| {
                    (
                        object_key(&root.path, &SlateObject::Compacted { id: *id }),
                        found,
                    )
                })
            })
            .collect();
        if let Some((read_at, found_at)) = misrouted.first() {
            out.push(RULE.finding(
                &root.path,
                format!(
                    "`{}`'s latest manifest ({}) references {} SST(s) that no external_dbs entry routes elsewhere, so SlateDB reads them under `{}` where they are not, e.g. {read_at} (it exists as {found_at})",
                    root.path, latest.id, misrouted.len(), root.path
                ),
                evidence![
                    ("manifest_id", latest.id),
                    ("read_at_keys", misrouted.iter().map(|(read, _)| read.clone()).collect::<Vec<_>>()),
                    ("found_at_keys", misrouted.iter().map(|(_, found)| found.clone()).collect::<Vec<_>>()),
                ],
                "do not copy the SSTs into the clone; restore the manifest version that still listed them in external_dbs[*].sst_ids (SlateDB never drops ids it still references)",
                Impact::Unsafe { predicted_error: format!("ObjectStoreError(NotFound {read_at}) on read") },
            ));
        }
    }
    for entry in &latest.external_dbs {
        let stale: Vec<String> = entry
            .sst_ids
            .iter()
            .filter(|id| !referenced.contains(id))
            .map(|id| id.to_string())
            .collect();
        if stale.is_empty() {
            continue;
        }
        let mut note = RULE.finding(
            &root.path,
            format!(
                "`{}`'s latest manifest ({}) lists {} SST(s) of `{}` in external_dbs that it no longer references: its pin there is kept until a merge prunes them",
                root.path, latest.id, stale.len(), entry.path
            ),
            evidence![
                ("manifest_id", latest.id),
                ("external_path", &entry.path),
                ("unreferenced_sst_ids", stale),
                ("final_checkpoint_id", entry.final_checkpoint_id),
            ],
            "nothing breaks; the next compaction of the clone prunes the ids, after which GC detaches it from the parent",
            Impact::Advisory,
        );
        note.severity = Severity::Note;
        out.push(note);
    }
    out
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
