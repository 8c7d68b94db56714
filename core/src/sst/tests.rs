//! Unit tests over SSTs built here from the format facts in the module docs (the real bytes
//! SlateDB wrote are read in `core/tests/sst_rows.rs`): block formats 1 and 2, both SST types,
//! zlib, padding, stats, and every way the checks should refuse an object.

use super::*;
use flatbuffers::{FlatBufferBuilder, WIPOffset};
use proptest::prelude::*;
use std::io::Write;

#[derive(Clone, Debug)]
enum Value {
    Put(Vec<u8>),
    Delete,
    Merge(Vec<u8>),
}

#[derive(Clone, Debug)]
struct Row {
    key: Vec<u8>,
    seq: u64,
    value: Value,
    expire_ts: Option<i64>,
    create_ts: Option<i64>,
}

fn row(key: &str, seq: u64, value: Value) -> Row {
    Row {
        key: key.as_bytes().to_vec(),
        seq,
        value,
        expire_ts: None,
        create_ts: Some(1_700_000_000_000),
    }
}

fn put(key: &str, seq: u64) -> Row {
    row(key, seq, Value::Put(format!("value of {key}").into_bytes()))
}

fn del(key: &str, seq: u64) -> Row {
    row(key, seq, Value::Delete)
}

fn merge(key: &str, seq: u64) -> Row {
    row(key, seq, Value::Merge(b"+1".to_vec()))
}

fn flags(row: &Row) -> u8 {
    let mut flags = match row.value {
        Value::Put(_) => 0,
        Value::Delete => 0x01,
        Value::Merge(_) => 0x08,
    };
    if row.expire_ts.is_some() {
        flags |= 0x02;
    }
    if row.create_ts.is_some() {
        flags |= 0x04;
    }
    flags
}

