//! What a writer open does with the WAL objects it finds, reproduced from a listing.
//!
//! SlateDB finds the end of the WAL by probing (`last_seen_wal_id`, slatedb
//! `wal/slatedb/store.rs`): HEAD requests at `start + 2^k` until one is missing, then a binary
//! search between the last hit and that miss. The search assumes WAL ids are contiguous; a hole
//! misleads it. The writer then writes a zero-byte fence at `last_seen + 1`, replays
//! `replay_after_wal_id + 1 ..= fence` (failing `WalTruncated` on a missing id inside), and later
//! writes its first WAL at `fence + 1` (failing `Fenced` if that id already exists).

use std::collections::BTreeSet;

/// The WAL id SlateDB's probe settles on, for WAL objects `exists` starting after `start_after`.
/// Mirrors the probe's order of HEAD requests, so a hole misleads it exactly as it misleads
/// SlateDB.
pub fn last_seen_wal_id(start_after: u64, exists: impl Fn(u64) -> bool) -> u64 {
    const MAX_EXP: u32 = 48;
    let mut lo = None;
    let mut hi = None;
    for exp in 0..MAX_EXP {
        let offset = 1u64 << exp;
        if exists(start_after.saturating_add(offset)) {
            lo = Some(offset);
        } else {
            hi = Some(offset);
            break;
        }
    }
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return start_after;
    };
    let (mut left, mut right) = (lo + 1, hi);
    while left < right {
        let mid = left + (right - left) / 2;
        if exists(start_after.saturating_add(mid)) {
            left = mid + 1;
        } else {
            right = mid;
        }
    }
    start_after.saturating_add(left - 1)
}

/// What a writer open will do with the WAL of a database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterOpenForecast {
    /// The manifest's `replay_after_wal_id`.
    pub replay_after: u64,
    /// Where the probe stops.
    pub last_seen: u64,
    /// Where the new writer's zero-byte fence goes (`last_seen + 1`).
    pub fence: u64,
    /// WAL ids inside the replay range that do not exist: replay fails `WalTruncated` at the first.
    pub missing_in_replay: Vec<u64>,
    /// Existing WAL ids past the fence: never replayed (their writes are dropped), and the first
    /// WAL the writer flushes collides with them (`Fenced`).
    pub skipped: Vec<u64>,
}

impl WriterOpenForecast {
    /// Forecasts an open over the WAL ids `present`, for a manifest with `replay_after`.
    pub fn new(replay_after: u64, present: &BTreeSet<u64>) -> Self {
        let last_seen = last_seen_wal_id(replay_after, |id| present.contains(&id));
        let fence = last_seen.saturating_add(1);
        let missing_in_replay = (replay_after.saturating_add(1)..=last_seen)
            .filter(|id| !present.contains(id))
            .collect();
        let skipped = present.range(fence..).copied().collect();
        Self {
            replay_after,
            last_seen,
            fence,
            missing_in_replay,
            skipped,
        }
    }

    /// Whether the open replays every WAL object there is, with no hole.
    pub fn is_clean(&self) -> bool {
        self.missing_in_replay.is_empty() && self.skipped.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u64]) -> BTreeSet<u64> {
        ids.iter().copied().collect()
    }

    #[test]
    fn contiguous_wals_are_all_replayed() {
        let forecast = WriterOpenForecast::new(3, &set(&[1, 2, 3, 4, 5, 6]));
        assert_eq!((forecast.last_seen, forecast.fence), (6, 7));
        assert!(forecast.is_clean());
        assert_eq!(WriterOpenForecast::new(3, &set(&[1, 2, 3])).fence, 4);
    }

    #[test]
    fn a_hole_right_after_the_replay_point_hides_everything_behind_it() {
        // Scenario D3: WAL replay_after+1 deleted.
        let forecast = WriterOpenForecast::new(0, &set(&[2, 3, 4]));
        assert_eq!((forecast.last_seen, forecast.fence), (0, 1));
        assert_eq!(forecast.skipped, [2, 3, 4]);
        // Scenario D2: WAL replay_after+2 deleted: the fence lands in the hole.
        let forecast = WriterOpenForecast::new(0, &set(&[1, 3, 4]));
        assert_eq!((forecast.fence, forecast.skipped.clone()), (2, vec![3, 4]));
        assert!(forecast.missing_in_replay.is_empty());
    }

    #[test]
    fn a_hole_further_on_is_inside_the_replay_range() {
        let present: BTreeSet<u64> = (1..=10).filter(|id| *id != 5).collect();
        let forecast = WriterOpenForecast::new(0, &present);
        assert_eq!(forecast.last_seen, 10);
        assert_eq!(forecast.missing_in_replay, [5]);
    }
}
