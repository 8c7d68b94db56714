//! Reading the rows of a SlateDB SST object (in practice a WAL SST, `<root>/wal/{id:020}.sst`)
//! down to what slatecheck needs: how many rows it holds and their smallest and largest
//! sequence numbers. A caller uses the largest to decide that deleting the object loses no
//! write, so every byte is checked and any inconsistency is an error, never a guess.
//!
//! # The format
//!
//! Facts from SlateDB 0.18's source (`slatedb/src/…`), which reads SST format versions 1 and
//! 2. Every integer is big-endian unless it sits inside a FlatBuffer (little-endian there).
//!
//! **Objects.** A zero-byte WAL object is a fence, not an SST: `WalTableStore::write_wal_fence`
//! writes `Bytes::new()` (`wal/slatedb/store.rs`), and replay treats it as a WAL with no rows
//! (`wal/slatedb/iterator.rs`, "Zero-byte WAL files are fence markers"). [`read_sst_rows`]
//! returns no rows for it. SlateDB reads any object of at most 10 bytes as `EmptySSTable`
//! (`format/sst.rs`, `read_length_and_metadata_offset_and_version`); slatecheck calls one of
//! 1 to 10 bytes truncated, as no writer makes it.
//!
//! **Footer** (`format/sst.rs`, `EncodedSsTableFooterBuilder::build`, `NUM_FOOTER_BYTES`):
//! the last 10 bytes are the offset of the SST info (`u64`) and the SST format version
//! (`u16`, 1 or 2: `SST_FORMAT_VERSION`, `SST_FORMAT_VERSION_V2`). SlateDB up to 0.10 wrote
//! version 1; from 0.11 on, every SST it writes (WAL or compacted) is version 2
//! (`SST_FORMAT_VERSION_LATEST`; slatedb pull requests 1193, 1258 and 1333, first released
//! together in 0.11.0, brought version 2, the WAL SST builder and `sst_type`). So SlateDB
//! 0.15, whose manifests are format version 1, writes SSTs of version 2 too.
//!
//! **Sections.** In order: the data blocks from offset 0, the filter (when `filter_len > 0`;
//! never in WAL SSTs), the index, the stats (when `stats_len > 0`; never in WAL SSTs), the SST
//! info, the footer. Each section but the footer ends in a CRC-32 (`crc32fast::hash`, a
//! `u32`) of the bytes before it (`compress_and_transform`, `SsTableInfo::encode`). Data
//! blocks, filter, index and stats are compressed with the info's codec, then passed through
//! the optional `BlockTransformer` (e.g. encryption), then checksummed; the info is neither
//! compressed nor transformed. A data block ends where the next block starts (the last one
//! where the filter, or else the index, starts: `SsTableFormat::block_range`), unless the
//! index records its `encoded_len`: then the block is padded with zeros up to the next one
//! (`block_byte_range`, `sst_block_alignment`).
//!
//! **SST info** (`flatbuffer_types.rs`, `FlatBufferSsTableInfoCodec`; `generated/
//! root_generated.rs`, `SsTableInfo`): a FlatBuffer `SsTableInfo { first_entry, index_offset,
//! index_len, filter_offset, filter_len, compression_format, sst_type, last_entry,
//! stats_offset, stats_len, filter_format }`; lengths include the section's checksum.
//! `compression_format`: 0 none, 1 snappy, 2 zlib, 3 lz4, 4 zstd (zlib is a zlib stream,
//! `flate2::write::ZlibEncoder`, in `format/sst.rs`, `compress`). `sst_type`: 0 compacted, 1
//! WAL (absent, so 0, before SlateDB 0.11). In a compacted SST `first_entry` and `last_entry`
//! are the first and last keys; in a WAL SST (`wal/slatedb/sst_builder.rs`,
//! `EncodedWalSsTableBuilder`) `first_entry` is the first row's sequence number as 8
//! big-endian bytes and there is no `last_entry`. (Before 0.11 a WAL SST was built like a
//! compacted one, from the key-sorted WAL memtable, and recorded no `sst_type`.)
//!
//! **Index**: a FlatBuffer `SsTableIndex { block_meta: [BlockMeta { offset, first_key,
//! encoded_len }] }`, one entry per block in order. `first_key` is the block's index key: in
//! a compacted SST a prefix of its first key (empty for the first block, then the shortest
//! key above the previous block's last key: `utils.rs`, `compute_index_key`); in a WAL SST
//! the block's first sequence number as 8 big-endian bytes.
//!
//! **Stats** (`sst_stats.rs`, `SstStats`): a FlatBuffer `SstStats { num_puts, num_deletes,
//! num_merges, raw_key_size, raw_val_size, block_stats: [BlockStats { num_puts, num_deletes,
//! num_merges }] }`, counting the rows by kind (`format/sst.rs`, `BlockBuilderWithStats::add`),
//! per block when `block_stats` is present.
//!
//! **Blocks.** The format version picks the block format (`block_iterator.rs`,
//! `DataBlockIterator::new`). Both end in a `u16` count after `u16` offsets into the rows
//! (`format/block.rs`, `Block::encode`):
//! * version 1 (`format/block.rs`, `BlockBuilderV1`): one offset per row; a row's key is a
//!   prefix of the block's first key plus a suffix. Rows use codec V0 (`format/row.rs`,
//!   `SstRowCodecV0`): `key_prefix_len: u16, key_suffix_len: u16, key_suffix, seq: u64,
//!   flags: u8, [expire_ts: i64], [create_ts: i64], [value_len: u32, value]` (no value for a
//!   tombstone);
//! * version 2 (`format/block_v2.rs`, `BlockBuilderV2`): one offset per restart point, every
//!   16th row, where the full key is stored; other rows share a prefix with the previous key.
//!   Rows use codec V2 (`format/row_codec_v2.rs`, `SstRowCodecV2`): `shared: varint, unshared:
//!   varint, value_len: varint, key_suffix, value, seq: u64, flags: u8, [expire_ts: i64],
//!   [create_ts: i64]`, varints being LEB128 `u32`s (`utils.rs`, `encode_varint`).
//!
//! Flags (`format/row.rs`, `RowFlags`): `0x01` tombstone (a delete), `0x02` has `expire_ts`,
//! `0x04` has `create_ts`, `0x08` merge operand; other bits, or tombstone and merge together,
//! are invalid. Keys are never empty (`SlateDBError::EmptyKey`). Rows of a compacted SST are
//! sorted by key; rows of a WAL SST are in write order. All rows of one write batch share its
//! sequence number.
//!
//! # What is checked
//!
//! The footer, every section's place (back to back, nothing left over), every checksum (the
//! filter's too, so that no byte of the object goes unchecked), the info, index and stats
//! FlatBuffers, every block and every row: offsets and restart points at row starts, prefix
//! lengths within the key they refer to, known flags, keys sorted in compacted SSTs, the
//! index key and the info's first and last entries against the rows, and the stats' counts
//! against the rows. A block transformer's output (encrypted bytes) passes the checksums but
//! fails these, so a transformed SST is an error.

