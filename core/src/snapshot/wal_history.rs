//! What a root's manifest history proves about its WAL: where each writer open's fence can
//! sit, whether the latest writer has persisted anything since it opened, and from which WAL
//! id on a WAL object holds only writes newer than L0.
//!
//! The facts it rests on (slatedb 0.18):
//! - Every writer open bumps `writer_epoch` with one manifest write (`fence.rs`, the
//!   `FenceableTransactionalObject` init), then writes one zero-byte fence WAL at
//!   `last_seen_wal_id(replay_after_wal_id) + 1` (`wal/slatedb/writer_init.rs`
//!   `fence_and_init`), which is at or after the `next_wal_sst_id` it bumped from when the WAL
//!   is intact. The epoch-bump manifest keeps `next_wal_sst_id` and `replay_after_wal_id`
//!   unchanged.
//! - Only the writer moves `next_wal_sst_id`, and every manifest it writes after its fence
//!   persists `last_flushed_wal_id + 1 >= fence + 1` (`memtable_flusher/manifest_writer.rs`
//!   `prepare_local_manifest_for_write`); admin checkpoints, the compactor and GC keep it.
//! - Empty WAL buffers are never written, so a zero-byte WAL object is a fence.
//! - An L0 flush is applied to the manifest only once the WAL holding its rows is durable
//!   (`manifest_writer.rs`, "WAL SSTs must be durable before the manifest is updated"), and
//!   that manifest records `next_wal_sst_id` past that WAL: a WAL object with data at or after
//!   the `next_wal_sst_id` of the manifest that published the newest L0 holds only rows newer
//!   than `last_l0_seq`, i.e. acknowledged writes that are not in L0.
//! - Nothing places a WAL object between the replay point and that `next_wal_sst_id`. An
//!   explicit flush or a close freezes the memtable right after handing the WAL buffer to the
//!   flusher (`batch_write.rs`, `flush_batch_writer`), so that WAL holds only rows in L0; a
//!   freeze triggered by size or WAL count (`maybe_freeze_current_memtable`) happens
//!   mid-buffer, so the same WAL goes on to take rows written after the freeze, which are not
//!   in L0. Both stamp `replay_after_wal_id` at the last WAL already flushed, and neither is
//!   recorded, so such an object's rows may or may not be in L0.

use super::RootState;
use crate::model::{Manifest, WalId};
use std::collections::BTreeSet;

/// The given manifest the latest writer epoch bumped from, when that writer has persisted no
/// manifest since it opened (its `next_wal_sst_id` is still the one it bumped from): its fence
/// then sits at or after that `next_wal_sst_id` (after `replay_after_wal_id` in any case) and
/// must exist while this manifest is the latest.
pub fn writer_open_unpersisted<'a>(root: &'a RootState, latest: &Manifest) -> Option<&'a Manifest> {
    if latest.writer_epoch == 0 {
        return None;
    }
    let before = root
        .manifests
        .values()
        .map(|file| &file.manifest)
        .filter(|m| m.id < latest.id && m.writer_epoch < latest.writer_epoch)
        .max_by_key(|m| m.id)?;
    (before.next_wal_sst_id == latest.next_wal_sst_id
        && before.replay_after_wal_id == latest.replay_after_wal_id)
        .then_some(before)
}

/// Where the newest L0 ends in the WAL: WAL objects with data at or after `next_wal_sst_id`
/// hold only writes that are not in L0 (before it, after the replay point, they may hold
/// either).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewestL0 {
    /// The given manifest that published the newest L0 (the earliest given with the latest's
    /// `last_l0_seq`), or `None` when the database never flushed an L0.
    pub published_by: Option<u64>,
    /// The bound: that manifest's `next_wal_sst_id`; after the replay point when there is no
    /// L0, since every row written is then in the WAL alone.
    pub next_wal_sst_id: WalId,
    /// The latest manifest (named when no L0 was ever flushed).
    latest_id: u64,
}

impl NewestL0 {
    /// Where the WAL objects at or after the bound come, as a phrase: "after manifest 7
    /// published the newest L0 (at `next_wal_sst_id` 8)".
    pub fn after(&self) -> String {
        match self.published_by {
            Some(id) => format!(
                "after manifest {id} published the newest L0 (at `next_wal_sst_id` {})",
                self.next_wal_sst_id
            ),
            None => format!(
                "after the replay point of a database that never flushed an L0 (manifest {} references no SST and records `last_l0_seq` 0)",
                self.latest_id
            ),
        }
    }
}

/// The newest L0's bound for `latest` of `root`. When the true publisher is not given, the
/// earliest given one has a later (never smaller) `next_wal_sst_id`, which only narrows what is
/// called certain. A database whose latest manifest references no SST and records
/// `last_l0_seq` 0 never flushed an L0 (SlateDB sets `last_l0_seq` with every L0 it publishes,
/// `memtable_flusher/manifest_writer.rs`, and a compaction keeps it): none of its WAL rows are
/// in L0, whatever froze its memtables.
pub fn newest_l0(root: &RootState, latest: &Manifest) -> NewestL0 {
    let never_flushed = latest.last_l0_seq == 0 && latest.sst_views().next().is_none();
    if never_flushed {
        return NewestL0 {
            published_by: None,
            next_wal_sst_id: latest.replay_after_wal_id + 1,
            latest_id: latest.id,
        };
    }
    let publisher = root
        .manifests
        .values()
        .map(|file| &file.manifest)
        .filter(|m| m.id <= latest.id && m.last_l0_seq == latest.last_l0_seq)
        .min_by_key(|m| m.id)
        .unwrap_or(latest);
    NewestL0 {
        published_by: Some(publisher.id),
        next_wal_sst_id: publisher.next_wal_sst_id,
        latest_id: latest.id,
    }
}

