//! The rows of objects read from the store itself, where keys and sizes cannot settle a
//! verdict: which sequence numbers they hold, against the latest manifest's `last_l0_seq`.
//!
//! * WAL objects after the replay point. A writer open or a reader replays them and skips
//!   every row whose sequence number is at most the manifest's `last_l0_seq`, as that row is
//!   already in L0 (slatedb `wal_replay.rs`, `WalReplayIterator`, `min_seq` defaults to
//!   `last_l0_seq`). So an object whose rows all have `seq <= last_l0_seq` holds nothing L0
//!   lacks, and one with a row above it holds an acknowledged write that only the WAL has.
//! * Compacted SSTs the latest manifest does not know ([`UnknownToLatest`]). Every write up to
//!   `last_l0_seq` is in that manifest's tree (an L0 flush publishes it, compactions carry it
//!   on), so such an SST whose rows all have `seq <= last_l0_seq` repeats what the tree holds
//!   (a compaction's output, or a flush of rows already in L0), and one with a row above it
//!   holds writes the tree lacks.
//!
//! A live check (`--store`), a bundle, a `--manifests` folder holding the objects, or store
//! folders dropped on the page can give them; the core decides which objects are worth the
//! read ([`objects_to_read`]) and decodes what the caller fetched.

use crate::listing::{classify_key, object_key, Listing, ObjectsById, SlateObject};
use crate::manifest::manifest_id_from_path;
use crate::model::{Manifest, ManifestFile, SstId, WalId};
use crate::sst::{SstError, SstRows};
use std::collections::{BTreeMap, BTreeSet};

/// Which store an object was listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StoreSide {
    /// The main store, beside the manifests.
    Main,
    /// The separate WAL store.
    WalStore,
}

/// One SST object (a WAL object or a compacted SST) whose rows were read, or could not be, as
/// an input to a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowsRead {
    /// The store it was read from.
    pub side: StoreSide,
    /// Its key, relative to that store (`<root>/wal/<id>.sst`, `<root>/compacted/<ulid>.sst`).
    pub key: String,
    /// The number of bytes read: rows of an object whose size differs from the listing's are
    /// not used (the object is not the one listed).
    pub size: u64,
    /// Its rows, or why they could not be read (the reason is shown in findings).
    pub rows: Result<SstRows, RowsError>,
}

/// Why an object's rows were not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowsError {
    /// Its bytes are not an SST slatecheck reads (see [`SstError::proves_unreadable`] for
    /// when SlateDB cannot read them either).
    #[error("{0}")]
    Sst(SstError),
    /// Its bytes were not had: not fetched, or not the object listed. Says why.
    #[error("{0}")]
    NotRead(String),
}

/// An object [`objects_to_read`] picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectToRead {
    /// The store it is listed in.
    pub side: StoreSide,
    /// Its key, relative to that store.
    pub key: String,
    /// Its listed size.
    pub size: u64,
}

/// What [`objects_to_read`] picked, and how many it left out for the byte budget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadPlan {
    /// The objects to read: WAL objects (lowest ids first per root), then compacted SSTs.
    pub to_read: Vec<ObjectToRead>,
    /// Objects worth reading that the budget left out: their rows stay unknown.
    pub left_out: usize,
}