mod block;
mod flatbuf;
#[cfg(test)]
mod tests;

use crate::limits::human_bytes;
use block::{decode_block, BlockFormat, BlockRows};
pub(crate) use flatbuf::FbSsTableInfo;
use flatbuf::{verifier_options, FbBlockMeta, FbBlockStats, FbSsTableIndex, FbSstStats, Tables};
use flate2::{Decompress, FlushDecompress, Status};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The largest SST [`read_sst_rows`] reads. By default SlateDB writes L0 SSTs of up to
/// 64 MiB (`Settings::l0_sst_size_bytes`) and compacted SSTs of up to 256 MiB
/// (`CompactorOptions::max_sst_size`); WAL SSTs are smaller.
pub const MAX_SST_BYTES: usize = 1 << 30;

/// The most bytes one compressed section (a data block, the index or the stats) may
/// decompress to. SlateDB's blocks are 4 KiB (compacted, configurable up to 64 KiB) or 64 KiB
/// (WAL) before compression, bigger only for a single large row.
pub const MAX_SECTION_BYTES: usize = 64 << 20;

/// The most bytes the compressed sections of one SST may decompress to altogether.
pub const MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;

/// The footer: the info offset (`u64`) and the format version (`u16`).
const FOOTER_LEN: usize = 10;

