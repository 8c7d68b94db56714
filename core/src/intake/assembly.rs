//! Reading dropped files into a check's inputs: listings per store, manifests per root.

use crate::bundle::{read_bundle_with_limits, BundleInfo};
use crate::limits::Limits;
use crate::listing::{
    classify_key, read_listing, LineStream, ListedTime, Listing, ListingBuilder, ListingFormat,
    ListingOptions, RawEntry, SlateObject,
};
use crate::manifest::{decode_for_check, manifest_id_from_path, DecodedForCheck, SharedSstViews};
use crate::model::{ManifestFile, ManifestFormat};
use crate::snapshot::{GivenManifests, RowsRead, SnapshotInputs};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Read;

/// Which object store a listing shows.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// The main store: manifests, compacted SSTs, and WALs unless a WAL store is used.
    #[default]
    Main,
    /// The separate WAL store.
    Wal,
}

/// A file that cannot be taken, in one line naming it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IntakeError(pub String);

impl IntakeError {
    fn new(file: &str, detail: impl std::fmt::Display) -> Self {
        Self(format!("{file}: {detail}"))
    }
}

/// A store's listing while files are added: read from listing files (into one builder, so
/// S3 Inventory data files and paged listings join up) or taken whole from a bundle.
#[derive(Debug)]
enum StoreListing {
    None,
    Building(Box<ListingBuilder>),
    FromBundle(String, Box<Listing>),
}

/// A listing file read from pieces as they arrive: see [`Assembly::stream_listing`].
#[derive(Debug)]
pub struct ListingStream {
    store: Store,
    stream: LineStream,
}

fn intake_error(err: crate::listing::ListingError) -> IntakeError {
    IntakeError(err.to_string())
}

/// A manifest read from a file, with the object key it had when one is known.
#[derive(Debug)]
struct GivenManifest {
    key: Option<String>,
    source: String,
    file: ManifestFile,
    /// The object's size, for binary manifests (matched against listings to find the root).
    size: Option<u64>,
}

/// A manifest object given that is not decoded: of a newer format, or damaged.
#[derive(Debug)]
struct GivenUnsupported {
    key: Option<String>,
    source: String,
    /// Its id, from the file name.
    id: Option<u64>,
    size: u64,
    what: String,
    /// Damaged ([`DecodedForCheck::Damaged`]) rather than of a newer format.
    damaged: bool,
}

/// Collects dropped files into [`SnapshotInputs`].
#[derive(Debug)]
pub struct Assembly {
    options: ListingOptions,
    limits: Limits,
    main: StoreListing,
    wal: StoreListing,
    manifests: Vec<GivenManifest>,
    /// One copy of each SST view the manifests name.
    shared_views: SharedSstViews,
    unsupported: Vec<GivenUnsupported>,
    /// The most SlateDB objects a store's listing may hold, and why.
    max_objects: Option<(u64, &'static str)>,
    /// What a bundle read from objects beyond listings and manifests.
    compactor_epochs: Vec<(String, u64)>,
    object_rows: Vec<RowsRead>,
    /// Bundles collected earlier, before a wipe or a deletion (see
    /// [`SnapshotInputs::add_earlier`]).
    earlier: Vec<SnapshotInputs>,
}

impl Assembly {
    /// An empty assembly reading listings with `options`.
    pub fn new(options: ListingOptions) -> Self {
        Self {
            options,
            limits: Limits::default(),
            main: StoreListing::None,
            wal: StoreListing::None,
            manifests: Vec::new(),
            shared_views: SharedSstViews::default(),
            unsupported: Vec::new(),
            max_objects: None,
            compactor_epochs: Vec::new(),
            object_rows: Vec::new(),
            earlier: Vec::new(),
        }
    }

    /// Reads bundles and manifests under `limits` instead of the defaults.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Lets each store's listing files hold at most `limit` SlateDB objects together: more
    /// are refused with an error naming the limit and ending in `why` (see
    /// [`ListingBuilder::set_max_objects_because`]).
    pub fn set_max_objects(&mut self, limit: u64, why: &'static str) {
        self.max_objects = Some((limit, why));
    }

    /// The limits files are read under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn listing_of(&mut self, store: Store) -> &mut StoreListing {
        match store {
            Store::Main => &mut self.main,
            Store::Wal => &mut self.wal,
        }
    }