/// Where the fence of one writer epoch can be: `lo ..= hi` (`hi` `None`: unbounded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FenceSlot {
    /// The writer epoch.
    pub epoch: u64,
    /// The lowest id its fence can have.
    pub lo: WalId,
    /// The highest, when the manifests bound it.
    pub hi: Option<WalId>,
}

impl FenceSlot {
    fn contains(&self, id: WalId) -> bool {
        id >= self.lo && self.hi.is_none_or(|hi| id <= hi)
    }
}

/// The fence slots of writer epochs `1 ..= latest.writer_epoch`, from the given manifests.
pub fn fence_slots(root: &RootState, latest: &Manifest) -> Vec<FenceSlot> {
    let manifests: Vec<&Manifest> = root
        .manifests
        .values()
        .map(|file| &file.manifest)
        .filter(|m| m.id <= latest.id)
        .collect();
    (1..=latest.writer_epoch)
        .map(|epoch| {
            let before = manifests
                .iter()
                .filter(|m| m.writer_epoch < epoch)
                .max_by_key(|m| m.id);
            let lo = before.map_or(1, |m| m.next_wal_sst_id.max(1));
            // The manifest the epoch bumped from is known exactly when the bump itself (the
            // next id) is given: then any manifest of this epoch with a later
            // `next_wal_sst_id` was written by this writer after its fence.
            let exact = before.filter(|m| {
                manifests
                    .iter()
                    .any(|n| n.id == m.id + 1 && n.writer_epoch == epoch)
            });
            let hi = exact.and_then(|bumped_from| {
                manifests
                    .iter()
                    .filter(|m| {
                        m.writer_epoch == epoch && m.next_wal_sst_id > bumped_from.next_wal_sst_id
                    })
                    .map(|m| m.next_wal_sst_id - 1)
                    .min()
            });
            FenceSlot { epoch, lo, hi }
        })
        .collect()
}

/// The WAL ids the history proves were fences: an epoch whose bump is given and whose first
/// manifest after its fence persisted `next_wal_sst_id` one past the id it bumped from wrote
/// nothing but its fence before that manifest, so the fence is exactly that id.
pub fn proven_fences(slots: &[FenceSlot]) -> BTreeSet<WalId> {
    slots
        .iter()
        .filter(|slot| slot.hi == Some(slot.lo))
        .map(|slot| slot.lo)
        .collect()
}

/// How many of the missing WAL ids `missing` can have been fences, given the zero-byte
/// objects still present (`fences`); `None` when the history does not explain the listing
/// (more fences than writer opens, or a fence where no writer open could have put it: a
/// writer opened on a damaged WAL), so nothing is decided from it.
pub fn max_missing_fences(
    slots: &[FenceSlot],
    fences: &BTreeSet<WalId>,
    missing: &BTreeSet<WalId>,
) -> Option<usize> {
    if fences.len() > slots.len() {
        return None;
    }
    let mut accounted: BTreeSet<u64> = BTreeSet::new();
    for fence in fences {
        let holders: Vec<&FenceSlot> = slots.iter().filter(|s| s.contains(*fence)).collect();
        match holders.as_slice() {
            [] => return None,
            // A present fence only one epoch could have written is that epoch's.
            [only] if !accounted.insert(only.epoch) => return None,
            _ => {}
        }
    }
    Some(
        slots
            .iter()
            .filter(|s| !accounted.contains(&s.epoch))
            .filter(|s| missing.iter().any(|id| s.contains(*id)))
            .count()
            .min(missing.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[u64]) -> BTreeSet<u64> {
        list.iter().copied().collect()
    }

    #[test]
    fn a_fence_bounded_below_the_missing_ids_cannot_be_one_of_them() {
        // d1: epoch 1's fence is at 1 or 2 (manifest 3 of epoch 1 persisted next 3).
        let slots = [FenceSlot {
            epoch: 1,
            lo: 1,
            hi: Some(2),
        }];
        assert_eq!(max_missing_fences(&slots, &ids(&[]), &ids(&[3])), Some(0));
        assert_eq!(
            max_missing_fences(&slots, &ids(&[]), &ids(&[2, 3])),
            Some(1)
        );
    }

    #[test]
    fn only_an_epoch_bounded_to_one_id_proves_its_fence() {
        let slots = [
            FenceSlot {
                epoch: 1,
                lo: 1,
                hi: Some(2),
            },
            FenceSlot {
                epoch: 2,
                lo: 4,
                hi: Some(4),
            },
            FenceSlot {
                epoch: 3,
                lo: 7,
                hi: None,
            },
        ];
        assert_eq!(proven_fences(&slots), ids(&[4]));
    }

    #[test]
    fn present_fences_use_up_their_epochs() {
        let slots = [
            FenceSlot {
                epoch: 1,
                lo: 1,
                hi: Some(1),
            },
            FenceSlot {
                epoch: 2,
                lo: 3,
                hi: None,
            },
        ];
        assert_eq!(
            max_missing_fences(&slots, &ids(&[1]), &ids(&[4, 5])),
            Some(1)
        );
        // A zero-byte object no writer open could have written: the history is not trusted.
        assert_eq!(max_missing_fences(&slots, &ids(&[2]), &ids(&[4])), None);
        assert_eq!(
            max_missing_fences(&slots[..1], &ids(&[1, 3]), &ids(&[4])),
            None
        );
    }
}