/// The objects whose rows can settle a verdict, in each root whose latest manifest is given:
/// every non-empty WAL object after that manifest's replay point, in either listing, and every
/// compacted SST the manifests do not know ([`UnknownToLatest`]). At most `max_bytes` are
/// picked, WAL objects first, lowest ids first (a writer open replays them in that order).
/// Only roots `wanted` says yes to are considered (the roots a check's plans name).
pub fn objects_to_read(
    main: Option<&Listing>,
    wal: Option<&Listing>,
    manifests: &[(String, ManifestFile)],
    max_bytes: u64,
    wanted: &dyn Fn(&str) -> bool,
) -> ReadPlan {
    let mut every_root: BTreeMap<&str, Vec<(u64, &Manifest)>> = BTreeMap::new();
    for (key, file) in manifests {
        let Some(root) = classify_key(key).map(|key| key.root) else {
            continue;
        };
        let id = manifest_id_from_path(key).unwrap_or(file.manifest.id);
        every_root
            .entry(root)
            .or_default()
            .push((id, &file.manifest));
    }
    for given in every_root.values_mut() {
        given.sort_by_key(|(id, _)| *id);
    }
    let by_root: BTreeMap<&str, &Vec<(u64, &Manifest)>> = every_root
        .iter()
        .filter(|(root, _)| wanted(root))
        .map(|(root, given)| (*root, given))
        .collect();
    let latest: BTreeMap<&str, &Manifest> = by_root
        .iter()
        .filter_map(|(root, given)| {
            let (_, latest) = given.iter().max_by_key(|(id, _)| *id)?;
            Some((*root, *latest))
        })
        .collect();
    let mut candidates: Vec<ObjectToRead> = Vec::new();
    let sides = [(StoreSide::Main, main), (StoreSide::WalStore, wal)];
    for (side, listing) in sides {
        let Some(listing) = listing else { continue };
        candidates.extend(after_replay_points(side, listing, &latest));
    }
    candidates.extend(copies_of_gone(main, wal, &every_root, &latest));
    if let Some(main) = main {
        for (root, tables) in main.objects.root_tables() {
            let (Some(latest), Some(given)) = (latest.get(root), by_root.get(root)) else {
                continue;
            };
            let unknown = UnknownToLatest::new(latest, given.iter().map(|(_, m)| *m));
            candidates.extend(
                ObjectsById::new(tables.compacted.clone())
                    .sizes()
                    .filter(|(id, _)| unknown.contains(id))
                    .map(|(id, size)| ObjectToRead {
                        side: StoreSide::Main,
                        key: object_key(root, &SlateObject::Compacted { id: *id }),
                        size,
                    }),
            );
        }
    }
    let mut plan = ReadPlan::default();
    let mut budget = max_bytes;
    // A clone's copy is also one of the clone's own objects after its replay point.
    let mut seen = BTreeSet::new();
    candidates.retain(|candidate| seen.insert((candidate.side, candidate.key.clone())));
    for candidate in candidates {
        if candidate.size <= budget {
            budget -= candidate.size;
            plan.to_read.push(candidate);
        } else {
            plan.left_out += 1;
        }
    }
    plan
}

/// The non-empty WAL objects of `listing` after the replay point of their root's latest
/// manifest.
fn after_replay_points<'a>(
    side: StoreSide,
    listing: &'a Listing,
    latest: &'a BTreeMap<&str, &Manifest>,
) -> impl Iterator<Item = ObjectToRead> + 'a {
    listing
        .objects
        .root_tables()
        .filter_map(move |(root, tables)| {
            let manifest = latest.get(root)?;
            Some((root, tables, manifest.replay_after_wal_id))
        })
        .flat_map(move |(root, tables, replay_after)| {
            ObjectsById::new(tables.wal.clone())
                .sizes()
                .filter(|(id, size)| **id > replay_after && *size > 0)
                .map(|(id, size)| ObjectToRead {
                    side,
                    key: object_key(root, &SlateObject::Wal { id: *id }),
                    size,
                })
                .collect::<Vec<_>>()
        })
}

/// The non-empty copies, in clones, of WAL objects after the replay point of their source's
/// latest manifest that the source no longer lists: what those objects held (see
/// [`super::wal_copies`]).
fn copies_of_gone(
    main: Option<&Listing>,
    wal: Option<&Listing>,
    every_root: &BTreeMap<&str, Vec<(u64, &Manifest)>>,
    latest: &BTreeMap<&str, &Manifest>,
) -> Vec<ObjectToRead> {
    let sides = [(StoreSide::Main, main), (StoreSide::WalStore, wal)];
    let wal_tables = |root: &str| -> Vec<(StoreSide, ObjectsById<WalId>)> {
        sides
            .iter()
            .filter_map(|(side, listing)| {
                let tables = (*listing)?
                    .objects
                    .root_tables()
                    .find(|(r, _)| *r == root)?
                    .1;
                Some((*side, ObjectsById::new(tables.wal.clone())))
            })
            .collect()
    };
    let mut copies = Vec::new();
    for range in super::copied_ranges(every_root) {
        let Some(source_latest) = latest.get(range.source.as_str()) else {
            continue;
        };
        let listed: Vec<ObjectsById<WalId>> = wal_tables(&range.source)
            .into_iter()
            .map(|(_, objects)| objects)
            .collect();
        let first = range
            .after
            .max(source_latest.replay_after_wal_id)
            .saturating_add(1);
        for (side, objects) in wal_tables(&range.clone) {
            copies.extend(
                objects
                    .range(first..range.next)
                    .filter(|(id, copy)| {
                        copy.size > 0 && !listed.iter().any(|o| o.contains_key(id))
                    })
                    .map(|(_, copy)| ObjectToRead {
                        side,
                        key: copy.key,
                        size: copy.size,
                    }),
            );
        }
    }
    copies
}

