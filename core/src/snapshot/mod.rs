//! One consistent view of a store: what the listings show exists, what the manifests say,
//! joined per database root. Every question later layers ask ("does WAL 3 of `shard` exist?",
//! "what is the latest manifest of `parent`?") is answered here with [`Presence`], which keeps
//! "missing" apart from "cannot tell from these inputs".

mod gc_forecast;
mod object_rows;
mod presence;
mod root;
mod wal_copies;
mod wal_history;
mod wal_probe;

pub use gc_forecast::{forecast as gc_forecast, GcForecast, SstCutoff};
pub use object_rows::{
    objects_to_read, ObjectRows, ObjectToRead, ReadPlan, RowsAgainstL0, RowsError, RowsRead,
    StoreSide, UnknownToLatest,
};
pub use presence::{Presence, Unknown};
pub use root::{Listed, RootState, WalPlacement};
pub use wal_copies::{copied_ranges, wal_ids_never_reused, CopiedRange, WalCopy};
pub use wal_history::{
    fence_slots, max_missing_fences, newest_l0, opens_since_position, proven_fences, writer_close,
    writer_open_unpersisted, writer_opened_here, CloseShape, FenceSlot, NewestL0,
};
pub use wal_probe::{last_seen_wal_id, WriterOpenForecast};

use crate::listing::{Listing, SlateObject};
use crate::manifest::{manifest_id_from_path, newest_compactions, DecodedForCheck};
use crate::model::{ManifestFile, ManifestId};
use std::collections::BTreeMap;

/// What a check is given.
#[derive(Debug, Default)]
pub struct SnapshotInputs {
    /// A listing of the main object store.
    pub main: Option<Listing>,
    /// A listing of the separate WAL object store, if the databases use one.
    pub wal: Option<Listing>,
    /// Decoded manifest objects, by object key (`<root>/manifest/<id>.manifest`).
    pub manifests: Vec<(String, ManifestFile)>,
    /// Manifest objects given in a format this slatecheck does not read (a newer SlateDB's), by
    /// object key, with what is unsupported: questions that need them stay unanswered.
    pub unsupported_manifests: Vec<(String, String)>,
    /// Manifest objects given damaged, which SlateDB cannot decode either
    /// ([`crate::manifest::DecodedForCheck::Damaged`]), by object key, with what is wrong.
    pub damaged_manifests: Vec<(String, String)>,
    /// Compactor epochs read from `compactions/` objects (see
    /// [`crate::manifest::compactor_epoch`]), by object key: the newest of each root is what
    /// the next compactor is fenced against.
    pub compactor_epochs: Vec<(String, u64)>,
    /// The rows of WAL objects read from the store (see [`objects_to_read`]): a live check
    /// or a bundle can give them, a listing cannot.
    pub object_rows: Vec<RowsRead>,
    /// The rows of objects read at an earlier time (a bundle collected before a wipe or a
    /// deletion): they settle what a WAL object held once it is gone. WAL objects are written
    /// once and never rewritten (`write_create`), so an id's rows do not change while it exists.
    pub earlier_rows: Vec<RowsRead>,
    /// The manifests given with `earlier_rows` (the earlier bundle's), by object key: a root's
    /// earlier rows are used only when these show the same database, a manifest id given now
    /// too, with the same content.
    pub earlier_manifests: Vec<(String, ManifestFile)>,
}

/// Manifest objects read for a check, by object key, sorted by how they decoded (see
/// [`DecodedForCheck`]): what a manifest folder, a bundle or a store gives
/// [`SnapshotInputs`].
#[derive(Debug, Default)]
pub struct GivenManifests {
    /// Decoded.
    pub decoded: Vec<(String, ManifestFile)>,
    /// Of a format newer than this slatecheck reads, with what is unsupported.
    pub unsupported: Vec<(String, String)>,
    /// Damaged, with what is wrong.
    pub damaged: Vec<(String, String)>,
}

