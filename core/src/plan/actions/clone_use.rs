//! Which checkpoints of a database its clones placed or started from.

use crate::rules::RuleContext;
use std::collections::BTreeSet;

/// The checkpoints of a database that its clones placed or started from.
pub(crate) struct CloneUse {
    /// Pins of clones that finished.
    pub(crate) finished: BTreeSet<uuid::Uuid>,
    /// Pins and source checkpoints of clones that did not: a resume copies their WAL range.
    pub(crate) unfinished: BTreeSet<uuid::Uuid>,
    /// Source checkpoints of clones that finished.
    pub(crate) finished_sources: BTreeSet<uuid::Uuid>,
}

impl CloneUse {
    pub(crate) fn of(cx: &RuleContext<'_>, parent: &str) -> Self {
        let mut finished = BTreeSet::new();
        let mut unfinished = BTreeSet::new();
        let mut finished_sources = BTreeSet::new();
        for root in cx.roots() {
            let Some(latest) = root.latest_given() else {
                continue;
            };
            for entry in latest.external_dbs.iter().filter(|e| e.path == parent) {
                if latest.initialized {
                    finished.extend(entry.final_checkpoint_id);
                    finished_sources.insert(entry.source_checkpoint_id);
                } else {
                    unfinished.extend(
                        entry
                            .final_checkpoint_id
                            .into_iter()
                            .chain([entry.source_checkpoint_id]),
                    );
                }
            }
        }
        Self {
            finished,
            unfinished,
            finished_sources,
        }
    }
}