/// Which compacted SSTs of a root its latest manifest does not know: newer (by ULID time) than
/// every SST that manifest references or has compacted, and referenced by none of the root's
/// manifests given. The trace of a deleted newest manifest, or of a writer or compactor that
/// crashed (or is running) before publishing them (`SDB-MAN-002`).
#[derive(Clone, Debug)]
pub struct UnknownToLatest {
    referenced: BTreeSet<SstId>,
    newest_known_ms: u64,
}

impl UnknownToLatest {
    /// For `latest` among the root's manifests `given`.
    pub fn new<'a>(latest: &Manifest, given: impl IntoIterator<Item = &'a Manifest>) -> Self {
        let newest_known_ms = latest
            .sst_views()
            .map(|view| view.sst.id.0.timestamp_ms())
            .chain(
                latest
                    .trees()
                    .filter_map(|tree| tree.last_compacted_l0_sst_view_id)
                    .map(|id| id.timestamp_ms()),
            )
            .max()
            .unwrap_or(0);
        let referenced = given
            .into_iter()
            .flat_map(|manifest| manifest.sst_views().map(|view| view.sst.id))
            .collect();
        Self {
            referenced,
            newest_known_ms,
        }
    }

    /// Whether the latest manifest does not know SST `id`.
    pub fn contains(&self, id: &SstId) -> bool {
        !self.referenced.contains(id) && id.0.timestamp_ms() > self.newest_known_ms
    }
}

/// The rows read of one root's objects: WAL objects per store, compacted SSTs.
#[derive(Clone, Debug, Default)]
pub struct ObjectRows {
    wal_main: BTreeMap<WalId, RowsRead>,
    wal_store: BTreeMap<WalId, RowsRead>,
    compacted: BTreeMap<SstId, RowsRead>,
}

impl ObjectRows {
    /// Files `read` under the object its key names; `false` for a key of another kind.
    pub(super) fn insert(&mut self, object: &SlateObject, read: RowsRead) -> bool {
        match (object, read.side) {
            (SlateObject::Wal { id }, StoreSide::Main) => self.wal_main.insert(*id, read),
            (SlateObject::Wal { id }, StoreSide::WalStore) => self.wal_store.insert(*id, read),
            (SlateObject::Compacted { id }, StoreSide::Main) => self.compacted.insert(*id, read),
            _ => return false,
        };
        true
    }

    /// The rows of WAL object `id` as read from `side`, when they were read from the object
    /// `objects` lists (same size).
    pub fn wal(
        &self,
        side: StoreSide,
        objects: &ObjectsById<WalId>,
        id: WalId,
    ) -> Option<&Result<SstRows, RowsError>> {
        let read = match side {
            StoreSide::Main => self.wal_main.get(&id),
            StoreSide::WalStore => self.wal_store.get(&id),
        }?;
        (objects.size_of(&id) == Some(read.size)).then_some(&read.rows)
    }

    /// The rows of compacted SST `id`, when they were read from the object `listed` lists.
    pub fn compacted(
        &self,
        listed: &ObjectsById<SstId>,
        id: SstId,
    ) -> Option<&Result<SstRows, RowsError>> {
        let read = self.compacted.get(&id)?;
        (listed.size_of(&id) == Some(read.size)).then_some(&read.rows)
    }
}

/// The root and object a read's key names.
pub(super) fn read_root_and_object(read: &RowsRead) -> Option<(&str, SlateObject)> {
    classify_key(&read.key).map(|key| (key.root, key.object))
}

/// What an object's rows say against `latest`'s `last_l0_seq`: for a WAL object after the
/// replay point, whether a writer open of `latest` replays writes from it; for an SST the
/// manifest does not know, whether it holds writes the manifest's tree lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowsAgainstL0 {
    /// Every row is already in L0 (`seq <= last_l0_seq`), or it holds none: a writer open or a
    /// reader of `latest` loses nothing without it.
    InL0 {
        /// The highest sequence number in it, if any row.
        max_seq: Option<u64>,
    },
    /// It holds rows past `last_l0_seq`: acknowledged writes that `latest`'s tree lacks.
    NotInL0 {
        /// The highest sequence number in it.
        max_seq: u64,
    },
}

impl RowsAgainstL0 {
    /// Judges `rows` against `latest`'s `last_l0_seq`.
    pub fn of(rows: &SstRows, latest: &Manifest) -> Self {
        match rows.max_seq {
            Some(max_seq) if max_seq > latest.last_l0_seq => Self::NotInL0 { max_seq },
            max_seq => Self::InL0 { max_seq },
        }
    }

    /// Whether `rows` hold a write past `latest`'s `last_l0_seq`, one that L0 lacks.
    pub fn past_l0(rows: &SstRows, latest: &Manifest) -> bool {
        matches!(Self::of(rows, latest), Self::NotInL0 { .. })
    }
}
