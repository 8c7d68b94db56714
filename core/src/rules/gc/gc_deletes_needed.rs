//! `SDB-GC-001` gc-deletes-needed: GC would delete what a clone still reads or needs. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{Checkpoint, Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::{GcForecast, RootState};
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Runs SlateDB's garbage collector in the mind (at `--now`, with `--min-age`) on a
    /// database, and checks that nothing it deletes is still needed elsewhere: SSTs that clones
    /// read through `external_dbs` without a live pin on this database, checkpoints that
    /// unfinished clones still need to resume, and, when the database is a clone that no
    /// longer reads another database's SSTs, its final pin there, which a clone made from that
    /// checkpoint needs.
    ///
    /// ## Why it matters
    /// GC only protects what the latest manifest and its unexpired checkpoints reference. A
    /// clone's reads are protected by its final checkpoint; when that checkpoint was deleted or
    /// expired, the next GC pass below the cutoff deletes the clone's data. An unfinished
    /// clone resumes from its source checkpoint, which GC drops when it expires. A clone's own
    /// GC detaches it from a database once no active manifest of the clone lists that
    /// database's SSTs (`garbage_collector/detach_gc.rs`, `find_detachable`): it deletes the
    /// never-expiring pin there (`detach_from_parent`). SlateDB never clones from that pin
    /// itself, but it is listed like any other checkpoint, and a clone made from it fails once
    /// it is gone.
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (… not found)` on the clone's reads after GC;
    /// `CheckpointMissing` when an unfinished clone is resumed, or when a database is cloned
    /// from a pin the detach deleted (`checkpoint missing. checkpoint_id=…`).
    ///
    /// ## Example
    /// `gc:parent` after the checkpoints of `parent` were deleted: the L0 SSTs `clone` reads
    /// are unreferenced and older than the newest L0, so GC deletes them. `gc:clone` after
    /// `clone` compacted away every SST of `parent` (`external_dbs[0].sst_ids` empty in its
    /// latest manifest and in every manifest its unexpired checkpoints pin): GC deletes
    /// `clone`'s pin on `parent`, and a clone from that checkpoint, which works now, fails.
    pub static RULE = {
        id: "SDB-GC-001",
        name: "gc-deletes-needed",
        family: Gc,
        severity: Error,
        summary: "garbage collection would delete what a clone still reads or needs",
        scan: scan,
    };
}

/// GC of `clone` detaches it from `parent`, deleting its final pin `pin` there: unsafe when a
/// clone from that checkpoint works now (`works_now`), which the deletion breaks; a warning when
/// such a clone fails already, which the run then cannot break.
pub fn pin_detached(clone: &str, parent: &str, pin: &Checkpoint, works_now: bool) -> Finding {
    let (consequence, impact, severity) = if works_now {
        (
            ", which works now, then fails",
            Impact::Unsafe {
                predicted_error: format!(
                    "CheckpointMissing({}) when `{parent}` is cloned from it after GC of `{clone}`",
                    pin.id
                ),
            },
            RULE.severity,
        )
    } else {
        (" fails already", Impact::Advisory, Severity::Warning)
    };
    let mut finding = RULE.finding(
        clone,
        format!(
            "GC of `{clone}` detaches it from `{parent}`, whose SSTs it no longer reads: it deletes `{clone}`'s final pin {} on `{parent}` (manifest {}), and a clone of `{parent}` from that checkpoint{consequence}; SlateDB never clones from the pin itself, but it is listed like any other checkpoint",
            pin.id, pin.manifest_id
        ),
        evidence![("parent", parent), ("final_checkpoint_id", pin.id), ("manifest_id", pin.manifest_id), ("clone_from_it_works_now", works_now)],
        format!("clone `{parent}` from that checkpoint before GC of `{clone}` runs, or take a checkpoint of your own of manifest {} of `{parent}` to clone from; if no one will clone from the pin, this GC breaks nothing SlateDB does itself", pin.manifest_id),
        impact,
    );
    finding.severity = severity;
    finding
}

/// The findings for a GC run on `root` forecast as `forecast`.
pub fn check(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
    forecast: &GcForecast,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let active_refs: BTreeSet<SstId> = std::iter::once(latest)
        .chain(
            latest
                .checkpoints
                .iter()
                .filter(|c| !forecast.expired_checkpoints.contains(&c.id))
                .filter_map(|c| root.manifest(c.manifest_id).ok()),
        )
        .flat_map(|m| m.sst_views().map(|v| v.sst.id))
        .collect();
    let deletable: BTreeSet<SstId> = forecast.ssts.iter().map(|(id, _)| *id).collect();
    for clone in cx.roots() {
        let Some(clone_latest) = clone.latest_given() else {
            continue;
        };
        for entry in clone_latest
            .external_dbs
            .iter()
            .filter(|e| e.path == root.path)
        {
            let exposed: Vec<SstId> = entry
                .sst_ids
                .iter()
                .copied()
                .filter(|id| !active_refs.contains(id))
                .collect();
            let now_deleted: Vec<String> = exposed
                .iter()
                .filter(|id| deletable.contains(id))
                .map(|id| format!("{}/compacted/{}", root.path, id.file_name()))
                .collect();
            if !now_deleted.is_empty() {
                out.push(RULE.finding(
                    &root.path,
                    format!(
                        "GC of `{}` deletes {} SST(s) that `{}` still reads (its pin on `{}` is gone or expired), e.g. {}",
                        root.path,
                        now_deleted.len(),
                        clone.path,
                        root.path,
                        now_deleted[0]
                    ),
                    evidence![("clone", &clone.path), ("deleted_keys", &now_deleted), ("final_checkpoint_id", entry.final_checkpoint_id)],
                    format!("stop GC on `{}` and recreate `{}`'s pin (a never-expiring checkpoint of the manifest its SSTs come from) before GC runs", root.path, clone.path),
                    Impact::Unsafe { predicted_error: format!("ObjectStoreError(NotFound) on reads of `{}`", clone.path) },
                ));
            } else if !exposed.is_empty() {
                let mut advice = RULE.finding(
                    &root.path,
                    format!(
                        "{} SST(s) `{}` reads are no longer protected on `{}`: this GC run keeps them ({}), a later one deletes them",
                        exposed.len(),
                        clone.path,
                        root.path,
                        match (forecast.aborted_on_missing_manifest, forecast.cutoff) {
                            (Some(missing), _) => format!("its compacted-SST task aborts: manifest {missing}, which a checkpoint names, is missing"),
                            (None, crate::snapshot::SstCutoff::Epoch) => "no compactor state yet, so the cutoff is the epoch".to_string(),
                            (None, crate::snapshot::SstCutoff::AtMost(bound)) => format!("they are newer than the cutoff bound {bound}"),
                        }
                    ),
                    evidence![("clone", &clone.path), ("exposed_sst_ids", exposed.len())],
                    format!("recreate `{}`'s pin on `{}` before the next compaction", clone.path, root.path),
                    Impact::Advisory,
                );
                advice.severity = crate::finding::Severity::Warning;
                out.push(advice);
            }
            if !clone_latest.initialized
                && forecast
                    .expired_checkpoints
                    .contains(&entry.source_checkpoint_id)
            {
                out.push(RULE.finding(
                    &root.path,
                    format!(
                        "GC of `{}` drops expired checkpoint {}, which the unfinished clone `{}` needs to resume",
                        root.path, entry.source_checkpoint_id, clone.path
                    ),
                    evidence![("clone", &clone.path), ("source_checkpoint_id", entry.source_checkpoint_id)],
                    "refresh the checkpoint (Admin::refresh_checkpoint) and finish the clone before GC runs",
                    Impact::Unsafe { predicted_error: format!("CheckpointMissing({}) when `{}` resumes", entry.source_checkpoint_id, clone.path) },
                ));
            }
        }
    }
    out
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        let Some(latest) = root.latest_given() else {
            continue;
        };
        if let Ok(forecast) = crate::snapshot::gc_forecast(
            root,
            latest,
            cx.now,
            cx.options.min_age,
            cx.root_main_unknown(root).as_ref(),
        ) {
            out.extend(check(cx, root, latest, &forecast));
        }
    }
}