impl GivenManifests {
    /// Adds manifest object `key` as it decoded; a decoded one first goes through `share`
    /// (which keeps the SST views manifests repeat once), whose error is passed on.
    pub fn push<E>(
        &mut self,
        key: String,
        decoded: DecodedForCheck,
        share: impl FnOnce(&mut ManifestFile) -> Result<(), E>,
    ) -> Result<(), E> {
        match decoded {
            DecodedForCheck::Decoded(files) => {
                if let Some(mut file) = files.into_iter().next() {
                    share(&mut file)?;
                    self.decoded.push((key, file));
                }
            }
            DecodedForCheck::Unsupported(what) => self.unsupported.push((key, what)),
            DecodedForCheck::Damaged(what) => self.damaged.push((key, what)),
        }
        Ok(())
    }
}

impl SnapshotInputs {
    /// The manifest objects given, in place of those these inputs hold.
    pub fn with_manifests(self, given: GivenManifests) -> Self {
        Self {
            manifests: given.decoded,
            unsupported_manifests: given.unsupported,
            damaged_manifests: given.damaged,
            ..self
        }
    }

    /// Adds what a bundle collected earlier (before a wipe or a deletion) settles: the rows of
    /// the WAL objects it read and its manifests, which show it is the same database. Its
    /// listings say nothing about the store now, and are dropped.
    pub fn add_earlier(&mut self, earlier: SnapshotInputs) {
        self.earlier_rows.extend(earlier.object_rows);
        self.earlier_manifests.extend(earlier.manifests);
    }

    /// Takes the manifest objects given, leaving none.
    pub fn take_manifests(&mut self) -> GivenManifests {
        GivenManifests {
            decoded: std::mem::take(&mut self.manifests),
            unsupported: std::mem::take(&mut self.unsupported_manifests),
            damaged: std::mem::take(&mut self.damaged_manifests),
        }
    }

    /// Takes the manifest objects given undecoded, by key: what is wrong with each, and
    /// whether it is damaged (else of a newer format).
    pub fn take_unread_manifests(
        &mut self,
    ) -> impl Iterator<Item = (String, String, bool)> + use<> {
        let unsupported = std::mem::take(&mut self.unsupported_manifests);
        let damaged = std::mem::take(&mut self.damaged_manifests);
        (unsupported
            .into_iter()
            .map(|(key, what)| (key, what, false)))
        .chain(damaged.into_iter().map(|(key, what)| (key, what, true)))
    }
}

/// How a listing bears on answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListingState {
    /// Not given: existence questions about that store cannot be answered.
    Absent,
    /// Given, complete and exact as far as the listing itself can tell.
    Complete,
    /// Given, but it may be missing objects (truncated, footer mismatch, …).
    MayBeIncomplete(String),
    /// Given, and it shows no objects at all: a 0-byte file left by a failed CLI run, or a live
    /// store URL that lists nothing (wrong bucket or prefix, wrong addressing style). Absence
    /// cannot be settled from it.
    Empty,
}

/// A store's state as far as the inputs show it.
#[derive(Debug)]
pub struct Snapshot {
    /// Per database root.
    pub roots: BTreeMap<String, RootState>,
    /// The main store's listing.
    pub main: ListingState,
    /// The WAL store's listing.
    pub wal: ListingState,
    /// Listings as given (for evidence and staleness checks).
    pub main_listing: Option<Listing>,
    /// The WAL store listing as given.
    pub wal_listing: Option<Listing>,
}

