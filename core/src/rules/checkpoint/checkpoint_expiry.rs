//! `SDB-CKPT-002` checkpoint-expiry: a checkpoint has expired, or expires before the action can finish. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::Checkpoint;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a checkpoint has expired at `--now`, or expires within the expected duration of
    /// the action (`--expiry-margin`, 1 hour by default), while it is still listed in the latest
    /// manifest.
    ///
    /// ## Why it matters
    /// SlateDB's clone does not look at `expire_time`: it finds the source checkpoint by id in
    /// the parent's latest manifest (`get_or_create_parent_checkpoint` → `find_checkpoint`,
    /// `clone.rs:417-441`, `manifest/mod.rs:736-738`) and writes its final pin with that
    /// checkpoint as `source`, which again only needs it to be listed
    /// (`StoredManifest::make_new_checkpoint`, `manifest/store.rs:148-175`). So a clone from an
    /// expired checkpoint that is still in the manifest works. What removes an expired
    /// checkpoint is GC: every GC task first drops expired checkpoints from the latest manifest
    /// (`GarbageCollector::run_gc_task` → `remove_expired_checkpoints`,
    /// `garbage_collector.rs:411-470`), and every opened `Db` runs GC every 10 minutes by
    /// default. A GC pass between the expiry and the moment the clone has written its final
    /// pin makes the clone fail; after that, whatever only that checkpoint pinned becomes
    /// deletable after `min_age`.
    ///
    /// Without `--gc-running` the inputs do not say whether any GC runs against the database,
    /// so the rule reports the race as a warning with its deadline and the verdict follows what
    /// the clone itself does. With `--gc-running` (GC runs in the background: a writer is open,
    /// or a standalone collector), an expired checkpoint, or one expiring within
    /// `--expiry-margin`, is unsafe.
    ///
    /// ## SlateDB error it prevents
    /// `CheckpointMissing(id)` on a clone from it (or the resume of a crashed clone) once GC has
    /// removed it, and `ManifestMissing`/`NotFound` for readers that held on to it.
    ///
    /// ## Example
    /// `cp-all` was created with a 1-hour lifetime two hours ago and is still in the latest
    /// manifest: the clone works now, but with GC running it may be gone at any moment; refresh
    /// it (`Admin::refresh_checkpoint`) before cloning from it.
    pub static RULE = {
        id: "SDB-CKPT-002",
        name: "checkpoint-expiry",
        family: Checkpoint,
        severity: Warning,
        summary: "a checkpoint has expired, or expires before the action can finish",
        scan: scan,
    };
}

/// Checks `checkpoint`'s expiry against `--now`, the margin and whether GC runs.
pub fn check(cx: &RuleContext<'_>, root: &RootState, checkpoint: &Checkpoint) -> Option<Finding> {
    let expire = checkpoint.expire_time?;
    let margin = cx.options.expiry_margin;
    let deadline = cx.now + margin;
    if expire > deadline {
        return None;
    }
    let gc_running = cx.options.gc_running;
    let evidence = evidence![
        ("checkpoint_id", checkpoint.id),
        ("manifest_id", checkpoint.manifest_id),
        ("expire_time", expire),
        ("now", cx.now),
    ];
    let remediation = "refresh the checkpoint with a longer lifetime (Admin::refresh_checkpoint) before the action, or create a new one";
    let subject = super::describe(checkpoint);
    let path = &root.path;
    let when = if expire <= cx.now {
        format!("expired at {expire} but is still in the latest manifest")
    } else {
        format!(
            "expires at {expire}, within the action's expiry margin ({} s, until {deadline})",
            margin.num_seconds()
        )
    };
    let mut finding = if gc_running {
        RULE.finding(
            path,
            format!(
                "{subject} of `{path}` {when}; GC runs in the background (--gc-running) and its next pass after {expire} removes it, so a clone that has not yet written its final pin fails"
            ),
            evidence,
            remediation,
            Impact::Unsafe {
                predicted_error: format!("CheckpointMissing({})", checkpoint.id),
            },
        )
    } else {
        RULE.finding(
            path,
            format!(
                "{subject} of `{path}` {when}: SlateDB's clone does not check expiry, so it works while the checkpoint is listed; but any GC pass after {expire} removes it (a writer's GC runs every 10 minutes), and a clone that has not yet written its final pin then fails with CheckpointMissing (say --gc-running if GC runs against `{path}`)"
            ),
            evidence,
            remediation,
            Impact::Advisory,
        )
    };
    if gc_running {
        finding.severity = Severity::Error;
    }
    Some(finding)
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    // Without a planned clone there is no action to fail: the scan reports the race only.
    for (root, latest) in cx.roots_with_latest() {
        out.extend(
            latest
                .checkpoints
                .iter()
                .filter_map(|c| check(cx, root, c))
                .map(|mut finding| {
                    finding.impact = Impact::Advisory;
                    finding.severity = Severity::Warning;
                    finding
                }),
        );
    }
}