fn counts(rows: &[Row]) -> [u64; 3] {
    let mut counts = [0; 3];
    for row in rows {
        counts[match row.value {
            Value::Put(_) => 0,
            Value::Delete => 1,
            Value::Merge(_) => 2,
        }] += 1;
    }
    counts
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn timestamps(out: &mut Vec<u8>, row: &Row) {
    if let Some(ts) = row.expire_ts {
        out.extend_from_slice(&ts.to_be_bytes());
    }
    if let Some(ts) = row.create_ts {
        out.extend_from_slice(&ts.to_be_bytes());
    }
}

/// Block format 1, row codec V0.
fn block_v1(rows: &[Row]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    let first: &[u8] = &rows[0].key;
    for (index, row) in rows.iter().enumerate() {
        offsets.push(data.len() as u16);
        let prefix = if index == 0 {
            0
        } else {
            common_prefix(first, &row.key)
        };
        let suffix = &row.key[prefix..];
        data.extend_from_slice(&(prefix as u16).to_be_bytes());
        data.extend_from_slice(&(suffix.len() as u16).to_be_bytes());
        data.extend_from_slice(suffix);
        data.extend_from_slice(&row.seq.to_be_bytes());
        data.push(flags(row));
        timestamps(&mut data, row);
        match &row.value {
            Value::Put(v) | Value::Merge(v) => {
                data.extend_from_slice(&(v.len() as u32).to_be_bytes());
                data.extend_from_slice(v);
            }
            Value::Delete => {}
        }
    }
    for offset in &offsets {
        data.extend_from_slice(&offset.to_be_bytes());
    }
    data.extend_from_slice(&(offsets.len() as u16).to_be_bytes());
    data
}

fn varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Block format 2, row codec V2, a restart point every `interval` rows.
fn block_v2(rows: &[Row], interval: usize) -> Vec<u8> {
    let mut data = Vec::new();
    let mut restarts = Vec::new();
    let mut previous: &[u8] = &[];
    for (index, row) in rows.iter().enumerate() {
        let shared = if index % interval == 0 {
            restarts.push(data.len() as u16);
            0
        } else {
            common_prefix(previous, &row.key)
        };
        let suffix = &row.key[shared..];
        let value: &[u8] = match &row.value {
            Value::Put(v) | Value::Merge(v) => v,
            Value::Delete => &[],
        };
        varint(&mut data, shared as u32);
        varint(&mut data, suffix.len() as u32);
        varint(&mut data, value.len() as u32);
        data.extend_from_slice(suffix);
        data.extend_from_slice(value);
        data.extend_from_slice(&row.seq.to_be_bytes());
        data.push(flags(row));
        timestamps(&mut data, row);
        previous = &row.key;
    }
    for restart in &restarts {
        data.extend_from_slice(&restart.to_be_bytes());
    }
    data.extend_from_slice(&(restarts.len() as u16).to_be_bytes());
    data
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Index entries as written: (offset, index key, `encoded_len`) per block.
type IndexEntries = Vec<(u64, Vec<u8>, u32)>;

/// One data block as the SST will hold it (before compression).
#[derive(Clone, Debug)]
struct BlockSpec {
    body: Vec<u8>,
    index_key: Vec<u8>,
    counts: [u64; 3],
}

/// The numbers the SST info records, editable before it is written.
#[derive(Clone, Debug)]
struct Info {
    first_entry: Option<Vec<u8>>,
    last_entry: Option<Vec<u8>>,
    index_offset: u64,
    index_len: u64,
    filter_offset: u64,
    filter_len: u64,
    compression_format: i8,
    sst_type: i8,
    stats_offset: u64,
    stats_len: u64,
    filter_format: i8,
}

/// An SST to write, as SlateDB lays it out.
#[derive(Clone, Debug)]
struct Sst {
    version: u16,
    wal: bool,
    codec: i8,
    blocks: Vec<BlockSpec>,
    /// Counts the stats record (compacted SSTs), and whether they record them per block.
    stats: Option<[u64; 3]>,
    block_stats: bool,
    filter: Option<Vec<u8>>,
    first_entry: Option<Vec<u8>>,
    last_entry: Option<Vec<u8>>,
    /// Pads each block with zeros to a multiple of this, recording its `encoded_len`.
    pad_to: Option<usize>,
    /// XORs every block, filter, index and stats section with this byte after compression,
    /// as a block transformer would.
    xor: Option<u8>,
    /// Edits the index entries (offset, index key, `encoded_len`) before they are written.
    edit_index: Option<fn(&mut IndexEntries)>,
}

impl Sst {
    /// The SST SlateDB writes for `blocks` of rows: WAL SSTs index sequence numbers and have
    /// no stats or filter; compacted SSTs have both.
    fn new(version: u16, wal: bool, blocks: &[Vec<Row>]) -> Self {
        let interval = 16;
        let mut specs = Vec::new();
        let mut previous_last: Option<&[u8]> = None;
        for rows in blocks {
            let body = match version {
                1 => block_v1(rows),
                _ => block_v2(rows, interval),
            };
            let index_key = if wal {
                rows[0].seq.to_be_bytes().to_vec()
            } else {
                // As `compute_index_key`: empty first, then the shortest separator.
                match previous_last {
                    None => Vec::new(),
                    Some(last) => {
                        let shared = common_prefix(last, &rows[0].key);
                        rows[0].key[..(shared + 1).min(rows[0].key.len())].to_vec()
                    }
                }
            };
            previous_last = rows.last().map(|row| row.key.as_slice());
            specs.push(BlockSpec {
                body,
                index_key,
                counts: counts(rows),
            });
        }
        let all: Vec<&Row> = blocks.iter().flatten().collect();
        let total = blocks
            .iter()
            .map(|rows| counts(rows))
            .fold([0; 3], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
        Self {
            version,
            wal,
            codec: 0,
            blocks: specs,
            stats: (!wal).then_some(total),
            block_stats: !wal,
            filter: (!wal).then(|| b"\x00\x01bloom-ish filter bytes".to_vec()),
            first_entry: all.first().map(|row| {
                if wal {
                    row.seq.to_be_bytes().to_vec()
                } else {
                    row.key.clone()
                }
            }),
            last_entry: if wal {
                None
            } else {
                all.last().map(|row| row.key.clone())
            },
            pad_to: None,
            xor: None,
            edit_index: None,
        }
    }

    fn codec(mut self, codec: i8) -> Self {
        self.codec = codec;
        self
    }

    fn compress(&self, data: &[u8]) -> Vec<u8> {
        let mut out = if self.codec == 2 {
            zlib(data)
        } else {
            data.to_vec()
        };
        if let Some(key) = self.xor {
            out.iter_mut().for_each(|byte| *byte ^= key);
        }
        out
    }

    /// Appends `data` compressed, transformed and checksummed; returns its (offset, length).
    fn section(&self, out: &mut Vec<u8>, data: &[u8]) -> (u64, u64) {
        let offset = out.len() as u64;
        let encoded = self.compress(data);
        out.extend_from_slice(&encoded);
        out.extend_from_slice(&crc32fast::hash(&encoded).to_be_bytes());
        (offset, out.len() as u64 - offset)
    }

    fn encode(&self) -> Vec<u8> {
        self.encode_with(|_| {})
    }

    fn encode_with(&self, edit: impl FnOnce(&mut Info)) -> Vec<u8> {
        let mut out = Vec::new();
        let mut metas = Vec::new();
        for block in &self.blocks {
            let (offset, len) = self.section(&mut out, &block.body);
            let mut encoded_len = 0;
            if let Some(unit) = self.pad_to {
                let padded = out.len().next_multiple_of(unit);
                if padded != out.len() {
                    encoded_len = len as u32;
                }
                out.resize(padded, 0);
            }
            metas.push((offset, block.index_key.clone(), encoded_len));
        }
        if let Some(edit) = self.edit_index {
            edit(&mut metas);
        }
        let data_end = out.len() as u64;
        let (filter_offset, filter_len) = match &self.filter {
            Some(filter) => self.section(&mut out, filter),
            None => (data_end, 0),
        };
        let index = index_flatbuffer(&metas);
        let (index_offset, index_len) = self.section(&mut out, &index);
        let (stats_offset, stats_len) = match self.stats {
            Some(total) => {
                let per_block: Vec<[u64; 3]> = self.blocks.iter().map(|b| b.counts).collect();
                let stats = stats_flatbuffer(total, self.block_stats.then_some(&per_block[..]));
                self.section(&mut out, &stats)
            }
            None => (0, 0),
        };
        let mut info = Info {
            first_entry: self.first_entry.clone(),
            last_entry: self.last_entry.clone(),
            index_offset,
            index_len,
            filter_offset,
            filter_len,
            compression_format: self.codec,
            sst_type: i8::from(self.wal),
            stats_offset,
            stats_len,
            filter_format: 1,
        };
        let info_offset = out.len() as u64;
        edit(&mut info);
        let info = info_flatbuffer(&info);
        let start = out.len();
        out.extend_from_slice(&info);
        out.extend_from_slice(&crc32fast::hash(&out[start..]).to_be_bytes());
        out.extend_from_slice(&info_offset.to_be_bytes());
        out.extend_from_slice(&self.version.to_be_bytes());
        out
    }
}

fn index_flatbuffer(metas: &[(u64, Vec<u8>, u32)]) -> Vec<u8> {
    let mut builder = FlatBufferBuilder::new();
    let tables: Vec<WIPOffset<_>> = metas
        .iter()
        .map(|(offset, key, encoded_len)| {
            let key = builder.create_vector(key);
            let table = builder.start_table();
            builder.push_slot::<u64>(4, *offset, 0);
            builder.push_slot_always(6, key);
            builder.push_slot::<u32>(8, *encoded_len, 0);
            builder.end_table(table)
        })
        .collect();
    let vector = builder.create_vector(&tables);
    let table = builder.start_table();
    builder.push_slot_always(4, vector);
    let root = builder.end_table(table);
    builder.finish(root, None);
    builder.finished_data().to_vec()
}

fn stats_flatbuffer(total: [u64; 3], per_block: Option<&[[u64; 3]]>) -> Vec<u8> {
    let mut builder = FlatBufferBuilder::new();
    let vector = per_block.map(|blocks| {
        let tables: Vec<WIPOffset<_>> = blocks
            .iter()
            .map(|counts| {
                let table = builder.start_table();
                for (slot, count) in [4, 6, 8].into_iter().zip(counts) {
                    builder.push_slot::<u16>(slot, *count as u16, 0);
                }
                builder.end_table(table)
            })
            .collect();
        builder.create_vector(&tables)
    });
    let table = builder.start_table();
    for (slot, count) in [4, 6, 8].into_iter().zip(total) {
        builder.push_slot::<u64>(slot, count, 0);
    }
    builder.push_slot::<u64>(10, 123, 0);
    builder.push_slot::<u64>(12, 456, 0);
    if let Some(vector) = vector {
        builder.push_slot_always(14, vector);
    }
    let root = builder.end_table(table);
    builder.finish(root, None);
    builder.finished_data().to_vec()
}

fn info_flatbuffer(info: &Info) -> Vec<u8> {
    let mut builder = FlatBufferBuilder::new();
    let first = info.first_entry.as_ref().map(|e| builder.create_vector(e));
    let last = info.last_entry.as_ref().map(|e| builder.create_vector(e));
    let table = builder.start_table();
    if let Some(first) = first {
        builder.push_slot_always(4, first);
    }
    builder.push_slot::<u64>(6, info.index_offset, 0);
    builder.push_slot::<u64>(8, info.index_len, 0);
    builder.push_slot::<u64>(10, info.filter_offset, 0);
    builder.push_slot::<u64>(12, info.filter_len, 0);
    builder.push_slot::<i8>(14, info.compression_format, 0);
    builder.push_slot::<i8>(16, info.sst_type, 0);
    if let Some(last) = last {
        builder.push_slot_always(18, last);
    }
    builder.push_slot::<u64>(20, info.stats_offset, 0);
    builder.push_slot::<u64>(22, info.stats_len, 0);
    builder.push_slot::<i8>(24, info.filter_format, 0);
    let root = builder.end_table(table);
    builder.finish(root, None);
    builder.finished_data().to_vec()
}

fn rows(rows: u64, min: u64, max: u64) -> Result<SstRows, SstError> {
    Ok(SstRows {
        rows,
        min_seq: Some(min),
        max_seq: Some(max),
    })
}

/// Three WAL blocks in write order: keys unsorted, a batch sharing seq 12, every row kind.
fn wal_blocks() -> Vec<Vec<Row>> {
    vec![
        vec![put("zebra", 10), put("apple", 11), del("mango", 12)],
        vec![merge("counter", 12), put("apple", 12), put("apricot", 13)],
        vec![del("zebra", 14)],
    ]
}

/// Sorted keys with shared prefixes, several versions of one key.
fn compacted_blocks() -> Vec<Vec<Row>> {
    let first: Vec<Row> = (0..40)
        .map(|i| match i % 3 {
            0 => put(&format!("user:{i:04}"), 100 + i),
            1 => del(&format!("user:{i:04}"), 100 + i),
            _ => merge(&format!("user:{i:04}"), 100 + i),
        })
        .collect();
    let mut second = vec![put("user:9000", 7), put("user:9000", 5), put("video", 300)];
    second[0].expire_ts = Some(1_800_000_000_000);
    second[1].create_ts = None;
    vec![first, second]
}

#[test]
fn wal_ssts_of_both_versions_give_their_rows() {
    for version in [1, 2] {
        let sst = Sst::new(version, true, &wal_blocks());
        assert_eq!(
            read_sst_rows(&sst.encode()),
            rows(7, 10, 14),
            "version {version}"
        );
    }
}

#[test]
fn compacted_ssts_of_both_versions_give_their_rows() {
    for version in [1, 2] {
        let sst = Sst::new(version, false, &compacted_blocks());
        assert_eq!(
            read_sst_rows(&sst.encode()),
            rows(43, 5, 300),
            "version {version}"
        );
    }
}

#[test]
fn restart_points_may_fall_at_any_even_interval() {
    let rows_: Vec<Row> = (0..37).map(|i| put(&format!("k{i:03}"), i)).collect();
    for interval in [1, 2, 5, 16, 36, 37, 100] {
        let mut sst = Sst::new(2, false, std::slice::from_ref(&rows_));
        sst.blocks[0].body = block_v2(&rows_, interval);
        assert_eq!(
            read_sst_rows(&sst.encode()),
            rows(37, 0, 36),
            "interval {interval}"
        );
    }
}

#[test]
fn zlib_compressed_ssts_are_read() {
    for version in [1, 2] {
        for wal in [true, false] {
            let blocks = if wal {
                wal_blocks()
            } else {
                compacted_blocks()
            };
            let plain = Sst::new(version, wal, &blocks);
            let compressed = plain.clone().codec(2);
            assert_ne!(plain.encode(), compressed.encode());
            assert_eq!(
                read_sst_rows(&compressed.encode()),
                read_sst_rows(&plain.encode()),
                "version {version}, wal {wal}"
            );
            assert!(read_sst_rows(&compressed.encode()).is_ok());
        }
    }
}

#[test]
fn padded_blocks_are_read_and_their_padding_must_be_zero() {
    let mut sst = Sst::new(2, false, &compacted_blocks());
    sst.pad_to = Some(4096);
    let bytes = sst.encode();
    assert_eq!(read_sst_rows(&bytes), rows(43, 5, 300));
    // Block 0 is padded to 4096 bytes: a non-zero byte in its padding is an error.
    let mut dirty = bytes.clone();
    dirty[4000] = 1;
    assert_eq!(
        read_sst_rows(&dirty).unwrap_err().to_string(),
        format!(
            "block 0 is malformed: its {} bytes of padding are not all zero",
            4096 - sst.blocks[0].body.len() - 4
        )
    );
}

#[test]
fn an_empty_object_is_a_fence_and_short_ones_are_truncated() {
    assert_eq!(
        read_sst_rows(&[]),
        Ok(SstRows {
            rows: 0,
            min_seq: None,
            max_seq: None
        })
    );
    for len in 1..=10 {
        assert_eq!(
            read_sst_rows(&vec![0; len]),
            Err(SstError::Truncated { len })
        );
    }
    assert_eq!(
        read_sst_rows(&[0; 6]).unwrap_err().to_string(),
        "truncated: 6 bytes, an SST ends in a 10-byte footer"
    );
}

#[test]
fn unknown_versions_and_codecs_are_named() {
    let mut bytes = Sst::new(2, true, &wal_blocks()).encode();
    let at = bytes.len() - 2;
    bytes[at..].copy_from_slice(&7u16.to_be_bytes());
    assert_eq!(
        read_sst_rows(&bytes).unwrap_err().to_string(),
        "unsupported SST format version 7 (supported: 1, 2)"
    );
    for (codec, name) in [(1, "snappy"), (3, "lz4"), (4, "zstd")] {
        let sst = Sst::new(2, true, &wal_blocks()).codec(codec);
        let err = read_sst_rows(&sst.encode()).unwrap_err();
        assert_eq!(err, SstError::Compressed(name));
        assert_eq!(
            err.to_string(),
            format!("compressed with {name}, which slatecheck does not decode")
        );
    }
    let sst = Sst::new(2, true, &wal_blocks()).codec(9);
    assert_eq!(
        read_sst_rows(&sst.encode()).unwrap_err().to_string(),
        "the SST info is malformed: unknown compression format 9"
    );
}

#[test]
fn a_corrupt_footer_is_named() {
    let mut bytes = Sst::new(2, true, &wal_blocks()).encode();
    let len = bytes.len();
    bytes[len - 10..len - 2].copy_from_slice(&1_000_000u64.to_be_bytes());
    assert_eq!(
        read_sst_rows(&bytes).unwrap_err().to_string(),
        format!(
            "corrupt footer: the SST info offset 1000000 is past the {} bytes before the footer",
            len - 10
        )
    );
    // An offset that leaves no room for the info and its checksum.
    bytes[len - 10..len - 2].copy_from_slice(&((len - 12) as u64).to_be_bytes());
    assert_eq!(
        read_sst_rows(&bytes).unwrap_err().to_string(),
        format!(
            "corrupt footer: the SST info offset {} leaves 2 bytes for the SST info and its 4-byte checksum",
            len - 12
        )
    );
    // An offset inside the info: its checksum no longer matches.
    let info_offset = u64::from_be_bytes(bytes[len - 10..len - 2].try_into().unwrap());
    let good = Sst::new(2, true, &wal_blocks()).encode();
    let real = u64::from_be_bytes(good[len - 10..len - 2].try_into().unwrap());
    assert_ne!(info_offset, real);
    bytes[len - 10..len - 2].copy_from_slice(&(real + 4).to_be_bytes());
    assert_eq!(
        read_sst_rows(&bytes),
        Err(SstError::Checksum(SstPart::Info))
    );
}

#[test]
fn sections_must_lie_back_to_back() {
    let sst = Sst::new(2, false, &compacted_blocks());
    let err = |edit: fn(&mut Info)| read_sst_rows(&sst.encode_with(edit)).unwrap_err();
    assert!(matches!(
        err(|info| info.index_len += 1),
        SstError::Footer(detail) if detail.contains("does not end where the stats begins")
    ));
    assert!(matches!(
        err(|info| info.stats_len -= 1),
        SstError::Footer(detail) if detail.contains("do not end where the SST info begins")
    ));
    assert!(matches!(
        err(|info| info.filter_offset += 1),
        SstError::Footer(detail) if detail.contains("does not end where the index begins")
    ));
    assert!(matches!(
        err(|info| info.index_offset = u64::MAX),
        SstError::Footer(_)
    ));
    // Without the stats the index must end at the info.
    assert!(matches!(
        err(|info| info.stats_len = 0),
        SstError::Footer(detail) if detail.contains("does not end where the SST info begins")
    ));
    assert!(matches!(
        err(|info| info.sst_type = 2),
        SstError::Malformed { part: SstPart::Info, detail } if detail == "unknown SST type 2"
    ));
    assert!(matches!(
        err(|info| info.filter_format = 5),
        SstError::Malformed { part: SstPart::Info, detail } if detail == "unknown filter format 5"
    ));
}

#[test]
fn a_flipped_byte_anywhere_is_an_error() {
    for sst in [
        Sst::new(2, true, &wal_blocks()),
        Sst::new(1, false, &compacted_blocks()),
        Sst::new(2, false, &compacted_blocks()).codec(2),
    ] {
        let bytes = sst.encode();
        let block0_end = sst.blocks[0].body.len() + 4;
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[at] ^= flip;
                let result = read_sst_rows(&bad);
                assert!(result.is_err(), "byte {at} ^ {flip:#x}: {result:?}");
                if at < block0_end && sst.codec == 0 {
                    assert_eq!(result, Err(SstError::Checksum(SstPart::Block(0))));
                }
            }
        }
    }
}

#[test]
fn counts_and_entries_must_agree_with_the_rows() {
    let mut sst = Sst::new(2, false, &compacted_blocks());
    sst.stats = Some([14, 13, 15]);
    assert_eq!(
        read_sst_rows(&sst.encode()).unwrap_err().to_string(),
        "inconsistent: the stats count 14 puts, 13 deletes and 15 merges, the blocks hold 17 puts, 13 deletes and 13 merges"
    );
    let mut sst = Sst::new(2, false, &compacted_blocks());
    sst.blocks[1].counts = [2, 1, 0];
    assert_eq!(
        read_sst_rows(&sst.encode()).unwrap_err().to_string(),
        "inconsistent: the stats count 2 puts, 1 delete and 0 merges in block 1, it holds 3 puts, 0 deletes and 0 merges"
    );
    // Stats written before SlateDB counted per block are fine.
    let mut sst = Sst::new(1, false, &compacted_blocks());
    sst.block_stats = false;
    assert_eq!(read_sst_rows(&sst.encode()), rows(43, 5, 300));

    let mut sst = Sst::new(2, true, &wal_blocks());
    sst.first_entry = Some(11u64.to_be_bytes().to_vec());
    assert_eq!(
        read_sst_rows(&sst.encode()).unwrap_err().to_string(),
        "inconsistent: the SST info gives the first sequence number 11, the first row has 10"
    );
    sst.first_entry = None;
    assert_eq!(read_sst_rows(&sst.encode()), rows(7, 10, 14));
    sst.last_entry = Some(14u64.to_be_bytes().to_vec());
    assert!(matches!(
        read_sst_rows(&sst.encode()),
        Err(SstError::Inconsistent(detail)) if detail.contains("last entry")
    ));

    let mut sst = Sst::new(2, true, &wal_blocks());
    sst.blocks[1].index_key = 13u64.to_be_bytes().to_vec();
    assert_eq!(
        read_sst_rows(&sst.encode()).unwrap_err().to_string(),
        "inconsistent: the index gives block 1 the first sequence number 13, its first row has 12"
    );

    let mut sst = Sst::new(2, false, &compacted_blocks());
    sst.first_entry = Some(b"user:0001".to_vec());
    assert!(matches!(
        read_sst_rows(&sst.encode()),
        Err(SstError::Inconsistent(_))
    ));
    let mut sst = Sst::new(2, false, &compacted_blocks());
    sst.last_entry = Some(b"user:9000".to_vec());
    assert!(matches!(
        read_sst_rows(&sst.encode()),
        Err(SstError::Inconsistent(_))
    ));
    let mut sst = Sst::new(2, false, &compacted_blocks());
    sst.blocks[1].index_key = b"w".to_vec();
    assert!(matches!(
        read_sst_rows(&sst.encode()),
        Err(SstError::Inconsistent(_))
    ));
}

#[test]
fn compacted_keys_must_be_sorted_and_wal_keys_need_not_be() {
    for version in [1, 2] {
        let unsorted = vec![vec![put("b", 1), put("a", 2)]];
        let mut sst = Sst::new(version, false, &unsorted);
        sst.first_entry = None;
        sst.last_entry = None;
        assert_eq!(
            read_sst_rows(&sst.encode()).unwrap_err().to_string(),
            "block 0 is malformed: row 1 sorts before the row before it",
            "version {version}"
        );
        assert_eq!(
            read_sst_rows(&Sst::new(version, true, &unsorted).encode()),
            rows(2, 1, 2)
        );
        // Across blocks too.
        let mut sst = Sst::new(version, false, &[vec![put("b", 1)], vec![put("a", 2)]]);
        sst.blocks[1].index_key = Vec::new();
        sst.first_entry = None;
        sst.last_entry = None;
        assert_eq!(
            read_sst_rows(&sst.encode()).unwrap_err().to_string(),
            "inconsistent: the first key of block 1 sorts before the last key of block 0"
        );
    }
    // A key sorting after the previous one only past the shared part (format 1 compares
    // against the block's first key).
    let keys = vec![vec![
        put("abc", 1),
        put("abd", 2),
        put("abda", 3),
        put("b", 4),
    ]];
    for version in [1, 2] {
        assert_eq!(
            read_sst_rows(&Sst::new(version, false, &keys).encode()),
            rows(4, 1, 4)
        );
    }
}

/// `body` as block 0 of a version-`version` WAL SST whose index and info match whatever it
/// holds (the first sequence number is taken as 1).
fn with_block(version: u16, body: Vec<u8>) -> Vec<u8> {
    let mut sst = Sst::new(version, true, &[vec![put("k", 1)]]);
    sst.blocks[0].body = body;
    sst.encode()
}

fn block_error(version: u16, body: Vec<u8>) -> String {
    match read_sst_rows(&with_block(version, body)) {
        Err(SstError::Malformed {
            part: SstPart::Block(0),
            detail,
        }) => detail,
        other => panic!("expected a malformed block, got {other:?}"),
    }
}

#[test]
fn malformed_rows_with_good_checksums_are_errors() {
    let one = vec![put("k", 1)];
    let good1 = block_v1(&one);
    let good2 = block_v2(&one, 16);
    assert_eq!(read_sst_rows(&with_block(1, good1.clone())), rows(1, 1, 1));
    assert_eq!(read_sst_rows(&with_block(2, good2.clone())), rows(1, 1, 1));

    // Flags: unknown bits, and tombstone with merge. The flags byte follows the key and seq.
    let flags_at_v1 = 2 + 2 + 1 + 8;
    let flags_at_v2 = 3 + 1 + one_value_len() + 8;
    for (version, good, at) in [(1, &good1, flags_at_v1), (2, &good2, flags_at_v2)] {
        let mut bad = good.clone();
        bad[at] = 0x14;
        assert_eq!(block_error(version, bad), "row 0 has unknown flags 0x14");
        let mut bad = good.clone();
        bad[at] = 0x0d;
        assert_eq!(
            block_error(version, bad),
            "row 0 has flags 0x0d: both a tombstone and a merge operand"
        );
    }

    // Counts and offsets.
    assert_eq!(
        block_error(1, vec![0]),
        "1 byte(s), shorter than the 2-byte count that ends a block"
    );
    assert_eq!(block_error(1, vec![0, 0]), "the block has 0 row offsets");
    assert_eq!(block_error(2, vec![0, 0]), "the block has 0 restart points");
    assert_eq!(
        block_error(2, vec![0, 0, 0, 5]),
        "5 restart points need 10 bytes, the block has 2 before its count"
    );
    let mut bad = good1.clone();
    let n = bad.len();
    bad[n - 4..n - 2].copy_from_slice(&3u16.to_be_bytes());
    assert_eq!(block_error(1, bad), "the first row is at offset 3, not 0");

    // A row that ends early, and bytes after the last row (a row cut short).
    let mut bad = good1.clone();
    bad[2..4].copy_from_slice(&40u16.to_be_bytes());
    assert!(block_error(1, bad).contains("ends inside its key suffix"));
    let mut bad = good2[..good2.len() - 4].to_vec();
    bad.push(0x80);
    bad.extend_from_slice(&[0, 0, 0, 1]);
    assert!(block_error(2, bad).contains("ends inside its shared key length"));

    // Format 1 prefix lengths.
    let two = vec![put("key", 1), put("kez", 2)];
    let good = block_v1(&two);
    let mut bad = good.clone();
    bad[0..2].copy_from_slice(&1u16.to_be_bytes());
    assert_eq!(
        block_error(1, bad),
        "the first row has a key prefix length of 1, not 0"
    );
    let second = u16::from_be_bytes([good[good.len() - 4], good[good.len() - 3]]) as usize;
    let mut bad = good.clone();
    bad[second..second + 2].copy_from_slice(&4u16.to_be_bytes());
    assert_eq!(
        block_error(1, bad),
        "row 1 shares 4 bytes with the block's 3-byte first key"
    );

    // Format 2 restart points and shared lengths.
    let rows_: Vec<Row> = (0..6).map(|i| put(&format!("key{i}"), i + 1)).collect();
    let good = block_v2(&rows_, 2);
    let restart_at = |block: &[u8], index: usize| {
        let count = u16::from_be_bytes([block[block.len() - 2], block[block.len() - 1]]) as usize;
        block.len() - 2 - 2 * count + 2 * index
    };
    let mut bad = good.clone();
    let at = restart_at(&bad, 1);
    bad[at..at + 2].copy_from_slice(&5u16.to_be_bytes());
    assert_eq!(
        block_error(2, bad),
        "restart point 1 (offset 5) is not at the start of a row"
    );
    // Restart points not every k rows: rows 0, 2, 3 (k = 2), and rows 0, 1, 3 (k = 1, row 2
    // left without one). Every row of an interval-1 block stores its full key, so any of them
    // may be a restart point or not.
    let full_keys = block_v2(&rows_, 1);
    assert_eq!(
        block_error(2, with_restarts(&full_keys, &[0, 2, 3])),
        "restart point 2 is at row 3, not evenly spaced from the first two"
    );
    assert_eq!(
        block_error(2, with_restarts(&full_keys, &[0, 1, 3])),
        "row 2 has no restart point, but they fall every 1 rows"
    );
    assert_eq!(
        read_sst_rows(&with_block(2, with_restarts(&full_keys, &[0, 3]))),
        rows(6, 1, 6)
    );
    // A restart row that shares bytes with the previous key, and a row sharing more than it.
    let mut sst_rows = rows_.clone();
    sst_rows.truncate(3);
    let good = block_v2(&sst_rows, 2);
    let mut bad = good.clone();
    let at =
        u16::from_be_bytes([bad[restart_at(&good, 1)], bad[restart_at(&good, 1) + 1]]) as usize;
    bad[at] = 1;
    assert_eq!(
        block_error(2, bad),
        "row 2 starts a restart point but shares 1 bytes with the previous key"
    );
    let mut bad = good.clone();
    let second_row = row_len_v2(&sst_rows[0]);
    bad[second_row] = 9;
    assert_eq!(
        block_error(2, bad),
        "row 1 shares 9 bytes with a 4-byte previous key"
    );

    // A tombstone with a value, an empty key, an over-long varint.
    let mut tomb = put("k", 1);
    tomb.create_ts = None;
    let mut bad = block_v2(&[tomb], 16);
    let flags_at = 3 + 1 + b"value of k".len() + 8;
    bad[flags_at] = 0x01;
    assert_eq!(
        block_error(2, bad),
        "row 0 is a tombstone with a 10-byte value"
    );
    let mut empty = put("", 1);
    empty.create_ts = None;
    assert_eq!(
        block_error(2, block_v2(&[empty.clone()], 16)),
        "row 0 has an empty key"
    );
    assert_eq!(block_error(1, block_v1(&[empty])), "row 0 has an empty key");
    let mut bad = vec![0xff, 0xff, 0xff, 0xff, 0x7f];
    bad.extend_from_slice(&[0, 0, 0, 1]);
    assert!(block_error(2, bad).contains("does not fit 32 bits"));
    let mut bad = vec![0x80; 6];
    bad.extend_from_slice(&[0, 0, 0, 1]);
    assert!(block_error(2, bad).contains("longer than 5 bytes"));
}

/// `block` (written with a restart point at every row) with restart points at the rows
/// `keep` only.
fn with_restarts(block: &[u8], keep: &[usize]) -> Vec<u8> {
    let count = u16::from_be_bytes([block[block.len() - 2], block[block.len() - 1]]) as usize;
    let trailer = block.len() - 2 - 2 * count;
    let mut out = block[..trailer].to_vec();
    for &row in keep {
        out.extend_from_slice(&block[trailer + 2 * row..trailer + 2 * row + 2]);
    }
    out.extend_from_slice(&(keep.len() as u16).to_be_bytes());
    out
}

/// The length of the value of `put(key, _)`, for finding bytes in a block.
fn one_value_len() -> usize {
    b"value of k".len()
}

/// The encoded length of `row` alone at a restart point (format 2).
fn row_len_v2(row: &Row) -> usize {
    let block = block_v2(std::slice::from_ref(row), 16);
    block.len() - 4
}

#[test]
fn transformed_blocks_are_errors() {
    for version in [1, 2] {
        for wal in [true, false] {
            for codec in [0, 2] {
                let blocks = if wal {
                    wal_blocks()
                } else {
                    compacted_blocks()
                };
                let mut sst = Sst::new(version, wal, &blocks).codec(codec);
                sst.xor = Some(0x5a);
                let err = read_sst_rows(&sst.encode()).unwrap_err();
                assert!(
                    matches!(
                        err,
                        SstError::Malformed {
                            part: SstPart::Index,
                            ..
                        }
                    ),
                    "version {version}, wal {wal}, codec {codec}: {err}"
                );
            }
        }
    }
}

#[test]
fn zlib_streams_must_be_whole_and_within_the_limits() {
    let blocks = vec![vec![row("k", 1, Value::Put(vec![0; 100_000]))]];
    let sst = Sst::new(2, true, &blocks).codec(2);
    let bytes = sst.encode();
    assert_eq!(read_sst_rows(&bytes), rows(1, 1, 1));
    let tight = Caps {
        section: 50_000,
        total: 1 << 30,
    };
    assert_eq!(
        read_with_caps(&bytes, tight).unwrap_err().to_string(),
        "block 0 decompresses to more than 48.8 KiB, the most slatecheck inflates for one section"
    );
    let tight = Caps {
        section: 1 << 20,
        total: 50_000,
    };
    assert_eq!(
        read_with_caps(&bytes, tight),
        Err(SstError::DecompressedTooLarge { limit: 50_000 })
    );

    // A stream cut short, and bytes after a whole one (with checksums that match).
    let mut sst = Sst::new(2, true, &[vec![put("k", 1)]]);
    let whole = zlib(&sst.blocks[0].body);
    sst.blocks[0].body = whole.clone();
    assert_eq!(read_sst_rows(&zlib_sst_of_raw_blocks(&sst)), rows(1, 1, 1));
    sst.blocks[0].body = whole[..whole.len() - 3].to_vec();
    assert_eq!(
        read_sst_rows(&zlib_sst_of_raw_blocks(&sst))
            .unwrap_err()
            .to_string(),
        "block 0 is malformed: its zlib stream is cut short"
    );
    let mut long = whole.clone();
    long.extend_from_slice(b"tail");
    sst.blocks[0].body = long;
    let bytes = zlib_sst_of_raw_blocks(&sst);
    assert_eq!(
        read_sst_rows(&bytes).unwrap_err().to_string(),
        "block 0 is malformed: 4 bytes follow its zlib stream"
    );
}

/// A zlib WAL SST whose block bodies are written as given (the test compressed, or broke,
/// them) and whose index is compressed.
fn zlib_sst_of_raw_blocks(sst: &Sst) -> Vec<u8> {
    let mut out = Vec::new();
    let mut metas = Vec::new();
    for block in &sst.blocks {
        let offset = out.len() as u64;
        out.extend_from_slice(&block.body);
        out.extend_from_slice(&crc32fast::hash(&block.body).to_be_bytes());
        metas.push((offset, block.index_key.clone(), 0));
    }
    let index = zlib(&index_flatbuffer(&metas));
    let index_offset = out.len() as u64;
    out.extend_from_slice(&index);
    out.extend_from_slice(&crc32fast::hash(&index).to_be_bytes());
    let info = Info {
        first_entry: sst.first_entry.clone(),
        last_entry: None,
        index_offset,
        index_len: out.len() as u64 - index_offset,
        filter_offset: index_offset,
        filter_len: 0,
        compression_format: 2,
        sst_type: 1,
        stats_offset: 0,
        stats_len: 0,
        filter_format: 1,
    };
    let info_offset = out.len() as u64;
    let info = info_flatbuffer(&info);
    out.extend_from_slice(&info);
    out.extend_from_slice(&crc32fast::hash(&info).to_be_bytes());
    out.extend_from_slice(&info_offset.to_be_bytes());
    out.extend_from_slice(&sst.version.to_be_bytes());
    out
}

#[test]
fn an_sst_without_blocks_has_no_rows() {
    let sst = Sst::new(2, true, &[]);
    assert_eq!(
        read_sst_rows(&sst.encode()),
        Ok(SstRows {
            rows: 0,
            min_seq: None,
            max_seq: None
        })
    );
    let mut with_entry = sst.clone();
    with_entry.first_entry = Some(1u64.to_be_bytes().to_vec());
    assert!(matches!(
        read_sst_rows(&with_entry.encode()),
        Err(SstError::Inconsistent(_))
    ));
}

#[test]
fn block_offsets_must_tile_the_blocks() {
    let sst = Sst::new(2, true, &wal_blocks());
    let bytes = sst.encode();
    assert_eq!(read_sst_rows(&bytes), rows(7, 10, 14));
    let data_end: usize = sst.blocks.iter().map(|b| b.body.len() + 4).sum();
    let block0 = sst.blocks[0].body.len() + 4;
    let error = |edit: fn(&mut IndexEntries)| {
        let mut sst = sst.clone();
        sst.edit_index = Some(edit);
        read_sst_rows(&sst.encode()).unwrap_err().to_string()
    };
    assert_eq!(
        error(|metas| metas[0].0 = 1),
        "the index is malformed: block 0 starts at offset 1, not 0"
    );
    assert_eq!(
        error(|metas| metas[1].0 = 0),
        "the index is malformed: block 0 starts at offset 0, not before the next block at 0"
    );
    assert_eq!(
        error(|metas| metas[2].0 = 100_000),
        format!(
            "the index is malformed: block 2 starts at offset 100000, past the end of the blocks at {data_end}"
        )
    );
    assert_eq!(
        error(|metas| metas[0].2 = 100_000),
        format!(
            "the index is malformed: block 0 at offset 0 is 100000 bytes long, past the {block0} bytes before the next one"
        )
    );
    assert_eq!(
        error(|metas| metas.clear()),
        format!(
            "the index is malformed: it lists no block, but {data_end} bytes of blocks precede it"
        )
    );
    // Two blocks merged into one index entry: the second's bytes follow the first's checksum.
    assert_eq!(
        error(|metas| {
            metas.remove(1);
        }),
        "block 0 fails its checksum"
    );
}

fn arb_row() -> impl Strategy<Value = Row> {
    (
        prop::collection::vec(prop::sample::select(b"abc".to_vec()), 1..6),
        0u64..50,
        0u8..3,
        prop::collection::vec(any::<u8>(), 0..20),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(key, seq, kind, value, expire, create)| Row {
            key,
            seq,
            value: match kind {
                0 => Value::Put(value),
                1 => Value::Delete,
                _ => Value::Merge(value),
            },
            expire_ts: expire.then_some(-5),
            create_ts: create.then_some(17),
        })
}

proptest! {
    /// Any rows, split into blocks, in either format, either type, plain or zlib, padded or
    /// not: the rows and their sequence numbers come back.
    #[test]
    fn written_rows_come_back(
        mut all in prop::collection::vec(arb_row(), 0..60),
        cuts in prop::collection::vec(1usize..20, 0..6),
        version in 1u16..=2,
        wal in any::<bool>(),
        zlib_ in any::<bool>(),
        interval in 1usize..20,
        pad in any::<bool>(),
    ) {
        if !wal {
            all.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let mut blocks: Vec<Vec<Row>> = Vec::new();
        let mut rest = &all[..];
        for cut in cuts {
            if rest.is_empty() {
                break;
            }
            let (head, tail) = rest.split_at(cut.min(rest.len()));
            blocks.push(head.to_vec());
            rest = tail;
        }
        if !rest.is_empty() {
            blocks.push(rest.to_vec());
        }
        let mut sst = Sst::new(version, wal, &blocks).codec(if zlib_ { 2 } else { 0 });
        if version == 2 {
            for (spec, rows_) in sst.blocks.iter_mut().zip(&blocks) {
                spec.body = block_v2(rows_, interval);
            }
        }
        if pad {
            sst.pad_to = Some(64);
        }
        let expected = SstRows {
            rows: all.len() as u64,
            min_seq: all.iter().map(|r| r.seq).min(),
            max_seq: all.iter().map(|r| r.seq).max(),
        };
        prop_assert_eq!(read_sst_rows(&sst.encode()), Ok(expected));
    }

    /// Arbitrary bytes under a footer that points into them never panic.
    #[test]
    fn arbitrary_bytes_are_refused_without_panicking(
        mut bytes in prop::collection::vec(any::<u8>(), 0..400),
        offset in 0u64..420,
        version in 0u16..4,
    ) {
        let _ = read_sst_rows(&bytes);
        bytes.extend_from_slice(&offset.to_be_bytes());
        bytes.extend_from_slice(&version.to_be_bytes());
        let _ = read_sst_rows(&bytes);
    }
}
