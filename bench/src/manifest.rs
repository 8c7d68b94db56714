//! Writing manifest objects in SlateDB's binary format version 2 (a 2-byte big-endian version,
//! then a `ManifestV2` FlatBuffer), with the `flatbuffers` crate's builder. The table slots are
//! those `slatecheck_core`'s decoder reads (`core/src/manifest/flatbuf.rs`); the test
//! `tests/tests/synthetic_store.rs` has SlateDB 0.18 read what this writes.

use flatbuffers::{FlatBufferBuilder, WIPOffset};
use ulid::Ulid;
use uuid::Uuid;

/// One SST a synthetic manifest references: its id and the key range it holds.
#[derive(Clone, Debug)]
pub struct SstEntry {
    /// The SST's ULID (its object is `<root>/compacted/<ULID>.sst`).
    pub id: Ulid,
    /// First key in the SST.
    pub first_key: Vec<u8>,
    /// Last key in the SST.
    pub last_key: Vec<u8>,
    /// The SST object's size: offsets of index and filter are placed inside it.
    pub size: u64,
}

/// A checkpoint entry.
#[derive(Clone, Debug)]
pub struct CheckpointEntry {
    /// Checkpoint id.
    pub id: Uuid,
    /// The manifest it pins.
    pub manifest_id: u64,
    /// Expiry in epoch seconds (0: never).
    pub expire_time_s: u32,
    /// Creation in epoch seconds.
    pub create_time_s: u32,
    /// Name, if any.
    pub name: Option<String>,
}

/// A clone's record of the database it reads SSTs from.
#[derive(Clone, Debug)]
pub struct ExternalDbEntry {
    /// The parent's root path.
    pub path: String,
    /// The parent checkpoint the clone was made from.
    pub source_checkpoint_id: Uuid,
    /// The clone's own pin on the parent.
    pub final_checkpoint_id: Option<Uuid>,
    /// Parent SSTs the clone reads.
    pub sst_ids: Vec<Ulid>,
}

/// What a synthetic manifest holds (an unsegmented database).
#[derive(Clone, Debug, Default)]
pub struct ManifestSpec {
    /// Every SST the views below reference (the V2 SST table).
    pub ssts: Vec<SstEntry>,
    /// L0 views, newest first, by index into `ssts`.
    pub l0: Vec<usize>,
    /// Sorted runs: id and views, by index into `ssts`.
    pub runs: Vec<(u32, Vec<usize>)>,
    /// Checkpoints.
    pub checkpoints: Vec<CheckpointEntry>,
    /// External databases (for clones).
    pub external_dbs: Vec<ExternalDbEntry>,
    /// `replay_after_wal_id`.
    pub replay_after_wal_id: u64,
    /// `next_wal_sst_id` (stored as `wal_id_last_seen = next - 1`).
    pub next_wal_sst_id: u64,
    /// Writer epoch.
    pub writer_epoch: u64,
    /// Compactor epoch.
    pub compactor_epoch: u64,
    /// `last_l0_seq`.
    pub last_l0_seq: u64,
    /// `last_l0_clock_tick`.
    pub last_l0_clock_tick: i64,
}

// Slots of the tables written (vtable offsets: 4 + 2 × field index).
const ULID_HIGH: u16 = 4;
const ULID_LOW: u16 = 6;
const INFO_FIRST_ENTRY: u16 = 4;
const INFO_INDEX_OFFSET: u16 = 6;
const INFO_INDEX_LEN: u16 = 8;
const INFO_FILTER_OFFSET: u16 = 10;
const INFO_FILTER_LEN: u16 = 12;
const INFO_COMPRESSION_FORMAT: u16 = 14;
const INFO_LAST_ENTRY: u16 = 18;
const SST_ID: u16 = 4;
const SST_INFO: u16 = 6;
const SST_FORMAT_VERSION: u16 = 8;
const VIEW_ID: u16 = 4;
const VIEW_SST_ID: u16 = 6;
const RUN_ID: u16 = 4;
const RUN_SSTS: u16 = 6;
const EXT_PATH: u16 = 4;
const EXT_SOURCE_CHECKPOINT_ID: u16 = 6;
const EXT_FINAL_CHECKPOINT_ID: u16 = 8;
const EXT_SST_IDS: u16 = 10;
const CP_ID: u16 = 4;
const CP_MANIFEST_ID: u16 = 6;
const CP_EXPIRE_TIME_S: u16 = 8;
const CP_CREATE_TIME_S: u16 = 10;
const CP_NAME: u16 = 16;
const M_MANIFEST_ID: u16 = 4;
const M_EXTERNAL_DBS: u16 = 6;
const M_INITIALIZED: u16 = 8;
const M_WRITER_EPOCH: u16 = 10;
const M_COMPACTOR_EPOCH: u16 = 12;
const M_REPLAY_AFTER_WAL_ID: u16 = 14;
const M_WAL_ID_LAST_SEEN: u16 = 16;
const M_SSTS: u16 = 20;
const M_L0: u16 = 22;
const M_COMPACTED: u16 = 24;
const M_LAST_L0_CLOCK_TICK: u16 = 26;
const M_CHECKPOINTS: u16 = 28;
const M_LAST_L0_SEQ: u16 = 30;

