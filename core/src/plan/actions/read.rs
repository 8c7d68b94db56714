//! `read:ROOT`: a `DbReader` opens the latest state and reads every key.

use crate::plan::planner::{advisory, latest, Work};
use crate::rules::clone::{clone_incomplete, external_pin_missing};
use crate::rules::manifest::manifest_rollback;
use crate::rules::sst::sst_missing;
use crate::rules::wal::{
    wal_hole, wal_replay_range_missing, wal_store_required, wal_tail_missing, wal_writes_lost,
};
use crate::rules::RuleContext;

pub(crate) fn read(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, false, work) else {
        return;
    };
    work.findings.extend(clone_incomplete::check(root, latest));
    work.findings
        .extend(sst_missing::check_latest(cx, root, latest));
    work.findings
        .extend(manifest_rollback::check(cx, root, latest));
    work.findings.extend(
        external_pin_missing::check(cx, root, latest)
            .into_iter()
            .map(advisory),
    );
    work.findings
        .extend(wal_hole::check_reader(cx, root, latest));
    work.findings
        .extend(wal_replay_range_missing::check(cx, root, latest));
    work.findings
        .extend(wal_writes_lost::check(cx, root, latest));
    work.findings
        .extend(wal_tail_missing::check(cx, root, latest));
    work.findings.extend(wal_store_required::check(root));
}
