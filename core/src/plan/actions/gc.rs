//! `gc:ROOT`: one run of SlateDB's garbage collector at `--now` with `--min-age`.

use crate::finding::Finding;
use crate::model::CheckpointId;
use crate::plan::actions::clone_source::CloneSource;
use crate::plan::planner::{advisory, latest, Access, ObjectStatus, PlanObject, Work};
use crate::rules::checkpoint::checkpoint_manifest_missing;
use crate::rules::gc::gc_deletes_needed;
use crate::rules::listing::input_missing;
use crate::rules::RuleContext;

/// One GC run: what it deletes, and whether any of it is still needed.
pub(crate) fn gc(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, Access::Change, work) else {
        return;
    };
    if let Some(why) = cx.root_main_unknown(root) {
        work.findings.push(input_missing::finding(
            path,
            &format!("what GC deletes from `{path}`"),
            &why,
        ));
    }
    for checkpoint in &latest.checkpoints {
        // The WAL, compacted and detach tasks abort on a missing referenced manifest: they
        // delete nothing, which is no danger to data (the forecast below models that).
        work.findings
            .extend(checkpoint_manifest_missing::check(cx, root, checkpoint).map(advisory));
    }
    let forecast = match crate::snapshot::gc_forecast(
        root,
        latest,
        cx.now,
        cx.options.min_age,
        cx.root_main_unknown(root).as_ref(),
    ) {
        Ok(forecast) => forecast,
        Err(why) => {
            work.findings.push(input_missing::finding(
                path,
                &format!("what GC keeps of `{path}`"),
                &why,
            ));
            return;
        }
    };
    let deleted = |key: &String, role: &str| PlanObject {
        key: key.clone(),
        role: role.to_string(),
        status: ObjectStatus::Present,
        size: None,
    };
    work.objects.extend(
        forecast
            .manifests
            .iter()
            .map(|(_, key)| deleted(key, "deleted by GC")),
    );
    work.objects.extend(
        forecast
            .wal
            .iter()
            .map(|(_, key)| deleted(key, "deleted by GC")),
    );
    work.objects.extend(forecast.ssts.iter().map(|(_, key)| {
        deleted(
            key,
            "deleted by GC when below the compactor's low watermark",
        )
    }));
    work.findings
        .extend(crate::rules::gc::gc_deletes_needed::check(
            cx, root, latest, &forecast,
        ));
    for (parent, pin) in &forecast.detached_pins {
        work.findings.extend(pin_detached(cx, path, parent, *pin));
    }
}

/// The detach task deleting `clone`'s pin `pin` on `parent`, judged by whether a clone from it
/// works now; nothing when the pin is gone already (the detach is then a no-op there), and
/// `inconclusive` when `parent`'s latest manifest is not given.
fn pin_detached(
    cx: &RuleContext<'_>,
    clone: &str,
    parent: &str,
    pin: CheckpointId,
) -> Option<Finding> {
    let parent_root = cx.snapshot.roots.get(parent)?;
    let parent_latest = match parent_root.manifest(parent_root.latest_id?) {
        Ok(manifest) => manifest,
        // Whether the pin is still there, and a clone from it works, is not known.
        Err(why) => {
            return Some(input_missing::finding(
                clone,
                &format!("whether the pin {pin} that GC of `{clone}` deletes on `{parent}` is still a checkpoint a clone works from"),
                &why,
            ))
        }
    };
    let checkpoint = parent_latest.checkpoints.iter().find(|c| c.id == pin)?;
    let works_now = match parent_root.manifest(checkpoint.manifest_id) {
        Ok(manifest) => CloneSource::of(cx, parent_root, checkpoint, manifest).works(),
        // Its manifest is not given: whether a clone from it works is not known, and the run
        // may break it.
        Err(_) => true,
    };
    Some(gc_deletes_needed::pin_detached(
        clone, parent, checkpoint, works_now,
    ))
}
