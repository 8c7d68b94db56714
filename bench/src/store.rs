//! A seeded synthetic bucket: database roots under `shards/`, each with its manifests, WAL
//! objects (a few zero-byte fences among them), compacted SSTs (most referenced by the latest
//! manifest's L0 and sorted runs, some left for GC), checkpoints pinning older manifests, and
//! every tenth root a clone of the root before it (its manifest names the parent in
//! `external_dbs` and reads some of the parent's SSTs); plus objects that are not SlateDB's.
//!
//! Everything is a function of the seed and the shape: the same arguments give the same
//! objects, bytes and order on every machine.

use crate::manifest::{
    encode_manifest_v2, CheckpointEntry, ExternalDbEntry, ManifestSpec, SstEntry,
};
use ulid::Ulid;
use uuid::Uuid;

/// SplitMix64: a fixed, tiny generator, so that a seed gives the same store on every
/// platform and release (rand's `StdRng` promises no stability across versions).
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A value in `low..high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low).max(1)
    }
}

/// How big the bucket is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Database roots.
    pub roots: usize,
    /// Compacted SSTs listed per root.
    pub ssts_per_root: usize,
    /// WAL objects listed per root.
    pub wal_per_root: usize,
    /// Objects that are not SlateDB's.
    pub unrelated: usize,
    /// Roots whose manifest objects are written out (the first ones; the rest are only listed).
    pub manifest_roots: usize,
    /// The seed.
    pub seed: u64,
}

/// Manifest objects listed per root: the latest four and the one the checkpoints pin.
const MANIFESTS_PER_ROOT: usize = 5;
/// L0 SSTs in each latest manifest.
const L0_PER_ROOT: usize = 8;
/// Sorted runs in each latest manifest.
const RUNS_PER_ROOT: usize = 4;
/// One SST in this many is no longer referenced (compacted away, waiting for GC).
const UNREFERENCED_EVERY: usize = 50;
/// One WAL object in this many is a writer's zero-byte fence.
const FENCE_EVERY: u64 = 97;
/// The bucket's clock: 2026-11-01T00:00:00Z.
const EPOCH_MS: i64 = 1_793_491_200_000;

impl Shape {
    /// The shape of the 10M bucket, scaled: 9,000 SlateDB objects per root (7,000
    /// SSTs, 2,000 WAL objects), roots for 90 % of `objects`, the rest unrelated.
    pub fn for_objects(objects: u64, seed: u64) -> Self {
        let per_root = 7_000 + 2_000 + MANIFESTS_PER_ROOT as u64;
        let roots = ((objects * 9 / 10) / per_root).max(1) as usize;
        let slatedb = roots as u64 * per_root;
        Self {
            roots,
            ssts_per_root: 7_000,
            wal_per_root: 2_000,
            unrelated: objects.saturating_sub(slatedb) as usize,
            manifest_roots: roots.min(10),
            seed,
        }
    }

    /// Objects listed in all.
    pub fn objects(&self) -> u64 {
        (self.roots * (self.ssts_per_root + self.wal_per_root + MANIFESTS_PER_ROOT)
            + self.unrelated) as u64
    }
}

/// One listed object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// Key from the bucket root.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, epoch milliseconds.
    pub mtime_ms: i64,
}

/// A root's name.
pub fn root_name(index: usize) -> String {
    format!("shards/shard-{index:05}")
}

/// What one root holds: its objects and, for manifest roots, the manifest objects' bytes.
pub struct RootContent {
    /// The root's path.
    pub root: String,
    /// Its objects, in key order.
    pub objects: Vec<Object>,
    /// Manifest objects written out: key and bytes.
    pub manifests: Vec<(String, Vec<u8>)>,
    /// Keys of the SSTs its latest manifest references (its own and its parent's).
    pub referenced: Vec<String>,
    /// Checkpoint names, for plans.
    pub checkpoint_names: Vec<String>,
}

/// The per-root facts a clone needs of its parent.
struct Lineage {
    ssts: Vec<SstEntry>,
    nightly: Uuid,
    clone_pin: Uuid,
}

fn checkpoint_id(rng: &mut SplitMix) -> Uuid {
    uuid::Builder::from_random_bytes(
        [rng.next_u64().to_le_bytes(), rng.next_u64().to_le_bytes()]
            .concat()
            .try_into()
            .unwrap_or([0; 16]),
    )
    .into_uuid()
}

fn lineage(shape: &Shape, index: usize) -> (SplitMix, Lineage, i64) {
    let mut rng = SplitMix::new(shape.seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let start = EPOCH_MS + index as i64 * 37_000;
    let ssts = (0..shape.ssts_per_root)
        .map(|i| {
            let at = (start + i as i64 * 1_000) as u64;
            let random = (u128::from(rng.next_u64()) << 16 | u128::from(rng.next_u64() & 0xFFFF))
                & ((1u128 << 80) - 1);
            let id = Ulid::from_parts(at, random);
            SstEntry {
                id,
                first_key: format!("k{index:05}-{i:07}").into_bytes(),
                last_key: format!("k{index:05}-{i:07}~").into_bytes(),
                size: rng.range(1 << 20, 64 << 20),
            }
        })
        .collect();
    let nightly = checkpoint_id(&mut rng);
    let clone_pin = checkpoint_id(&mut rng);
    (
        rng,
        Lineage {
            ssts,
            nightly,
            clone_pin,
        },
        start,
    )
}

/// Generates root `index` of `shape`.
pub fn root_content(shape: &Shape, index: usize) -> RootContent {
    let root = root_name(index);
    let (mut rng, own, start) = lineage(shape, index);
    let is_clone = index % 10 == 9;
    let has_clone = index % 10 == 8 && index + 1 < shape.roots;
    let parent = is_clone.then(|| (root_name(index - 1), lineage(shape, index - 1).1));
    let end = start + shape.ssts_per_root as i64 * 1_000;
    let latest = rng.range(100, 150);
    let pinned = latest - 20;
    let next_wal = rng.range(10_000, 11_000);
    let first_wal = next_wal - shape.wal_per_root as u64;
    let mut spec = ManifestSpec {
        replay_after_wal_id: next_wal - 6,
        next_wal_sst_id: next_wal,
        writer_epoch: rng.range(3, 9),
        compactor_epoch: rng.range(2, 6),
        last_l0_seq: rng.range(1 << 20, 1 << 30),
        last_l0_clock_tick: end,
        ..ManifestSpec::default()
    };
    // Own SSTs: the newest are L0, every UNREFERENCED_EVERY-th older one is garbage, the rest
    // spread over the sorted runs.
    let referenced_own: Vec<usize> = (0..shape.ssts_per_root)
        .filter(|i| i % UNREFERENCED_EVERY != 1)
        .collect();
    spec.ssts
        .extend(referenced_own.iter().map(|&i| own.ssts[i].clone()));
    let l0_count = L0_PER_ROOT.min(spec.ssts.len());
    let tree_len = spec.ssts.len();
    spec.l0 = (tree_len - l0_count..tree_len).rev().collect();
    let sorted = tree_len - l0_count;
    let mut run_members: Vec<Vec<usize>> = vec![Vec::new(); RUNS_PER_ROOT];
    for i in 0..sorted {
        run_members[i * RUNS_PER_ROOT / sorted.max(1)].push(i);
    }
    let mut referenced: Vec<String> = referenced_own
        .iter()
        .map(|&i| format!("{root}/compacted/{}.sst", own.ssts[i].id))
        .collect();
    if let Some((parent_root, parent)) = &parent {
        // A clone reads the oldest hundred of its parent's SSTs, in one more sorted run.
        let inherited: Vec<SstEntry> = parent.ssts.iter().take(100).cloned().collect();
        let base = spec.ssts.len();
        run_members.push((base..base + inherited.len()).collect());
        referenced.extend(
            inherited
                .iter()
                .map(|sst| format!("{parent_root}/compacted/{}.sst", sst.id)),
        );
        spec.external_dbs.push(ExternalDbEntry {
            path: parent_root.clone(),
            source_checkpoint_id: parent.nightly,
            final_checkpoint_id: Some(parent.clone_pin),
            sst_ids: inherited.iter().map(|sst| sst.id).collect(),
        });
        spec.ssts.extend(inherited);
    }
    spec.runs = run_members
        .into_iter()
        .enumerate()
        .filter(|(_, members)| !members.is_empty())
        .map(|(run, members)| (run as u32, members))
        .collect();
    let seconds = |ms: i64| (ms / 1000) as u32;
    spec.checkpoints.push(CheckpointEntry {
        id: own.nightly,
        manifest_id: pinned,
        expire_time_s: 0,
        create_time_s: seconds(end - 3_600_000),
        name: Some("nightly".into()),
    });
    spec.checkpoints.push(CheckpointEntry {
        id: checkpoint_id(&mut rng),
        manifest_id: latest - 1,
        expire_time_s: seconds(end + 86_400_000),
        create_time_s: seconds(end - 60_000),
        name: Some("hourly".into()),
    });
    if has_clone {
        spec.checkpoints.push(CheckpointEntry {
            id: own.clone_pin,
            manifest_id: pinned,
            expire_time_s: 0,
            create_time_s: seconds(end - 3_000_000),
            name: None,
        });
    }
    let manifest_ids: Vec<u64> = std::iter::once(pinned).chain(latest - 3..=latest).collect();
    let write_manifests = index < shape.manifest_roots;
    let mut manifests = Vec::new();
    let mut objects =
        Vec::with_capacity(shape.ssts_per_root + shape.wal_per_root + MANIFESTS_PER_ROOT);
    for sst in &own.ssts {
        objects.push(Object {
            key: format!("{root}/compacted/{}.sst", sst.id),
            size: sst.size,
            mtime_ms: sst.id.timestamp_ms() as i64,
        });
    }
    for &id in &manifest_ids {
        let key = format!("{root}/manifest/{id:020}.manifest");
        let size = if write_manifests {
            let bytes = encode_manifest_v2(id, &spec);
            let size = bytes.len() as u64;
            manifests.push((key.clone(), bytes));
            size
        } else {
            rng.range(600_000, 700_000)
        };
        objects.push(Object {
            key,
            size,
            mtime_ms: end - (latest - id) as i64 * 60_000,
        });
    }
    for id in first_wal..next_wal {
        let size = if id % FENCE_EVERY == 0 {
            0
        } else {
            rng.range(1 << 10, 4 << 20)
        };
        objects.push(Object {
            key: format!("{root}/wal/{id:020}.sst"),
            size,
            mtime_ms: end - (next_wal - id) as i64 * 500,
        });
    }
    RootContent {
        root,
        objects,
        manifests,
        referenced,
        checkpoint_names: vec!["nightly".into(), "hourly".into()],
    }
}

/// Unrelated object `index`: application data around the databases, some of it named like
/// SlateDB's files but outside any SlateDB folder.
pub fn unrelated_object(shape: &Shape, index: usize) -> Object {
    let mut rng = SplitMix::new(shape.seed.wrapping_add(0x5151) ^ (index as u64) << 20);
    let key = match index % 8 {
        0 => format!(
            "analytics/events/dt=2026-11-{:02}/part-{index:09}.parquet",
            1 + index % 28
        ),
        1 => format!("analytics/exports/wal-{index:09}.sst.bak"),
        2 => format!("logs/app/2026/11/{:02}/{index:09}.log.gz", 1 + index % 28),
        3 => format!(
            "shards-archive/shard-{:05}/compacted-{index:09}.tar",
            index % 1000
        ),
        _ => format!(
            "warehouse/tables/t{:03}/data/{index:010}.parquet",
            index % 500
        ),
    };
    Object {
        key,
        size: rng.range(100, 256 << 20),
        mtime_ms: EPOCH_MS + (index as i64 % 2_000_000) * 1_000,
    }
}