fn state_of(listing: &Option<Listing>) -> ListingState {
    match listing {
        None => ListingState::Absent,
        Some(listing) if listing.may_be_incomplete() => ListingState::MayBeIncomplete(
            listing
                .warnings
                .iter()
                .filter(|w| w.may_be_incomplete())
                .map(|w| w.message())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Some(_) => ListingState::Complete,
    }
}

/// Whether a listing shows no object inside the store (objects outside `--prefix` only say the
/// prefix is wrong).
fn shows_nothing(listing: &Listing) -> bool {
    listing.total_objects == 0 && listing.deleted.is_empty()
}

/// The root of a manifest object key (`<root>/manifest/<id>.manifest`).
fn manifest_root(key: &str) -> Option<String> {
    key.rsplit_once("/manifest/")
        .map(|(root, _)| root.to_string())
        .or_else(|| key.starts_with("manifest/").then(String::new))
}

/// The roots whose `earlier` manifests show the database given now: a manifest id given both
/// times, and every such id with the same content.
fn same_databases(
    roots: &BTreeMap<String, RootState>,
    earlier: &[(String, ManifestFile)],
) -> std::collections::BTreeSet<String> {
    let mut verdicts: BTreeMap<&str, bool> = BTreeMap::new();
    for (key, file) in earlier {
        let (Some(root_path), Some(id)) = (manifest_root(key), manifest_id_from_path(key)) else {
            continue;
        };
        let Some((path, root)) = roots.get_key_value(&root_path) else {
            continue;
        };
        if let Some(now) = root.manifests.get(&id) {
            let same = now.manifest == file.manifest;
            let verdict = verdicts.entry(path.as_str()).or_insert(true);
            *verdict &= same;
        }
    }
    verdicts
        .into_iter()
        .filter(|(_, same)| *same)
        .map(|(path, _)| path.to_string())
        .collect()
}

/// Files the WAL objects clones copied under the roots they were copied from.
fn attach_wal_copies(roots: &mut BTreeMap<String, RootState>) {
    let given: BTreeMap<&str, Vec<(ManifestId, &crate::model::Manifest)>> = roots
        .iter()
        .map(|(path, root)| {
            let manifests = root
                .manifests
                .iter()
                .map(|(id, file)| (*id, &file.manifest));
            (path.as_str(), manifests.collect())
        })
        .collect();
    let mut copies: Vec<(String, crate::model::WalId, WalCopy)> = Vec::new();
    for range in copied_ranges(&given) {
        let clone = &roots[&range.clone];
        for (side, objects) in [
            (StoreSide::Main, &clone.wal_in_main),
            (StoreSide::WalStore, &clone.wal_in_wal_store),
        ] {
            for (id, listed) in objects.range(range.after.saturating_add(1)..range.next) {
                copies.push((
                    range.source.clone(),
                    *id,
                    WalCopy {
                        clone: range.clone.clone(),
                        key: listed.key,
                        side,
                        size: listed.size,
                        rows: clone.object_rows.wal(side, objects, *id).cloned(),
                    },
                ));
            }
        }
    }
    for (source, id, copy) in copies {
        if let Some(root) = roots.get_mut(&source) {
            // `clone_wal` copies within one object store: a copy in the main store was made
            // from the source's WAL objects there.
            root.wal_in_main_shown |= copy.side == StoreSide::Main;
            let kept = root.wal_copies.entry(id).or_insert_with(|| copy.clone());
            // Of two copies of one id, the one whose rows were read says more.
            if kept.rows.is_none() && copy.rows.is_some() {
                *kept = copy;
            }
        }
    }
}

impl Snapshot {
    /// Joins listings and manifests per root.
    pub fn build(mut inputs: SnapshotInputs) -> Self {
        let unread = inputs.take_unread_manifests();
        let mut roots: BTreeMap<String, RootState> = BTreeMap::new();
        let main = match state_of(&inputs.main) {
            // Only the main store: an empty WAL store is what a wiped WAL leaves, and the main
            // store's manifests say which WAL objects should be there.
            ListingState::Complete if inputs.main.as_ref().is_some_and(shows_nothing) => {
                ListingState::Empty
            }
            state => state,
        };
        let wal = state_of(&inputs.wal);
        if let Some(listing) = &inputs.main {
            for (path, tables) in listing.objects.root_tables() {
                let root = roots
                    .entry(path.to_string())
                    .or_insert_with(|| RootState::new(path));
                root.add_main_tables(tables);
            }
            for (key, object) in listing.objects.others() {
                let root = roots
                    .entry(object.root.clone())
                    .or_insert_with(|| RootState::new(&object.root));
                root.add_main_object(key, object);
            }
        }
        if let Some(listing) = &inputs.wal {
            for (path, tables) in listing.objects.root_tables() {
                if tables.wal.is_empty() {
                    continue;
                }
                let root = roots
                    .entry(path.to_string())
                    .or_insert_with(|| RootState::new(path));
                root.add_wal_store_tables(tables);
            }
            for (key, object) in listing.objects.others() {
                if matches!(object.object, SlateObject::Unexpected { .. }) {
                    let root = roots
                        .entry(object.root.clone())
                        .or_insert_with(|| RootState::new(&object.root));
                    root.unrecognized.push(key.clone());
                }
            }
        }
        for (key, file) in inputs.manifests {
            let Some(root_path) = manifest_root(&key) else {
                continue;
            };
            let id: ManifestId = manifest_id_from_path(&key).unwrap_or(file.manifest.id);
            let root = roots
                .entry(root_path.clone())
                .or_insert_with(|| RootState::new(&root_path));
            root.manifests.insert(id, file);
        }
        for (key, what, damaged) in unread {
            let (Some(root_path), Some(id)) = (manifest_root(&key), manifest_id_from_path(&key))
            else {
                continue;
            };
            let root = roots
                .entry(root_path.clone())
                .or_insert_with(|| RootState::new(&root_path));
            if damaged {
                root.damaged_manifests.insert(id, what);
            } else {
                root.unsupported_manifests.insert(id, what);
            }
        }
        let epochs: BTreeMap<&str, u64> = inputs
            .compactor_epochs
            .iter()
            .map(|(key, epoch)| (key.as_str(), *epoch))
            .collect();
        for (root_path, key) in newest_compactions(epochs.keys().copied()) {
            let root = roots
                .entry(root_path.to_string())
                .or_insert_with(|| RootState::new(root_path));
            root.stored_compactor_epoch = Some((key.to_string(), epochs[key]));
        }
        for read in inputs.object_rows {
            let Some((root_path, object)) = object_rows::read_root_and_object(&read) else {
                continue;
            };
            if let Some(root) = roots.get_mut(root_path) {
                root.object_rows.insert(&object, read);
            }
        }
        let same_database = same_databases(&roots, &inputs.earlier_manifests);
        for read in inputs.earlier_rows {
            let Some((root_path, SlateObject::Wal { id })) =
                object_rows::read_root_and_object(&read)
            else {
                continue;
            };
            if !same_database.contains(root_path) {
                continue;
            }
            if let Some(root) = roots.get_mut(root_path) {
                root.earlier_wal_rows.insert(id, read.rows);
            }
        }
        let main_given = inputs.main.is_some();
        let wal_given = inputs.wal.is_some();
        for root in roots.values_mut() {
            root.settle(main_given, wal_given);
        }
        attach_wal_copies(&mut roots);
        Self {
            roots,
            main,
            wal,
            main_listing: inputs.main,
            wal_listing: inputs.wal,
        }
    }

    /// The creation time of the newest checkpoint in any manifest given: a lower bound for when
    /// the manifests were copied.
    pub fn newest_checkpoint_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.roots
            .values()
            .flat_map(|root| root.manifests.values())
            .flat_map(|file| file.manifest.checkpoints.iter().map(|c| c.create_time))
            .max()
    }

    /// The root at `path`, if the inputs mention it.
    pub fn root(&self, path: &str) -> Option<&RootState> {
        self.roots.get(path.trim_matches('/'))
    }

    /// Why existence in the main store cannot be settled, if it cannot.
    pub fn main_unknown(&self) -> Option<Unknown> {
        match &self.main {
            ListingState::Absent => Some(Unknown::NoListing {
                store: "main".into(),
            }),
            ListingState::MayBeIncomplete(why) => Some(Unknown::IncompleteListing {
                store: "main".into(),
                why: why.clone(),
            }),
            ListingState::Empty => Some(Unknown::EmptyListing {
                store: "main".into(),
            }),
            ListingState::Complete => None,
        }
    }

    /// Why existence in the WAL store cannot be settled, if it cannot.
    pub fn wal_store_unknown(&self) -> Option<Unknown> {
        match &self.wal {
            ListingState::Absent => Some(Unknown::NoListing {
                store: "WAL".into(),
            }),
            ListingState::MayBeIncomplete(why) => Some(Unknown::IncompleteListing {
                store: "WAL".into(),
                why: why.clone(),
            }),
            ListingState::Empty | ListingState::Complete => None,
        }
    }
}
