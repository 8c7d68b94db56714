//! Typed, verified access to the FlatBuffers of an SST footer (`SsTableInfo`, `SsTableIndex`
//! with its `BlockMeta`s, `SstStats` with its `BlockStats`), written from the table layouts in
//! slatedb 0.18 `generated/root_generated.rs` and declared with the shared machinery of
//! [`crate::flatbuf_tables`], whose safety model applies.
#![allow(unsafe_code)]

pub(super) use crate::flatbuf_tables::Tables;
use crate::flatbuf_tables::{bytes, children, flatbuffer_table as table, scalar, Refs, U8s};
use flatbuffers::VerifierOptions;

/// Verifier limits for a footer FlatBuffer of `buffer_len` bytes. Every table takes at least
/// 4 bytes, so `buffer_len` bounds the honest table count.
pub(super) fn verifier_options(buffer_len: usize) -> VerifierOptions {
    crate::flatbuf_tables::verifier_options(buffer_len as u64 + 16, buffer_len)
}

table! {
    /// `SsTableInfo { first_entry: [ubyte], index_offset: ulong, index_len: ulong,
    /// filter_offset: ulong, filter_len: ulong, compression_format: CompressionFormat (byte),
    /// sst_type: SstType (byte), last_entry: [ubyte], stats_offset: ulong, stats_len: ulong,
    /// filter_format: FilterFormat (byte) }`: the root of an SST's info section, and what a
    /// manifest records of each SST it references.
    FbSsTableInfo {
        FIRST_ENTRY = 4, INDEX_OFFSET = 6, INDEX_LEN = 8, FILTER_OFFSET = 10, FILTER_LEN = 12,
        COMPRESSION_FORMAT = 14, SST_TYPE = 16, LAST_ENTRY = 18, STATS_OFFSET = 20,
        STATS_LEN = 22, FILTER_FORMAT = 24,
    }
    verify(t) t
        .visit_field::<U8s>("first_entry", Self::FIRST_ENTRY, false)?
        .visit_field::<u64>("index_offset", Self::INDEX_OFFSET, false)?
        .visit_field::<u64>("index_len", Self::INDEX_LEN, false)?
        .visit_field::<u64>("filter_offset", Self::FILTER_OFFSET, false)?
        .visit_field::<u64>("filter_len", Self::FILTER_LEN, false)?
        .visit_field::<i8>("compression_format", Self::COMPRESSION_FORMAT, false)?
        .visit_field::<i8>("sst_type", Self::SST_TYPE, false)?
        .visit_field::<U8s>("last_entry", Self::LAST_ENTRY, false)?
        .visit_field::<u64>("stats_offset", Self::STATS_OFFSET, false)?
        .visit_field::<u64>("stats_len", Self::STATS_LEN, false)?
        .visit_field::<i8>("filter_format", Self::FILTER_FORMAT, false)?
}

impl<'a> FbSsTableInfo<'a> {
    /// The first key (compacted SSTs) or the first row's sequence number as 8 big-endian
    /// bytes (WAL SSTs).
    pub(crate) fn first_entry(&self) -> Option<&'a [u8]> {
        bytes(&self.0, Self::FIRST_ENTRY)
    }
    /// The last key (compacted SSTs); WAL SSTs record none.
    pub(crate) fn last_entry(&self) -> Option<&'a [u8]> {
        bytes(&self.0, Self::LAST_ENTRY)
    }
    pub(crate) fn index_offset(&self) -> u64 {
        scalar(&self.0, Self::INDEX_OFFSET, 0)
    }
    pub(crate) fn index_len(&self) -> u64 {
        scalar(&self.0, Self::INDEX_LEN, 0)
    }
    pub(crate) fn filter_offset(&self) -> u64 {
        scalar(&self.0, Self::FILTER_OFFSET, 0)
    }
    pub(crate) fn filter_len(&self) -> u64 {
        scalar(&self.0, Self::FILTER_LEN, 0)
    }
    /// `CompressionFormat`: 0 none, 1 snappy, 2 zlib, 3 lz4, 4 zstd.
    pub(crate) fn compression_format(&self) -> i8 {
        scalar(&self.0, Self::COMPRESSION_FORMAT, 0)
    }
    /// `SstType`: 0 compacted, 1 WAL.
    pub(crate) fn sst_type(&self) -> i8 {
        scalar(&self.0, Self::SST_TYPE, 0)
    }
    pub(crate) fn stats_offset(&self) -> u64 {
        scalar(&self.0, Self::STATS_OFFSET, 0)
    }
    pub(crate) fn stats_len(&self) -> u64 {
        scalar(&self.0, Self::STATS_LEN, 0)
    }
    /// `FilterFormat`: 0 legacy, 1 composite.
    pub(crate) fn filter_format(&self) -> i8 {
        scalar(&self.0, Self::FILTER_FORMAT, 0)
    }
}

