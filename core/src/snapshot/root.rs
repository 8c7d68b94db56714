//! One database root: its manifests (listed and decoded), WAL objects in either store, SSTs.

use super::presence::{Presence, Unknown};
pub use crate::listing::Listed;
use crate::listing::{object_key, ObjectsById, RootTables, SlateObject, StoreObject};
use crate::model::{Manifest, ManifestFile, ManifestFormat, ManifestId, SstId, WalId};
use std::collections::BTreeMap;

/// Where a database's WAL objects live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WalPlacement {
    /// In the main store, beside the manifests.
    MainStore,
    /// In a separate WAL store. `flagged` when a format-version-1 manifest records it.
    WalStore {
        /// Recorded in the manifest (`wal_object_store_uri`).
        flagged: bool,
    },
    /// In neither listing, and both stores were listed: any WAL object it needs is missing.
    Nowhere,
    /// In neither listing, and no WAL store listing was given: it may use one.
    NotListed,
}

/// A database root as the inputs show it.
#[derive(Clone, Debug)]
pub struct RootState {
    /// The root path.
    pub path: String,
    /// Decoded manifests given, by id.
    pub manifests: BTreeMap<ManifestId, ManifestFile>,
    /// Manifest objects given in a format this slatecheck does not read, by id: what is
    /// unsupported.
    pub unsupported_manifests: BTreeMap<ManifestId, String>,
    /// Manifest objects given damaged (SlateDB cannot decode them either), by id: what is
    /// wrong (`SDB-MAN-009`).
    pub damaged_manifests: BTreeMap<ManifestId, String>,
    /// Manifest objects in the main store listing, by id.
    pub listed_manifests: BTreeMap<ManifestId, Listed>,
    /// WAL objects in the main store listing.
    pub wal_in_main: ObjectsById<WalId>,
    /// WAL objects in the WAL store listing.
    pub wal_in_wal_store: ObjectsById<WalId>,
    /// The rows of WAL objects read from either store (live checks and bundles only).
    pub object_rows: super::ObjectRows,
    /// The rows of WAL objects as an earlier collection read them (see
    /// [`super::SnapshotInputs::earlier_rows`]), by id.
    pub earlier_wal_rows: BTreeMap<WalId, Result<crate::sst::SstRows, super::RowsError>>,
    /// Copies of this root's WAL objects in clones made from it (see `snapshot::wal_copies`),
    /// by id: what a gone object held.
    pub wal_copies: BTreeMap<WalId, super::WalCopy>,
    /// A clone's copies of its WAL objects sit in the main store, so it keeps its WAL there:
    /// `clone_wal` copies within one object store (slatedb `wal/slatedb/admin.rs`). Settles
    /// what `--no-wal-store` would state, for this root.
    pub wal_in_main_shown: bool,
    /// Compacted SSTs in the main store listing.
    pub compacted: ObjectsById<SstId>,
    /// Keys of objects in the root's SlateDB folders of a kind this slatecheck does not know.
    pub unrecognized: Vec<String>,
    /// `<root>/.deleting` is listed.
    pub delete_marker: bool,
    /// `<root>/compactions/*.compactions` objects are listed (a compactor has run).
    pub compactions_listed: bool,
    /// The newest `compactions/` object given (its key), with the compactor epoch it records.
    pub stored_compactor_epoch: Option<(String, u64)>,
    /// `<root>/gc/manifest.boundary`, when listed: its size is the number of digits of the
    /// highest manifest id GC deleted (the listing does not show the content).
    pub manifest_boundary: Option<Listed>,
    /// The latest manifest id: the highest listed or given.
    pub latest_id: Option<ManifestId>,
    /// Where its WAL lives.
    pub wal_placement: WalPlacement,
    /// Set when the listing predates the manifests given for this root.
    pub stale: Option<Unknown>,
    main_given: bool,
    wal_given: bool,
}

