//! `read:ROOT`: a `DbReader` opens the latest state and reads every key.

use crate::finding::{Finding, Impact};
use crate::plan::planner::{advisory, latest, Access, Work};
use crate::rules::clone::{clone_incomplete, dependent_clones, external_pin_missing};
use crate::rules::manifest::manifest_rollback;
use crate::rules::sst::{sst_missing, sst_truncated};
use crate::rules::wal::{
    wal_hole, wal_replay_range_missing, wal_store_required, wal_tail_missing, wal_unreadable,
    wal_writes_lost,
};
use crate::rules::RuleContext;

pub(crate) fn read(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, Access::Reader, work) else {
        return;
    };
    work.findings.extend(clone_incomplete::check(root, latest));
    work.findings
        .extend(sst_missing::check_latest(cx, root, latest));
    work.findings
        .extend(sst_truncated::check_latest(cx, root, latest));
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
    work.findings
        .extend(wal_unreadable::check_latest(cx, root, latest));
    work.findings.extend(wal_store_required::check(root));
}

/// The rules whose `unsafe` on a read proves that the read fails now: an SST it needs is gone
/// (`SDB-SST-001`) or cut short (`SDB-SST-003`), a WAL object it replays cannot be read
/// (`SDB-WAL-011`), or writes it would return are gone for certain (`SDB-WAL-003` past a hole,
/// `SDB-WAL-010`; each decides from sizes, rows or fence counts). Not `SDB-WAL-009`'s gone
/// fence: that writer may have written nothing, and then the read works.
const PROVES_A_FAILING_READ: [&str; 4] =
    ["SDB-SST-001", "SDB-SST-003", "SDB-WAL-003", "SDB-WAL-010"];

/// The finding that proves a read of `path`'s latest state fails now, before any action.
pub(crate) fn fails_already(cx: &RuleContext<'_>, path: &str) -> Option<Finding> {
    let mut now = Work {
        findings: Vec::new(),
        objects: Vec::new(),
    };
    read(cx, path, &mut now);
    now.findings.into_iter().find(|finding| {
        matches!(finding.impact, Impact::Unsafe { .. })
            && PROVES_A_FAILING_READ.contains(&finding.rule)
    })
}

/// `harm`, a finding that `action` breaks reads of `path`, as advice when `broken` proves a
/// read of `path` fails already ([`fails_already`]): issue 10 judges an action by what it
/// breaks of what works, and a broken read stays broken. What the action destroys is what a
/// repair could still recover, and the finding says so.
pub(crate) fn unless_broken_already(
    broken: Option<&Finding>,
    path: &str,
    action: &str,
    harm: Finding,
) -> Finding {
    let Some(broken) = broken.filter(|_| harm.impact != Impact::Advisory) else {
        return harm;
    };
    let why = match &broken.impact {
        Impact::Unsafe { predicted_error } => format!("{predicted_error}, {}", broken.rule),
        _ => broken.rule.to_string(),
    };
    let mut harm = advisory(harm);
    harm.severity = harm.severity.min(crate::finding::Severity::Warning);
    harm.message = format!(
        "{}; but a read of `{path}` fails already ({why}), so {action} breaks no read that works: it destroys what a repair of that could still recover",
        harm.message
    );
    harm.remediation = format!(
        "to keep what it destroys, repair what a read of `{path}` is missing first ({}), then check again: {action} would make the loss final",
        broken.rule
    );
    harm
}

/// `harm`, one of `SDB-CLONE-004`'s findings about `action`, as advice when it says the
/// action breaks the reads of a clone whose reads fail already.
pub(crate) fn unless_clone_broken_already(
    cx: &RuleContext<'_>,
    action: &str,
    harm: Finding,
) -> Finding {
    match dependent_clones::reads_broken(&harm) {
        Some(clone) => {
            unless_broken_already(fails_already(cx, &clone).as_ref(), &clone, action, harm)
        }
        None => harm,
    }
}