/// The CRC-32 that ends each section.
const CHECKSUM_LEN: usize = 4;

/// What the rows of one SST hold, as far as slatecheck needs: how many, and their sequence
/// numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SstRows {
    /// Rows of every kind: puts, deletes (tombstones) and merge operands.
    pub rows: u64,
    /// The smallest sequence number of a row; `None` when there are no rows.
    pub min_seq: Option<u64>,
    /// The largest sequence number of a row; `None` when there are no rows.
    pub max_seq: Option<u64>,
}

/// A section of an SST, as errors name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SstPart {
    /// The SST info (`SsTableInfo`) before the footer.
    Info,
    /// The filter section.
    Filter,
    /// The index section.
    Index,
    /// The stats section.
    Stats,
    /// A data block, by its position in the index (from 0).
    Block(usize),
}

impl fmt::Display for SstPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Info => f.write_str("the SST info"),
            Self::Filter => f.write_str("the filter"),
            Self::Index => f.write_str("the index"),
            Self::Stats => f.write_str("the stats"),
            Self::Block(index) => write!(f, "block {index}"),
        }
    }
}

/// Why an object's rows cannot be read. The message is a short lowercase phrase a caller
/// prefixes with the object's key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SstError {
    /// 1 to 10 bytes: too short to hold the footer (a fence has zero bytes).
    #[error("truncated: {len} bytes, an SST ends in a 10-byte footer")]
    Truncated {
        /// The object's length.
        len: usize,
    },
    /// More than [`MAX_SST_BYTES`].
    #[error("{} bytes, more than the {} an SST is read up to", .len, human_bytes(MAX_SST_BYTES as u64))]
    TooLarge {
        /// The object's length.
        len: usize,
    },
    /// A footer version other than 1 or 2.
    #[error("unsupported SST format version {0} (supported: 1, 2)")]
    UnsupportedVersion(u16),
    /// The footer, or the section offsets the info records, do not fit the object.
    #[error("corrupt footer: {0}")]
    Footer(String),
    /// A section's CRC-32 does not match its bytes.
    #[error("{0} fails its checksum")]
    Checksum(SstPart),
    /// A section is not what its format says: a FlatBuffer that does not verify, a block
    /// whose rows do not decode, a compressed stream that does not decompress.
    #[error("{part} is malformed: {detail}")]
    Malformed {
        /// The section.
        part: SstPart,
        /// What is wrong, a lowercase phrase.
        detail: String,
    },
    /// Compressed with a codec slatecheck does not decode (snappy, lz4, zstd).
    #[error("compressed with {0}, which slatecheck does not decode")]
    Compressed(&'static str),
    /// A section decompresses to more than [`MAX_SECTION_BYTES`].
    #[error("{part} decompresses to more than {}, the most slatecheck inflates for one section", human_bytes(*.limit))]
    SectionTooLarge {
        /// The section.
        part: SstPart,
        /// The limit it exceeds.
        limit: u64,
    },
    /// The sections together decompress to more than [`MAX_DECOMPRESSED_BYTES`].
    #[error("the SST decompresses to more than {}, the most slatecheck inflates for one SST", human_bytes(*.limit))]
    DecompressedTooLarge {
        /// The limit it exceeds.
        limit: u64,
    },
    /// The sections disagree: rows against the stats, the index or the info.
    #[error("inconsistent: {0}")]
    Inconsistent(String),
}

