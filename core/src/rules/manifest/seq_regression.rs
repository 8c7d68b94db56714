//! `SDB-MAN-006` seq-regression: `last_l0_seq` goes back, or does not advance when an L0 is added. See [`RULE`].

use super::successions;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// That `last_l0_seq` never decreases from one manifest version of a database to the next,
    /// and strictly increases when the later version adds an L0 SST the earlier one did not
    /// reference. A clone starts from its parent's value (not flagged); steps out of an
    /// unfinished clone's first manifest are not judged.
    ///
    /// ## Why it matters
    /// `last_l0_seq` is the sequence number of the newest row already in L0 or below. SlateDB
    /// asserts it grows with every L0 flush (`manifest_writer.rs:538-541`) and uses it to skip
    /// WAL rows already flushed on replay and to pick the next sequence number. A lower value
    /// means the manifest was rolled back or rewritten: replay re-applies rows already in L0
    /// and new writes may reuse sequence numbers of existing rows, which can hide newer values
    /// behind older ones.
    ///
    /// ## SlateDB error it prevents
    /// None at open; reads may return superseded values after sequence numbers are reused.
    ///
    /// ## Example
    /// `p` manifest 6 has `last_l0_seq` 4 and manifest 7 has `last_l0_seq` 2.
    pub static RULE = {
        id: "SDB-MAN-006",
        name: "seq-regression",
        family: Manifest,
        severity: Warning,
        summary: "last_l0_seq goes back between manifest versions, or does not advance when an L0 is added",
        scan: scan,
    };
}

fn l0_ids(manifest: &Manifest) -> BTreeSet<SstId> {
    manifest
        .trees()
        .flat_map(|tree| tree.l0.iter().map(|view| view.sst.id))
        .collect()
}

fn all_ids(manifest: &Manifest) -> BTreeSet<SstId> {
    manifest.sst_views().map(|view| view.sst.id).collect()
}

fn check_step(root: &RootState, earlier: &Manifest, later: &Manifest) -> Option<Finding> {
    let known = all_ids(earlier);
    let added: Vec<String> = l0_ids(later)
        .into_iter()
        .filter(|id| !known.contains(id))
        .map(|id| id.to_string())
        .collect();
    let (before, after) = (earlier.last_l0_seq, later.last_l0_seq);
    let problem = if after < before {
        format!("goes back from {before} to {after}")
    } else if !added.is_empty() && after == before {
        format!(
            "stays at {after} although {} L0 SST(s) were added",
            added.len()
        )
    } else {
        return None;
    };
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}`'s last_l0_seq {problem} between manifests {} and {}: SlateDB only raises it, so manifests were rolled back or rewritten",
            root.path, earlier.id, later.id
        ),
        evidence![
            ("earlier_manifest_id", earlier.id),
            ("earlier_last_l0_seq", before),
            ("later_manifest_id", later.id),
            ("later_last_l0_seq", after),
            ("added_l0_sst_ids", added),
        ],
        "stop writers of the database and restore the manifest versions that were rolled back or rewritten before reopening it",
        Impact::Advisory,
    ))
}

/// The sequence regressions between consecutive manifests of `root`.
pub fn check(root: &RootState) -> Vec<Finding> {
    successions(root)
        .into_iter()
        .filter_map(|(earlier, later)| check_step(root, earlier, later))
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        out.extend(check(root));
    }
}
