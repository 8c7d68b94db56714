//! The rows of WAL objects after a replay point, read from the store itself: which sequence
//! numbers they hold settles whether deleting them loses acknowledged writes, where the
//! listing (keys and sizes) cannot.
//!
//! A writer open or a reader replays the WAL objects after the latest manifest's
//! `replay_after_wal_id` and skips every row whose sequence number is at most the manifest's
//! `last_l0_seq`, as that row is already in L0 (slatedb `wal_replay.rs`, `WalReplayIterator`,
//! `min_seq` defaults to `last_l0_seq`). So an object whose rows all have `seq <= last_l0_seq`
//! holds nothing L0 lacks, and one with a row above it holds an acknowledged write that only
//! the WAL has. Only a live check (`--store`) or a bundle can read them; the core decides which
//! objects are worth the read ([`wal_objects_to_read`]) and decodes what native code fetched.

use crate::listing::{classify_key, Listing, ObjectsById, SlateObject};
use crate::manifest::manifest_id_from_path;
use crate::model::{Manifest, ManifestFile, WalId};
use crate::sst::SstRows;
use std::collections::BTreeMap;

/// Which store a WAL object was listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WalSide {
    /// The main store, beside the manifests.
    Main,
    /// The separate WAL store.
    WalStore,
}

/// One WAL object whose rows were read (or could not be), as an input to a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalRowsRead {
    /// The store it was read from.
    pub side: WalSide,
    /// Its key, relative to that store (`<root>/wal/<id>.sst`).
    pub key: String,
    /// The number of bytes read: rows of an object whose size differs from the listing's are
    /// not used (the object is not the one listed).
    pub size: u64,
    /// Its rows, or why they could not be read (the reason is shown in findings).
    pub rows: Result<SstRows, String>,
}

/// A WAL object [`wal_objects_to_read`] picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalToRead {
    /// The store it is listed in.
    pub side: WalSide,
    /// Its key, relative to that store.
    pub key: String,
    /// Its listed size.
    pub size: u64,
}

/// What [`wal_objects_to_read`] picked, and how many it left out for the byte budget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalReadPlan {
    /// The objects to read, smallest id first per root.
    pub to_read: Vec<WalToRead>,
    /// Objects worth reading that the budget left out: their rows stay unknown.
    pub left_out: usize,
}

/// The WAL objects whose rows can settle a verdict: in each root whose latest manifest is
/// given, every non-empty object after that manifest's replay point, in either listing. At
/// most `max_bytes` are picked, lowest ids first (a writer open replays them in that order).
pub fn wal_objects_to_read(
    main: Option<&Listing>,
    wal: Option<&Listing>,
    manifests: &[(String, ManifestFile)],
    max_bytes: u64,
) -> WalReadPlan {
    let mut latest: BTreeMap<&str, (u64, &Manifest)> = BTreeMap::new();
    for (key, file) in manifests {
        let Some(root) = classify_key(key).map(|key| key.root) else {
            continue;
        };
        let id = manifest_id_from_path(key).unwrap_or(file.manifest.id);
        let entry = latest.entry(root).or_insert((id, &file.manifest));
        if id > entry.0 {
            *entry = (id, &file.manifest);
        }
    }
    let mut candidates: Vec<WalToRead> = Vec::new();
    let sides = [(WalSide::Main, main), (WalSide::WalStore, wal)];
    for (side, listing) in sides {
        let Some(listing) = listing else { continue };
        candidates.extend(after_replay_points(side, listing, &latest));
    }
    let mut plan = WalReadPlan::default();
    let mut budget = max_bytes;
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
    side: WalSide,
    listing: &'a Listing,
    latest: &'a BTreeMap<&str, (u64, &Manifest)>,
) -> impl Iterator<Item = WalToRead> + 'a {
    listing
        .objects
        .root_tables()
        .filter_map(move |(root, tables)| {
            let (_, manifest) = latest.get(root)?;
            Some((root, tables, manifest.replay_after_wal_id))
        })
        .flat_map(move |(root, tables, replay_after)| {
            ObjectsById::new(tables.wal.clone())
                .sizes()
                .filter(|(id, size)| **id > replay_after && *size > 0)
                .map(|(id, size)| WalToRead {
                    side,
                    key: crate::listing::object_key(root, &SlateObject::Wal { id: *id }),
                    size,
                })
                .collect::<Vec<_>>()
        })
}

/// The rows read of one root's WAL objects, per store.
#[derive(Clone, Debug, Default)]
pub struct WalRowsByStore {
    main: BTreeMap<WalId, WalRowsRead>,
    wal_store: BTreeMap<WalId, WalRowsRead>,
}

impl WalRowsByStore {
    pub(super) fn insert(&mut self, id: WalId, read: WalRowsRead) {
        match read.side {
            WalSide::Main => self.main.insert(id, read),
            WalSide::WalStore => self.wal_store.insert(id, read),
        };
    }

    /// The rows of WAL object `id` as read from `side`, when they were read from the object
    /// `objects` lists (same size).
    pub fn get(
        &self,
        side: WalSide,
        objects: &ObjectsById<WalId>,
        id: WalId,
    ) -> Option<&Result<SstRows, String>> {
        let read = match side {
            WalSide::Main => self.main.get(&id),
            WalSide::WalStore => self.wal_store.get(&id),
        }?;
        (objects.size_of(&id) == Some(read.size)).then_some(&read.rows)
    }
}

/// The root and WAL id a read's key names.
pub(super) fn read_root_and_id(read: &WalRowsRead) -> Option<(&str, WalId)> {
    let key = classify_key(&read.key)?;
    match key.object {
        SlateObject::Wal { id } => Some((key.root, id)),
        _ => None,
    }
}

/// What a WAL object's rows say about the writes a writer open of `latest` replays from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalRowsVerdict {
    /// Every row is already in L0 (`seq <= last_l0_seq`), or it holds none: deleting it loses
    /// nothing a writer open or reader of `latest` would replay.
    InL0 {
        /// The highest sequence number in it, if any row.
        max_seq: Option<u64>,
    },
    /// It holds rows past `last_l0_seq`: acknowledged writes that only the WAL has.
    NotInL0 {
        /// The highest sequence number in it.
        max_seq: u64,
    },
}

impl WalRowsVerdict {
    /// Judges `rows` against `latest`'s `last_l0_seq`.
    pub fn of(rows: &SstRows, latest: &Manifest) -> Self {
        match rows.max_seq {
            Some(max_seq) if max_seq > latest.last_l0_seq => Self::NotInL0 { max_seq },
            max_seq => Self::InL0 { max_seq },
        }
    }
}