impl SstError {
    /// Whether SlateDB 0.18 fails to read the object too, whatever its configuration: it is
    /// not a whole SST. SlateDB reads the same 10-byte footer (`InvalidVersion` for a version
    /// other than 1 or 2, a read past the end for an info offset that does not fit) and checks
    /// every section's CRC-32 over the stored bytes, before any decompression or block
    /// transformer, as slatecheck does. A codec slatecheck does not decode, a block that does
    /// not decode (an encrypting block transformer makes such blocks), inconsistent sections
    /// and slatecheck's own size limits prove nothing; nor do 1 to 10 bytes, which SlateDB
    /// calls `EmptySSTable` and its WAL replay reads as a fence.
    pub fn proves_unreadable(&self) -> bool {
        matches!(
            self,
            SstError::UnsupportedVersion(_) | SstError::Footer(_) | SstError::Checksum(_)
        )
    }
}

/// The rows of the SST object `bytes`: an empty object (a WAL fence) has none; anything that
/// is not a whole, consistent SST of format version 1 or 2, uncompressed or zlib-compressed,
/// is an error.
///
/// ```
/// use slatecheck_core::sst::{read_sst_rows, SstRows};
///
/// let fence = read_sst_rows(&[]).unwrap();
/// assert_eq!(fence, SstRows { rows: 0, min_seq: None, max_seq: None });
/// let err = read_sst_rows(&[0, 0, 0, 0, 0, 0]).unwrap_err();
/// assert_eq!(err.to_string(), "truncated: 6 bytes, an SST ends in a 10-byte footer");
/// ```
pub fn read_sst_rows(bytes: &[u8]) -> Result<SstRows, SstError> {
    read_with_caps(
        bytes,
        Caps {
            section: MAX_SECTION_BYTES,
            total: MAX_DECOMPRESSED_BYTES,
        },
    )
}

/// Decompression limits (smaller in tests).
#[derive(Clone, Copy, Debug)]
struct Caps {
    section: usize,
    total: u64,
}

/// The compression codecs of `compression_format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Codec {
    None,
    Zlib,
}

