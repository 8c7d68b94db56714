//! Typed, verified access to SlateDB's manifest FlatBuffers (table layouts of `ManifestV1` /
//! `ManifestV2` and the tables they reference, and `CompactionsV1`), declared with the shared
//! machinery of [`crate::flatbuf_tables`], whose safety model applies.
#![allow(unsafe_code)]

use crate::flatbuf_tables::{
    bytes, child, children, flatbuffer_table as table, optional_scalar, scalar, string, Ref, Refs,
    Str, U8s,
};
pub(super) use crate::flatbuf_tables::{verifier_options, Tables, APPARENT_SIZE_FACTOR};
/// The SST info a manifest records for each SST is the table an SST's footer holds.
pub(super) use crate::sst::FbSsTableInfo;

table! {
    /// `CompactionsV1 { compactor_epoch: ulong, recent_compactions: [Compaction] }`, the root of
    /// a `compactions/` object: only the epoch is read, so only it is verified.
    FbCompactionsV1 { COMPACTOR_EPOCH = 4 }
    verify(t) t.visit_field::<u64>("compactor_epoch", Self::COMPACTOR_EPOCH, false)?
}

impl FbCompactionsV1<'_> {
    pub(super) fn compactor_epoch(&self) -> u64 {
        scalar(&self.0, Self::COMPACTOR_EPOCH, 0)
    }
}

table! {
    /// `Uuid { high: ulong, low: ulong }`.
    FbUuid { HIGH = 4, LOW = 6 }
    verify(t) t
        .visit_field::<u64>("high", Self::HIGH, false)?
        .visit_field::<u64>("low", Self::LOW, false)?
}

impl FbUuid<'_> {
    pub(super) fn value(&self) -> uuid::Uuid {
        uuid::Uuid::from_u64_pair(
            scalar(&self.0, Self::HIGH, 0),
            scalar(&self.0, Self::LOW, 0),
        )
    }
}

table! {
    /// `Ulid { high: ulong, low: ulong }`.
    FbUlid { HIGH = 4, LOW = 6 }
    verify(t) t
        .visit_field::<u64>("high", Self::HIGH, false)?
        .visit_field::<u64>("low", Self::LOW, false)?
}

impl FbUlid<'_> {
    pub(super) fn value(&self) -> ulid::Ulid {
        ulid::Ulid::from((
            scalar(&self.0, Self::HIGH, 0u64),
            scalar(&self.0, Self::LOW, 0u64),
        ))
    }
}

table! {
    /// `BytesBound { key: [ubyte], bound_type: BoundType (byte) }`.
    FbBytesBound { KEY = 4, BOUND_TYPE = 6 }
    verify(t) t
        .visit_field::<U8s>("key", Self::KEY, false)?
        .visit_field::<i8>("bound_type", Self::BOUND_TYPE, false)?
}

/// `BoundType` enum values.
pub(super) mod bound_type {
    pub const UNBOUNDED: i8 = 1;
    pub const INCLUDED: i8 = 2;
    pub const EXCLUDED: i8 = 3;
}

impl<'a> FbBytesBound<'a> {
    pub(super) fn key(&self) -> Option<&'a [u8]> {
        bytes(&self.0, Self::KEY)
    }
    pub(super) fn bound_type(&self) -> i8 {
        scalar(&self.0, Self::BOUND_TYPE, 0)
    }
}

table! {
    /// `BytesRange { start_bound: BytesBound (required), end_bound: BytesBound (required) }`.
    FbBytesRange { START_BOUND = 4, END_BOUND = 6 }
    verify(t) t
        .visit_field::<Ref<FbBytesBound>>("start_bound", Self::START_BOUND, true)?
        .visit_field::<Ref<FbBytesBound>>("end_bound", Self::END_BOUND, true)?
}

impl<'a> FbBytesRange<'a> {
    pub(super) fn start_bound(&self) -> Option<FbBytesBound<'a>> {
        child(&self.0, Self::START_BOUND)
    }
    pub(super) fn end_bound(&self) -> Option<FbBytesBound<'a>> {
        child(&self.0, Self::END_BOUND)
    }
}

table! {
    /// `CompactedSsTable` (format version 1): an SST with its info and optional projection.
    FbCompactedSsTable { ID = 4, INFO = 6, VISIBLE_RANGE = 8, FORMAT_VERSION = 10 }
    verify(t) t
        .visit_field::<Ref<FbUlid>>("id", Self::ID, true)?
        .visit_field::<Ref<FbSsTableInfo>>("info", Self::INFO, true)?
        .visit_field::<Ref<FbBytesRange>>("visible_range", Self::VISIBLE_RANGE, false)?
        .visit_field::<u16>("format_version", Self::FORMAT_VERSION, false)?
}