    fn builder(&mut self, store: Store, file: &str) -> Result<&mut ListingBuilder, IntakeError> {
        let options = self.options.clone();
        let max_objects = self.max_objects;
        let slot = self.listing_of(store);
        if let StoreListing::FromBundle(bundle, _) = slot {
            return Err(IntakeError::new(
                file,
                format!("the bundle {bundle} already gives this store's listing; drop one of them"),
            ));
        }
        if matches!(slot, StoreListing::None) {
            let mut builder = ListingBuilder::new(options);
            if let Some((limit, why)) = max_objects {
                builder.set_max_objects_because(limit, why);
            }
            *slot = StoreListing::Building(Box::new(builder));
        }
        match slot {
            StoreListing::Building(builder) => Ok(builder),
            _ => Err(IntakeError::new(file, "internal: no listing builder")),
        }
    }

    /// Reads one listing file of `store`. An S3 Inventory's manifest.json must come before its
    /// data files.
    pub fn add_listing<R: Read>(
        &mut self,
        store: Store,
        file: &str,
        reader: R,
        format: Option<ListingFormat>,
    ) -> Result<ListingFormat, IntakeError> {
        let builder = self.builder(store, file)?;
        read_listing(builder, file, reader, format).map_err(intake_error)
    }

    /// Starts reading listing file `file` of `store`, starting with `head` (its first
    /// [`crate::listing::DETECTION_WINDOW`] bytes, or all of it), from pieces pushed as they
    /// arrive ([`Assembly::push_listing`], then [`Assembly::finish_listing`]), when it can be
    /// read so (see [`LineStream::begin`]). `Ok(None)`: read it with [`Assembly::add_listing`].
    pub fn stream_listing(
        &mut self,
        store: Store,
        file: &str,
        head: &[u8],
    ) -> Result<Option<ListingStream>, IntakeError> {
        let builder = self.builder(store, file)?;
        let stream = LineStream::begin(builder, file, head).map_err(intake_error)?;
        Ok(stream.map(|stream| ListingStream { store, stream }))
    }

    /// Takes the next piece of the listing file `stream` reads.
    pub fn push_listing(
        &mut self,
        stream: &mut ListingStream,
        piece: &[u8],
    ) -> Result<(), IntakeError> {
        let builder = self.builder(stream.store, stream.stream.source())?;
        stream.stream.push(builder, piece).map_err(intake_error)
    }

    /// Ends the listing file `stream` reads, after its last piece.
    pub fn finish_listing(&mut self, stream: ListingStream) -> Result<(), IntakeError> {
        let builder = self.builder(stream.store, stream.stream.source())?;
        stream.stream.finish(builder).map_err(intake_error)
    }

    /// Adds the files of a store folder the user picked (`key` relative to the folder, which is
    /// the store root), as a listing of `store` named `source`.
    pub fn add_folder_objects(
        &mut self,
        store: Store,
        source: &str,
        objects: impl IntoIterator<Item = (String, u64, Option<DateTime<Utc>>)>,
    ) -> Result<(), IntakeError> {
        let builder = self.builder(store, source)?;
        builder.push_unlisted(
            source,
            objects.into_iter().map(|(key, size, modified)| RawEntry {
                last_modified: modified.map(ListedTime::known),
                ..RawEntry::new(key, size)
            }),
        );
        Ok(())
    }

    /// Decodes one manifest file: binary (its id from `file`'s name) or slatedb-cli JSON.
    /// `key` is its object key (`<root>/manifest/<id>.manifest`) when the file came with one
    /// (from a folder); otherwise the root is settled by [`Assembly::finish`]. Returns how many
    /// manifests it held.
    pub fn add_manifest(
        &mut self,
        file: &str,
        key: Option<&str>,
        bytes: &[u8],
    ) -> Result<usize, IntakeError> {
        let key = key.filter(|key| key_root(key).is_some());
        let (what, damaged) = match decode_for_check(file, bytes, None, &self.limits)
            .map_err(|err| IntakeError(err.to_string()))?
        {
            DecodedForCheck::Decoded(decoded) => {
                return self.add_decoded(file, key, bytes, decoded)
            }
            DecodedForCheck::Unsupported(what) => (what, false),
            // A loose file is not known to be a store's object: its damage is bad input.
            DecodedForCheck::Damaged(what) if key.is_none() => {
                return Err(IntakeError::new(file, what));
            }
            DecodedForCheck::Damaged(what) => (what, true),
        };
        self.unsupported.push(GivenUnsupported {
            key: key.map(str::to_string),
            source: file.to_string(),
            id: manifest_id_from_path(file),
            size: bytes.len() as u64,
            what,
            damaged,
        });
        Ok(1)
    }

