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
    (wal_position(before) == wal_position(latest)).then_some(before)
}

/// A manifest's WAL position: what a writer persists of its WAL (`next_wal_sst_id`, and the
/// replay point `replay_after_wal_id`). A writer open bumps the epoch without moving it.
fn wal_position(manifest: &Manifest) -> (WalId, WalId) {
    (manifest.next_wal_sst_id, manifest.replay_after_wal_id)
}

/// The writer epochs that opened at `latest`'s WAL position since a writer last persisted it,
/// as far as the given manifests show: each manifest that bumps the epoch over the given
/// manifest before it without moving `next_wal_sst_id` or `replay_after_wal_id` is one open,
/// and each open wrote a zero-byte fence at or after `next_wal_sst_id`, after every WAL object
/// there then. (Positions and epochs only grow, so manifests missing in between hide opens,
/// never add any: this is a lower bound.)
pub fn opens_since_position(root: &RootState, latest: &Manifest) -> Vec<u64> {
    let manifests: Vec<&Manifest> = root
        .manifests
        .range(..=latest.id)
        .map(|(_, file)| &file.manifest)
        .collect();
    manifests
        .windows(2)
        .filter(|pair| {
            wal_position(pair[1]) == wal_position(latest)
                && wal_position(pair[0]) == wal_position(latest)
                && pair[0].writer_epoch < pair[1].writer_epoch
        })
        .map(|pair| pair[1].writer_epoch)
        .collect()
}

/// Whether a writer has opened on this root itself (not only on the database it was cloned
/// from): its latest `writer_epoch` is past the epochs a clone takes over, which its first
/// manifest (`initialized: false`) records. A clone whose first manifest is no longer given
/// cannot tell, and says no.
pub fn writer_opened_here(root: &RootState, latest: &Manifest) -> bool {
    match inherited_writer_epoch(root.manifests.values().map(|file| &file.manifest)) {
        Some(epoch) => latest.writer_epoch > epoch,
        None => latest.writer_epoch > 0 && latest.external_dbs.is_empty(),
    }
}

/// How a manifest of the latest writer epoch looks like that writer's close, from the manifest
/// right before it (also given, also of that epoch): see [`writer_close`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseShape {
    /// It differs only in a larger `next_wal_sst_id` (and the snapshot watermark
    /// `recent_snapshot_min_seq`): only a closing writer writes that, so it proves the close.
    Recorded,
    /// It repeats the manifest before it: a `Db::close()` whose memtable flush already
    /// persisted the WAL position writes that, but so does an admin write that changes nothing
    /// (`admin.rs`, `delete_checkpoint` of an id that is not there): no proof.
    Repeated,
}

/// The given manifest that most looks like the close of `latest`'s writer epoch, and how: one
/// of [`CloseShape::Recorded`] when given, else one of [`CloseShape::Repeated`].
///
/// A closing writer persists its WAL position one last time and changes nothing else
/// (`memtable_flusher/manifest_writer.rs`, `try_graceful_cleanup` → `write_current_manifest`,
/// after a memtable flush if the close asked for one). Every other manifest write changes more:
/// an L0 flush adds an SST and moves `last_l0_seq`, a checkpoint is added or removed, the
/// compactor moves SSTs or its epoch, a writer open bumps the epoch; and only the writer moves
/// `next_wal_sst_id`. The writer's one other write of the recorded shape is a checkpoint
/// request whose source checkpoint is missing, which fails (`manifest/store.rs`,
/// `new_checkpoint_in`).
pub fn writer_close<'a>(
    root: &'a RootState,
    latest: &Manifest,
) -> Option<(&'a Manifest, CloseShape)> {
    let epoch = latest.writer_epoch;
    if epoch == 0 {
        return None;
    }
    let shapes = root
        .manifests
        .range(..=latest.id)
        .map(|(_, file)| &file.manifest)
        .filter(|m| m.writer_epoch == epoch)
        .filter_map(|closing| {
            let before = closing
                .id
                .checked_sub(1)
                .and_then(|id| root.manifests.get(&id))
                .map(|file| &file.manifest)
                .filter(|before| before.writer_epoch == epoch)?;
            let only_moved = &Manifest {
                id: closing.id,
                next_wal_sst_id: closing.next_wal_sst_id,
                recent_snapshot_min_seq: closing.recent_snapshot_min_seq,
                ..before.clone()
            } == closing;
            match closing.next_wal_sst_id.cmp(&before.next_wal_sst_id) {
                std::cmp::Ordering::Greater if only_moved => Some((closing, CloseShape::Recorded)),
                std::cmp::Ordering::Equal if only_moved => Some((closing, CloseShape::Repeated)),
                _ => None,
            }
        });
    shapes.min_by_key(|(closing, shape)| (*shape == CloseShape::Repeated, closing.id))
}