impl<'a> FbCompactedSsTable<'a> {
    pub(super) fn id(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::ID)
    }
    pub(super) fn info(&self) -> Option<FbSsTableInfo<'a>> {
        child(&self.0, Self::INFO)
    }
    pub(super) fn visible_range(&self) -> Option<FbBytesRange<'a>> {
        child(&self.0, Self::VISIBLE_RANGE)
    }
    pub(super) fn format_version(&self) -> Option<u16> {
        optional_scalar(&self.0, Self::FORMAT_VERSION)
    }
}

table! {
    /// `CompactedSsTableV2`: an entry of the de-duplicated SST table of format version 2.
    FbCompactedSsTableV2 { ID = 4, INFO = 6, FORMAT_VERSION = 8 }
    verify(t) t
        .visit_field::<Ref<FbUlid>>("id", Self::ID, true)?
        .visit_field::<Ref<FbSsTableInfo>>("info", Self::INFO, true)?
        .visit_field::<u16>("format_version", Self::FORMAT_VERSION, false)?
}

impl<'a> FbCompactedSsTableV2<'a> {
    pub(super) fn id(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::ID)
    }
    pub(super) fn info(&self) -> Option<FbSsTableInfo<'a>> {
        child(&self.0, Self::INFO)
    }
    pub(super) fn format_version(&self) -> Option<u16> {
        optional_scalar(&self.0, Self::FORMAT_VERSION)
    }
}

table! {
    /// `CompactedSsTableView` (format version 2): a view id, the SST it projects, the projection.
    FbSsTableView { ID = 4, SST_ID = 6, VISIBLE_RANGE = 8 }
    verify(t) t
        .visit_field::<Ref<FbUlid>>("id", Self::ID, true)?
        .visit_field::<Ref<FbUlid>>("sst_id", Self::SST_ID, true)?
        .visit_field::<Ref<FbBytesRange>>("visible_range", Self::VISIBLE_RANGE, false)?
}

impl<'a> FbSsTableView<'a> {
    pub(super) fn id(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::ID)
    }
    pub(super) fn sst_id(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::SST_ID)
    }
    pub(super) fn visible_range(&self) -> Option<FbBytesRange<'a>> {
        child(&self.0, Self::VISIBLE_RANGE)
    }
}

table! {
    /// `SortedRun` (format version 1): `{ id: uint, ssts: [CompactedSsTable] (required) }`.
    FbSortedRunV1 { ID = 4, SSTS = 6 }
    verify(t) t
        .visit_field::<u32>("id", Self::ID, false)?
        .visit_field::<Refs<FbCompactedSsTable>>("ssts", Self::SSTS, true)?
}

impl<'a> FbSortedRunV1<'a> {
    pub(super) fn id(&self) -> u32 {
        scalar(&self.0, Self::ID, 0)
    }
    pub(super) fn ssts(&self) -> Option<Tables<'a, FbCompactedSsTable<'a>>> {
        children(&self.0, Self::SSTS)
    }
}

table! {
    /// `SortedRunV2`: `{ id: uint, ssts: [CompactedSsTableView] (required) }`.
    FbSortedRunV2 { ID = 4, SSTS = 6 }
    verify(t) t
        .visit_field::<u32>("id", Self::ID, false)?
        .visit_field::<Refs<FbSsTableView>>("ssts", Self::SSTS, true)?
}

impl<'a> FbSortedRunV2<'a> {
    pub(super) fn id(&self) -> u32 {
        scalar(&self.0, Self::ID, 0)
    }
    pub(super) fn ssts(&self) -> Option<Tables<'a, FbSsTableView<'a>>> {
        children(&self.0, Self::SSTS)
    }
}

table! {
    /// `ExternalDb { path (required), source_checkpoint_id (required), final_checkpoint_id, sst_ids (required) }`.
    FbExternalDb { PATH = 4, SOURCE_CHECKPOINT_ID = 6, FINAL_CHECKPOINT_ID = 8, SST_IDS = 10 }
    verify(t) t
        .visit_field::<Str>("path", Self::PATH, true)?
        .visit_field::<Ref<FbUuid>>("source_checkpoint_id", Self::SOURCE_CHECKPOINT_ID, true)?
        .visit_field::<Ref<FbUuid>>("final_checkpoint_id", Self::FINAL_CHECKPOINT_ID, false)?
        .visit_field::<Refs<FbUlid>>("sst_ids", Self::SST_IDS, true)?
}

