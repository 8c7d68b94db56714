//! How many SlateDB objects a listing may hold: what keeps a listing too big for memory a
//! clear error instead of an out-of-memory kill, also when its parts are read side by side.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Objects a reader counts before adding them to the count it shares with the readers beside
/// it: together they pass the limit by at most this many each before all stop.
const BATCH: u64 = 4096;

/// The limit on the SlateDB objects held, and what counts against it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Budget {
    /// The most SlateDB objects to hold (unlimited when `None`).
    limit: Option<u64>,
    /// Objects held before this reader started, by the builder it reads for.
    base: u64,
    /// For readers of parts side by side: what all of them added, in batches.
    shared: Option<Arc<AtomicU64>>,
    /// Objects this reader added that `shared` does not count yet.
    unshared: u64,
}

impl Budget {
    /// A budget of `limit` objects.
    pub(crate) fn new(limit: Option<u64>) -> Self {
        Self {
            limit,
            ..Self::default()
        }
    }

    pub(crate) fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The budget of readers that read beside each other for a builder holding `held`
    /// objects: each takes a copy, and together they stop at the limit.
    pub(crate) fn shared_by_readers(&self, held: u64) -> Self {
        Self {
            limit: self.limit,
            base: self.base + held,
            shared: Some(Arc::new(AtomicU64::new(0))),
            unshared: 0,
        }
    }

    /// A reader's own copy of a shared budget.
    pub(crate) fn for_reader(&self) -> Self {
        Self {
            unshared: 0,
            ..self.clone()
        }
    }

    /// Whether one more object fits, given the `held` objects of the builder asking; counts it
    /// when it does.
    pub(crate) fn admit(&mut self, held: u64) -> bool {
        let Some(limit) = self.limit else {
            return true;
        };
        let Some(shared) = &self.shared else {
            return held < limit;
        };
        if self.base + shared.load(Ordering::Relaxed) + self.unshared >= limit {
            return false;
        }
        self.unshared += 1;
        if self.unshared == BATCH {
            shared.fetch_add(BATCH, Ordering::Relaxed);
            self.unshared = 0;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_side_by_side_stop_together_at_the_limit() {
        let limit = 10 * BATCH;
        let shared = Budget::new(Some(limit)).shared_by_readers(BATCH);
        let (mut first, mut second) = (shared.for_reader(), shared.for_reader());
        let mut admitted = 0;
        while first.admit(0) | second.admit(0) {
            admitted += 2;
        }
        // Nine batches fit beside the one held; each reader may pass by its last batch.
        assert!(admitted >= limit - BATCH - 2, "{admitted}");
        assert!(admitted <= limit - BATCH + 2 * BATCH, "{admitted}");
    }

    #[test]
    fn a_reader_alone_counts_what_its_builder_holds() {
        let mut alone = Budget::new(Some(3));
        assert!(alone.admit(2));
        assert!(!alone.admit(3));
        assert!(Budget::new(None).admit(u64::MAX));
    }
}
