//! `delete-checkpoint:ROOT@CHECKPOINT`: `Admin::delete_checkpoint`, then the GC runs that follow.

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{Checkpoint, ExternalDb};
use crate::plan::actions::clone_source::CloneSource;
use crate::plan::actions::read;
use crate::plan::planner::{find_checkpoint, latest, Access, PlanError, Work};
use crate::rules::checkpoint::describe;
use crate::rules::clone::dependent_clones;
use crate::rules::RuleContext;

pub(crate) fn delete_checkpoint(
    cx: &RuleContext<'_>,
    path: &str,
    wanted: &str,
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let Some((_, latest)) = latest(cx, path, Access::Change, work) else {
        return Ok(());
    };
    let Some(found) = find_checkpoint(latest, wanted, plan)? else {
        return Ok(()); // Deleting an absent checkpoint is a no-op in SlateDB.
    };
    let action = format!("deleting {}", describe(found));
    work.findings.extend(
        dependent_clones::check(cx, path, Some(found.id), &action)
            .into_iter()
            .map(|finding| read::unless_clone_broken_already(cx, &action, finding)),
    );
    work.findings
        .extend(clones_of_clones(cx, path, found, &action));
    Ok(())
}

/// Deleting `pin`, a finished clone's final checkpoint on `parent`, breaks every later clone
/// of that clone at once: a clone carries its source's `external_dbs` entries that still hold
/// SSTs over, each with the source's final checkpoint as its own source, and writes its own
/// pin on `parent` from it (slatedb `manifest/mod.rs` `Manifest::cloned`, `clone.rs`), which
/// fails with `CheckpointMissing` once `pin` is gone. A clone from a checkpoint of the clone
/// is an operation that works now and fails after: unsafe, unless it fails already or the
/// checkpoint has expired. A clone of its latest state fails the same way: a warning, as no
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
        // Clones from checkpoints of the clone that carry the pin, and whether each works
        // now: one that fails already, or whose checkpoint has expired (GC's pass after the
        // deletion removes it), is nothing the deletion breaks. SlateDB's own checkpoints
        // count too: a clone from a grandchild's final pin works now and fails after.
        let (working, not_working): (Vec<_>, Vec<_>) = latest
            .checkpoints
            .iter()
            .filter_map(|c| {
                let manifest = root.manifest(c.manifest_id).ok()?;
                manifest
                    .external_dbs
                    .iter()
                    .any(carries_pin)
                    .then(|| (c, CloneSource::of(cx, root, c, manifest)))
            })
            .partition(|(_, source)| source.works());
        let clone = &root.path;
        let evidence = evidence![
            ("clone", clone),
            ("final_checkpoint_id", pin.id),
            (
                "clone_source_checkpoints",
                working.iter().map(|(c, _)| c.id).collect::<Vec<_>>()
            ),
            (
                "clone_source_checkpoints_not_working",
                not_working.iter().map(|(c, _)| c.id).collect::<Vec<_>>()
            ),
        ];
        let remediation = format!(
            "keep the checkpoint until `{clone}` no longer reads `{parent}`'s SSTs (compact `{clone}` so its sst_ids empty; detach GC then releases the pin), or make the clones of `{clone}` first"
        );
        let predicted_error = format!("CheckpointMissing({}) on every clone of `{clone}`", pin.id);
        let finding = if working.is_empty() {
            let mut finding = dependent_clones::RULE.finding(
                parent,
                format!(
                    "{action} makes any later clone of `{clone}`'s latest state fail with CheckpointMissing: a clone of `{clone}` writes its own pin on `{parent}` from this one{}",
                    not_working_phrase(&not_working)
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
                    working.iter().map(|(c, _)| describe(c)).collect::<Vec<_>>().join(", ")
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

/// ", as would the clones from its checkpoints, but none of them works now: …" for the
/// checkpoints whose clones do not work now, each with why; empty for none.
fn not_working_phrase(sources: &[(&Checkpoint, CloneSource)]) -> String {
    if sources.is_empty() {
        return String::new();
    }
    let why: Vec<String> = sources
        .iter()
        .map(|(checkpoint, source)| match source.expired {
            Some(expired) if !source.fails_already => format!(
                "{} expired at {expired} (GC's pass after the deletion removes it)",
                describe(checkpoint)
            ),
            _ => format!(
                "a clone from {} fails already (objects it needs are gone)",
                describe(checkpoint)
            ),
        })
        .collect();
    format!(
        ", as would the clones from its checkpoints, but none of them works now: {}",
        why.join("; ")
    )
}