impl<'a> FbExternalDb<'a> {
    pub(super) fn path(&self) -> Option<&'a str> {
        string(&self.0, Self::PATH)
    }
    pub(super) fn source_checkpoint_id(&self) -> Option<FbUuid<'a>> {
        child(&self.0, Self::SOURCE_CHECKPOINT_ID)
    }
    pub(super) fn final_checkpoint_id(&self) -> Option<FbUuid<'a>> {
        child(&self.0, Self::FINAL_CHECKPOINT_ID)
    }
    pub(super) fn sst_ids(&self) -> Option<Tables<'a, FbUlid<'a>>> {
        children(&self.0, Self::SST_IDS)
    }
}

table! {
    /// `Checkpoint { id (required), manifest_id, checkpoint_expire_time_s (0 = never),
    /// checkpoint_create_time_s, metadata (union, unused), name }`.
    FbCheckpoint {
        ID = 4, MANIFEST_ID = 6, EXPIRE_TIME_S = 8, CREATE_TIME_S = 10, METADATA_TYPE = 12,
        METADATA = 14, NAME = 16,
    }
    verify(t) t
        .visit_field::<Ref<FbUuid>>("id", Self::ID, true)?
        .visit_field::<u64>("manifest_id", Self::MANIFEST_ID, false)?
        .visit_field::<u32>("checkpoint_expire_time_s", Self::EXPIRE_TIME_S, false)?
        .visit_field::<u32>("checkpoint_create_time_s", Self::CREATE_TIME_S, false)?
        .visit_field::<Str>("name", Self::NAME, false)?
}

impl<'a> FbCheckpoint<'a> {
    pub(super) fn id(&self) -> Option<FbUuid<'a>> {
        child(&self.0, Self::ID)
    }
    pub(super) fn manifest_id(&self) -> u64 {
        scalar(&self.0, Self::MANIFEST_ID, 0)
    }
    pub(super) fn expire_time_s(&self) -> u32 {
        scalar(&self.0, Self::EXPIRE_TIME_S, 0)
    }
    pub(super) fn create_time_s(&self) -> u32 {
        scalar(&self.0, Self::CREATE_TIME_S, 0)
    }
    pub(super) fn name(&self) -> Option<&'a str> {
        string(&self.0, Self::NAME)
    }
}

table! {
    /// `Segment { prefix (required), last_compacted_l0_sst_view_id, l0 (required), compacted (required) }`.
    FbSegment { PREFIX = 4, LAST_COMPACTED_L0_SST_VIEW_ID = 6, L0 = 8, COMPACTED = 10 }
    verify(t) t
        .visit_field::<U8s>("prefix", Self::PREFIX, true)?
        .visit_field::<Ref<FbUlid>>("last_compacted_l0_sst_view_id", Self::LAST_COMPACTED_L0_SST_VIEW_ID, false)?
        .visit_field::<Refs<FbSsTableView>>("l0", Self::L0, true)?
        .visit_field::<Refs<FbSortedRunV2>>("compacted", Self::COMPACTED, true)?
}

impl<'a> FbSegment<'a> {
    pub(super) fn prefix(&self) -> Option<&'a [u8]> {
        bytes(&self.0, Self::PREFIX)
    }
    pub(super) fn last_compacted_l0_sst_view_id(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::LAST_COMPACTED_L0_SST_VIEW_ID)
    }
    pub(super) fn l0(&self) -> Option<Tables<'a, FbSsTableView<'a>>> {
        children(&self.0, Self::L0)
    }
    pub(super) fn compacted(&self) -> Option<Tables<'a, FbSortedRunV2<'a>>> {
        children(&self.0, Self::COMPACTED)
    }
}