impl RootState {
    /// The lowest and highest WAL id any given manifest (`replay_after_wal_id`,
    /// `next_wal_sst_id`) or listed WAL object of this root names.
    pub fn wal_id_span(&self) -> Option<(WalId, WalId)> {
        let listed = [&self.wal_in_main, &self.wal_in_wal_store]
            .into_iter()
            .flat_map(|objects| [objects.keys().next(), objects.keys().next_back()])
            .flatten()
            .copied();
        let manifests = self.manifests.values().flat_map(|file| {
            [
                file.manifest.replay_after_wal_id,
                file.manifest.next_wal_sst_id,
            ]
        });
        let ids = listed.chain(manifests);
        ids.fold(None, |span, id| match span {
            None => Some((id, id)),
            Some((low, high)) => Some((low.min(id), high.max(id))),
        })
    }

    pub(crate) fn new(path: &str) -> Self {
        Self {
            path: path.to_string(),
            manifests: BTreeMap::new(),
            unsupported_manifests: BTreeMap::new(),
            damaged_manifests: BTreeMap::new(),
            listed_manifests: BTreeMap::new(),
            wal_in_main: ObjectsById::default(),
            wal_in_wal_store: ObjectsById::default(),
            object_rows: super::ObjectRows::default(),
            earlier_wal_rows: BTreeMap::new(),
            wal_copies: BTreeMap::new(),
            wal_in_main_shown: false,
            compacted: ObjectsById::default(),
            unrecognized: Vec::new(),
            delete_marker: false,
            compactions_listed: false,
            stored_compactor_epoch: None,
            manifest_boundary: None,
            latest_id: None,
            wal_placement: WalPlacement::NotListed,
            stale: None,
            main_given: false,
            wal_given: false,
        }
    }

    /// Takes the root's tables of the main store listing (shared, not copied).
    pub(super) fn add_main_tables(&mut self, tables: &RootTables) {
        self.listed_manifests = ObjectsById::new(tables.manifests.clone())
            .iter()
            .map(|(id, listed)| (*id, listed))
            .collect();
        self.wal_in_main = ObjectsById::new(tables.wal.clone());
        self.compacted = ObjectsById::new(tables.compacted.clone());
    }

    /// Adds a main store object that has no table (marker, boundary, compactor state).
    pub(super) fn add_main_object(&mut self, key: &str, object: &StoreObject) {
        match &object.object {
            SlateObject::DeleteMarker => self.delete_marker = true,
            SlateObject::Compactions { .. } => self.compactions_listed = true,
            SlateObject::GcBoundary { name } if name == "manifest" => {
                self.manifest_boundary = Some(Listed {
                    key: key.to_string(),
                    size: object.size,
                    last_modified: object.last_modified.map(|t| t.at),
                });
            }
            SlateObject::Unexpected { .. } => self.unrecognized.push(key.to_string()),
            _ => {}
        }
    }

    /// Takes the root's WAL table of the WAL store listing.
    pub(super) fn add_wal_store_tables(&mut self, tables: &RootTables) {
        self.wal_in_wal_store = ObjectsById::new(tables.wal.clone());
    }

    pub(super) fn settle(&mut self, main_given: bool, wal_given: bool) {
        self.main_given = main_given;
        self.wal_given = wal_given;
        let newest_listed = self.listed_manifests.keys().next_back().copied();
        let newest_given = self
            .manifests
            .keys()
            .next_back()
            .copied()
            .max(self.unsupported_manifests.keys().next_back().copied())
            .max(self.damaged_manifests.keys().next_back().copied());
        self.latest_id = newest_listed.max(newest_given);
        if let (true, Some(given)) = (main_given, newest_given) {
            if newest_listed.is_none_or(|listed| given > listed) {
                self.stale = Some(Unknown::StaleListing {
                    root: self.path.clone(),
                    manifest: given,
                    listed: newest_listed.unwrap_or(0),
                });
            }
        }
        let flagged = self.latest_manifest().is_some_and(|(file, manifest)| {
            file == ManifestFormat::V1 && manifest.wal_object_store_uri.is_some()
        });
        self.wal_placement = if flagged {
            WalPlacement::WalStore { flagged: true }
        } else if wal_given && !self.wal_in_wal_store.is_empty() {
            WalPlacement::WalStore { flagged: false }
        } else if !self.wal_in_main.is_empty() {
            WalPlacement::MainStore
        } else if wal_given {
            WalPlacement::Nowhere
        } else {
            WalPlacement::NotListed
        };
    }