    /// Keeps the manifests decoded from `file`, their SST views shared with those kept.
    fn add_decoded(
        &mut self,
        file: &str,
        key: Option<&str>,
        bytes: &[u8],
        decoded: Vec<ManifestFile>,
    ) -> Result<usize, IntakeError> {
        let count = decoded.len();
        let size = (count == 1 && !matches!(decoded[0].format, ManifestFormat::SlatedbCliJson))
            .then_some(bytes.len() as u64);
        for mut manifest in decoded {
            self.shared_views
                .share_within(&mut manifest.manifest, &self.limits)
                .map_err(|exceeded| IntakeError(format!("{file}: {exceeded}")))?;
            self.manifests.push(GivenManifest {
                key: key.map(str::to_string),
                source: file.to_string(),
                file: manifest,
                size,
            });
        }
        Ok(count)
    }

    /// Reads a `slatecheck collect` bundle: its listings become the stores' listings.
    pub fn add_bundle<R: Read>(
        &mut self,
        file: &str,
        reader: R,
    ) -> Result<BundleInfo, IntakeError> {
        let (info, mut inputs) = self.read_bundle(file, reader)?;
        for (key, what, damaged) in inputs.take_unread_manifests() {
            self.unsupported.push(GivenUnsupported {
                id: manifest_id_from_path(&key),
                key: Some(key),
                source: file.to_string(),
                size: 0,
                what,
                damaged,
            });
        }
        for (store, listing) in [(Store::Main, inputs.main), (Store::Wal, inputs.wal)] {
            let Some(listing) = listing else { continue };
            let slot = self.listing_of(store);
            if !matches!(slot, StoreListing::None) {
                return Err(IntakeError::new(
                    file,
                    "another file already gives this store's listing; a bundle must come alone",
                ));
            }
            *slot = StoreListing::FromBundle(file.to_string(), Box::new(listing));
        }
        for (key, manifest) in inputs.manifests {
            self.manifests.push(GivenManifest {
                key: Some(key),
                source: file.to_string(),
                file: manifest,
                size: None,
            });
        }
        self.compactor_epochs.extend(inputs.compactor_epochs);
        self.object_rows.extend(inputs.object_rows);
        Ok(info)
    }

    /// Adds a bundle collected earlier, before a wipe or a deletion (`check --earlier-bundle`):
    /// what it settles is taken by [`SnapshotInputs::add_earlier`].
    pub fn add_earlier_bundle<R: Read>(
        &mut self,
        file: &str,
        reader: R,
    ) -> Result<BundleInfo, IntakeError> {
        let (info, inputs) = self.read_bundle(file, reader)?;
        self.earlier.push(inputs);
        Ok(info)
    }

    /// Reads bundle `file` with this assembly's listing options and limits.
    fn read_bundle<R: Read>(
        &self,
        file: &str,
        reader: R,
    ) -> Result<(BundleInfo, SnapshotInputs), IntakeError> {
        read_bundle_with_limits(file, reader, self.options.clone(), &self.limits)
            .map_err(|err| IntakeError(err.to_string()))
    }

    /// The database roots the listings read so far show.
    fn listed_roots(listings: &[&Listing]) -> BTreeSet<String> {
        listings
            .iter()
            .flat_map(|listing| listing.roots.keys().cloned())
            .collect()
    }

    /// The inputs. A binary manifest given without its object key goes to the one root whose
    /// listed manifest object of that id has its exact size; else to `root` when given; else to
    /// the only root known; otherwise that is an error naming the file.
    pub fn finish(self, root: Option<&str>) -> Result<SnapshotInputs, IntakeError> {
        self.finish_placed(root).map(|(inputs, _)| inputs)
    }

