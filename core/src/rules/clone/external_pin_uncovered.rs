//! `SDB-CLONE-008` external-pin-uncovered: a clone's pin does not pin every SST the clone reads. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{ExternalDb, Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// For every `external_dbs` entry of a clone that reads SSTs of another database and whose
    /// pin (`final_checkpoint_id`) is present there: that the manifest the pin points at
    /// references every id in `sst_ids`. It also notes a source checkpoint that still exists
    /// but points at a different manifest than the pin (SlateDB creates the pin from the
    /// source checkpoint, so both resolve to one manifest while both exist). Pins that are
    /// missing are `SDB-CLONE-001`'s; pinned manifests not given are not judged.
    ///
    /// ## Why it matters
    /// The pin keeps the parent's GC from deleting what the pinned manifest references, and
    /// nothing else. At clone time `sst_ids` is exactly the parent's own SSTs in that manifest
    /// (`manifest/mod.rs:1015-1021`) and it only shrinks afterwards, so an id outside the
    /// pinned manifest means the pin or the clone manifest was rewritten. Such an SST survives
    /// only while the parent's own latest manifest or checkpoints still reference it; once the
    /// parent compacts it away, GC deletes it.
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (… not found)` on the clone's reads after the parent's
    /// next compaction and GC.
    ///
    /// ## Example
    /// `clone` reads 4 SSTs of `parent` through pin `87a64d6f-…`, which points at `parent`'s
    /// manifest 8, and manifest 8 references none of them.
    pub static RULE = {
        id: "SDB-CLONE-008",
        name: "external-pin-uncovered",
        family: Clone,
        severity: Warning,
        summary: "a clone's pin does not cover every SST the clone reads from the pinned database",
        scan: scan,
    };
}

/// Checks one external database entry of `root`'s latest manifest.
pub fn check_entry(cx: &RuleContext<'_>, root: &RootState, entry: &ExternalDb) -> Vec<Finding> {
    let mut out = Vec::new();
    if entry.sst_ids.is_empty() {
        return out;
    }
    let Some(parent) = cx.snapshot.root(&entry.path) else {
        return out;
    };
    let Some(parent_latest) = parent.latest_given() else {
        return out;
    };
    let Some(pin) = entry
        .final_checkpoint_id
        .and_then(|id| parent_latest.checkpoints.iter().find(|c| c.id == id))
    else {
        return out;
    };
    if let Ok(pinned) = parent.manifest(pin.manifest_id) {
        let pinned_ids: BTreeSet<SstId> = pinned.sst_views().map(|view| view.sst.id).collect();
        let uncovered: Vec<String> = entry
            .sst_ids
            .iter()
            .filter(|id| !pinned_ids.contains(id))
            .map(|id| id.to_string())
            .collect();
        if !uncovered.is_empty() {
            out.push(RULE.finding(
                &root.path,
                format!(
                    "`{}` reads {} SST(s) of `{}` that its pin {} (manifest {}) does not reference: only `{}`'s own state keeps them from its GC",
                    root.path, uncovered.len(), entry.path, pin.id, pin.manifest_id, entry.path
                ),
                evidence![
                    ("external_path", &entry.path),
                    ("final_checkpoint_id", pin.id),
                    ("pinned_manifest_id", pin.manifest_id),
                    ("uncovered_sst_ids", uncovered),
                ],
                format!("create a never-expiring checkpoint on `{}` of a manifest that references these SSTs (its latest, if it still does) and keep it until `{}` compacts them away", entry.path, root.path),
                Impact::Advisory,
            ));
        }
    }
    let source = parent_latest
        .checkpoints
        .iter()
        .find(|c| c.id == entry.source_checkpoint_id);
    if let Some(source) = source.filter(|s| s.manifest_id != pin.manifest_id) {
        let mut note = RULE.finding(
            &root.path,
            format!(
                "`{}`'s source checkpoint {} on `{}` points at manifest {} but its pin {} points at manifest {}: SlateDB creates both for one manifest",
                root.path, source.id, entry.path, source.manifest_id, pin.id, pin.manifest_id
            ),
            evidence![
                ("external_path", &entry.path),
                ("source_checkpoint_id", source.id),
                ("source_manifest_id", source.manifest_id),
                ("final_checkpoint_id", pin.id),
                ("pinned_manifest_id", pin.manifest_id),
            ],
            "check which tool rewrote the checkpoints; the pin's manifest is the one that protects the clone's SSTs",
            Impact::Advisory,
        );
        note.severity = Severity::Note;
        out.push(note);
    }
    out
}

/// Checks every external database of `latest`.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Vec<Finding> {
    latest
        .external_dbs
        .iter()
        .flat_map(|entry| check_entry(cx, root, entry))
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
