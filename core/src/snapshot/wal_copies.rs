//! WAL objects a clone copied from the database it was cloned from: what a gone WAL object of
//! that database held, where the store itself still shows it.
//!
//! Creating a clone from one source copies the source manifest's WAL objects after its replay
//! point, `replay_after_wal_id + 1 ..= next_wal_sst_id - 1`, object by object under the same
//! ids into the clone's WAL, and records that range in the clone's first manifests (slatedb
//! `clone.rs`, `create_clone_manifest` and `copy_wal`; `wal/slatedb/admin.rs`, `clone_wal`,
//! which uses the object store's `copy`). A copy is the object as it was: zero bytes for a
//! writer open's fence, the same rows (and sequence numbers) for data. So when the source later
//! loses such an object (a wiped WAL store, a cleaned-up `wal/` folder), the clone's copy still
//! says whether it was a fence, held data, and (read) whether its rows were in L0.
//!
//! The copy is trusted only where the manifests show it is one: the clone's earliest manifest
//! given records the same WAL range as the source manifest its checkpoint (source or final
//! pin) names, and neither database's manifests ever lower `next_wal_sst_id`, which is what a
//! writer that opened on a wiped WAL and wrote the same ids again leaves.

use crate::model::{Manifest, ManifestId, WalId};
use std::collections::BTreeMap;

/// WAL ids a clone copied from its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedRange {
    /// The clone's root.
    pub clone: String,
    /// The source's root.
    pub source: String,
    /// The source manifest the clone was made from.
    pub source_manifest: ManifestId,
    /// The copied ids are `after + 1 .. next`.
    pub after: WalId,
    /// One past the last copied id.
    pub next: WalId,
}

impl CopiedRange {
    /// Whether the clone copied WAL `id`.
    pub fn contains(&self, id: WalId) -> bool {
        id > self.after && id < self.next
    }
}

/// A gone (or present) WAL object's copy in a clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalCopy {
    /// The clone holding it.
    pub clone: String,
    /// The copy's key in the clone's WAL store.
    pub key: String,
    /// The store it is listed in: the one the source's WAL objects were copied within.
    pub side: super::StoreSide,
    /// The copy's size: zero for a fence.
    pub size: u64,
    /// Its rows, when they were read.
    pub rows: Option<Result<crate::sst::SstRows, super::RowsError>>,
}

/// Whether `manifests` (in id order) never lower `next_wal_sst_id`. A writer that opens on a
/// wiped WAL fences at the first free id after the replay point and persists a lower
/// `next_wal_sst_id` (slatedb `wal/slatedb/writer_init.rs`), writing ids again.
pub fn wal_ids_never_reused<'a>(manifests: impl IntoIterator<Item = &'a Manifest>) -> bool {
    let mut highest = 0;
    manifests.into_iter().all(|manifest| {
        let monotone = manifest.next_wal_sst_id >= highest;
        highest = highest.max(manifest.next_wal_sst_id);
        monotone
    })
}

/// The WAL ranges clones copied, from each root's given manifests (`(id, manifest)`, in id
/// order).
pub fn copied_ranges(roots: &BTreeMap<&str, Vec<(ManifestId, &Manifest)>>) -> Vec<CopiedRange> {
    let mut ranges = Vec::new();
    for (clone, given) in roots {
        let Some((_, first)) = given.first() else {
            continue;
        };
        let range = (first.replay_after_wal_id, first.next_wal_sst_id);
        if first.external_dbs.is_empty()
            || range.1 <= range.0.saturating_add(1)
            || !wal_ids_never_reused(given.iter().map(|(_, m)| *m))
        {
            continue;
        }
        for entry in &first.external_dbs {
            let source_path = entry.path.trim_matches('/');
            let Some(source) = roots.get(source_path) else {
                continue;
            };
            if source_path == *clone || !wal_ids_never_reused(source.iter().map(|(_, m)| *m)) {
                continue;
            }
            let pinned = source
                .iter()
                .flat_map(|(_, manifest)| &manifest.checkpoints)
                .find(|checkpoint| {
                    checkpoint.id == entry.source_checkpoint_id
                        || Some(checkpoint.id) == entry.final_checkpoint_id
                })
                .map(|checkpoint| checkpoint.manifest_id);
            let from = pinned.and_then(|id| source.iter().find(|(given_id, _)| *given_id == id));
            let Some((from_id, from)) = from else {
                continue;
            };
            if (from.replay_after_wal_id, from.next_wal_sst_id) == range {
                ranges.push(CopiedRange {
                    clone: clone.to_string(),
                    source: source_path.to_string(),
                    source_manifest: *from_id,
                    after: range.0,
                    next: range.1,
                });
            }
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Checkpoint, CheckpointId, ExternalDb};

    fn manifest(id: u64, after: u64, next: u64) -> Manifest {
        let mut manifest = Manifest::blank(id);
        manifest.replay_after_wal_id = after;
        manifest.next_wal_sst_id = next;
        manifest
    }

    fn checkpoint(id: CheckpointId, manifest_id: u64) -> Checkpoint {
        Checkpoint {
            id,
            manifest_id,
            expire_time: None,
            create_time: chrono::DateTime::UNIX_EPOCH,
            name: None,
        }
    }

    /// `p` (manifests 4 and 5), cloned at manifest 4 into `c`, whose first manifest records
    /// `clone_range`.
    fn ranges_for(clone_range: (u64, u64), p_nexts: (u64, u64)) -> Vec<CopiedRange> {
        let pin = uuid::Uuid::from_u128(7);
        let mut p4 = manifest(4, 3, p_nexts.0);
        let mut p5 = manifest(5, 3, p_nexts.1);
        p4.checkpoints.push(checkpoint(pin, 4));
        p5.checkpoints.push(checkpoint(pin, 4));
        let mut c1 = manifest(1, clone_range.0, clone_range.1);
        c1.external_dbs.push(ExternalDb {
            path: "/p/".into(),
            source_checkpoint_id: uuid::Uuid::from_u128(1),
            final_checkpoint_id: Some(pin),
            sst_ids: Vec::new(),
        });
        let roots = BTreeMap::from([("c", vec![(1, &c1)]), ("p", vec![(4, &p4), (5, &p5)])]);
        copied_ranges(&roots)
    }

    #[test]
    fn a_clone_whose_range_is_its_pinned_manifests_copied_those_ids() {
        let ranges = ranges_for((3, 9), (9, 9));
        assert_eq!(ranges.len(), 1);
        let range = &ranges[0];
        assert_eq!((range.clone.as_str(), range.source.as_str()), ("c", "p"));
        assert_eq!(range.source_manifest, 4);
        assert!(!range.contains(3) && range.contains(4) && range.contains(8) && !range.contains(9));
    }

    #[test]
    fn another_range_or_reused_ids_prove_no_copy() {
        // The clone's earliest manifest given is not the one the clone wrote from manifest 4.
        assert!(ranges_for((3, 11), (9, 9)).is_empty());
        // `p` lowered `next_wal_sst_id`: a writer opened on a wiped WAL and wrote ids again.
        assert!(ranges_for((3, 9), (9, 5)).is_empty());
    }
}