fn read_with_caps(bytes: &[u8], caps: Caps) -> Result<SstRows, SstError> {
    if bytes.is_empty() {
        return Ok(SstRows {
            rows: 0,
            min_seq: None,
            max_seq: None,
        });
    }
    if bytes.len() > MAX_SST_BYTES {
        return Err(SstError::TooLarge { len: bytes.len() });
    }
    let Some(info_end) = bytes.len().checked_sub(FOOTER_LEN).filter(|&end| end > 0) else {
        return Err(SstError::Truncated { len: bytes.len() });
    };
    let footer = &bytes[info_end..];
    let info_offset = u64::from_be_bytes(array(&footer[..8]));
    let version = u16::from_be_bytes(array(&footer[8..]));
    let format = match version {
        1 => BlockFormat::V1,
        2 => BlockFormat::V2,
        other => return Err(SstError::UnsupportedVersion(other)),
    };
    let info_start = usize::try_from(info_offset)
        .ok()
        .filter(|&start| start <= info_end)
        .ok_or_else(|| {
            SstError::Footer(format!(
                "the SST info offset {info_offset} is past the {info_end} bytes before the footer"
            ))
        })?;
    if info_end - info_start <= CHECKSUM_LEN {
        return Err(SstError::Footer(format!(
            "the SST info offset {info_offset} leaves {} bytes for the SST info and its 4-byte checksum",
            info_end - info_start
        )));
    }
    let info_data = checked(bytes, info_start..info_end, SstPart::Info)?;
    let info =
        flatbuffers::root_with_opts::<FbSsTableInfo>(&verifier_options(info_data.len()), info_data)
            .map_err(|err| flatbuffer_error(SstPart::Info, &err))?;
    let codec = match info.compression_format() {
        0 => Codec::None,
        2 => Codec::Zlib,
        1 => return Err(SstError::Compressed("snappy")),
        3 => return Err(SstError::Compressed("lz4")),
        4 => return Err(SstError::Compressed("zstd")),
        other => {
            return Err(malformed(
                SstPart::Info,
                format!("unknown compression format {other}"),
            ))
        }
    };
    let wal = match info.sst_type() {
        0 => false,
        1 => true,
        other => {
            return Err(malformed(
                SstPart::Info,
                format!("unknown SST type {other}"),
            ))
        }
    };
    if !matches!(info.filter_format(), 0 | 1) {
        return Err(malformed(
            SstPart::Info,
            format!("unknown filter format {}", info.filter_format()),
        ));
    }
    let layout = Layout::of(&info, info_start)?;
    let mut budget = Budget {
        section: caps.section,
        total: caps.total,
        left: caps.total,
    };

    if let Some(filter) = &layout.filter {
        // Not needed for the rows, but checked so that no byte of the object goes unchecked.
        checked(bytes, filter.clone(), SstPart::Filter)?;
    }
    let index_data = budget.decompress(
        codec,
        checked(bytes, layout.index.clone(), SstPart::Index)?,
        SstPart::Index,
    )?;
    let index = flatbuffers::root_with_opts::<FbSsTableIndex>(
        &verifier_options(index_data.len()),
        &index_data,
    )
    .map_err(|err| flatbuffer_error(SstPart::Index, &err))?;
    let metas = index
        .block_meta()
        .ok_or_else(|| malformed(SstPart::Index, "no block_meta".to_string()))?;
    let stats_data = match &layout.stats {
        Some(range) => Some(budget.decompress(
            codec,
            checked(bytes, range.clone(), SstPart::Stats)?,
            SstPart::Stats,
        )?),
        None => None,
    };
    let stats = match &stats_data {
        Some(data) => Some(
            flatbuffers::root_with_opts::<FbSstStats>(&verifier_options(data.len()), data)
                .map_err(|err| flatbuffer_error(SstPart::Stats, &err))?,
        ),
        None => None,
    };
    let block_stats = stats.and_then(|stats| stats.block_stats());
    if let Some(block_stats) = &block_stats {
        if block_stats.len() != metas.len() {
            return Err(SstError::Inconsistent(format!(
                "the stats describe {} blocks, the index {}",
                block_stats.len(),
                metas.len()
            )));
        }
    }

    let data_end = layout.data_end;
    if metas.is_empty() && data_end != 0 {
        return Err(malformed(
            SstPart::Index,
            format!("it lists no block, but {data_end} bytes of blocks precede it"),
        ));
    }
    let mut counts = [0u64; 3];
    let mut seqs: Option<(u64, u64)> = None;
    let mut first_row: Option<(u64, Vec<u8>)> = None;
    let mut last_key: Option<Vec<u8>> = None;
    for (position, meta) in metas.iter().enumerate() {
        let part = SstPart::Block(position);
        let (span, padding_end) = block_span(&metas, position, data_end)?;
        if bytes[span.end..padding_end].iter().any(|&byte| byte != 0) {
            return Err(malformed(
                part,
                format!(
                    "its {} bytes of padding are not all zero",
                    padding_end - span.end
                ),
            ));
        }
        let data = budget.decompress(codec, checked(bytes, span, part)?, part)?;
        let rows = decode_block(format, &data, !wal).map_err(|detail| malformed(part, detail))?;
        check_block(
            position,
            &rows,
            wal,
            meta.first_key(),
            last_key.as_deref(),
            block_stats.as_ref(),
        )?;
        for (total, add) in counts.iter_mut().zip(rows.counts) {
            *total += add;
        }
        seqs = Some(match seqs {
            None => (rows.min_seq, rows.max_seq),
            Some((min, max)) => (min.min(rows.min_seq), max.max(rows.max_seq)),
        });
        if first_row.is_none() {
            first_row = Some((rows.first_seq, rows.first_key));
        }
        last_key = Some(rows.last_key);
    }

    if let Some(stats) = stats {
        if stats.counts() != counts {
            return Err(SstError::Inconsistent(format!(
                "the stats count {}, the blocks hold {}",
                show_counts(stats.counts()),
                show_counts(counts)
            )));
        }
    }
    check_entries(&info, wal, first_row.as_ref(), last_key.as_deref())?;
    Ok(SstRows {
        rows: counts.iter().sum(),
        min_seq: seqs.map(|(min, _)| min),
        max_seq: seqs.map(|(_, max)| max),
    })
}

