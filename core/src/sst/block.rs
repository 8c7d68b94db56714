//! Decoding one data block (after its checksum is verified and it is decompressed) into a
//! tally of its rows. Block format 1 with row codec V0 in SSTs of format version 1, block
//! format 2 with row codec V2 in format version 2 (see the [module docs](super) for the
//! layouts). Every byte of the block must belong to a row, an offset or the count, every
//! offset must point at a row start, and every key must be rebuilt from valid prefix lengths;
//! anything else is an error, never a guess.

use std::cmp::Ordering;

/// Row flag bits (slatedb `format/row.rs`, `RowFlags`).
const TOMBSTONE: u8 = 0b0001;
const HAS_EXPIRE_TS: u8 = 0b0010;
const HAS_CREATE_TS: u8 = 0b0100;
const MERGE_OPERAND: u8 = 0b1000;
const KNOWN_FLAGS: u8 = TOMBSTONE | HAS_EXPIRE_TS | HAS_CREATE_TS | MERGE_OPERAND;

/// The block and row format of an SST format version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlockFormat {
    /// SST format version 1: per-row offsets, keys prefix-compressed against the block's
    /// first key, row codec V0.
    V1,
    /// SST format version 2: restart points, keys prefix-compressed against the previous
    /// key, row codec V2.
    V2,
}

/// What a row holds, as the stats count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Put,
    Delete,
    Merge,
}

/// The rows of one block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct BlockRows {
    /// Rows by kind: puts, deletes (tombstones), merge operands.
    pub(super) counts: [u64; 3],
    /// The smallest and largest sequence number.
    pub(super) min_seq: u64,
    pub(super) max_seq: u64,
    /// The first row's sequence number and key.
    pub(super) first_seq: u64,
    pub(super) first_key: Vec<u8>,
    /// The last row's key.
    pub(super) last_key: Vec<u8>,
}

impl BlockRows {
    fn new(first_seq: u64) -> Self {
        Self {
            counts: [0; 3],
            min_seq: first_seq,
            max_seq: first_seq,
            first_seq,
            first_key: Vec::new(),
            last_key: Vec::new(),
        }
    }

    fn add(&mut self, seq: u64, kind: Kind) {
        let slot = match kind {
            Kind::Put => 0,
            Kind::Delete => 1,
            Kind::Merge => 2,
        };
        self.counts[slot] += 1;
        self.min_seq = self.min_seq.min(seq);
        self.max_seq = self.max_seq.max(seq);
    }
}

/// Decodes `block` (checksum removed, decompressed). With `sorted`, keys must not decrease
/// from row to row (compacted SSTs are sorted by key; WAL SSTs are in write order).
pub(super) fn decode_block(
    format: BlockFormat,
    block: &[u8],
    sorted: bool,
) -> Result<BlockRows, String> {
    let Some(count_at) = block.len().checked_sub(2) else {
        return Err(format!(
            "{} byte(s), shorter than the 2-byte count that ends a block",
            block.len()
        ));
    };
    let count = usize::from(u16::from_be_bytes([block[count_at], block[count_at + 1]]));
    let what = match format {
        BlockFormat::V1 => "row offsets",
        BlockFormat::V2 => "restart points",
    };
    if count == 0 {
        // SlateDB never writes an empty block (`EmptyBlock`) and every non-empty one has a
        // restart point at its first row.
        return Err(format!("the block has 0 {what}"));
    }
    let Some(data_len) = count_at.checked_sub(2 * count) else {
        return Err(format!(
            "{count} {what} need {} bytes, the block has {count_at} before its count",
            2 * count
        ));
    };
    let (data, offsets) = block[..count_at].split_at(data_len);
    let offsets: Vec<usize> = offsets
        .chunks_exact(2)
        .map(|pair| usize::from(u16::from_be_bytes([pair[0], pair[1]])))
        .collect();
    match format {
        BlockFormat::V1 => decode_v1(data, &offsets, sorted),
        BlockFormat::V2 => decode_v2(data, &offsets, sorted),
    }
}

