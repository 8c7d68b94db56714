//! `delete-checkpoint:ROOT@CHECKPOINT`: `Admin::delete_checkpoint`, then the GC runs that follow.

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{Checkpoint, ExternalDb};
use crate::plan::actions::clone_use::CloneUse;
use crate::plan::actions::own_checkpoints::slatedb_own;
use crate::plan::planner::{find_checkpoint, latest, PlanError, Work};
use crate::rules::checkpoint::describe;
use crate::rules::clone::dependent_clones;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

pub(crate) fn delete_checkpoint(
    cx: &RuleContext<'_>,
    path: &str,
    wanted: &str,
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let Some((_, latest)) = latest(cx, path, false, work) else {
        return Ok(());
    };
    let Some(found) = find_checkpoint(latest, wanted, plan)? else {
        return Ok(()); // Deleting an absent checkpoint is a no-op in SlateDB.
    };
    let action = format!("deleting {}", describe(found));
    work.findings
        .extend(dependent_clones::check(cx, path, Some(found.id), &action));
    work.findings
        .extend(clones_of_clones(cx, path, found, &action));
    Ok(())
}

/// Deleting `pin`, a finished clone's final checkpoint on `parent`, breaks every later clone
/// of that clone at once: a clone carries its source's `external_dbs` entries that still hold
/// SSTs over, each with the source's final checkpoint as its own source, and writes its own
/// pin on `parent` from it (slatedb `manifest/mod.rs` `Manifest::cloned`, `clone.rs`), which
/// fails with `CheckpointMissing` once `pin` is gone. A clone from a checkpoint of the clone
/// that users may clone from (not one of SlateDB's own) is an operation that works now and
/// fails after: unsafe. A clone of its latest state fails the same way: a warning, as no
/// checkpoint promises it.
fn clones_of_clones(
    cx: &RuleContext<'_>,
    parent: &str,
    pin: &Checkpoint,
    action: &str,
) -> Vec<Finding> {
    let carries_pin = |entry: &ExternalDb| {
        entry.path == parent
            && entry.final_checkpoint_id == Some(pin.id)
            && !entry.sst_ids.is_empty()
    };
    let mut out = Vec::new();
    for root in cx.roots() {
        let Some(latest) = root.latest_given() else {
            continue;
        };
        if !latest.initialized || !latest.external_dbs.iter().any(carries_pin) {
            continue;
        }
        let sources: Vec<&Checkpoint> = clone_sources(cx, root)
            .into_iter()
            .filter(|c| {
                root.manifest(c.manifest_id)
                    .is_ok_and(|m| m.external_dbs.iter().any(carries_pin))
            })
            .collect();
        let clone = &root.path;
        let evidence = evidence![
            ("clone", clone),
            ("final_checkpoint_id", pin.id),
            (
                "clone_source_checkpoints",
                sources.iter().map(|c| c.id).collect::<Vec<_>>()
            ),
        ];
        let remediation = format!(
            "keep the checkpoint until `{clone}` no longer reads `{parent}`'s SSTs (compact `{clone}` so its sst_ids empty; detach GC then releases the pin), or make the clones of `{clone}` first"
        );
        let predicted_error = format!("CheckpointMissing({}) on every clone of `{clone}`", pin.id);
        let finding = if sources.is_empty() {
            let mut finding = dependent_clones::RULE.finding(
                parent,
                format!(
                    "{action} makes any later clone of `{clone}`'s latest state fail with CheckpointMissing: a clone of `{clone}` writes its own pin on `{parent}` from this one"
                ),
                evidence,
                remediation,
                Impact::Advisory,
            );
            finding.severity = Severity::Warning;
            finding
        } else {
            dependent_clones::RULE.finding(
                parent,
                format!(
                    "{action} breaks the clones of `{clone}` from {}: each writes its own pin on `{parent}` from this one, and fails with CheckpointMissing once it is gone",
                    sources.iter().map(|c| describe(c)).collect::<Vec<_>>().join(", ")
                ),
                evidence,
                remediation,
                Impact::Unsafe { predicted_error },
            )
        };
        out.push(finding);
    }
    out
}

/// The checkpoints of `root` that users may clone from: every listed one, expired or not
/// (SlateDB's clone does not check expiry), but SlateDB's own.
fn clone_sources<'a>(cx: &RuleContext<'_>, root: &'a RootState) -> Vec<&'a Checkpoint> {
    let clone_use = CloneUse::of(cx, &root.path);
    root.latest_given()
        .map(|latest| {
            latest
                .checkpoints
                .iter()
                .filter(|c| slatedb_own(root, c, &clone_use).is_none())
                .collect()
        })
        .unwrap_or_default()
}