/// Where block `position` lies: its bytes (with their checksum), and where its zero padding
/// ends (where the next block, or the section after the blocks, starts).
fn block_span(
    metas: &Tables<FbBlockMeta>,
    position: usize,
    data_end: usize,
) -> Result<(Range<usize>, usize), SstError> {
    let index_error = |detail: String| Err(malformed(SstPart::Index, detail));
    let last = position + 1 == metas.len();
    let start = metas.get(position).offset();
    let next = if last {
        data_end as u64
    } else {
        metas.get(position + 1).offset()
    };
    if position == 0 && start != 0 {
        return index_error(format!("block 0 starts at offset {start}, not 0"));
    }
    if next > data_end as u64 {
        return index_error(format!(
            "block {} starts at offset {next}, past the end of the blocks at {data_end}",
            position + 1
        ));
    }
    if start >= next {
        return index_error(format!(
            "block {position} starts at offset {start}, not before {} at {next}",
            if last {
                "the end of the blocks"
            } else {
                "the next block"
            }
        ));
    }
    // `encoded_len` is set only for a padded block (`encoded_len_for_index`).
    let end = match metas.get(position).encoded_len() {
        0 => next,
        len => start + u64::from(len),
    };
    if end > next {
        return index_error(format!(
            "block {position} at offset {start} is {} bytes long, past the {} bytes before the next one",
            end - start,
            next - start
        ));
    }
    // In bounds: `start < end <= next <= data_end <= bytes.len()`.
    Ok((start as usize..end as usize, next as usize))
}

/// Block `position`'s rows against the index key, the previous block's last key (compacted
/// SSTs are sorted across blocks too) and the per-block stats.
fn check_block(
    position: usize,
    rows: &BlockRows,
    wal: bool,
    index_key: &[u8],
    previous_last_key: Option<&[u8]>,
    block_stats: Option<&Tables<FbBlockStats>>,
) -> Result<(), SstError> {
    if wal {
        if index_key != rows.first_seq.to_be_bytes() {
            return Err(SstError::Inconsistent(format!(
                "the index gives block {position} the first sequence number {}, its first row has {}",
                show_seq(index_key),
                rows.first_seq
            )));
        }
    } else {
        if !rows.first_key.starts_with(index_key) {
            return Err(SstError::Inconsistent(format!(
                "the index key of block {position} is not a prefix of its first row's key"
            )));
        }
        if previous_last_key.is_some_and(|previous| rows.first_key.as_slice() < previous) {
            return Err(SstError::Inconsistent(format!(
                "the first key of block {position} sorts before the last key of block {}",
                position - 1
            )));
        }
    }
    if let Some(block_stats) = block_stats {
        let recorded = block_stats.get(position).counts();
        if recorded != rows.counts {
            return Err(SstError::Inconsistent(format!(
                "the stats count {} in block {position}, it holds {}",
                show_counts(recorded),
                show_counts(rows.counts)
            )));
        }
    }
    Ok(())
}