/// Block format 1 (slatedb `format/block.rs`, `BlockBuilderV1`; read by `BlockIterator`):
/// one offset per row, rows back to back, each key stored as a prefix length into the
/// block's first key and a suffix.
fn decode_v1(data: &[u8], offsets: &[usize], sorted: bool) -> Result<BlockRows, String> {
    let mut rows: Option<BlockRows> = None;
    // The first key, and the previous row's key as (prefix length, suffix).
    let mut first_key: &[u8] = &[];
    let mut previous: (usize, &[u8]) = (0, &[]);
    for (index, &start) in offsets.iter().enumerate() {
        // Each row must end where the next one starts (checked below, once it is read), so
        // the first must start at 0 and the offsets must increase.
        let end = offsets.get(index + 1).copied().unwrap_or(data.len());
        if index == 0 && start != 0 {
            return Err(format!("the first row is at offset {start}, not 0"));
        }
        if end < start || end > data.len() {
            return Err(format!(
                "row {index} spans bytes {start}..{end}, outside the {} bytes of rows",
                data.len()
            ));
        }
        let mut cursor = Cursor::new(&data[start..end], index, start);
        let prefix = usize::from(cursor.u16()?);
        let suffix_len = usize::from(cursor.u16()?);
        let suffix = cursor.take(suffix_len, "key suffix")?;
        let seq = cursor.u64()?;
        let flags = cursor.u8()?;
        let kind = kind_of(flags, index)?;
        cursor.timestamps(flags)?;
        if kind != Kind::Delete {
            let value_len = cursor.u32()?;
            cursor.take(usize::try_from(value_len).unwrap_or(usize::MAX), "value")?;
        }
        if !cursor.rest().is_empty() {
            return Err(format!(
                "row {index} ends at offset {}, the next row starts at {end}",
                end - cursor.rest().len()
            ));
        }
        if index == 0 {
            if prefix != 0 {
                return Err(format!(
                    "the first row has a key prefix length of {prefix}, not 0"
                ));
            }
            first_key = suffix;
        } else if prefix > first_key.len() {
            return Err(format!(
                "row {index} shares {prefix} bytes with the block's {}-byte first key",
                first_key.len()
            ));
        }
        if prefix + suffix.len() == 0 {
            return Err(format!("row {index} has an empty key"));
        }
        if sorted && index > 0 && compare_v1(first_key, previous, (prefix, suffix)).is_gt() {
            return Err(format!("row {index} sorts before the row before it"));
        }
        previous = (prefix, suffix);
        rows.get_or_insert_with(|| BlockRows::new(seq))
            .add(seq, kind);
    }
    let mut rows = rows.ok_or_else(|| "the block has no rows".to_string())?;
    rows.first_key = first_key.to_vec();
    rows.last_key = [&first_key[..previous.0], previous.1].concat();
    Ok(rows)
}

/// Compares two keys of a format-1 block, each a prefix of `first` and a suffix, in time
/// proportional to their suffixes: their common prefix of `first` is skipped.
fn compare_v1(first: &[u8], a: (usize, &[u8]), b: (usize, &[u8])) -> Ordering {
    let common = a.0.min(b.0);
    let rest_a = first[common..a.0].iter().chain(a.1);
    let rest_b = first[common..b.0].iter().chain(b.1);
    rest_a.cmp(rest_b)
}

/// Block format 2 (slatedb `format/block_v2.rs`, `BlockBuilderV2`; read by
/// `BlockIteratorV2`): rows back to back, each key stored as the number of bytes it shares
/// with the previous key and a suffix; a restart point every `interval` rows (16 when SlateDB
/// writes it) stores a full key and records that row's offset.
fn decode_v2(data: &[u8], restarts: &[usize], sorted: bool) -> Result<BlockRows, String> {
    let mut rows: Option<BlockRows> = None;
    let mut key: Vec<u8> = Vec::new();
    let mut first_key: Vec<u8> = Vec::new();
    let mut next_restart = 0;
    let mut interval: Option<usize> = None;
    let mut position = 0;
    let mut index = 0;
    while position < data.len() {
        let at_restart = match restarts.get(next_restart) {
            Some(&offset) if offset == position => true,
            Some(&offset) if offset < position => {
                return Err(format!(
                    "restart point {next_restart} (offset {offset}) is not at the start of a row"
                ))
            }
            _ => false,
        };
        if at_restart {
            // Restart points fall every `interval` rows: 0, k, 2k, …
            match (next_restart, interval) {
                (0, _) => {}
                (1, _) => interval = Some(index),
                (n, Some(k)) if Some(index) == n.checked_mul(k) => {}
                (n, _) => {
                    return Err(format!(
                        "restart point {n} is at row {index}, not evenly spaced from the first two"
                    ))
                }
            }
            next_restart += 1;
        } else if index == 0 {
            return Err("the first row is not a restart point".to_string());
        } else if let Some(k) = interval {
            if index >= next_restart.saturating_mul(k) {
                return Err(format!(
                    "row {index} has no restart point, but they fall every {k} rows"
                ));
            }
        }
        let mut cursor = Cursor::new(&data[position..], index, position);
        let shared = cursor.varint("shared key length")?;
        let unshared = cursor.varint("key suffix length")?;
        let value_len = cursor.varint("value length")?;
        let suffix = cursor.take(unshared, "key suffix")?;
        cursor.take(value_len, "value")?;
        let seq = cursor.u64()?;
        let flags = cursor.u8()?;
        let kind = kind_of(flags, index)?;
        cursor.timestamps(flags)?;
        if kind == Kind::Delete && value_len != 0 {
            return Err(format!(
                "row {index} is a tombstone with a {value_len}-byte value"
            ));
        }
        if at_restart && shared != 0 {
            return Err(format!(
                "row {index} starts a restart point but shares {shared} bytes with the previous key"
            ));
        }
        if shared > key.len() {
            return Err(format!(
                "row {index} shares {shared} bytes with a {}-byte previous key",
                key.len()
            ));
        }
        if shared + suffix.len() == 0 {
            return Err(format!("row {index} has an empty key"));
        }
        // The new key is key[..shared] + suffix: it sorts after the previous key exactly when
        // its suffix sorts after the previous key's bytes past `shared`.
        if sorted && index > 0 && suffix < &key[shared..] {
            return Err(format!("row {index} sorts before the row before it"));
        }
        key.truncate(shared);
        key.extend_from_slice(suffix);
        if index == 0 {
            first_key.clone_from(&key);
        }
        rows.get_or_insert_with(|| BlockRows::new(seq))
            .add(seq, kind);
        position = data.len() - cursor.rest().len();
        index += 1;
    }
    if let Some(&offset) = restarts.get(next_restart) {
        return Err(format!(
            "restart point {next_restart} (offset {offset}) is not at the start of a row"
        ));
    }
    let mut rows = rows.ok_or_else(|| "the block has no rows".to_string())?;
    rows.first_key = first_key;
    rows.last_key = key;
    Ok(rows)
}