table! {
    /// `BlockMeta { offset: ulong, first_key: [ubyte] (required), encoded_len: uint }`.
    FbBlockMeta { OFFSET = 4, FIRST_KEY = 6, ENCODED_LEN = 8 }
    verify(t) t
        .visit_field::<u64>("offset", Self::OFFSET, false)?
        .visit_field::<U8s>("first_key", Self::FIRST_KEY, true)?
        .visit_field::<u32>("encoded_len", Self::ENCODED_LEN, false)?
}

impl<'a> FbBlockMeta<'a> {
    /// Where the block starts in the SST.
    pub(super) fn offset(&self) -> u64 {
        scalar(&self.0, Self::OFFSET, 0)
    }
    /// The block's index key (a prefix of its first key, or its first sequence number as 8
    /// big-endian bytes in a WAL SST). Required, so present after verification.
    pub(super) fn first_key(&self) -> &'a [u8] {
        bytes(&self.0, Self::FIRST_KEY).unwrap_or_default()
    }
    /// The block's length with its checksum when it is padded; 0 when the next block's
    /// offset gives it.
    pub(super) fn encoded_len(&self) -> u32 {
        scalar(&self.0, Self::ENCODED_LEN, 0)
    }
}

table! {
    /// `SsTableIndex { block_meta: [BlockMeta] (required) }`: the root of an SST's index.
    FbSsTableIndex { BLOCK_META = 4 }
    verify(t) t.visit_field::<Refs<FbBlockMeta>>("block_meta", Self::BLOCK_META, true)?
}

impl<'a> FbSsTableIndex<'a> {
    /// The blocks, in order. Required, so present after verification.
    pub(super) fn block_meta(&self) -> Option<Tables<'a, FbBlockMeta<'a>>> {
        children(&self.0, Self::BLOCK_META)
    }
}

table! {
    /// `BlockStats { num_puts: ushort, num_deletes: ushort, num_merges: ushort }`.
    FbBlockStats { NUM_PUTS = 4, NUM_DELETES = 6, NUM_MERGES = 8 }
    verify(t) t
        .visit_field::<u16>("num_puts", Self::NUM_PUTS, false)?
        .visit_field::<u16>("num_deletes", Self::NUM_DELETES, false)?
        .visit_field::<u16>("num_merges", Self::NUM_MERGES, false)?
}

impl FbBlockStats<'_> {
    /// (puts, deletes, merges) of the block.
    pub(super) fn counts(&self) -> [u64; 3] {
        [
            u64::from(scalar(&self.0, Self::NUM_PUTS, 0u16)),
            u64::from(scalar(&self.0, Self::NUM_DELETES, 0u16)),
            u64::from(scalar(&self.0, Self::NUM_MERGES, 0u16)),
        ]
    }
}

table! {
    /// `SstStats { num_puts: ulong, num_deletes: ulong, num_merges: ulong, raw_key_size: ulong,
    /// raw_val_size: ulong, block_stats: [BlockStats] }`: the root of an SST's stats section.
    FbSstStats {
        NUM_PUTS = 4, NUM_DELETES = 6, NUM_MERGES = 8, RAW_KEY_SIZE = 10, RAW_VAL_SIZE = 12,
        BLOCK_STATS = 14,
    }
    verify(t) t
        .visit_field::<u64>("num_puts", Self::NUM_PUTS, false)?
        .visit_field::<u64>("num_deletes", Self::NUM_DELETES, false)?
        .visit_field::<u64>("num_merges", Self::NUM_MERGES, false)?
        .visit_field::<u64>("raw_key_size", Self::RAW_KEY_SIZE, false)?
        .visit_field::<u64>("raw_val_size", Self::RAW_VAL_SIZE, false)?
        .visit_field::<Refs<FbBlockStats>>("block_stats", Self::BLOCK_STATS, false)?
}

impl<'a> FbSstStats<'a> {
    /// (puts, deletes, merges) of the SST.
    pub(super) fn counts(&self) -> [u64; 3] {
        [
            scalar(&self.0, Self::NUM_PUTS, 0),
            scalar(&self.0, Self::NUM_DELETES, 0),
            scalar(&self.0, Self::NUM_MERGES, 0),
        ]
    }
    /// Per-block counts, parallel to the index (absent in SSTs written before SlateDB
    /// recorded them, and when there are no blocks).
    pub(super) fn block_stats(&self) -> Option<Tables<'a, FbBlockStats<'a>>> {
        children(&self.0, Self::BLOCK_STATS)
    }
}