/// The info's first and last entries against the first and last rows.
fn check_entries(
    info: &FbSsTableInfo,
    wal: bool,
    first_row: Option<&(u64, Vec<u8>)>,
    last_key: Option<&[u8]>,
) -> Result<(), SstError> {
    let inconsistent = |detail: &str| Err(SstError::Inconsistent(detail.to_string()));
    match (info.first_entry(), first_row) {
        (None, _) => {}
        (Some(_), None) => {
            return inconsistent("the SST info records a first entry, but there are no rows")
        }
        (Some(entry), Some((seq, _))) if wal => {
            if entry != seq.to_be_bytes() {
                return Err(SstError::Inconsistent(format!(
                    "the SST info gives the first sequence number {}, the first row has {seq}",
                    show_seq(entry)
                )));
            }
        }
        (Some(entry), Some((_, key))) => {
            if entry != key.as_slice() {
                return inconsistent("the SST info's first key is not the first row's key");
            }
        }
    }
    match (info.last_entry(), last_key) {
        (None, _) => Ok(()),
        (Some(_), _) if wal => inconsistent("the SST info of a WAL SST records a last entry"),
        (Some(_), None) => inconsistent("the SST info records a last entry, but there are no rows"),
        (Some(entry), Some(key)) if entry != key => {
            inconsistent("the SST info's last key is not the last row's key")
        }
        (Some(_), Some(_)) => Ok(()),
    }
}

/// Where the sections are, checked to lie back to back between the blocks and the info.
struct Layout {
    /// The blocks end here (where the filter, or else the index, starts).
    data_end: usize,
    filter: Option<Range<usize>>,
    index: Range<usize>,
    stats: Option<Range<usize>>,
}

impl Layout {
    fn of(info: &FbSsTableInfo, info_start: usize) -> Result<Self, SstError> {
        let span = |name: &str, offset: u64, len: u64| {
            offset
                .checked_add(len)
                .map(|end| offset..end)
                .ok_or_else(|| {
                    SstError::Footer(format!("the {name} at offset {offset} is {len} bytes long"))
                })
        };
        let index = span("index", info.index_offset(), info.index_len())?;
        let stats = match info.stats_len() {
            0 => None,
            len => Some(span("stats", info.stats_offset(), len)?),
        };
        let filter = match info.filter_len() {
            0 => None,
            len => Some(span("filter", info.filter_offset(), len)?),
        };
        let info_start_u64 = info_start as u64;
        let after_index = stats.as_ref().map_or(info_start_u64, |stats| stats.start);
        if index.end != after_index {
            return Err(SstError::Footer(format!(
                "the index (bytes {}..{}) does not end where the {} begins ({after_index})",
                index.start,
                index.end,
                if stats.is_some() { "stats" } else { "SST info" }
            )));
        }
        if let Some(stats) = &stats {
            if stats.end != info_start_u64 {
                return Err(SstError::Footer(format!(
                    "the stats (bytes {}..{}) do not end where the SST info begins ({info_start})",
                    stats.start, stats.end
                )));
            }
        }
        if let Some(filter) = &filter {
            if filter.end != index.start {
                return Err(SstError::Footer(format!(
                    "the filter (bytes {}..{}) does not end where the index begins ({})",
                    filter.start, filter.end, index.start
                )));
            }
        }
        // Each range starts no later than it ends and ends where the next starts, the last at
        // `info_start`: all lie within the object.
        let to_usize = |range: Range<u64>| range.start as usize..range.end as usize;
        let data_end = filter.as_ref().map_or(index.start, |filter| filter.start) as usize;
        Ok(Self {
            data_end,
            filter: filter.map(to_usize),
            index: to_usize(index),
            stats: stats.map(to_usize),
        })
    }
}

/// What may still be decompressed: per section, and for the whole SST (`total`, of which
/// `left` remains).
struct Budget {
    section: usize,
    total: u64,
    left: u64,
}

impl Budget {
    /// `data` decompressed with `codec`, within the limits.
    fn decompress<'a>(
        &mut self,
        codec: Codec,
        data: &'a [u8],
        part: SstPart,
    ) -> Result<Cow<'a, [u8]>, SstError> {
        match codec {
            Codec::None => Ok(Cow::Borrowed(data)),
            Codec::Zlib => {
                let left = usize::try_from(self.left).unwrap_or(usize::MAX);
                let cap = self.section.min(left);
                let out = inflate(data, cap).map_err(|err| match err {
                    Inflate::TooLarge if cap == self.section => SstError::SectionTooLarge {
                        part,
                        limit: self.section as u64,
                    },
                    Inflate::TooLarge => SstError::DecompressedTooLarge { limit: self.total },
                    Inflate::Bad(detail) => malformed(part, detail),
                })?;
                self.left -= out.len() as u64;
                Ok(Cow::Owned(out))
            }
        }
    }
}