/// The scalar and shared fields of `ManifestV1` and `ManifestV2`, which sit at the same slots
/// in both tables (slots 4 to 16).
macro_rules! common_manifest_fields {
    ($name:ident) => {
        impl<'a> $name<'a> {
            pub(super) fn external_dbs(&self) -> Option<Tables<'a, FbExternalDb<'a>>> {
                children(&self.0, Self::EXTERNAL_DBS)
            }
            pub(super) fn initialized(&self) -> bool {
                scalar(&self.0, Self::INITIALIZED, false)
            }
            pub(super) fn writer_epoch(&self) -> u64 {
                scalar(&self.0, Self::WRITER_EPOCH, 0)
            }
            pub(super) fn compactor_epoch(&self) -> u64 {
                scalar(&self.0, Self::COMPACTOR_EPOCH, 0)
            }
            pub(super) fn replay_after_wal_id(&self) -> u64 {
                scalar(&self.0, Self::REPLAY_AFTER_WAL_ID, 0)
            }
            pub(super) fn wal_id_last_seen(&self) -> u64 {
                scalar(&self.0, Self::WAL_ID_LAST_SEEN, 0)
            }
            pub(super) fn last_l0_clock_tick(&self) -> i64 {
                scalar(&self.0, Self::LAST_L0_CLOCK_TICK, 0)
            }
            pub(super) fn checkpoints(&self) -> Option<Tables<'a, FbCheckpoint<'a>>> {
                children(&self.0, Self::CHECKPOINTS)
            }
            pub(super) fn last_l0_seq(&self) -> u64 {
                scalar(&self.0, Self::LAST_L0_SEQ, 0)
            }
            pub(super) fn recent_snapshot_min_seq(&self) -> u64 {
                scalar(&self.0, Self::RECENT_SNAPSHOT_MIN_SEQ, 0)
            }
            pub(super) fn sequence_tracker(&self) -> Option<&'a [u8]> {
                bytes(&self.0, Self::SEQUENCE_TRACKER)
            }
        }
    };
}

table! {
    /// `ManifestV1`: the root table of format version 1.
    FbManifestV1 {
        MANIFEST_ID = 4, EXTERNAL_DBS = 6, INITIALIZED = 8, WRITER_EPOCH = 10,
        COMPACTOR_EPOCH = 12, REPLAY_AFTER_WAL_ID = 14, WAL_ID_LAST_SEEN = 16,
        L0_LAST_COMPACTED = 18, L0 = 20, COMPACTED = 22, LAST_L0_CLOCK_TICK = 24,
        CHECKPOINTS = 26, LAST_L0_SEQ = 28, WAL_OBJECT_STORE_URI = 30,
        RECENT_SNAPSHOT_MIN_SEQ = 32, SEQUENCE_TRACKER = 34,
    }
    verify(t) t
        .visit_field::<u64>("manifest_id", Self::MANIFEST_ID, false)?
        .visit_field::<Refs<FbExternalDb>>("external_dbs", Self::EXTERNAL_DBS, false)?
        .visit_field::<bool>("initialized", Self::INITIALIZED, false)?
        .visit_field::<u64>("writer_epoch", Self::WRITER_EPOCH, false)?
        .visit_field::<u64>("compactor_epoch", Self::COMPACTOR_EPOCH, false)?
        .visit_field::<u64>("replay_after_wal_id", Self::REPLAY_AFTER_WAL_ID, false)?
        .visit_field::<u64>("wal_id_last_seen", Self::WAL_ID_LAST_SEEN, false)?
        .visit_field::<Ref<FbUlid>>("l0_last_compacted", Self::L0_LAST_COMPACTED, false)?
        .visit_field::<Refs<FbCompactedSsTable>>("l0", Self::L0, true)?
        .visit_field::<Refs<FbSortedRunV1>>("compacted", Self::COMPACTED, true)?
        .visit_field::<i64>("last_l0_clock_tick", Self::LAST_L0_CLOCK_TICK, false)?
        .visit_field::<Refs<FbCheckpoint>>("checkpoints", Self::CHECKPOINTS, true)?
        .visit_field::<u64>("last_l0_seq", Self::LAST_L0_SEQ, false)?
        .visit_field::<Str>("wal_object_store_uri", Self::WAL_OBJECT_STORE_URI, false)?
        .visit_field::<u64>("recent_snapshot_min_seq", Self::RECENT_SNAPSHOT_MIN_SEQ, false)?
        .visit_field::<U8s>("sequence_tracker", Self::SEQUENCE_TRACKER, false)?
}

common_manifest_fields!(FbManifestV1);

