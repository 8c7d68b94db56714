//! `open:ROOT`: a writer opens the database (replays its WAL, fences, bumps its epoch).

use crate::plan::planner::{advisory, latest, wal_objects, Access, ObjectStatus, PlanObject, Work};
use crate::rules::clone::clone_incomplete;
use crate::rules::manifest::{compactor_epoch_ahead, manifest_boundary_ahead, manifest_rollback};
use crate::rules::sst::{sst_missing, sst_truncated};
use crate::rules::wal::{
    wal_hole, wal_replay_range_missing, wal_store_required, wal_tail_missing, wal_unreadable,
    wal_writes_lost,
};
use crate::rules::RuleContext;
use crate::snapshot::WriterOpenForecast;

pub(crate) fn open(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, Access::Writer, work) else {
        return;
    };
    if let Ok(present) = cx.wal_ids(root) {
        let forecast = WriterOpenForecast::new(latest.replay_after_wal_id, &present);
        wal_objects(
            cx,
            root,
            latest.replay_after_wal_id.saturating_add(1)..=forecast.last_seen,
            "WAL replayed",
            work,
        );
        work.objects.push(PlanObject {
            key: root.wal_key(forecast.fence),
            role: "fence written".into(),
            status: if present.contains(&forecast.fence) {
                ObjectStatus::Present
            } else {
                ObjectStatus::Missing
            },
            size: None,
        });
    }
    // The writer's first act is the manifest write that bumps its epoch.
    work.findings
        .extend(manifest_boundary_ahead::check(cx, root));
    work.findings.extend(wal_hole::check(cx, root, latest));
    work.findings
        .extend(wal_replay_range_missing::check(cx, root, latest));
    work.findings
        .extend(wal_writes_lost::check(cx, root, latest));
    work.findings
        .extend(wal_tail_missing::check(cx, root, latest));
    work.findings
        .extend(wal_unreadable::check_latest(cx, root, latest));
    // The writer opens, but serving reads needs every SST the manifest references.
    work.findings
        .extend(sst_missing::check_latest(cx, root, latest));
    work.findings
        .extend(sst_truncated::check_latest(cx, root, latest));
    work.findings
        .extend(manifest_rollback::check(cx, root, latest));
    work.findings
        .extend(compactor_epoch_ahead::check(root, latest));
    work.findings
        .extend(clone_incomplete::check(root, latest).map(advisory));
    work.findings.extend(wal_store_required::check(root));
}
