//! `gc:ROOT`: one run of SlateDB's garbage collector at `--now` with `--min-age`.

use crate::plan::planner::{advisory, latest, ObjectStatus, PlanObject, Work};
use crate::rules::checkpoint::checkpoint_manifest_missing;
use crate::rules::listing::input_missing;
use crate::rules::RuleContext;

/// One GC run: what it deletes, and whether any of it is still needed.
pub(crate) fn gc(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, false, work) else {
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
}
