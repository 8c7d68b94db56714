//! `split:PARENT@CHECKPOINT=CHILD,…`: a shard split, before and after.

use crate::finding::{Finding, Impact};
use crate::plan::actions::clone::clone;
use crate::plan::planner::{PlanError, Work};
use crate::rules::clone::{
    clone_incomplete, clone_target_occupied, external_pin_missing, orphan_pin,
};
use crate::rules::listing::input_missing;
use crate::rules::manifest::{manifest_damaged, root_missing};
use crate::rules::sst::{sst_missing, sst_truncated};
use crate::rules::wal::wal_hole;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

/// A shard split: before it, each child's clone must be safe and its root free (or a clone of
/// this parent that can resume); after it, each child must be a finished clone, at the root the
/// application opens, reading the parent's SSTs through a lasting pin, with its WAL range.
pub(crate) fn split(
    cx: &RuleContext<'_>,
    parent: &str,
    checkpoint: &str,
    children: &[String],
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let pending: Vec<&String> = children
        .iter()
        .filter(|child| !cx.snapshot.root(child).is_some_and(RootState::exists))
        .collect();
    if !pending.is_empty() {
        clone(cx, parent, Some(checkpoint), work, plan)?;
    }
    for child in children {
        let Some(state) = cx.snapshot.root(child).filter(|state| state.exists()) else {
            // A clone written inside the parent's prefix leaves the application's root empty.
            let nested = format!("{parent}/{child}");
            if cx.snapshot.root(&nested).is_some_and(RootState::exists) {
                work.findings.extend(
                    root_missing::check(cx, child, true)
                        .map(|finding| nested_child(finding, &nested)),
                );
            }
            continue;
        };
        work.findings
            .extend(clone_target_occupied::check(state, parent));
        let Some(Ok(latest)) = state.latest_id.map(|id| state.manifest(id)) else {
            // A damaged latest manifest stops every open of the shard; anything else unread
            // leaves its state unknown.
            let stopped = manifest_damaged::check_latest(state);
            let unknown = || {
                state
                    .latest_id
                    .and_then(|id| state.manifest(id).err())
                    .map(|why| {
                        input_missing::finding(child, &format!("the state of `{child}`"), &why)
                    })
            };
            work.findings.extend(stopped.or_else(unknown));
            continue;
        };
        work.findings.extend(clone_incomplete::check(state, latest));
        work.findings
            .extend(external_pin_missing::check(cx, state, latest));
        work.findings
            .extend(sst_missing::check_latest(cx, state, latest));
        work.findings
            .extend(sst_truncated::check_latest(cx, state, latest));
        work.findings.extend(wal_hole::check(cx, state, latest));
    }
    if let Some(parent_state) = cx.snapshot.root(parent) {
        work.findings.extend(orphan_pin::check(cx, parent_state));
    }
    Ok(())
}

fn nested_child(mut finding: Finding, nested: &str) -> Finding {
    finding.message = format!(
        "{}; a clone was written at `{nested}`, inside the parent's prefix (gadget-inc/silo#377)",
        finding.message
    );
    finding.impact = Impact::Unsafe {
        predicted_error: "the child opens as a new, empty database".into(),
    };
    finding
}
