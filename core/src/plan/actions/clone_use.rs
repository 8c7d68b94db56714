//! Which checkpoints of a database its clones placed or started from.

use crate::rules::RuleContext;
use std::collections::{BTreeMap, BTreeSet};

/// The checkpoints of a database that its clones placed or started from.
pub(crate) struct CloneUse {
    /// Pins of clones that finished, with the clone's root.
    pub(crate) finished: BTreeMap<uuid::Uuid, String>,
    /// Pins and source checkpoints of clones that did not: a resume copies their WAL range.
    pub(crate) unfinished: BTreeSet<uuid::Uuid>,
    /// Source checkpoints of clones that finished, with the clone's root.
    pub(crate) finished_sources: BTreeMap<uuid::Uuid, String>,
}

impl CloneUse {
    pub(crate) fn of(cx: &RuleContext<'_>, parent: &str) -> Self {
        let mut finished = BTreeMap::new();
        let mut unfinished = BTreeSet::new();
        let mut finished_sources = BTreeMap::new();
        for root in cx.roots() {
            let Some(latest) = root.latest_given() else {
                continue;
            };
            for entry in latest.external_dbs.iter().filter(|e| e.path == parent) {
                if latest.initialized {
                    if let Some(pin) = entry.final_checkpoint_id {
                        finished.insert(pin, root.path.clone());
                    }
                    finished_sources.insert(entry.source_checkpoint_id, root.path.clone());
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