/// The highest writer epoch a clone took over from its source, from its first manifests
/// (`initialized: false`; slatedb `manifest/mod.rs`, `init_clone_db`); `None` when none is given.
fn inherited_writer_epoch<'a>(manifests: impl Iterator<Item = &'a Manifest>) -> Option<u64> {
    manifests
        .filter(|m| !m.initialized)
        .map(|m| m.writer_epoch)
        .max()
}

/// Where the newest L0 ends in the WAL: WAL objects with data at or after `next_wal_sst_id`
/// hold only writes that are not in L0 (before it, after the replay point, they may hold
/// either).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewestL0 {
    /// The given manifest that published the newest L0 (the earliest given with the latest's
    /// `last_l0_seq`), or `None` when the database never flushed an L0.
    pub published_by: Option<u64>,
    /// The bound: that manifest's `next_wal_sst_id`, or a fence before it (see
    /// [`NewestL0::fence`]); after the replay point when there is no L0, since every row
    /// written is then in the WAL alone.
    pub next_wal_sst_id: WalId,
    /// A writer open's fence after the replay point and before the publisher's
    /// `next_wal_sst_id`, which brings the bound down to it (see [`newest_l0`]).
    pub fence: Option<WalId>,
    /// The latest manifest's replay point.
    replay_after: WalId,
    /// The latest manifest (named when no L0 was ever flushed).
    latest_id: u64,
}

impl NewestL0 {
    /// Where the WAL objects at or after the bound come, as a phrase: "after manifest 7
    /// published the newest L0 (at `next_wal_sst_id` 8)".
    pub fn after(&self) -> String {
        match (self.fence, self.published_by) {
            (Some(fence), _) => format!(
                "at or after WAL {fence}, a writer open's fence after the replay point (WAL {}), past which no WAL object holds rows of the newest L0",
                self.replay_after
            ),
            (None, Some(id)) => format!(
                "after manifest {id} published the newest L0 (at `next_wal_sst_id` {})",
                self.next_wal_sst_id
            ),
            (None, None) => format!(
                "after the replay point of a database that never flushed an L0 (manifest {} references no SST and records `last_l0_seq` 0)",
                self.latest_id
            ),
        }
    }

    /// Where the WAL objects after the replay point and before the bound come, as a phrase:
    /// "before manifest 7 published the newest L0 (at `next_wal_sst_id` 8)".
    pub fn before(&self) -> String {
        match (self.fence, self.published_by) {
            (Some(fence), _) => format!("before WAL {fence}, a writer open's fence"),
            (None, Some(id)) => format!(
                "before manifest {id} published the newest L0 (at `next_wal_sst_id` {})",
                self.next_wal_sst_id
            ),
            (None, None) => format!("before WAL {}", self.next_wal_sst_id),
        }
    }
}

/// The newest L0's bound for `latest` of `root`. When the true publisher is not given, the
/// earliest given one has a later (never smaller) `next_wal_sst_id`, which only narrows what is
/// called certain. A database whose latest manifest references no SST and records
/// `last_l0_seq` 0 never flushed an L0 (SlateDB sets `last_l0_seq` with every L0 it publishes,
/// `memtable_flusher/manifest_writer.rs`, and a compaction keeps it): none of its WAL rows are
/// in L0, whatever froze its memtables.
///
/// A fence after the replay point brings the bound down to itself. A writer's WAL starts at its
/// fence (`wal/slatedb/writer_init.rs` starts the WAL writer with the fence as its last flushed
/// id), and every freeze outside WAL replay stamps the memtable with the last flushed id
/// (`batch_write.rs`, `maybe_freeze_current_memtable` and `flush_batch_writer`), so the newest
/// L0 was published either by an earlier writer, whose `next_wal_sst_id` is at most the fence
/// (a writer open fences one past the highest WAL id there is), or during a later writer's
/// WAL replay, whose frozen memtables hold only rows of WAL objects up to the replay point
/// (`db_common.rs`, `replay_memtable`). Either way no WAL object from the fence on holds rows
/// of it. Zero-byte objects listed, and zero-byte copies in clones (`snapshot::wal_copies`), are
/// the fences used, while the manifests given show no WAL id written twice.
pub fn newest_l0(root: &RootState, latest: &Manifest) -> NewestL0 {
    let never_flushed = latest.last_l0_seq == 0 && latest.sst_views().next().is_none();
    let (published_by, publisher_next) = if never_flushed {
        (None, latest.replay_after_wal_id.saturating_add(1))
    } else {
        let publisher = root
            .manifests
            .values()
            .map(|file| &file.manifest)
            .filter(|m| m.id <= latest.id && m.last_l0_seq == latest.last_l0_seq)
            .min_by_key(|m| m.id)
            .unwrap_or(latest);
        (Some(publisher.id), publisher.next_wal_sst_id)
    };
    let fence = fence_after_replay_point(root, latest).filter(|fence| *fence < publisher_next);
    NewestL0 {
        published_by,
        next_wal_sst_id: fence.unwrap_or(publisher_next),
        fence,
        replay_after: latest.replay_after_wal_id,
        latest_id: latest.id,
    }
}