/// The kind of a row from its flags, which must be known bits and not both a tombstone and a
/// merge operand (slatedb `format/row.rs`, `decode_flags`).
fn kind_of(flags: u8, index: usize) -> Result<Kind, String> {
    if flags & !KNOWN_FLAGS != 0 {
        return Err(format!("row {index} has unknown flags {flags:#04x}"));
    }
    match (flags & TOMBSTONE != 0, flags & MERGE_OPERAND != 0) {
        (true, true) => Err(format!(
            "row {index} has flags {flags:#04x}: both a tombstone and a merge operand"
        )),
        (true, false) => Ok(Kind::Delete),
        (false, true) => Ok(Kind::Merge),
        (false, false) => Ok(Kind::Put),
    }
}

/// Reads the fields of one row, big-endian, failing with where the row ran out.
struct Cursor<'a> {
    bytes: &'a [u8],
    row: usize,
    offset: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8], row: usize, offset: usize) -> Self {
        Self { bytes, row, offset }
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], String> {
        if len > self.bytes.len() {
            return Err(format!(
                "row {} (at offset {}) ends inside its {what}: {len} bytes wanted, {} left",
                self.row,
                self.offset,
                self.bytes.len()
            ));
        }
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>("flags")?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_be_bytes(self.array("key lengths")?))
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_be_bytes(self.array("value length")?))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_be_bytes(self.array("sequence number")?))
    }

    /// The optional `expire_ts` and `create_ts` (8 bytes each) the flags announce.
    fn timestamps(&mut self, flags: u8) -> Result<(), String> {
        if flags & HAS_EXPIRE_TS != 0 {
            self.array::<8>("expire timestamp")?;
        }
        if flags & HAS_CREATE_TS != 0 {
            self.array::<8>("create timestamp")?;
        }
        Ok(())
    }

    /// A LEB128 varint of at most 32 bits (slatedb `utils.rs`, `encode_varint` /
    /// `decode_varint`): 7 bits a byte, least significant first, high bit set on all but the
    /// last byte. More than 5 bytes, or bits past the 32nd, are malformed.
    fn varint(&mut self, what: &str) -> Result<usize, String> {
        let mut value: u32 = 0;
        for byte_index in 0..5 {
            let byte = self.array::<1>(what)?[0];
            let bits = u32::from(byte & 0x7f);
            if byte_index == 4 && bits > 0x0f {
                return Err(format!(
                    "row {} (at offset {}): its {what} does not fit 32 bits",
                    self.row, self.offset
                ));
            }
            value |= bits << (7 * byte_index);
            if byte & 0x80 == 0 {
                return Ok(usize::try_from(value).unwrap_or(usize::MAX));
            }
        }
        Err(format!(
            "row {} (at offset {}): its {what} is a varint longer than 5 bytes",
            self.row, self.offset
        ))
    }
}
