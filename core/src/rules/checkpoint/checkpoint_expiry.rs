//! `SDB-CKPT-002` checkpoint-expiry: a checkpoint has expired, or expires before the action can finish. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Checkpoint;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a checkpoint has expired at `--now`, or expires within the expected duration of
    /// the action (`--expiry-margin`, 1 hour by default).
    ///
    /// ## Why it matters
    /// SlateDB does not refuse an expired checkpoint until GC runs, but every GC task run first
    /// removes expired checkpoints from the latest manifest, and every opened `Db` runs GC every
    /// 10 minutes by default. Whatever only that checkpoint pinned (its manifest, SSTs, WAL range)
    /// then becomes deletable after `min_age`. A clone's source checkpoint must survive until
    /// the clone has written its own pin on the parent.
    ///
    /// ## SlateDB error it prevents
    /// `CheckpointMissing(id)` on a clone from it (or the resume of a crashed clone), and
    /// `ManifestMissing`/`NotFound` for readers that held on to it.
    ///
    /// ## Example
    /// `cp-all` was created with a 1-hour lifetime two hours ago: refresh it
    /// (`Admin::refresh_checkpoint`) before cloning from it.
    pub static RULE = {
        id: "SDB-CKPT-002",
        name: "checkpoint-expiry",
        family: Checkpoint,
        severity: Warning,
        summary: "a checkpoint has expired, or expires before the action can finish",
        scan: scan,
    };
}

/// Checks `checkpoint`'s expiry against `--now` and the margin.
pub fn check(cx: &RuleContext<'_>, root: &RootState, checkpoint: &Checkpoint) -> Option<Finding> {
    let expire = checkpoint.expire_time?;
    let evidence = evidence![
        ("checkpoint_id", checkpoint.id),
        ("manifest_id", checkpoint.manifest_id),
        ("expire_time", expire),
        ("now", cx.now),
    ];
    let remediation = "refresh the checkpoint with a longer lifetime (Admin::refresh_checkpoint) before the action, or create a new one";
    if expire <= cx.now {
        return Some(RULE.finding(
            &root.path,
            format!(
                "{} of `{}` expired at {expire}: the next GC run removes it",
                super::describe(checkpoint),
                root.path
            ),
            evidence,
            remediation,
            Impact::Inconclusive,
        ));
    }
    if expire <= cx.now + cx.options.expiry_margin {
        return Some(RULE.finding(
            &root.path,
            format!(
                "{} of `{}` expires at {expire}, within the expected duration of the action",
                super::describe(checkpoint),
                root.path
            ),
            evidence,
            remediation,
            Impact::Advisory,
        ));
    }
    None
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(latest.checkpoints.iter().filter_map(|c| check(cx, root, c)));
    }
}