/// The lowest fence of `root` after `latest`'s replay point: a zero-byte WAL object listed in
/// the store that holds its WAL or copied into a clone, unless the manifests given show WAL ids
/// written twice. (A zero-byte object in the other store is left out: a writer opened without
/// the right WAL store fences after what that store holds, not after the database's WAL.)
fn fence_after_replay_point(root: &RootState, latest: &Manifest) -> Option<WalId> {
    let given = root.manifests.range(..=latest.id).map(|(_, f)| &f.manifest);
    if !super::wal_ids_never_reused(given) {
        return None;
    }
    let after = latest.replay_after_wal_id.saturating_add(1);
    let objects = match root.wal_side() {
        super::StoreSide::Main => &root.wal_in_main,
        super::StoreSide::WalStore => &root.wal_in_wal_store,
    };
    let listed = objects
        .range(after..)
        .find(|(_, listed)| listed.size == 0)
        .map(|(id, _)| *id);
    let copied = root
        .wal_copies
        .range(after..)
        .find(|(_, copy)| copy.size == 0)
        .map(|(id, _)| *id);
    listed.into_iter().chain(copied).min()
}

/// Where the fence of one writer epoch, or of each of `count` consecutive epochs the manifests
/// given say nothing apart about, can be: `lo ..= hi` (`hi` `None`: unbounded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FenceSlot {
    /// The (first) writer epoch.
    pub epoch: u64,
    /// How many consecutive epochs share this slot: 1, or an epoch range no given manifest
    /// was written in (a long-lived database opens many writers; the count keeps the slots as
    /// few as the manifests).
    pub count: u64,
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