impl<'a> FbManifestV1<'a> {
    /// In format version 1 this is an SST id.
    pub(super) fn l0_last_compacted(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::L0_LAST_COMPACTED)
    }
    pub(super) fn l0(&self) -> Option<Tables<'a, FbCompactedSsTable<'a>>> {
        children(&self.0, Self::L0)
    }
    pub(super) fn compacted(&self) -> Option<Tables<'a, FbSortedRunV1<'a>>> {
        children(&self.0, Self::COMPACTED)
    }
    pub(super) fn wal_object_store_uri(&self) -> Option<&'a str> {
        string(&self.0, Self::WAL_OBJECT_STORE_URI)
    }
}

table! {
    /// `ManifestV2`: the root table of format version 2 (no `wal_object_store_uri`; adds the
    /// de-duplicated SST table, views and segments).
    FbManifestV2 {
        MANIFEST_ID = 4, EXTERNAL_DBS = 6, INITIALIZED = 8, WRITER_EPOCH = 10,
        COMPACTOR_EPOCH = 12, REPLAY_AFTER_WAL_ID = 14, WAL_ID_LAST_SEEN = 16,
        LAST_COMPACTED_L0_SST_VIEW_ID = 18, SSTS = 20, L0 = 22, COMPACTED = 24,
        LAST_L0_CLOCK_TICK = 26, CHECKPOINTS = 28, LAST_L0_SEQ = 30,
        RECENT_SNAPSHOT_MIN_SEQ = 32, SEQUENCE_TRACKER = 34, SEGMENTS = 36,
        SEGMENT_EXTRACTOR_NAME = 38,
    }
    verify(t) t
        .visit_field::<u64>("manifest_id", Self::MANIFEST_ID, false)?
        .visit_field::<Refs<FbExternalDb>>("external_dbs", Self::EXTERNAL_DBS, false)?
        .visit_field::<bool>("initialized", Self::INITIALIZED, false)?
        .visit_field::<u64>("writer_epoch", Self::WRITER_EPOCH, false)?
        .visit_field::<u64>("compactor_epoch", Self::COMPACTOR_EPOCH, false)?
        .visit_field::<u64>("replay_after_wal_id", Self::REPLAY_AFTER_WAL_ID, false)?
        .visit_field::<u64>("wal_id_last_seen", Self::WAL_ID_LAST_SEEN, false)?
        .visit_field::<Ref<FbUlid>>("last_compacted_l0_sst_view_id", Self::LAST_COMPACTED_L0_SST_VIEW_ID, false)?
        .visit_field::<Refs<FbCompactedSsTableV2>>("ssts", Self::SSTS, true)?
        .visit_field::<Refs<FbSsTableView>>("l0", Self::L0, true)?
        .visit_field::<Refs<FbSortedRunV2>>("compacted", Self::COMPACTED, true)?
        .visit_field::<i64>("last_l0_clock_tick", Self::LAST_L0_CLOCK_TICK, false)?
        .visit_field::<Refs<FbCheckpoint>>("checkpoints", Self::CHECKPOINTS, true)?
        .visit_field::<u64>("last_l0_seq", Self::LAST_L0_SEQ, false)?
        .visit_field::<u64>("recent_snapshot_min_seq", Self::RECENT_SNAPSHOT_MIN_SEQ, false)?
        .visit_field::<U8s>("sequence_tracker", Self::SEQUENCE_TRACKER, false)?
        .visit_field::<Refs<FbSegment>>("segments", Self::SEGMENTS, false)?
        .visit_field::<Str>("segment_extractor_name", Self::SEGMENT_EXTRACTOR_NAME, false)?
}

common_manifest_fields!(FbManifestV2);

impl<'a> FbManifestV2<'a> {
    pub(super) fn last_compacted_l0_sst_view_id(&self) -> Option<FbUlid<'a>> {
        child(&self.0, Self::LAST_COMPACTED_L0_SST_VIEW_ID)
    }
    pub(super) fn ssts(&self) -> Option<Tables<'a, FbCompactedSsTableV2<'a>>> {
        children(&self.0, Self::SSTS)
    }
    pub(super) fn l0(&self) -> Option<Tables<'a, FbSsTableView<'a>>> {
        children(&self.0, Self::L0)
    }
    pub(super) fn compacted(&self) -> Option<Tables<'a, FbSortedRunV2<'a>>> {
        children(&self.0, Self::COMPACTED)
    }
    pub(super) fn segments(&self) -> Option<Tables<'a, FbSegment<'a>>> {
        children(&self.0, Self::SEGMENTS)
    }
    pub(super) fn segment_extractor_name(&self) -> Option<&'a str> {
        string(&self.0, Self::SEGMENT_EXTRACTOR_NAME)
    }
}
