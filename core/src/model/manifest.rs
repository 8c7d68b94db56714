//! One manifest version, shaped like SlateDB's own `VersionedManifest` serialization.

use super::ids::{ulid_string, CheckpointId, ManifestId, SstId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ulid::Ulid;

/// Where a decoded manifest came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManifestFormat {
    /// A binary manifest object in FlatBuffer format version 1 (`ManifestV1`), written by
    /// SlateDB releases before 0.18 for databases without segments.
    V1,
    /// A binary manifest object in FlatBuffer format version 2 (`ManifestV2`), written by every
    /// SlateDB 0.18 database and by older releases for segmented databases.
    V2,
    /// JSON printed by `slatedb-cli read-manifest` / `list-manifests` (the binary format
    /// version is not recorded there).
    SlatedbCliJson,
}

/// A decoded manifest together with the provenance SlateDB's JSON does not carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Which encoding the manifest was read from.
    pub format: ManifestFormat,
    /// The manifest itself.
    pub manifest: Manifest,
}

/// One version of a database's manifest (`<root>/manifest/{id:020}.manifest`).
///
/// Field names and nesting follow SlateDB's `VersionedManifest` serialization, so
/// `serde_json::to_value(&manifest)` equals what `slatedb-cli read-manifest` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest id (from the object name; the FlatBuffer's own field is unused by SlateDB).
    pub id: ManifestId,
    /// Databases whose SSTs this one reads: set on clones.
    #[serde(default)]
    pub external_dbs: Vec<ExternalDb>,
    /// `false` while a clone's creation has not finished.
    pub initialized: bool,
    /// The unsegmented LSM tree.
    #[serde(flatten)]
    pub tree: LsmTree,
    /// Per-segment LSM trees (format version 2 only), sorted by prefix.
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// Name of the configured segment extractor (format version 2 only).
    #[serde(default)]
    pub segment_extractor_name: Option<String>,
    /// The next WAL id a writer will use (the FlatBuffer stores `wal_id_last_seen = next - 1`).
    pub next_wal_sst_id: u64,
    /// Every WAL id up to and including this one is already in L0 or below; replay starts after it.
    pub replay_after_wal_id: u64,
    /// Clock tick of the newest data in L0 and below.
    #[serde(default)]
    pub last_l0_clock_tick: i64,
    /// Sequence number of the newest row in L0 and below.
    #[serde(default)]
    pub last_l0_seq: u64,
    /// Minimum sequence number over recent in-memory snapshots when the manifest was written.
    #[serde(default)]
    pub recent_snapshot_min_seq: u64,
    /// The RFC-0012 sequence-to-time tracker, in its own byte encoding.
    #[serde(default)]
    pub sequence_tracker: Vec<u8>,
    /// Checkpoints open in this manifest version.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// `Some("")` when the database was created with a separate WAL object store. Only format
    /// version 1 stores this flag; version 2 always reads as `None`.
    #[serde(default)]
    pub wal_object_store_uri: Option<String>,
    /// Epoch of the newest writer; each writer open bumps it.
    pub writer_epoch: u64,
    /// Epoch of the newest compactor.
    pub compactor_epoch: u64,
}

#[cfg(test)]
impl Manifest {
    /// A fresh, initialized, empty manifest `id` (unit tests set what they need over it).
    pub(crate) fn blank(id: ManifestId) -> Self {
        Self {
            id,
            external_dbs: vec![],
            initialized: true,
            tree: LsmTree::default(),
            segments: vec![],
            segment_extractor_name: None,
            next_wal_sst_id: 1,
            replay_after_wal_id: 0,
            last_l0_clock_tick: 0,
            last_l0_seq: 0,
            recent_snapshot_min_seq: 0,
            sequence_tracker: vec![],
            checkpoints: vec![],
            wal_object_store_uri: None,
            writer_epoch: 1,
            compactor_epoch: 0,
        }
    }
}

impl Manifest {
    /// The WAL ids a replay or a single-source clone of this manifest needs:
    /// `replay_after_wal_id + 1 ..= next_wal_sst_id - 1` (empty when nothing is pending).
    pub fn wal_replay_range(&self) -> std::ops::RangeInclusive<u64> {
        self.replay_after_wal_id.saturating_add(1)..=self.next_wal_sst_id.saturating_sub(1)
    }

    /// The unsegmented tree followed by every segment's tree.
    pub fn trees(&self) -> impl Iterator<Item = &LsmTree> {
        std::iter::once(&self.tree).chain(self.segments.iter().map(|segment| &segment.tree))
    }

    /// The main tree and each segment's tree, to change.
    pub fn trees_mut(&mut self) -> impl Iterator<Item = &mut LsmTree> {
        std::iter::once(&mut self.tree)
            .chain(self.segments.iter_mut().map(|segment| &mut segment.tree))
    }

    /// Every SST view referenced by any tree (L0 first, then sorted runs).
    pub fn sst_views(&self) -> impl Iterator<Item = &SstView> {
        self.trees().flat_map(LsmTree::sst_views)
    }
}

