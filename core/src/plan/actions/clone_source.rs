//! Whether a clone from a checkpoint works now: what the actions judged by the clones they break
//! (`wipe-wal:`, `delete-checkpoint:`) ask of each checkpoint before calling a broken clone
//! their doing.

use crate::finding::{Finding, Impact};
use crate::model::{Checkpoint, Manifest};
use crate::rules::checkpoint::describe;
use crate::rules::sst::{sst_missing, sst_truncated};
use crate::rules::wal::{wal_range_missing, wal_unreadable};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use chrono::{DateTime, Utc};

/// What a clone from one checkpoint does now.
pub(crate) struct CloneSource {
    /// What is missing already for a clone from it: WAL objects of its range (`SDB-WAL-001`)
    /// or SSTs its manifest references (`SDB-SST-001`), or the question of whether they are.
    pub broken: Vec<Finding>,
    /// Whether `broken` shows that the clone fails already: an action cannot break it.
    pub fails_already: bool,
    /// When the checkpoint expired, if it has: it is no live clone source. SlateDB's clone does
    /// not check expiry and works from it while it is listed, but GC's next pass removes it
    /// (`SDB-CKPT-002`).
    pub expired: Option<DateTime<Utc>>,
}

impl CloneSource {
    /// Judges `checkpoint` of `root`, whose manifest is `manifest`, at the check's time.
    pub fn of(
        cx: &RuleContext<'_>,
        root: &RootState,
        checkpoint: &Checkpoint,
        manifest: &Manifest,
    ) -> Self {
        let subject = describe(checkpoint);
        let broken: Vec<Finding> = wal_range_missing::check(cx, root, manifest, &subject)
            .into_iter()
            .chain(sst_missing::check(cx, root, manifest, &subject))
            .chain(sst_truncated::check(cx, root, manifest, &subject))
            .chain(wal_unreadable::check_copied(cx, root, manifest, &subject))
            .collect();
        let fails_already = broken
            .iter()
            .any(|f| matches!(f.impact, Impact::Unsafe { .. }));
        Self {
            broken,
            fails_already,
            expired: checkpoint.expire_time.filter(|expire| *expire <= cx.now),
        }
    }

    /// Whether a clone from it works now, from a live checkpoint: one an action may break.
    pub fn works(&self) -> bool {
        !self.fails_already && self.expired.is_none()
    }
}