/// The fence slots of writer epochs `1 ..= latest.writer_epoch`, from the given manifests: one
/// per epoch a given manifest was written in, and one for each run of epochs between them.
pub fn fence_slots(root: &RootState, latest: &Manifest) -> Vec<FenceSlot> {
    let manifests: Vec<&Manifest> = root
        .manifests
        .values()
        .map(|file| &file.manifest)
        .filter(|m| m.id <= latest.id)
        .collect();
    // A clone's first manifest is its source's state with `initialized: false` (slatedb
    // `manifest/mod.rs`, `init_clone_db`), writer epoch included, and the manifest that
    // finishes the clone records the copied WAL range (`clone.rs`): the copies end below the
    // `next_wal_sst_id` of the manifests of that epoch.
    let inherited_epoch = inherited_writer_epoch(manifests.iter().copied()).unwrap_or(0);
    let copied_below = (inherited_epoch > 0)
        .then(|| {
            manifests
                .iter()
                .filter(|m| m.writer_epoch <= inherited_epoch)
                .map(|m| m.next_wal_sst_id)
                .min()
        })
        .flatten();
    let slot = |epoch: u64, count: u64| {
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
                .any(|n| Some(n.id) == m.id.checked_add(1) && n.writer_epoch == epoch)
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
        // Epochs a clone took over from its source were opened on the source, not on the clone:
        // their fences in its WAL can only be copies, below the first id its own writers use.
        let hi = match copied_below {
            Some(below) if epoch.saturating_add(count.saturating_sub(1)) <= inherited_epoch => {
                let copied_hi = below.saturating_sub(1);
                Some(hi.map_or(copied_hi, |hi| hi.min(copied_hi)))
            }
            _ => hi,
        };
        FenceSlot {
            epoch,
            count,
            lo,
            hi,
        }
    };
    let written_in: BTreeSet<u64> = manifests
        .iter()
        .map(|m| m.writer_epoch)
        .filter(|epoch| (1..=latest.writer_epoch).contains(epoch))
        .collect();
    let mut slots = Vec::new();
    let mut next = 1;
    for epoch in written_in {
        if next < epoch {
            slots.push(slot(next, epoch - next));
        }
        slots.push(slot(epoch, 1));
        match epoch.checked_add(1) {
            Some(after) => next = after,
            None => return slots,
        }
    }
    if next <= latest.writer_epoch {
        slots.push(slot(next, latest.writer_epoch - next + 1));
    }
    // An epoch's fence is written before any later epoch opens (a later open fences past every
    // WAL object already there, and an earlier writer cannot fence once a later one holds the
    // epoch: `writer_init.rs`, the manifest refresh after a failed fence write), and a bound on
    // a later epoch's fence comes from a manifest that writer persisted after its fence, past
    // every WAL object written before it: earlier fences sit at or below it too.
    let mut ceiling: Option<WalId> = None;
    for slot in slots.iter_mut().rev() {
        if let Some(ceiling) = ceiling {
            slot.hi = Some(slot.hi.map_or(ceiling, |hi| hi.min(ceiling)));
        }
        ceiling = slot.hi;
    }
    slots
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
    let total: u64 = slots.iter().map(|slot| slot.count).sum();
    if fences.len() as u64 > total {
        return None;
    }
    // Fences each slot's epochs wrote, where only that slot can hold a present fence.
    let mut used = vec![0u64; slots.len()];
    for fence in fences {
        let holders: Vec<usize> = (0..slots.len())
            .filter(|at| slots[*at].contains(*fence))
            .collect();
        match holders.as_slice() {
            [] => return None,
            [only] => {
                used[*only] += 1;
                if used[*only] > slots[*only].count {
                    return None;
                }
            }
            _ => {}
        }
    }
    let open: u64 = slots
        .iter()
        .zip(&used)
        .filter(|(slot, _)| missing.iter().any(|id| slot.contains(*id)))
        .map(|(slot, used)| slot.count - used)
        .sum();
    // Each listed fence is a different epoch's, wherever it sits: the epochs left over bound
    // the missing fences too, when the slots overlap too much to tell whose fence is whose.
    let spare = total - fences.len() as u64;
    Some(
        usize::try_from(open.min(spare))
            .unwrap_or(usize::MAX)
            .min(missing.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{read_listing, ListingBuilder, ListingOptions};
    use crate::model::{ManifestFile, ManifestFormat};
    use crate::snapshot::{Snapshot, SnapshotInputs};

    /// `db` with WAL objects `(id, size)` listed in the main store and manifests `(id, epoch,
    /// replay_after, next)`, all with one L0 flush (`last_l0_seq` 5).
    fn snapshot(wal: &[(u64, u64)], manifests: &[(u64, u64, u64, u64)]) -> Snapshot {
        snapshot_of_clone(wal, manifests, &[])
    }

    /// [`snapshot`] with manifests `uninitialized` written as a clone's first ones are.
    fn snapshot_of_clone(
        wal: &[(u64, u64)],
        manifests: &[(u64, u64, u64, u64)],
        uninitialized: &[u64],
    ) -> Snapshot {
        let lines: String = wal
            .iter()
            .map(|(id, size)| format!("{size} db/wal/{id:020}.sst\n"))
            .chain(
                manifests
                    .iter()
                    .map(|(id, ..)| format!("100 db/manifest/{id:020}.manifest\n")),
            )
            .collect();
        let mut builder = ListingBuilder::new(ListingOptions::default());
        read_listing(&mut builder, "main.txt", lines.as_bytes(), None).expect("listing reads");
        let manifests = manifests
            .iter()
            .map(|&(id, epoch, after, next)| {
                let mut manifest = Manifest::blank(id);
                manifest.writer_epoch = epoch;
                manifest.replay_after_wal_id = after;
                manifest.next_wal_sst_id = next;
                manifest.last_l0_seq = 5;
                manifest.initialized = !uninitialized.contains(&id);
                let file = ManifestFile {
                    format: ManifestFormat::V2,
                    manifest,
                };
                (format!("db/manifest/{id:020}.manifest"), file)
            })
            .collect();
        Snapshot::build(SnapshotInputs {
            main: Some(builder.finish()),
            manifests,
            ..SnapshotInputs::default()
        })
    }

    fn bound(snapshot: &Snapshot) -> NewestL0 {
        let root = snapshot.root("db").expect("db");
        newest_l0(root, root.latest_given().expect("latest"))
    }

    #[test]
    fn a_fence_after_the_replay_point_brings_the_bound_down_to_it() {
        // Manifest 5 (the earliest given, so taken for the publisher) persisted next 9; a
        // reopen fenced at WAL 5: nothing from WAL 5 on holds rows of the newest L0.
        let wal = [(4, 300), (5, 0), (6, 280), (8, 290)];
        let newest = bound(&snapshot(&wal, &[(5, 3, 3, 9), (6, 3, 3, 9)]));
        assert_eq!((newest.fence, newest.next_wal_sst_id), (Some(5), 5));
        assert!(
            newest.after().contains("at or after WAL 5"),
            "{}",
            newest.after()
        );
        // A fence at or before the replay point bounds nothing.
        let wal = [(3, 0), (4, 300), (6, 280)];
        let newest = bound(&snapshot(&wal, &[(5, 3, 3, 9)]));
        assert_eq!((newest.fence, newest.next_wal_sst_id), (None, 9));
    }

    #[test]
    fn epochs_no_given_manifest_was_written_in_share_one_slot() {
        // Epoch 2's manifests are given; epochs 1 and 3..=u64::MAX-1 opened writers whose
        // manifests (7 and 8 among them) are gone: three slots, not 2^64 of them.
        let snapshot = snapshot(&[(9, 0)], &[(5, 2, 3, 6), (9, u64::MAX - 1, 3, 9)]);
        let root = snapshot.root("db").expect("db");
        let slots = fence_slots(root, root.latest_given().expect("latest"));
        let shape: Vec<(u64, u64)> = slots.iter().map(|s| (s.epoch, s.count)).collect();
        assert_eq!(
            shape,
            [(1, 1), (2, 1), (3, u64::MAX - 4), (u64::MAX - 1, 1)]
        );
        // Any number of the gone ids may have been those epochs' fences.
        let gone: BTreeSet<u64> = [6, 7, 8].into_iter().collect();
        assert_eq!(max_missing_fences(&slots, &ids(&[9]), &gone), Some(3));
    }

    #[test]
    fn a_clone_holds_no_fence_of_its_source_epochs_past_the_copies() {
        // The oracle's seed 34: `c1` cloned at epoch 4 with WAL 11 copied (manifests 1, still
        // uninitialized, and 2 record next 12), then opened once (epoch 5, bumped by manifest
        // 3): of the gone WAL 12 and 13 only one can be a fence, the clone's own. Were manifest
        // 1 an ordinary one, epochs 1 to 4 could have fenced anywhere after it.
        let manifests = [
            (1, 4, 10, 12),
            (2, 4, 10, 12),
            (3, 5, 10, 12),
            (5, 5, 10, 14),
        ];
        let gone = ids(&[12, 13]);
        for (uninitialized, fences) in [(&[1][..], Some(1)), (&[][..], Some(2))] {
            let snapshot = snapshot_of_clone(&[], &manifests, uninitialized);
            let root = snapshot.root("db").expect("db");
            let slots = fence_slots(root, root.latest_given().expect("latest"));
            assert_eq!(max_missing_fences(&slots, &ids(&[]), &gone), fences);
        }
    }

    #[test]
    fn a_later_epochs_bound_caps_the_fences_of_the_epochs_before_it() {
        // The independent oracle's s0092: GC left no bump of epochs 3 and 4, but epoch 5's
        // bump (manifest 22, after 21) and its L0 flush (manifest 23, next 22) are given, so
        // epoch 5 fenced at 19..=21, and every earlier epoch before that: none of the gone
        // WAL 22-24 is a fence. Without the cap epochs 3 and 4 could have fenced anywhere.
        let manifests = [
            (15, 3, 11, 15),
            (19, 4, 18, 19),
            (21, 4, 18, 19),
            (22, 5, 18, 19),
            (23, 5, 21, 22),
            (25, 5, 21, 25),
        ];
        let snapshot = snapshot(&[], &manifests);
        let root = snapshot.root("db").expect("db");
        let slots = fence_slots(root, root.latest_given().expect("latest"));
        assert!(
            slots.iter().all(|slot| slot.hi.is_some_and(|hi| hi <= 21)),
            "{slots:?}"
        );
        assert_eq!(
            max_missing_fences(&slots, &ids(&[]), &ids(&[22, 23, 24])),
            Some(0)
        );
    }

    #[test]
    fn listed_fences_use_up_the_epochs_whose_slots_overlap() {
        // The independent oracle's s0785: four epochs, and four zero-byte WAL objects listed
        // (1, 4, 9, 10), so the gone WAL 8 is no fence, although the slots of epochs 1-4 all
        // reach it and no listed fence belongs to one slot alone.
        let slots: Vec<FenceSlot> = [(1, 1), (2, 4), (3, 8), (4, 8)]
            .into_iter()
            .map(|(epoch, lo)| FenceSlot {
                epoch,
                count: 1,
                lo,
                hi: Some(10),
            })
            .collect();
        let listed = ids(&[1, 4, 9, 10]);
        assert_eq!(max_missing_fences(&slots, &listed, &ids(&[8])), Some(0));
        assert_eq!(
            max_missing_fences(&slots, &ids(&[1, 4, 9]), &ids(&[8])),
            Some(1)
        );
    }

    #[test]
    fn no_fence_bound_once_wal_ids_were_written_twice() {
        // Manifest 6 lowered `next_wal_sst_id`: a writer opened on a wiped WAL, so a zero-byte
        // object may sit where older rows of the L0 were.
        let wal = [(4, 0), (6, 280)];
        let newest = bound(&snapshot(&wal, &[(5, 2, 3, 9), (6, 3, 3, 5), (7, 3, 3, 9)]));
        assert_eq!((newest.fence, newest.next_wal_sst_id), (None, 9));
    }

    fn ids(list: &[u64]) -> BTreeSet<u64> {
        list.iter().copied().collect()
    }

    #[test]
    fn a_fence_bounded_below_the_missing_ids_cannot_be_one_of_them() {
        // d1: epoch 1's fence is at 1 or 2 (manifest 3 of epoch 1 persisted next 3).
        let slots = [FenceSlot {
            epoch: 1,
            count: 1,
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
                count: 1,
                lo: 1,
                hi: Some(2),
            },
            FenceSlot {
                epoch: 2,
                count: 1,
                lo: 4,
                hi: Some(4),
            },
            FenceSlot {
                epoch: 3,
                count: 1,
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
                count: 1,
                lo: 1,
                hi: Some(1),
            },
            FenceSlot {
                epoch: 2,
                count: 1,
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

    #[test]
    fn a_close_is_a_manifest_of_the_same_epoch_that_moves_only_the_wal_position() {
        let closed_by = |manifests: &[(u64, u64, u64, u64)]| {
            let snapshot = snapshot(&[], manifests);
            let root = snapshot.root("db").expect("db");
            writer_close(root, root.latest_given().expect("latest"))
                .filter(|(_, shape)| *shape == CloseShape::Recorded)
                .map(|(m, _)| m.id)
        };
        // Epoch 3 opened (manifest 5, WAL position of manifest 4) and closed (manifest 6).
        assert_eq!(
            closed_by(&[(4, 2, 3, 4), (5, 3, 3, 4), (6, 3, 3, 5)]),
            Some(6)
        );
        // Later manifests of the same epoch (another actor's checkpoints) keep the close.
        assert_eq!(
            closed_by(&[(5, 3, 3, 4), (6, 3, 3, 5), (7, 3, 3, 5)]),
            Some(6)
        );
        // Identical successors are no proof (an admin's no-op write looks the same), only a
        // likeness.
        assert_eq!(closed_by(&[(5, 3, 3, 4), (6, 3, 3, 4)]), None);
        let snapshot = snapshot(&[], &[(5, 3, 3, 4), (6, 3, 3, 4)]);
        let root = snapshot.root("db").expect("db");
        let shape = writer_close(root, root.latest_given().expect("latest"));
        assert_eq!(
            shape.map(|(m, shape)| (m.id, shape)),
            Some((6, CloseShape::Repeated))
        );
        // An epoch bump is no close, nor is a close of an earlier epoch.
        assert_eq!(closed_by(&[(5, 2, 3, 4), (6, 3, 3, 5)]), None);
        assert_eq!(closed_by(&[(4, 2, 3, 4), (5, 2, 3, 5), (6, 3, 3, 5)]), None);
        // The manifest before it must be given: 5 is missing here.
        assert_eq!(closed_by(&[(4, 3, 3, 4), (6, 3, 3, 5)]), None);
        // A manifest that also moves the replay point published an L0 (its other fields would
        // differ too): not a close.
        assert_eq!(closed_by(&[(5, 3, 3, 4), (6, 3, 4, 5)]), None);
    }
}
