//! `SDB-CLONE-004` dependent-clones: clones still read SSTs that a deletion would release. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::CheckpointId;
use crate::rules::RuleContext;

crate::declare_rule! {
    /// ## What it checks
    /// Before deleting a database or one of its checkpoints: which clones still read SSTs of
    /// that database through `external_dbs`, pinned by that checkpoint (or any checkpoint,
    /// for a database deletion).
    ///
    /// ## Why it matters
    /// Neither `Admin::delete_db` nor `Admin::delete_checkpoint` checks for dependents: the
    /// parent only knows it holds a checkpoint, not who placed it. After the deletion the
    /// parent's GC (or the deletion itself) removes SSTs the clones still read.
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (… not found)` on the clones' reads.
    ///
    /// ## Example
    /// `delete-checkpoint:parent@f0f53d3d…` while `clone.external_dbs` pins it with 2 SSTs.
    pub static RULE = {
        id: "SDB-CLONE-004",
        name: "dependent-clones",
        family: Clone,
        severity: Error,
        summary: "clones still read SSTs that a deletion would release",
        scan: scan,
    };
}

/// Findings for every clone that reads SSTs of `parent` pinned by `checkpoint` (any, if None).
pub fn check(
    cx: &RuleContext<'_>,
    parent: &str,
    checkpoint: Option<CheckpointId>,
    action: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for root in cx.roots() {
        let Some(latest) = root.latest_given() else {
            continue;
        };
        for entry in &latest.external_dbs {
            // An unfinished clone still needs its source checkpoint to resume.
            let pinned_here = checkpoint.is_none_or(|id| {
                entry.final_checkpoint_id == Some(id)
                    || (!latest.initialized && entry.source_checkpoint_id == id)
            });
            if entry.path == parent
                && pinned_here
                && (!entry.sst_ids.is_empty() || !latest.initialized)
            {
                out.push(RULE.finding(
                    parent,
                    format!("{action} breaks `{}`, which still reads {} SSTs of `{parent}`", root.path, entry.sst_ids.len()),
                    evidence![("clone", &root.path), ("final_checkpoint_id", entry.final_checkpoint_id), ("sst_ids", entry.sst_ids.len())],
                    format!("keep it until `{}` no longer reads `{parent}`'s SSTs (after compaction its sst_ids empty and detach GC releases the pin), or delete the clone first", root.path),
                    Impact::Unsafe { predicted_error: format!("ObjectStoreError(NotFound) on reads of `{}`", root.path) },
                ));
            }
        }
    }
    out
}

fn scan(_cx: &RuleContext<'_>, _out: &mut Vec<Finding>) {
    // Only meaningful for a planned deletion: see the planner.
}