/// SlateDB's SST format version of 0.18 (`SST_FORMAT_VERSION_LATEST`).
const SST_FORMAT_VERSION_LATEST: u16 = 2;

type Table = WIPOffset<flatbuffers::TableFinishedWIPOffset>;

fn two_u64(fbb: &mut FlatBufferBuilder, (high, low): (u64, u64)) -> Table {
    let start = fbb.start_table();
    fbb.push_slot_always::<u64>(ULID_HIGH, high);
    fbb.push_slot_always::<u64>(ULID_LOW, low);
    fbb.end_table(start)
}

fn ulid(fbb: &mut FlatBufferBuilder, id: Ulid) -> Table {
    let value = id.0;
    two_u64(fbb, ((value >> 64) as u64, value as u64))
}

fn uuid(fbb: &mut FlatBufferBuilder, id: Uuid) -> Table {
    two_u64(fbb, id.as_u64_pair())
}

/// The manifest object's bytes.
pub fn encode_manifest_v2(manifest_id: u64, spec: &ManifestSpec) -> Vec<u8> {
    let mut fbb = FlatBufferBuilder::with_capacity(256 + spec.ssts.len() * 160);
    let sst_tables: Vec<Table> = spec
        .ssts
        .iter()
        .map(|sst| {
            let id = ulid(&mut fbb, sst.id);
            let first = fbb.create_vector(&sst.first_key);
            let last = fbb.create_vector(&sst.last_key);
            let info = fbb.start_table();
            fbb.push_slot_always(INFO_FIRST_ENTRY, first);
            fbb.push_slot_always(INFO_LAST_ENTRY, last);
            // Index and filter at the end of the object, as SlateDB writes them.
            let index_len = (sst.size / 64).max(64);
            let filter_len = (sst.size / 128).max(32);
            let filter_offset = sst.size.saturating_sub(index_len + filter_len + 64);
            fbb.push_slot::<u64>(INFO_FILTER_OFFSET, filter_offset, 0);
            fbb.push_slot::<u64>(INFO_FILTER_LEN, filter_len, 0);
            fbb.push_slot::<u64>(INFO_INDEX_OFFSET, filter_offset + filter_len, 0);
            fbb.push_slot::<u64>(INFO_INDEX_LEN, index_len, 0);
            // Snappy.
            fbb.push_slot::<i8>(INFO_COMPRESSION_FORMAT, 1, 0);
            let info = fbb.end_table(info);
            let table = fbb.start_table();
            fbb.push_slot_always(SST_ID, id);
            fbb.push_slot_always(SST_INFO, info);
            fbb.push_slot::<u16>(SST_FORMAT_VERSION, SST_FORMAT_VERSION_LATEST, 0);
            fbb.end_table(table)
        })
        .collect();
    // A view per SST, its id the SST's (as SlateDB does for SSTs it writes itself).
    let view = |fbb: &mut FlatBufferBuilder, index: usize| {
        let id = spec.ssts[index].id;
        let view_id = ulid(fbb, id);
        let sst_id = ulid(fbb, id);
        let table = fbb.start_table();
        fbb.push_slot_always(VIEW_ID, view_id);
        fbb.push_slot_always(VIEW_SST_ID, sst_id);
        fbb.end_table(table)
    };
    let l0: Vec<Table> = spec.l0.iter().map(|&i| view(&mut fbb, i)).collect();
    let runs: Vec<Table> = spec
        .runs
        .iter()
        .map(|(id, members)| {
            let views: Vec<Table> = members.iter().map(|&i| view(&mut fbb, i)).collect();
            let views = fbb.create_vector(&views);
            let table = fbb.start_table();
            fbb.push_slot::<u32>(RUN_ID, *id, 0);
            fbb.push_slot_always(RUN_SSTS, views);
            fbb.end_table(table)
        })
        .collect();
    let checkpoints: Vec<Table> = spec
        .checkpoints
        .iter()
        .map(|cp| {
            let id = uuid(&mut fbb, cp.id);
            let name = cp.name.as_deref().map(|n| fbb.create_string(n));
            let table = fbb.start_table();
            fbb.push_slot_always(CP_ID, id);
            fbb.push_slot::<u64>(CP_MANIFEST_ID, cp.manifest_id, 0);
            fbb.push_slot::<u32>(CP_EXPIRE_TIME_S, cp.expire_time_s, 0);
            fbb.push_slot::<u32>(CP_CREATE_TIME_S, cp.create_time_s, 0);
            if let Some(name) = name {
                fbb.push_slot_always(CP_NAME, name);
            }
            fbb.end_table(table)
        })
        .collect();
    let external: Vec<Table> = spec
        .external_dbs
        .iter()
        .map(|db| {
            let path = fbb.create_string(&db.path);
            let source = uuid(&mut fbb, db.source_checkpoint_id);
            let final_id = db.final_checkpoint_id.map(|id| uuid(&mut fbb, id));
            let ids: Vec<Table> = db.sst_ids.iter().map(|&id| ulid(&mut fbb, id)).collect();
            let ids = fbb.create_vector(&ids);
            let table = fbb.start_table();
            fbb.push_slot_always(EXT_PATH, path);
            fbb.push_slot_always(EXT_SOURCE_CHECKPOINT_ID, source);
            if let Some(final_id) = final_id {
                fbb.push_slot_always(EXT_FINAL_CHECKPOINT_ID, final_id);
            }
            fbb.push_slot_always(EXT_SST_IDS, ids);
            fbb.end_table(table)
        })
        .collect();
    let ssts = fbb.create_vector(&sst_tables);
    let l0 = fbb.create_vector(&l0);
    let runs = fbb.create_vector(&runs);
    let checkpoints = fbb.create_vector(&checkpoints);
    let external = (!external.is_empty()).then(|| fbb.create_vector(&external));
    let root = fbb.start_table();
    fbb.push_slot::<u64>(M_MANIFEST_ID, manifest_id, 0);
    if let Some(external) = external {
        fbb.push_slot_always(M_EXTERNAL_DBS, external);
    }
    fbb.push_slot::<bool>(M_INITIALIZED, true, false);
    fbb.push_slot::<u64>(M_WRITER_EPOCH, spec.writer_epoch, 0);
    fbb.push_slot::<u64>(M_COMPACTOR_EPOCH, spec.compactor_epoch, 0);
    fbb.push_slot::<u64>(M_REPLAY_AFTER_WAL_ID, spec.replay_after_wal_id, 0);
    fbb.push_slot::<u64>(
        M_WAL_ID_LAST_SEEN,
        spec.next_wal_sst_id.saturating_sub(1),
        0,
    );
    fbb.push_slot_always(M_SSTS, ssts);
    fbb.push_slot_always(M_L0, l0);
    fbb.push_slot_always(M_COMPACTED, runs);
    fbb.push_slot::<i64>(M_LAST_L0_CLOCK_TICK, spec.last_l0_clock_tick, 0);
    fbb.push_slot_always(M_CHECKPOINTS, checkpoints);
    fbb.push_slot::<u64>(M_LAST_L0_SEQ, spec.last_l0_seq, 0);
    let root = fbb.end_table(root);
    fbb.finish_minimal(root);
    let mut bytes = Vec::with_capacity(fbb.finished_data().len() + 2);
    bytes.extend_from_slice(&2u16.to_be_bytes());
    bytes.extend_from_slice(fbb.finished_data());
    bytes
}