    /// The latest manifest, if it was given: its format and content.
    pub fn latest_manifest(&self) -> Option<(ManifestFormat, &Manifest)> {
        let file = self.manifests.get(&self.latest_id?)?;
        Some((file.format, &file.manifest))
    }

    /// The latest manifest's content, when it was given.
    pub fn latest_given(&self) -> Option<&Manifest> {
        self.manifest(self.latest_id?).ok()
    }

    /// A given manifest's content, or why it is not known.
    pub fn manifest(&self, id: ManifestId) -> Result<&Manifest, Unknown> {
        if let Some(file) = self.manifests.get(&id) {
            return Ok(&file.manifest);
        }
        let root = self.path.clone();
        Err(
            match (
                self.unsupported_manifests.get(&id),
                self.damaged_manifests.get(&id),
            ) {
                (Some(what), _) => Unknown::UnsupportedManifest {
                    root,
                    id,
                    what: what.clone(),
                },
                (None, Some(what)) => Unknown::DamagedManifest {
                    root,
                    id,
                    what: what.clone(),
                },
                (None, None) => Unknown::ManifestNotProvided { root, id },
            },
        )
    }

    /// Whether manifest object `id` exists.
    pub fn manifest_presence(&self, id: ManifestId, main_unknown: Option<&Unknown>) -> Presence {
        let key = object_key(&self.path, &SlateObject::Manifest { id });
        if let Some(listed) = self.listed_manifests.get(&id) {
            return Presence::Present {
                key,
                size: listed.size,
            };
        }
        if !self.main_given {
            let given = self.manifests.contains_key(&id)
                || self.unsupported_manifests.contains_key(&id)
                || self.damaged_manifests.contains_key(&id);
            return if given {
                Presence::Present { key, size: 0 }
            } else {
                Presence::Unknown(Unknown::NoListing {
                    store: "main".into(),
                })
            };
        }
        match main_unknown {
            Some(why) => Presence::Unknown(why.clone()),
            None => Presence::Missing { key },
        }
    }

    /// Whether compacted SST `id` exists under this root.
    pub fn sst_presence(&self, id: SstId, main_unknown: Option<&Unknown>) -> Presence {
        let key = object_key(&self.path, &SlateObject::Compacted { id });
        if let Some(size) = self.compacted.size_of(&id) {
            return Presence::Present { key, size };
        }
        match main_unknown {
            Some(why) => Presence::Unknown(why.clone()),
            None => Presence::Missing { key },
        }
    }

    /// The WAL objects a writer or clone configured for this database sees, or why that is not
    /// known. `main_unknown` / `wal_unknown` say whether each listing can settle absence.
    pub fn wal_objects(
        &self,
        main_unknown: Option<&Unknown>,
        wal_unknown: Option<&Unknown>,
    ) -> Result<&ObjectsById<WalId>, Unknown> {
        match self.wal_placement {
            WalPlacement::MainStore => match main_unknown {
                Some(why) => Err(why.clone()),
                None => Ok(&self.wal_in_main),
            },
            WalPlacement::WalStore { .. } => match wal_unknown {
                Some(why) => Err(why.clone()),
                None => Ok(&self.wal_in_wal_store),
            },
            WalPlacement::Nowhere => match main_unknown.or(wal_unknown) {
                Some(why) => Err(why.clone()),
                None => Ok(&self.wal_in_wal_store),
            },
            WalPlacement::NotListed => Err(match main_unknown {
                Some(why) => why.clone(),
                None => Unknown::WalStoreNotListed {
                    root: self.path.clone(),
                },
            }),
        }
    }

    /// The store whose listing [`RootState::wal_objects`] answers from.
    pub fn wal_side(&self) -> super::StoreSide {
        match self.wal_placement {
            WalPlacement::MainStore | WalPlacement::NotListed => super::StoreSide::Main,
            WalPlacement::WalStore { .. } | WalPlacement::Nowhere => super::StoreSide::WalStore,
        }
    }

    /// The key of WAL object `id` of this root.
    pub fn wal_key(&self, id: WalId) -> String {
        object_key(&self.path, &SlateObject::Wal { id })
    }

    /// Whether the root has any manifest (listed or given).
    pub fn exists(&self) -> bool {
        self.latest_id.is_some()
    }
}