enum Inflate {
    TooLarge,
    Bad(String),
}

/// A whole zlib stream (header, deflate data, Adler-32), and nothing after it, inflated to at
/// most `cap` bytes. The output grows as data comes out, so memory follows what the stream
/// really holds.
fn inflate(data: &[u8], cap: usize) -> Result<Vec<u8>, Inflate> {
    let mut inflater = Decompress::new(true);
    let mut out: Vec<u8> = Vec::new();
    loop {
        if out.len() == out.capacity() {
            if out.len() > cap {
                return Err(Inflate::TooLarge);
            }
            let grow = out.len().max(4096).min(cap + 1 - out.len());
            out.reserve_exact(grow);
        }
        let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        let input = data.get(consumed..).unwrap_or_default();
        let before = (inflater.total_in(), out.len());
        let status = inflater
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|err| Inflate::Bad(format!("not a zlib stream: {err}")))?;
        if status == Status::StreamEnd {
            break;
        }
        if (inflater.total_in(), out.len()) == before {
            return Err(Inflate::Bad("its zlib stream is cut short".to_string()));
        }
    }
    if out.len() > cap {
        return Err(Inflate::TooLarge);
    }
    let trailing = data.len() as u64 - inflater.total_in().min(data.len() as u64);
    if trailing > 0 {
        return Err(Inflate::Bad(format!(
            "{trailing} bytes follow its zlib stream"
        )));
    }
    Ok(out)
}

/// The bytes of the section `range` (within `bytes`) without its CRC-32, which must match.
fn checked(bytes: &[u8], range: Range<usize>, part: SstPart) -> Result<&[u8], SstError> {
    let len = range.len();
    let section = bytes
        .get(range)
        .ok_or_else(|| SstError::Footer(format!("{part} lies past the end of the object")))?;
    let Some(split) = section.len().checked_sub(CHECKSUM_LEN) else {
        return Err(malformed(
            part,
            format!("{len} bytes, shorter than its 4-byte checksum"),
        ));
    };
    let (data, checksum) = section.split_at(split);
    if crc32fast::hash(data) != u32::from_be_bytes(array(checksum)) {
        return Err(SstError::Checksum(part));
    }
    Ok(data)
}

fn malformed(part: SstPart, detail: String) -> SstError {
    SstError::Malformed { part, detail }
}

/// A FlatBuffer that does not verify. The index and stats pass through SlateDB's block
/// transformer (the info does not): an encrypted SST fails here.
fn flatbuffer_error(part: SstPart, err: &flatbuffers::InvalidFlatbuffer) -> SstError {
    let text = err.to_string();
    let first_line = text.lines().next().unwrap_or_default();
    let hint = match part {
        SstPart::Index | SstPart::Stats => {
            "; a block transformer, such as encryption, would do this"
        }
        _ => "",
    };
    malformed(part, format!("not a valid FlatBuffer ({first_line}){hint}"))
}

/// `N` bytes of `slice`, which the caller sized.
fn array<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&slice[..N]);
    out
}

/// An 8-byte sequence number, or what the bytes are instead.
fn show_seq(bytes: &[u8]) -> String {
    match <[u8; 8]>::try_from(bytes) {
        Ok(seq) => u64::from_be_bytes(seq).to_string(),
        Err(_) => format!("of {} bytes", bytes.len()),
    }
}

/// `3 puts, 1 delete and 0 merges`.
fn show_counts([puts, deletes, merges]: [u64; 3]) -> String {
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {} and {}",
        plural(puts, "put"),
        plural(deletes, "delete"),
        plural(merges, "merge")
    )
}