/// The state of one LSM tree: L0 newest-first, then sorted runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LsmTree {
    /// The view id of the newest L0 already merged into a sorted run.
    #[serde(default, with = "ulid_string::option")]
    pub last_compacted_l0_sst_view_id: Option<Ulid>,
    /// The SST id of that L0 (format version 1 stores only SST ids; version 2 reads as `None`).
    #[serde(default, with = "ulid_string::option")]
    pub last_compacted_l0_sst_id: Option<Ulid>,
    /// L0 SST views, newest first (shared with the other manifests naming them: see
    /// [`SharedSstViews`](crate::manifest::SharedSstViews)).
    pub l0: Vec<Arc<SstView>>,
    /// Sorted runs.
    pub compacted: Vec<SortedRun>,
}

impl LsmTree {
    /// Every SST view of this tree (L0 first, then sorted runs).
    pub fn sst_views(&self) -> impl Iterator<Item = &SstView> {
        self.l0
            .iter()
            .chain(self.compacted.iter().flat_map(|run| run.sst_views.iter()))
            .map(Arc::as_ref)
    }
}

/// A segment (RFC-0024): the LSM tree of the keys under one prefix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The key prefix.
    pub prefix: Vec<u8>,
    /// The segment's tree.
    pub tree: LsmTree,
}

/// A sorted run of non-overlapping SST views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SortedRun {
    /// The run id.
    pub id: u32,
    /// The views, in key order (shared like [`LsmTree::l0`]'s).
    pub sst_views: Vec<Arc<SstView>>,
}

/// A (possibly projected) view of one physical SST.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SstView {
    /// The view id (equal to the SST id in format version 1).
    #[serde(with = "ulid_string")]
    pub id: Ulid,
    /// The physical SST.
    pub sst: SstHandle,
    /// The projection applied to the SST, if any.
    #[serde(default)]
    pub visible_range: Option<KeyRange>,
    /// The keys actually visible: the SST's physical range intersected with `visible_range`.
    pub effective_range: KeyRange,
}

/// A physical compacted SST object and its metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SstHandle {
    /// The SST id; the object is `compacted/<id>.sst` under the root that owns it.
    pub id: SstId,
    /// The SST format version (1 when the manifest does not record one).
    pub format_version: u16,
    /// The SST's footer metadata as recorded in the manifest.
    pub info: SstInfo,
}

/// SST metadata (`SsTableInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SstInfo {
    /// The first key (compacted SSTs) or sequence number (WAL SSTs).
    #[serde(default)]
    pub first_entry: Option<Vec<u8>>,
    /// The last key (compacted SSTs only).
    #[serde(default)]
    pub last_entry: Option<Vec<u8>>,
    /// Offset of the index block.
    pub index_offset: u64,
    /// Length of the index block.
    pub index_len: u64,
    /// Offset of the filter block.
    pub filter_offset: u64,
    /// Length of the filter block.
    pub filter_len: u64,
    /// Block compression.
    #[serde(default)]
    pub compression_codec: Option<CompressionCodec>,
    /// Compacted or WAL.
    #[serde(default)]
    pub sst_type: SstType,
    /// Offset of the stats block.
    #[serde(default)]
    pub stats_offset: u64,
    /// Length of the stats block.
    #[serde(default)]
    pub stats_len: u64,
    /// Filter block layout.
    #[serde(default = "FilterFormat::legacy")]
    pub filter_format: FilterFormat,
}

/// Block compression of an SST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompressionCodec {
    /// Snappy.
    Snappy,
    /// Zlib.
    Zlib,
    /// LZ4.
    Lz4,
    /// Zstandard.
    Zstd,
}

/// Kind of SST.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SstType {
    /// An L0 or sorted-run SST under `compacted/`.
    #[default]
    Compacted,
    /// A WAL SST under `wal/`.
    Wal,
}

/// Filter block layout of an SST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterFormat {
    /// One raw bloom filter (older SSTs; also what an absent field decodes to).
    Legacy,
    /// Named filters, each prefixed with its name and length.
    Composite,
}

impl FilterFormat {
    fn legacy() -> Self {
        FilterFormat::Legacy
    }
}

/// A key range, serialized as SlateDB does: `{"start": <bound>, "end": <bound>}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRange {
    /// Lower bound.
    pub start: KeyBound,
    /// Upper bound.
    pub end: KeyBound,
}

/// One end of a [`KeyRange`], serialized like `std::ops::Bound<Bytes>`:
/// `"Unbounded"`, `{"Included": [..]}` or `{"Excluded": [..]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyBound {
    /// No bound.
    Unbounded,
    /// The key itself is in the range.
    Included(Vec<u8>),
    /// The key itself is not in the range.
    Excluded(Vec<u8>),
}

/// A checkpoint: a pin on one manifest version and everything it references.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The checkpoint id.
    pub id: CheckpointId,
    /// The manifest version it pins.
    pub manifest_id: ManifestId,
    /// When it expires; `None` never expires. Stored with whole-second precision.
    #[serde(default)]
    pub expire_time: Option<DateTime<Utc>>,
    /// When it was created, whole seconds.
    pub create_time: DateTime<Utc>,
    /// Optional, not necessarily unique, name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A database whose compacted SSTs this (clone) database reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExternalDb {
    /// Root path of the external database in the same main object store.
    pub path: String,
    /// The checkpoint the clone was created from.
    pub source_checkpoint_id: CheckpointId,
    /// The never-expiring checkpoint the clone placed on the external database to pin its SSTs.
    #[serde(default)]
    pub final_checkpoint_id: Option<CheckpointId>,
    /// The external database's SSTs still referenced by this database.
    pub sst_ids: Vec<SstId>,
}