    /// [`Assembly::finish`], also telling where each manifest file went: `(file, object key)`
    /// for every manifest read, in the order given.
    pub fn finish_placed(
        self,
        root: Option<&str>,
    ) -> Result<(SnapshotInputs, Vec<(String, String)>), IntakeError> {
        let finish = |listing: StoreListing| match listing {
            StoreListing::None => None,
            StoreListing::Building(builder) => Some(builder.finish()),
            StoreListing::FromBundle(_, listing) => Some(*listing),
        };
        let main = finish(self.main);
        let wal = finish(self.wal);
        let listed = Self::listed_roots(&main.iter().chain(wal.iter()).collect::<Vec<_>>());
        let mut keyed_roots: BTreeSet<String> = listed.clone();
        keyed_roots.extend(
            self.manifests
                .iter()
                .filter_map(|m| m.key.as_deref().and_then(key_root))
                .map(str::to_string),
        );
        let fallback = match root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty()) {
            Some(root) => Some(root.to_string()),
            None if keyed_roots.len() == 1 => keyed_roots.into_iter().next(),
            None => None,
        };
        let mut manifests = Vec::new();
        let mut placed = Vec::new();
        for given in self.manifests {
            let listed_as = given
                .size
                .and_then(|size| listed_key(&main, given.file.manifest.id, size));
            let key = match (given.key.or(listed_as), &fallback) {
                (Some(key), _) => key,
                (None, Some(root)) => format!("{root}/manifest/{:020}.manifest", given.file.manifest.id),
                (None, None) => {
                    return Err(IntakeError::new(
                        &given.source,
                        "cannot tell which database root this manifest belongs to: name the root, or give it inside its store folder",
                    ))
                }
            };
            placed.push((given.source, key.clone()));
            manifests.push((key, given.file));
        }
        let mut manifests = GivenManifests {
            decoded: manifests,
            ..GivenManifests::default()
        };
        for given in self.unsupported {
            let listed_as = given.id.and_then(|id| listed_key(&main, id, given.size));
            let key = match (given.key.or(listed_as), &fallback, given.id) {
                (Some(key), _, _) => key,
                (None, Some(root), Some(id)) => format!("{root}/manifest/{id:020}.manifest"),
                _ => {
                    return Err(IntakeError::new(
                        &given.source,
                        format!("{}; and it cannot be placed in a database root: give it inside its store folder, or a slatecheck release that reads it", given.what),
                    ))
                }
            };
            placed.push((given.source, key.clone()));
            let unread = if given.damaged {
                &mut manifests.damaged
            } else {
                &mut manifests.unsupported
            };
            unread.push((key, given.what));
        }
        let mut inputs = SnapshotInputs {
            main,
            wal,
            // Only a bundle gives these.
            compactor_epochs: self.compactor_epochs,
            object_rows: self.object_rows,
            ..SnapshotInputs::default()
        }
        .with_manifests(manifests);
        for earlier in self.earlier {
            inputs.add_earlier(earlier);
        }
        Ok((inputs, placed))
    }
}

/// The key of the one manifest object of `id` and `size` in `listing`, if exactly one root has
/// such an object.
fn listed_key(listing: &Option<Listing>, id: u64, size: u64) -> Option<String> {
    let name = format!("/manifest/{id:020}.manifest");
    let mut matching = listing
        .iter()
        .flat_map(|listing| listing.objects.root_tables())
        .flat_map(|(_, tables)| tables.manifests.spellings(id))
        .filter(|(key, object_size, exact)| key.ends_with(&name) && *object_size == size && *exact)
        .map(|(key, _, _)| key);
    let first = matching.next()?;
    matching.next().is_none().then_some(first)
}

/// `<root>` of a manifest object key `<root>/manifest/<id>.manifest`, as listings classify it.
fn key_root(key: &str) -> Option<&str> {
    classify_key(key)
        .filter(|k| matches!(k.object, SlateObject::Manifest { .. }) && !k.root.is_empty())
        .map(|k| k.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_roots_come_from_keys_or_the_only_root() {
        assert_eq!(
            key_root("a/b/manifest/00000000000000000001.manifest"),
            Some("a/b")
        );
        assert_eq!(key_root("00000000000000000001.manifest"), None);
    }
}
