//! Randomized scenarios for the oracle test: SlateDB 0.18 writes a store through a random
//! history (writes, flushes of either kind, closes that leave data in the WAL, several reopens
//! that leave fences, checkpoints of both scopes and detached ones, named or not, never
//! expiring, expiring in an hour or already expired, clones and clones of clones, compactions,
//! GC runs; in some histories writers tuned as busy databases run, whose memtables freeze by
//! size in the middle of a WAL buffer), then the store is damaged the ways operators damage
//! stores (a WAL object deleted, one inside the latest manifest's replay range, the whole WAL
//! wiped, an SST deleted, a checkpoint, its manifest or the latest manifest deleted, clones'
//! pins cleaned up), and one action is chosen. slatecheck judges the action (see `judge.rs`); then SlateDB performs it and
//! its real outcome (errors, lost keys, short scans) is recorded.

use crate::slatedb_018::scenarios::{compact_until_l0_empty, gc_now_options, Scenario};
use crate::store::{files_under, relative_key, StoreDirs};
use anyhow::{anyhow, Result};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use slatecheck_core::listing::{Listing, ListingBuilder, ListingOptions, RawEntry};
use slatecheck_core::manifest::decode_manifest_file;
use slatecheck_core::model::Manifest;
use slatecheck_core::snapshot::SnapshotInputs;
use slatedb::config::{CheckpointOptions, CheckpointScope, FlushOptions, FlushType};
use slatedb::{Db, DbReadOps, DbReader, DbReaderMode};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// What SlateDB did when the action was performed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded and every expected key read back, by point reads and by a full scan.
    Ok,
    /// It failed, or a key did not read back.
    Failed(String),
    /// The action and everything right after it worked, but it did harm that showed later:
    /// a released pin whose SSTs GC deleted once the parent compacted them away.
    Deferred(String),
    /// The store was already broken where the action would be judged, so the outcome says
    /// nothing about the action (e.g. nothing read back before the GC).
    Untestable(String),
}

/// One generated scenario, ready to be judged and performed.
pub struct Generated {
    /// The seed.
    pub seed: u64,
    /// What was done, in order.
    pub steps: Vec<String>,
    /// The damage done, as a short tag (`none`, `wal-wipe`, `latest-manifest`, …).
    pub damage: &'static str,
    /// The damage deleted only the newest WAL objects past the latest manifest's range (no
    /// fence among them, nothing newer left): no listing can show that they ever existed.
    pub invisible_wal_loss: bool,
    /// The damage cut a WAL object of a separate WAL store short, leaving more than the 10
    /// bytes SlateDB replays as a fence: only its bytes show it, and offline inputs hold none
    /// of the WAL store's objects (live checks read them).
    pub wal_damage_only_live: bool,
    /// The action, in slatecheck's plan syntax.
    pub plan: String,
    /// The stores.
    pub dirs: StoreDirs,
    /// Copies of the stores as they were before the damage.
    pub before: StoreDirs,
    /// Whether the operator gives slatecheck the WAL store (always, when the database has
    /// none).
    pub wal_listing_given: bool,
    /// Whether `p` keeps its WAL in a separate WAL store.
    pub uses_wal_store: bool,
    /// Whether the operator can say that every acknowledged write of the databases the plan
    /// is about is in L0 (`--writers-closed`): `p`'s last writer closed with `Db::close()`,
    /// and, for a plan about a clone, the clone was made from that latest state.
    pub writers_closed: bool,
    /// Whether the operator can say only that the last writer closed, with a WAL flush only
    /// (`--writers-closed-wal-only`): nothing was written after the WAL its close recorded.
    pub writers_closed_wal_only: bool,
    scenario: Scenario,
    action: Action,
}

/// Every key written, with its acknowledged value, or [`DELETED`].
type Keys = BTreeMap<String, String>;

/// The value [`Keys`] records for a key whose last acknowledged write deleted it: a read
/// must find nothing, and a scan must not return it (a lost tombstone resurrects the key).
const DELETED: &str = "\u{0}deleted";

/// A checkpoint of `p` that a user or operator made through the API (not SlateDB's own).
#[derive(Clone, Debug)]
struct UserCheckpoint {
    id: uuid::Uuid,
    /// Every key acknowledged when it was taken.
    keys: Keys,
    /// Its `expire_time` had passed before the action (a 1 ms lifetime).
    expired: bool,
}

/// The checkpoints clone `clone` left on its source `source`, each with the keys a clone from
/// it reads (`keys`, what `clone` got): its never-expiring final pin and, for a clone of the
/// latest state (`of_latest`), the checkpoint it was made through.
async fn pins_left_by(
    scenario: &Scenario,
    clone: &str,
    source: &str,
    of_latest: bool,
    keys: &Keys,
) -> Result<Vec<(uuid::Uuid, Keys)>> {
    let mut pins = Vec::new();
    if let Some(latest) = scenario.admin(clone).read_manifest(None).await? {
        for entry in latest.external_dbs().iter().filter(|e| e.path == source) {
            let made_through = of_latest.then_some(entry.source_checkpoint_id);
            pins.extend(
                entry
                    .final_checkpoint_id
                    .into_iter()
                    .chain(made_through)
                    .map(|id| (id, keys.clone())),
            );
        }
    }
    Ok(pins)
}

/// Something that works or not, before and after an action.
#[derive(Clone, Debug)]
enum Probe {
    /// A reader on `root` reads `keys` back.
    Read { root: String, keys: Keys },
    /// A clone of `source` from its checkpoint `id` opens and reads `keys` back.
    CloneFrom {
        source: String,
        id: uuid::Uuid,
        keys: Keys,
    },
}

enum Action {
    CloneCheckpoint {
        source: String,
        id: uuid::Uuid,
        expected: Keys,
    },
    CloneLatest {
        source: String,
        expected: Keys,
    },
    Open {
        root: String,
        expected: Keys,
    },
    Read {
        root: String,
        expected: Keys,
    },
    /// One GC run of `root` with `min_age = 0`; every probe that worked before still works.
    Gc {
        root: String,
        probes: Vec<Probe>,
    },
    /// The WAL of `root` deleted; every probe that worked before still works.
    WipeWal {
        root: String,
        probes: Vec<Probe>,
    },
    /// `Admin::delete_checkpoint` on `p`, then one GC run of `p` with `min_age = 0` (the next
    /// scheduled GC), then every probe that worked before still works.
    DeleteCheckpoint {
        id: uuid::Uuid,
        probes: Vec<Probe>,
    },
    /// `Admin::delete_db` on `p`, then every clone that read back before still reads back.
    DeleteRoot {
        probes: Vec<Probe>,
    },
}

/// Closes `db` with `Db::close()` (its memtable flushed to L0), or with a WAL flush only when
/// `wal_only`, which leaves the memtable's writes in the WAL alone.
async fn close(db: Db, wal_only: bool) -> Result<()> {
    if wal_only {
        crate::slatedb_018::compat::close_leaving_data_in_wal(db).await
    } else {
        Ok(db.close().await?)
    }
}

async fn flush(db: &Db, flush_type: FlushType) -> Result<()> {
    db.flush_with_options(FlushOptions { flush_type }).await?;
    Ok(())
}

/// One of `weighted` (value, weight), drawn by weight.
fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut ticket = rng.random_range(0..total);
    for (value, weight) in weighted {
        if ticket < *weight {
            return *value;
        }
        ticket -= weight;
    }
    weighted[weighted.len() - 1].0
}

/// The options of a user checkpoint: named `cp` or unnamed (users often do not name them),
/// never expiring, expiring in an hour, or with a 1 ms lifetime (expired but still in the
/// manifest until GC runs); the description says which.
fn user_checkpoint_options(rng: &mut StdRng) -> (CheckpointOptions, String, bool) {
    let named = rng.random_bool(0.55);
    let lifetime = match rng.random_range(0..10) {
        0..=2 if named => None,
        0 => None,
        1..=5 => Some(Duration::from_secs(3600)),
        _ => Some(Duration::from_millis(1)),
    };
    let expired = lifetime == Some(Duration::from_millis(1));
    let description = format!(
        "{} checkpoint{}",
        if named { "`cp`" } else { "an unnamed" },
        match lifetime {
            None => "",
            Some(_) if expired => " (expired: 1 ms lifetime)",
            Some(_) => " (1 h lifetime)",
        }
    );
    let options = CheckpointOptions {
        lifetime,
        source: None,
        name: named.then(|| "cp".to_string()),
    };
    (options, description, expired)
}

/// A checkpoint an application takes while it writes, of a scope and lifetime drawn from
/// `rng`, after a WAL flush (a `Durable` checkpoint holds what the WAL does): it and the step's
/// description. `keys` is what a clone from it must read back.
async fn take_checkpoint(
    db: &Db,
    keys: &Keys,
    rng: &mut StdRng,
) -> Result<(UserCheckpoint, String)> {
    flush(db, FlushType::Wal).await?;
    let (options, description, expired) = user_checkpoint_options(rng);
    let scope = if rng.random_bool(0.5) {
        CheckpointScope::All
    } else {
        CheckpointScope::Durable
    };
    let id = db.create_checkpoint(scope, &options).await?.id;
    let checkpoint = UserCheckpoint {
        id,
        keys: keys.clone(),
        expired,
    };
    Ok((checkpoint, format!("{description} ({scope:?})")))
}

/// The id of a WAL object file `…/wal/{id:020}.sst`.
fn wal_id(path: &Path) -> Option<u64> {
    path.file_stem()?.to_str()?.parse().ok()
}

/// `p`'s WAL objects: (id, size, path), by id.
fn wal_objects(wal_dir: &Path) -> Result<Vec<(u64, u64, std::path::PathBuf)>> {
    let mut objects = Vec::new();
    for file in files_under(wal_dir)? {
        if let Some(id) = wal_id(&file) {
            objects.push((id, std::fs::metadata(&file)?.len(), file));
        }
    }
    objects.sort();
    Ok(objects)
}

/// The newest listed manifest of `root` that decodes.
fn latest_manifest(main: &Path, root: &str) -> Result<Option<Manifest>> {
    // The newest that decodes: a damage may have cut the latest short.
    for newest in files_under(&main.join(root).join("manifest"))?
        .into_iter()
        .rev()
        .filter(|f| f.extension().is_some_and(|e| e == "manifest"))
    {
        let key = relative_key(main, &newest);
        if let Ok(mut decoded) = decode_manifest_file(&key, &std::fs::read(&newest)?, None) {
            return Ok(Some(decoded.remove(0).manifest));
        }
    }
    Ok(None)
}

/// Whether deleting `deleted` (id, size) left no trace: every one of them past the replay
/// point is at or beyond the latest manifest's `next_wal_sst_id`, newer than every WAL object
/// left, and none is a zero-byte object at `next_wal_sst_id` (the fence a writer open leaves,
/// which that manifest's state requires); and the newest WAL object that manifest records
/// (`next_wal_sst_id - 1`, which GC keeps) is still there, since a deletion that took it shows.
fn leaves_no_trace(deleted: &[(u64, u64)], remaining: &[u64], latest: &Manifest) -> bool {
    let relevant: Vec<&(u64, u64)> = deleted
        .iter()
        .filter(|(id, _)| *id > latest.replay_after_wal_id)
        .collect();
    let newest_left = remaining.iter().copied().max().unwrap_or(0);
    let newest_recorded = latest.next_wal_sst_id.saturating_sub(1);
    let newest_recorded_deleted = deleted.iter().any(|(id, _)| *id == newest_recorded);
    !relevant.is_empty()
        && !newest_recorded_deleted
        && relevant.iter().all(|(id, size)| {
            *id >= latest.next_wal_sst_id
                && *id > newest_left
                && !(*id == latest.next_wal_sst_id && *size == 0)
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Damage {
    None,
    OneWal,
    WalInReplayRange,
    WalWipe,
    Sst,
    SstCutShort,
    WalCutShort,
    Checkpoint,
    CheckpointManifest,
    LatestManifest,
    Pins,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    CloneCheckpoint,
    CloneLatest,
    CloneOfClone,
    ReadClone,
    ReadGrandchild,
    ReadP,
    OpenP,
    Gc,
    WipeWal,
    DeleteCheckpoint,
    DeleteRoot,
}

/// Cuts the object `file` of `len` bytes (in the store at `store`) to its first `kept` bytes,
/// as an interrupted copy or restore leaves it; returns the step's description.
fn cut_short(file: &Path, len: u64, kept: u64, store: &Path) -> Result<String> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(file)?
        .set_len(kept)?;
    Ok(format!(
        "cut {} short ({len} → {kept} bytes)",
        relative_key(store, file)
    ))
}

/// How many L0 SSTs `p`'s latest manifest references.
/// Closes `db` of `p` once its L0 SSTs are merged into a sorted run: by its own compactor
/// while it runs, when `in_process`, otherwise by a compactor run after the close. Returns the
/// step's description.
async fn compact_l0_away(scenario: &Scenario, db: Db, in_process: bool) -> Result<String> {
    if in_process {
        let admin = scenario.admin("p");
        let mut l0 = latest_l0_count(&admin).await?;
        for _ in 0..40 {
            if l0 == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            l0 = latest_l0_count(&admin).await?;
        }
        db.close().await?;
        Ok(format!(
            "4 L0 flushes, the compactor in process running (L0 SSTs left: {l0})"
        ))
    } else {
        db.close().await?;
        compact_until_l0_empty(scenario.admin("p"), scenario.admin("p")).await?;
        Ok("4 L0 flushes, compaction until L0 is empty".into())
    }
}

async fn latest_l0_count(admin: &slatedb::admin::Admin) -> Result<usize> {
    Ok(admin
        .read_manifest(None)
        .await?
        .ok_or_else(|| anyhow!("no manifest"))?
        .l0()
        .len())
}

/// How a scenario's writers are tuned away from the fixture settings, as busy databases run:
/// memtables that freeze by size while their WAL buffer is still filling, and puts that race a
/// memtable flush. (A freeze by WAL count behaves like one by size, but SlateDB refuses a
/// `max_wal_flushes_before_l0_flush` below 4096, more WAL flushes than a scenario makes.)
struct WriteTuning {
    /// `l0_sst_size_bytes` (also the WAL buffer's flush size).
    l0_sst_size_bytes: usize,
    /// The most padding a value gets, so that some puts freeze the memtable and some do not.
    max_padding: usize,
    /// Whether sessions sometimes write from a second task during a memtable flush.
    racing_writer: bool,
}

impl WriteTuning {
    fn draw(rng: &mut StdRng) -> Option<Self> {
        rng.random_bool(0.4).then(|| Self {
            l0_sst_size_bytes: rng.random_range(300..=1500),
            max_padding: rng.random_range(50..=400),
            racing_writer: rng.random_bool(0.5),
        })
    }

    fn settings(&self) -> slatedb::config::Settings {
        slatedb::config::Settings {
            l0_sst_size_bytes: self.l0_sst_size_bytes,
            // No compactor runs in the background: without room for many L0 SSTs, writes
            // would wait for one forever.
            l0_max_ssts: 4096,
            ..crate::slatedb_018::scenarios::fixture_settings()
        }
    }

    fn describe(&self) -> String {
        format!(
            "writers tuned: l0_sst_size_bytes {}, values padded up to {} B{}",
            self.l0_sst_size_bytes,
            self.max_padding,
            if self.racing_writer {
                ", puts racing memtable flushes"
            } else {
                ""
            }
        )
    }
}

/// The share of histories whose writers flush the WAL on a timer.
const TIMED_WAL_FLUSH_SHARE: f64 = 0.35;

/// The share of histories whose writers run the compactor in process.
const IN_PROCESS_COMPACTOR_SHARE: f64 = 0.3;

/// SlateDB's default `flush_interval`.
const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_millis(100);

/// The share of histories in which one session of `p`'s writer ends in a process crash.
const CRASH_SHARE: f64 = 0.25;

/// Builds scenario `seed` under `work` up to the moment before the action.
pub async fn generate(seed: u64, work: &Path) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(seed);
    let uses_wal_store = rng.random_bool(0.4);
    let mut scenario = Scenario::new(
        work,
        &work.join("unused"),
        &format!("s{seed}"),
        uses_wal_store,
    )?;
    let mut steps = vec![format!(
        "database `p`{}",
        if uses_wal_store {
            " with a separate WAL store"
        } else {
            ""
        }
    )];
    // The write path's tuning is drawn from a second generator, so that the untuned histories
    // stay those of earlier seeds.
    let mut tuning_rng = StdRng::seed_from_u64(seed ^ 0x5eed_7a11);
    let tuning = WriteTuning::draw(&mut tuning_rng);
    let mut settings = tuning.as_ref().map_or_else(
        crate::slatedb_018::scenarios::fixture_settings,
        WriteTuning::settings,
    );
    if let Some(tuning) = &tuning {
        steps.push(tuning.describe());
    }
    // In some histories, from a third generator, the writers flush their WAL on SlateDB's
    // default timer (`flush_interval` 100 ms) as applications run it, so WAL objects are also
    // cut at moments no step chooses (between puts, during a memtable flush or a close).
    if StdRng::seed_from_u64(seed ^ 0x71_3e_d0_0f).random_bool(TIMED_WAL_FLUSH_SHARE) {
        settings.flush_interval = Some(DEFAULT_FLUSH_INTERVAL);
        steps.push("WAL flushed every 100 ms (SlateDB's default)".into());
    }
    // In some, from a fourth, the writers run SlateDB's compactor in process (as the default
    // settings do), polling often enough to act within a scenario: its manifests, its
    // checkpoints and its output SSTs interleave with the writers' own, and a close may stop
    // it in the middle of a compaction.
    let in_process_compactor =
        StdRng::seed_from_u64(seed ^ 0xc0_3a_c7_00).random_bool(IN_PROCESS_COMPACTOR_SHARE);
    if in_process_compactor {
        settings.compactor_options = Some(slatedb::config::CompactorOptions {
            poll_interval: Duration::from_millis(50),
            ..slatedb::config::CompactorOptions::default()
        });
        steps.push("the writers run the compactor in process".into());
    }
    scenario.tune(settings);
    // Every acknowledged write: durable once a flush or close returned.
    let mut written: Keys = BTreeMap::new();
    let mut next_key = 0u32;
    let max_padding = tuning.as_ref().map(|t| t.max_padding);
    // Keys of the crash-after-freeze session (`x…`), apart from the `put` closure's (`k…`).
    let mut next_key_for_crash = 0u32;
    let mut padding_rng = StdRng::seed_from_u64(seed ^ 0x9add_1e55);
    // Some writes overwrite or delete a key written before, as applications do: a lost
    // overwrite reads back the older value, a lost delete resurrects the key.
    let mut ops_rng = StdRng::seed_from_u64(seed ^ 0x0de1_e7e5);
    let mut next_value = 0u32;
    let mut put = move |db: &Db, written: &mut Keys, count: u32| {
        let (mut overwrites, mut deletes) = (0, 0);
        let ops: Vec<(String, Option<String>)> = (0..count)
            .map(|_| {
                next_value += 1;
                let live: Vec<&String> = written
                    .iter()
                    .filter(|(key, value)| key.starts_with('k') && *value != DELETED)
                    .map(|(key, _)| key)
                    .collect();
                let roll = ops_rng.random_range(0..100);
                let op = if !live.is_empty() && roll < 10 {
                    deletes += 1;
                    (live[ops_rng.random_range(0..live.len())].clone(), None)
                } else {
                    let key = if !live.is_empty() && roll < 25 {
                        overwrites += 1;
                        live[ops_rng.random_range(0..live.len())].clone()
                    } else {
                        next_key += 1;
                        format!("k{next_key:04}")
                    };
                    let padding = max_padding.map_or(0, |max| padding_rng.random_range(0..=max));
                    (
                        key,
                        Some(format!("v{next_value}-{seed}{}", ".".repeat(padding))),
                    )
                };
                written.insert(op.0.clone(), op.1.clone().unwrap_or_else(|| DELETED.into()));
                op
            })
            .collect();
        let summary = if overwrites + deletes == 0 {
            format!("{count} puts")
        } else {
            format!("{count} writes ({overwrites} overwriting, {deletes} deleting an earlier key)")
        };
        let db = db.clone();
        async move {
            for (key, value) in ops {
                match value {
                    Some(value) => db.put(key, value).await?,
                    None => db.delete(key).await?,
                };
            }
            anyhow::Ok(summary)
        }
    };
    let mut checkpoints: Vec<UserCheckpoint> = Vec::new();

    // History: a first session, then reopens, each ending in a close of some kind; the
    // application sometimes takes a checkpoint while it writes.
    let sessions = rng.random_range(1..=4);
    // From a sixth generator: sometimes one session ends as the application's process dies
    // after its last writes were acknowledged durable: no close, so no manifest records the
    // WAL written since the last one.
    let mut crash_rng = StdRng::seed_from_u64(seed ^ 0xc4_a5_11_ed);
    let crashing_session = crash_rng
        .random_bool(CRASH_SHARE)
        .then(|| crash_rng.random_range(0..sessions));
    let mut last_close_flushed_memtable = true;
    // Whether `p`'s last writer crashed instead of closing (any close records its WAL position).
    let mut p_crashed = false;
    for session in 0..sessions {
        if session > 0
            && checkpoints.len() < 2
            && last_close_flushed_memtable
            && rng.random_bool(0.1)
        {
            let (options, description, expired) = user_checkpoint_options(&mut rng);
            let id = scenario
                .admin("p")
                .create_detached_checkpoint(&options)
                .await?
                .id;
            steps.push(format!("detached {description}"));
            checkpoints.push(UserCheckpoint {
                id,
                keys: written.clone(),
                expired,
            });
        }
        let crashable = if crashing_session == Some(session) {
            Some(scenario.open_crashable("p").await?)
        } else {
            None
        };
        let db = match &crashable {
            Some(writer) => writer.db.clone(),
            None => scenario.open("p").await?,
        };
        let writes = if session == 0 {
            rng.random_range(1..=6)
        } else {
            rng.random_range(0..=4)
        };
        let mut session_steps = Vec::new();
        let mut last_writes = "0 puts".to_string();
        if writes > 0 {
            // Tuned writers sometimes flush the WAL between puts: the memtable then outgrows
            // the WAL buffer, so a freeze by size falls in the middle of a WAL object.
            let first = if tuning.is_some() && writes > 1 && tuning_rng.random_bool(0.5) {
                let first = tuning_rng.random_range(1..writes);
                let what = put(&db, &mut written, first).await?;
                flush(&db, FlushType::Wal).await?;
                session_steps.push(format!("{what}, WAL flush"));
                first
            } else {
                0
            };
            last_writes = put(&db, &mut written, writes - first).await?;
            match rng.random_range(0..3) {
                0 => {
                    flush(&db, FlushType::MemTable).await?;
                    last_writes.push_str(", memtable flush");
                }
                1 => {
                    flush(&db, FlushType::Wal).await?;
                    last_writes.push_str(", WAL flush");
                }
                _ => {}
            }
        }
        session_steps.push(last_writes);
        // A second writer task racing a memtable flush: its puts land in WAL objects written
        // while the L0 upload runs, before the manifest that publishes it.
        if tuning.as_ref().is_some_and(|t| t.racing_writer) && tuning_rng.random_bool(0.5) {
            let racing = tuning_rng.random_range(1..=4);
            let writer = tokio::spawn(put(&db, &mut written, racing));
            // Without timed WAL flushes (`flush_interval: None`), a memtable the racing puts
            // freeze by size waits for a WAL flush nobody makes, and so does the memtable
            // flush: the writer task makes one when it is done.
            let db_for_writer = db.clone();
            let (flushed, written_racing) = tokio::join!(flush(&db, FlushType::MemTable), async {
                let what = writer.await??;
                flush(&db_for_writer, FlushType::Wal).await?;
                anyhow::Ok(what)
            });
            flushed?;
            let what = written_racing?;
            session_steps.push(format!("{what} racing a memtable flush"));
        }
        if checkpoints.len() < 2 && rng.random_bool(0.25) {
            let (checkpoint, description) = take_checkpoint(&db, &written, &mut rng).await?;
            checkpoints.push(checkpoint);
            session_steps.push(description);
            let more = rng.random_range(0..=2);
            if more > 0 {
                let what = put(&db, &mut written, more).await?;
                session_steps.push(what);
            }
        }
        let wal_only = rng.random_bool(0.35);
        let Some(writer) = crashable else {
            close(db, wal_only).await?;
            last_close_flushed_memtable = !wal_only;
            p_crashed = false;
            steps.push(format!(
                "session {session}: {}, close{}",
                session_steps.join(", "),
                if wal_only { " (WAL flush only)" } else { "" }
            ));
            continue;
        };
        // The application's writes are acknowledged durable, then its process dies.
        flush(&db, FlushType::Wal).await?;
        drop(db);
        writer.crash();
        last_close_flushed_memtable = false;
        p_crashed = true;
        steps.push(format!(
            "session {session}: {}, WAL flush, crash",
            session_steps.join(", ")
        ));
        // Sometimes an operator's cleanup then deletes a checkpoint that is gone already:
        // `Admin::delete_checkpoint` writes the latest manifest again unchanged, which looks
        // like the last write of a `Db::close()` (SDB-WAL-009 must not take it for one).
        if crash_rng.random_bool(0.4) {
            let absent = uuid::Uuid::from_u128(crash_rng.random());
            scenario.admin("p").delete_checkpoint(absent).await?;
            steps.push(format!(
                "Admin::delete_checkpoint({absent}), which is not there (the manifest is written again unchanged)"
            ));
        }
    }

    // Sometimes a tuned writer's last session ends as a crash right after a memtable froze by
    // size: the freeze falls in the middle of a WAL buffer, the next put shares that WAL object
    // with rows of the L0 the freeze produced, and only the WAL holds it.
    if let Some(tuning) = tuning.as_ref().filter(|_| tuning_rng.random_bool(0.3)) {
        let db = scenario.open("p").await?;
        let size = tuning.l0_sst_size_bytes;
        let admin = scenario.admin("p");
        let l0_before = latest_l0_count(&admin).await?;
        let values = [
            ".".repeat(size * 3 / 5),
            ".".repeat(size / 2),
            "tail".to_string(),
        ];
        for (at, value) in values.into_iter().enumerate() {
            next_key_for_crash += 1;
            let key = format!("x{next_key_for_crash:04}");
            db.put(&key, &value).await?;
            written.insert(key, value);
            if at == 0 {
                flush(&db, FlushType::Wal).await?;
            }
        }
        flush(&db, FlushType::Wal).await?;
        // The L0 is published once its WAL is durable, by the flusher in the background.
        for _ in 0..100 {
            if latest_l0_count(&admin).await? > l0_before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        crate::slatedb_018::compat::close_leaving_data_in_wal(db).await?;
        last_close_flushed_memtable = false;
        p_crashed = false;
        steps.push(format!(
            "reopen, put {} B, WAL flush, put {} B (the memtable freezes by size), put `tail`, WAL flush, close (WAL flush only)",
            size * 3 / 5,
            size / 2
        ));
    }

    // Sometimes enough L0 flushes for the compactor, which then merges them into a sorted run
    // (and lets GC delete L0 SSTs nothing pins any more).
    // With the compactor in process, the writer's own compactor merges them while it runs (a
    // standalone one started after it may find the compaction it left unfinished and never
    // schedule another).
    if rng.random_bool(0.1) {
        let db = scenario.open("p").await?;
        for _ in 0..4 {
            put(&db, &mut written, 2).await?;
            flush(&db, FlushType::MemTable).await?;
        }
        steps.push(compact_l0_away(&scenario, db, in_process_compactor).await?);
        last_close_flushed_memtable = true;
        p_crashed = false;
    }

    // A last checkpoint, on the newest state (so on the manifest a deleted latest manifest
    // would have named).
    if checkpoints.len() < 2 && rng.random_bool(0.3) {
        let (options, description, expired) = user_checkpoint_options(&mut rng);
        let id = if last_close_flushed_memtable && rng.random_bool(0.4) {
            steps.push(format!("detached {description}"));
            scenario
                .admin("p")
                .create_detached_checkpoint(&options)
                .await?
                .id
        } else {
            let db = scenario.open("p").await?;
            if rng.random_bool(0.5) {
                put(&db, &mut written, rng.random_range(1..=3)).await?;
                flush(&db, FlushType::Wal).await?;
            }
            let scope = if rng.random_bool(0.5) {
                CheckpointScope::All
            } else {
                CheckpointScope::Durable
            };
            let id = db.create_checkpoint(scope, &options).await?.id;
            db.close().await?;
            last_close_flushed_memtable = true;
            p_crashed = false;
            steps.push(format!("reopen, {description} ({scope:?}), close"));
            id
        };
        checkpoints.push(UserCheckpoint {
            id,
            keys: written.clone(),
            expired,
        });
    }

    // Sometimes a last writer open that flushes nothing: the latest manifest is the one the
    // open wrote, and the open's fence is the newest WAL object.
    if rng.random_bool(0.15) {
        let db = scenario.open("p").await?;
        crate::slatedb_018::compat::close_leaving_data_in_wal(db).await?;
        last_close_flushed_memtable = false;
        p_crashed = false;
        steps.push("reopen, close (WAL flush only, nothing written)".into());
    }

    // Maybe a clone made before the damage, and a clone of that clone.
    let mut clone: Option<Keys> = None;
    let mut p_closed = last_close_flushed_memtable;
    let mut clones_closed = p_closed;
    let mut clone_pins: Vec<(uuid::Uuid, Keys)> = Vec::new();
    if rng.random_bool(0.4) {
        let from = if !checkpoints.is_empty() && rng.random_bool(0.6) {
            Some(checkpoints[rng.random_range(0..checkpoints.len())].clone())
        } else {
            None
        };
        let mut expected = from
            .as_ref()
            .map_or_else(|| written.clone(), |c| c.keys.clone());
        if scenario
            .clone_db("c1", "p", from.as_ref().map(|c| c.id))
            .await
            .is_ok()
        {
            // A clone of the latest state copies the WAL range the latest manifest records,
            // and a crashed writer recorded none of what it wrote after its last manifest: the
            // clone has what SlateDB gave it (the loss is `clone:p`'s to judge, not this step's).
            if from.is_none() && crashing_session.is_some() {
                expected = contents(&scenario, "c1", &written, uses_wal_store).await?;
            }
            clone_pins = pins_left_by(&scenario, "c1", "p", from.is_none(), &expected).await?;
            // A checkpoint's state may hold writes only in its WAL range.
            clones_closed &= from.is_none();
            steps.push(format!(
                "clone `c1` from {}",
                from.map_or("latest".to_string(), |c| format!("checkpoint {}", c.id))
            ));
            clone = Some(expected);
        }
    }
    // From a fifth generator: sometimes the clone is opened as a writer of its own before
    // anything else happens to it, as a split shard is: its writes follow its own fence, after
    // the WAL objects its creation copied, and it may close leaving them in its WAL only.
    let mut clone_rng = StdRng::seed_from_u64(seed ^ 0xc1_0e_5e_55);
    let mut clone_wrote = false;
    let mut clone_checkpoint: Option<UserCheckpoint> = None;
    if let (Some(keys), true) = (clone.as_mut(), clone_rng.random_bool(0.5)) {
        let db = scenario.open("c1").await?;
        let what = put(&db, keys, clone_rng.random_range(1..=4)).await?;
        let flushed = match clone_rng.random_range(0..3) {
            0 => {
                flush(&db, FlushType::MemTable).await?;
                ", memtable flush"
            }
            1 => {
                flush(&db, FlushType::Wal).await?;
                ", WAL flush"
            }
            _ => "",
        };
        // Sometimes the clone takes a checkpoint of its own, which its clone `c2` is then
        // made from: a clone of a clone from a checkpoint, whose range may hold the clone's
        // writes only in its WAL.
        let checkpoint = if clone_rng.random_bool(0.3) {
            let (checkpoint, description) = take_checkpoint(&db, keys, &mut clone_rng).await?;
            clone_checkpoint = Some(checkpoint);
            format!(", {description}")
        } else {
            String::new()
        };
        let wal_only = clone_rng.random_bool(0.4);
        close(db, wal_only).await?;
        // The clone's last writer decides what its WAL alone holds (a close flushes what it
        // replayed from the copied WAL objects too).
        clones_closed = !wal_only;
        clone_wrote = true;
        steps.push(format!(
            "open `c1`: {what}{flushed}{checkpoint}, close{}",
            if wal_only { " (WAL flush only)" } else { "" }
        ));
    }
    let mut grandchild: Option<Keys> = None;
    let mut grandchild_pins: Vec<(uuid::Uuid, Keys)> = Vec::new();
    if let (Some(keys), true) = (&clone, rng.random_bool(0.45)) {
        let from = clone_checkpoint
            .as_ref()
            .filter(|_| clone_rng.random_bool(0.6));
        if scenario
            .clone_db("c2", "c1", from.map(|c| c.id))
            .await
            .is_ok()
        {
            steps.push(match from {
                Some(checkpoint) => {
                    format!("clone `c2` from `c1`'s checkpoint {}", checkpoint.id)
                }
                None => "clone `c2` from `c1` (latest)".into(),
            });
            let keys = from.map_or_else(|| keys.clone(), |c| c.keys.clone());
            grandchild_pins = pins_left_by(&scenario, "c2", "c1", from.is_none(), &keys).await?;
            grandchild = Some(keys);
            // A checkpoint's state may hold writes only in its WAL range.
            clones_closed &= from.is_none();
        }
    }
    // From a seventh generator: sometimes `p` goes on writing after its clones were made, as
    // the source of a split does: its new WAL objects and L0s come after the clones' pins.
    let mut after_rng = StdRng::seed_from_u64(seed ^ 0xaf_7e_9c_10);
    if clone.is_some() && after_rng.random_bool(0.4) {
        let db = scenario.open("p").await?;
        let what = put(&db, &mut written, after_rng.random_range(1..=4)).await?;
        let flushed = if after_rng.random_bool(0.5) {
            flush(&db, FlushType::MemTable).await?;
            ", memtable flush"
        } else {
            ""
        };
        // Sometimes enough L0 flushes after them for a compaction: the L0 SSTs the clones
        // read through their pins leave `p`'s own tree, and only the pins keep them.
        if after_rng.random_bool(0.3) {
            for _ in 0..4 {
                put(&db, &mut written, 2).await?;
                flush(&db, FlushType::MemTable).await?;
            }
            let compacted = compact_l0_away(&scenario, db, in_process_compactor).await?;
            p_closed = true;
            p_crashed = false;
            steps.push(format!(
                "reopen `p` after its clones: {what}{flushed}, {compacted}"
            ));
        } else {
            let wal_only = after_rng.random_bool(0.35);
            close(db, wal_only).await?;
            p_closed = !wal_only;
            p_crashed = false;
            steps.push(format!(
                "reopen `p` after its clones: {what}{flushed}, close{}",
                if wal_only { " (WAL flush only)" } else { "" }
            ));
        }
    }
    if rng.random_bool(0.2) {
        scenario.admin("p").run_gc_once(gc_now_options()).await?;
        steps.push("GC of `p` with min_age 0".into());
    }

    // `p`'s other live checkpoints, the compactor's among them: what a clone from each reads
    // while the store is intact is what it must still read after the action.
    let mut other_checkpoints: Vec<(uuid::Uuid, Keys)> = Vec::new();
    let probed: Vec<uuid::Uuid> = checkpoints
        .iter()
        .map(|c| c.id)
        .chain(clone_pins.iter().map(|(id, _)| *id))
        .collect();
    for checkpoint in scenario.admin("p").list_checkpoints(None).await? {
        let unexpired = checkpoint
            .expire_time
            .is_none_or(|at| at > chrono::Utc::now());
        if !unexpired || probed.contains(&checkpoint.id) {
            continue;
        }
        let read = with_scratch_clone(&scenario, "p", checkpoint.id, "intact", async |root| {
            contents(&scenario, root, &written, uses_wal_store).await
        })
        .await;
        if let Ok(keys) = read {
            other_checkpoints.push((checkpoint.id, keys));
        }
    }

    // What an operator who collects before acting would have (`--earlier-bundle`).
    let before = scenario.copy_stores(&scenario.main_dir().with_file_name("before"))?;
    // Damage, to the clone's own objects when it wrote some (from a sixth generator), otherwise
    // to `p`'s.
    let mut target_rng = StdRng::seed_from_u64(seed ^ 0x7a_26_e7_c1);
    let damaged = if clone_wrote && target_rng.random_bool(0.5) {
        "c1"
    } else {
        "p"
    };
    let wal_dir = scenario.wal_dir().join(damaged).join("wal");
    let main_dir = scenario.main_dir().to_path_buf();
    let mut deleted_wals: Vec<(u64, u64)> = Vec::new();
    let damage = pick(
        &mut rng,
        &[
            (Damage::None, 16),
            (Damage::OneWal, 7),
            (Damage::WalInReplayRange, 12),
            (Damage::WalWipe, 16),
            (Damage::Sst, 8),
            (Damage::SstCutShort, 6),
            (Damage::WalCutShort, 6),
            (Damage::Checkpoint, 7),
            (Damage::CheckpointManifest, 6),
            (Damage::LatestManifest, 14),
            (Damage::Pins, 8),
        ],
    );
    let mut checkpoint_deleted: Option<uuid::Uuid> = None;
    let mut wal_damage_only_live = false;
    let damage_tag = match damage {
        Damage::None => {
            steps.push("no damage".into());
            "none"
        }
        Damage::OneWal | Damage::WalInReplayRange => {
            let wals = wal_objects(&wal_dir)?;
            let in_range: Vec<&(u64, u64, std::path::PathBuf)> =
                match latest_manifest(&main_dir, damaged)? {
                    Some(latest) if damage == Damage::WalInReplayRange => wals
                        .iter()
                        .filter(|(id, _, _)| {
                            *id > latest.replay_after_wal_id && *id < latest.next_wal_sst_id
                        })
                        .collect(),
                    _ => wals.iter().collect(),
                };
            let pool = if in_range.is_empty() {
                wals.iter().collect()
            } else {
                in_range
            };
            if let Some((id, size, victim)) = pool.get(rng.random_range(0..pool.len().max(1))) {
                std::fs::remove_file(victim)?;
                deleted_wals.push((*id, *size));
                steps.push(format!(
                    "delete {} ({size} B)",
                    relative_key(scenario.wal_dir(), victim)
                ));
            }
            if damage == Damage::WalInReplayRange {
                "wal-in-replay-range"
            } else {
                "one-wal"
            }
        }
        Damage::WalWipe => {
            deleted_wals = wal_objects(&wal_dir)?
                .into_iter()
                .map(|(id, size, _)| (id, size))
                .collect();
            if wal_dir.exists() {
                std::fs::remove_dir_all(&wal_dir)?;
            }
            steps.push(format!(
                "wipe {damaged}'s WAL ({} objects{})",
                deleted_wals.len(),
                if uses_wal_store {
                    " from the WAL store".to_string()
                } else {
                    format!(", `{damaged}/wal/` of the main store")
                }
            ));
            "wal-wipe"
        }
        Damage::Sst => {
            let ssts = files_under(&main_dir.join(damaged).join("compacted"))?;
            if let Some(victim) = ssts.get(rng.random_range(0..ssts.len().max(1))) {
                std::fs::remove_file(victim)?;
                steps.push(format!("delete {}", relative_key(&main_dir, victim)));
            }
            "sst"
        }
        Damage::SstCutShort => {
            // An interrupted copy or restore: the key stays, with part of its bytes.
            let ssts = files_under(&main_dir.join(damaged).join("compacted"))?;
            if let Some(victim) = ssts.get(rng.random_range(0..ssts.len().max(1))) {
                let len = std::fs::metadata(victim)?.len();
                let kept = rng.random_range(0..=len / 2);
                steps.push(cut_short(victim, len, kept, &main_dir)?);
            }
            "sst-cut-short"
        }
        Damage::WalCutShort => {
            // The same to a WAL object holding rows (a zero-byte one is a fence), from the
            // replay range when there is one.
            let wals: Vec<(u64, u64, std::path::PathBuf)> = wal_objects(&wal_dir)?
                .into_iter()
                .filter(|(_, size, _)| *size > 0)
                .collect();
            let replayed: Vec<&(u64, u64, std::path::PathBuf)> =
                match latest_manifest(&main_dir, damaged)? {
                    Some(latest) => wals
                        .iter()
                        .filter(|(id, _, _)| *id > latest.replay_after_wal_id)
                        .collect(),
                    None => Vec::new(),
                };
            let pool: Vec<&(u64, u64, std::path::PathBuf)> = if replayed.is_empty() {
                wals.iter().collect()
            } else {
                replayed
            };
            if let Some((_, len, victim)) = pool.get(rng.random_range(0..pool.len().max(1))) {
                let kept = rng.random_range(1..=(len / 2).max(1));
                wal_damage_only_live = uses_wal_store && kept > 10;
                steps.push(cut_short(victim, *len, kept, scenario.wal_dir())?);
            }
            "wal-cut-short"
        }
        Damage::Checkpoint => {
            if !checkpoints.is_empty() {
                let victim = checkpoints[rng.random_range(0..checkpoints.len())].id;
                scenario.admin("p").delete_checkpoint(victim).await?;
                steps.push(format!("delete checkpoint {victim}"));
                checkpoint_deleted = Some(victim);
            }
            "checkpoint"
        }
        Damage::CheckpointManifest => {
            if !checkpoints.is_empty() {
                let victim = checkpoints[rng.random_range(0..checkpoints.len())].id;
                let latest = scenario
                    .admin("p")
                    .read_manifest(None)
                    .await?
                    .ok_or_else(|| anyhow!("no manifest"))?;
                if let Some(cp) = latest.checkpoints().iter().find(|c| c.id == victim) {
                    let path = main_dir
                        .join("p/manifest")
                        .join(format!("{:020}.manifest", cp.manifest_id));
                    if path.exists() && cp.manifest_id != latest.id() {
                        std::fs::remove_file(&path)?;
                        steps.push(format!(
                            "delete p/manifest/{:020}.manifest (checkpoint {victim}'s)",
                            cp.manifest_id
                        ));
                    }
                }
            }
            "checkpoint-manifest"
        }
        Damage::Pins => {
            // An operator cleaning up "unnamed, never-expiring" checkpoints deletes clones'
            // pins (and a user's own unnamed never-expiring checkpoints).
            let latest = scenario
                .admin("p")
                .read_manifest(None)
                .await?
                .ok_or_else(|| anyhow!("no manifest"))?;
            let pins: Vec<uuid::Uuid> = latest
                .checkpoints()
                .iter()
                .filter(|c| c.name.is_none() && c.expire_time.is_none())
                .map(|c| c.id)
                .collect();
            for pin in &pins {
                scenario.admin("p").delete_checkpoint(*pin).await?;
            }
            steps.push(format!(
                "delete {} unnamed never-expiring checkpoint(s) of `p`",
                pins.len()
            ));
            "pins"
        }
        Damage::LatestManifest => {
            let manifests = files_under(&main_dir.join(damaged).join("manifest"))?;
            if manifests.len() > 1 {
                let newest = manifests.last().expect("non-empty");
                let on_it = latest_manifest(&main_dir, damaged)?
                    .map_or(0, |latest| latest.checkpoints.len());
                std::fs::remove_file(newest)?;
                steps.push(format!(
                    "delete the latest manifest {} (naming {on_it} checkpoint(s))",
                    relative_key(&main_dir, newest)
                ));
            }
            "latest-manifest"
        }
    };
    // From an eighth generator: sometimes, instead of no damage, the damaged root's latest
    // manifest object cut short, as an interrupted restore leaves it (SlateDB cannot decode
    // it, and every open, read and clone of the root fails). Drawn apart, so that the other
    // seeds' histories stay as they were.
    let mut manifest_rng = StdRng::seed_from_u64(seed ^ 0x3a_11_fe_57);
    let newest_manifest = files_under(&main_dir.join(damaged).join("manifest"))?
        .into_iter()
        .rfind(|f| f.extension().is_some_and(|e| e == "manifest"));
    let damage_tag = match &newest_manifest {
        Some(latest) if damage_tag == "none" && manifest_rng.random_bool(0.3) => {
            let len = std::fs::metadata(latest)?.len();
            let kept = manifest_rng.random_range(0..len);
            steps.pop();
            steps.push(cut_short(latest, len, kept, &main_dir)?);
            "manifest-cut-short"
        }
        _ => damage_tag,
    };
    let invisible_wal_loss = match latest_manifest(&main_dir, damaged)? {
        Some(latest) if !deleted_wals.is_empty() => {
            let remaining: Vec<u64> = wal_objects(&wal_dir)?
                .into_iter()
                .map(|(id, _, _)| id)
                .collect();
            leaves_no_trace(&deleted_wals, &remaining, &latest)
        }
        _ => false,
    };

    // The action.
    let live_checkpoints: Vec<UserCheckpoint> = checkpoints
        .iter()
        .filter(|c| Some(c.id) != checkpoint_deleted)
        .cloned()
        .collect();
    let mut readers = vec![Probe::Read {
        root: "p".into(),
        keys: written.clone(),
    }];
    readers.extend(clone.iter().map(|keys| Probe::Read {
        root: "c1".into(),
        keys: keys.clone(),
    }));
    readers.extend(grandchild.iter().map(|keys| Probe::Read {
        root: "c2".into(),
        keys: keys.clone(),
    }));
    // Every clone from a live checkpoint must keep working too, as issue 10 judges actions by
    // consequence. SlateDB also clones from an expired one until GC removes it, but an expired
    // checkpoint is no live clone source: breaking its clones is reported as advice. Only the
    // clone plans themselves, below, clone from expired checkpoints.
    // The clone's own checkpoint too: an action on the clone must not break a clone from it.
    // And the checkpoints the clones left on their sources: SlateDB never clones from them
    // itself, but they are listed like any other, and anyone may.
    let clone_sources = live_checkpoints
        .iter()
        .map(|c| ("p", c))
        .chain(clone_checkpoint.iter().map(|c| ("c1", c)))
        .filter(|(_, c)| !c.expired)
        .map(|(source, c)| (source, &c.id, &c.keys))
        .chain(clone_pins.iter().map(|(id, keys)| ("p", id, keys)))
        .chain(grandchild_pins.iter().map(|(id, keys)| ("c1", id, keys)))
        .chain(other_checkpoints.iter().map(|(id, keys)| ("p", id, keys)));
    let unexpired_probes: Vec<Probe> = readers
        .iter()
        .cloned()
        .chain(clone_sources.map(|(source, id, keys)| Probe::CloneFrom {
            source: source.to_string(),
            id: *id,
            keys: keys.clone(),
        }))
        .collect();
    let p_exists = latest_manifest(&main_dir, "p")?.is_some();
    let choice = pick(
        &mut rng,
        &[
            (Choice::CloneCheckpoint, 12),
            (Choice::CloneLatest, 10),
            (Choice::CloneOfClone, 4),
            (Choice::ReadClone, 6),
            (Choice::ReadGrandchild, 4),
            (Choice::ReadP, 12),
            (Choice::OpenP, 12),
            (Choice::Gc, 10),
            (Choice::WipeWal, 10),
            (Choice::DeleteCheckpoint, 10),
            (Choice::DeleteRoot, 6),
        ],
    );
    // `p`'s checkpoints as SlateDB lists them now: the users', clones' never-expiring final
    // pins, and SlateDB's own (a clone's ephemeral source checkpoint, the compactor's).
    // (None when its latest manifest was cut short: SlateDB cannot read it either.)
    let p_checkpoints: Vec<(uuid::Uuid, bool)> = if choice == Choice::DeleteCheckpoint {
        scenario
            .admin("p")
            .read_manifest(None)
            .await
            .ok()
            .flatten()
            .map(|latest| {
                latest
                    .checkpoints()
                    .iter()
                    .map(|c| (c.id, c.name.is_none() && c.expire_time.is_none()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // The plans that name `p` name the clone instead, sometimes when it wrote, always when the
    // damage was its own.
    let acted_on = if clone_wrote && (damaged == "c1" || target_rng.random_bool(0.3)) {
        "c1"
    } else {
        "p"
    };
    let keys_of_acted_on = if acted_on == "c1" {
        clone.clone().unwrap_or_default()
    } else {
        written.clone()
    };
    let (plan, action) = match choice {
        Choice::CloneCheckpoint if acted_on == "c1" && clone_checkpoint.is_some() => {
            let target = clone_checkpoint.as_ref().expect("checked");
            (
                format!("clone:c1@{}", target.id),
                Action::CloneCheckpoint {
                    source: "c1".into(),
                    id: target.id,
                    expected: target.keys.clone(),
                },
            )
        }
        Choice::CloneCheckpoint if !checkpoints.is_empty() => {
            let target = &checkpoints[rng.random_range(0..checkpoints.len())];
            (
                format!("clone:p@{}", target.id),
                Action::CloneCheckpoint {
                    source: "p".into(),
                    id: target.id,
                    expected: target.keys.clone(),
                },
            )
        }
        Choice::CloneLatest => (
            format!("clone:{acted_on}"),
            Action::CloneLatest {
                source: acted_on.into(),
                expected: keys_of_acted_on,
            },
        ),
        Choice::CloneOfClone if clone.is_some() => (
            "clone:c1".to_string(),
            Action::CloneLatest {
                source: "c1".into(),
                expected: clone.clone().unwrap_or_default(),
            },
        ),
        Choice::ReadClone if clone.is_some() => (
            "read:c1".to_string(),
            Action::Read {
                root: "c1".into(),
                expected: clone.clone().unwrap_or_default(),
            },
        ),
        Choice::ReadGrandchild if grandchild.is_some() => (
            "read:c2".to_string(),
            Action::Read {
                root: "c2".into(),
                expected: grandchild.clone().unwrap_or_default(),
            },
        ),
        Choice::ReadP => (
            format!("read:{acted_on}"),
            Action::Read {
                root: acted_on.into(),
                expected: keys_of_acted_on,
            },
        ),
        Choice::Gc => (
            format!("gc:{acted_on}"),
            Action::Gc {
                root: acted_on.into(),
                probes: unexpired_probes,
            },
        ),
        Choice::WipeWal => (
            format!("wipe-wal:{acted_on}"),
            Action::WipeWal {
                root: acted_on.into(),
                probes: unexpired_probes,
            },
        ),
        Choice::DeleteCheckpoint if !p_checkpoints.is_empty() => {
            // Often a user's checkpoint, often a clone's never-expiring pin, otherwise any.
            let users: Vec<uuid::Uuid> = p_checkpoints
                .iter()
                .filter(|(id, _)| live_checkpoints.iter().any(|c| c.id == *id))
                .map(|(id, _)| *id)
                .collect();
            let pins: Vec<uuid::Uuid> = p_checkpoints
                .iter()
                .filter(|(id, pin)| *pin && !users.contains(id))
                .map(|(id, _)| *id)
                .collect();
            let all: Vec<uuid::Uuid> = p_checkpoints.iter().map(|(id, _)| *id).collect();
            let pool = match rng.random_range(0..10) {
                0..=2 if !users.is_empty() => users,
                3..=7 if !pins.is_empty() => pins,
                _ => all,
            };
            let id = pool[rng.random_range(0..pool.len())];
            // The deletion is followed by a GC run, which removes expired checkpoints whatever
            // was deleted (as for `gc`): only the unexpired ones count. The deleted
            // checkpoint's own clones are no longer expected to work.
            let mut probes = unexpired_probes;
            probes.retain(|probe| !matches!(probe, Probe::CloneFrom { id: c, .. } if *c == id));
            (
                format!("delete-checkpoint:p@{id}"),
                Action::DeleteCheckpoint { id, probes },
            )
        }
        Choice::DeleteRoot if p_exists => {
            readers.retain(|probe| !matches!(probe, Probe::Read { root, .. } if root == "p"));
            (
                "delete-root:p".to_string(),
                Action::DeleteRoot { probes: readers },
            )
        }
        _ => (
            format!("open:{acted_on}"),
            Action::Open {
                root: acted_on.into(),
                expected: keys_of_acted_on,
            },
        ),
    };
    let wal_listing_given = !uses_wal_store || rng.random_bool(0.85);
    // A clone from a checkpoint of the clone may hold writes only in the checkpoint's WAL range,
    // however the writers closed.
    let writers_closed = if plan.starts_with("clone:c1@") {
        false
    } else if plan.contains(":c") {
        clones_closed
    } else {
        p_closed
    };
    // The weaker statement, of a last writer that closed with a WAL flush only: of `p`, or of
    // a clone whose own writer closed so (a clone no writer opened on wrote nothing of its own).
    let writers_closed_wal_only = !writers_closed
        && if plan.starts_with("clone:c1@") {
            false
        } else if plan.contains(":c") {
            clone_wrote
        } else {
            !p_crashed
        };
    let dirs = StoreDirs {
        main: scenario.main_dir().to_path_buf(),
        wal: uses_wal_store.then(|| scenario.wal_dir().to_path_buf()),
    };
    scenario.log("generated", serde_json::json!(steps));
    Ok(Generated {
        seed,
        steps,
        damage: damage_tag,
        invisible_wal_loss,
        wal_damage_only_live,
        plan,
        dirs,
        before,
        wal_listing_given,
        uses_wal_store,
        writers_closed,
        writers_closed_wal_only,
        scenario,
        action,
    })
}

fn listing_of(dir: &Path) -> Result<Listing> {
    let mut builder = ListingBuilder::new(ListingOptions::default());
    for file in files_under(dir)? {
        builder.push(RawEntry::new(
            relative_key(dir, &file),
            std::fs::metadata(&file)?.len(),
        ));
    }
    Ok(builder.finish())
}

/// What an operator gives slatecheck about `dirs`: the main store listing, the WAL store's if
/// `with_wal` (and the store has one), and every manifest object.
pub fn inputs_of(dirs: &StoreDirs, with_wal: bool) -> Result<SnapshotInputs> {
    let main = dirs.main.as_path();
    let mut manifests = Vec::new();
    for file in files_under(main)?
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "manifest"))
    {
        let key = relative_key(main, &file);
        let decoded = decode_manifest_file(&key, &std::fs::read(&file)?, None)?;
        manifests.extend(decoded.into_iter().map(|manifest| (key.clone(), manifest)));
    }
    Ok(SnapshotInputs {
        main: Some(listing_of(main)?),
        wal: match (&dirs.wal, with_wal) {
            (Some(wal), true) => Some(listing_of(wal)?),
            _ => None,
        },
        manifests,
        ..SnapshotInputs::default()
    })
}

impl Generated {
    /// The action's kind: the plan up to its first `:`.
    pub fn kind(&self) -> &str {
        self.plan.split(':').next().unwrap_or_default()
    }

    /// Performs the action with SlateDB and reports what happened.
    pub async fn perform(&self) -> Outcome {
        match &self.action {
            Action::DeleteCheckpoint { id, probes } => self.delete_checkpoint(*id, probes).await,
            Action::Gc { probes, .. }
            | Action::WipeWal { probes, .. }
            | Action::DeleteRoot { probes } => {
                // The action must not break what worked before it: what already fails (the
                // damage) is not the action's doing.
                let working = self.working(probes).await;
                if working.is_empty() && !probes.is_empty() {
                    return Outcome::Untestable("nothing works before the action".into());
                }
                let done = async {
                    self.act().await?;
                    self.still_work(working, "after the action").await
                };
                match done.await {
                    Ok(()) => Outcome::Ok,
                    Err(err) => Outcome::Failed(err.to_string()),
                }
            }
            _ => match self.act().await {
                Ok(()) => Outcome::Ok,
                Err(err) => Outcome::Failed(err.to_string()),
            },
        }
    }

    /// `delete-checkpoint:p@id`: the deletion, then the next GC run of `p`; every probe that
    /// worked before must still work. A released clone pin does its harm only once `p`'s GC
    /// may delete the SSTs the clone reads: that is played out afterwards.
    async fn delete_checkpoint(&self, id: uuid::Uuid, probes: &[Probe]) -> Outcome {
        let s = &self.scenario;
        let working = self.working(probes).await;
        if working.is_empty() {
            return Outcome::Untestable("nothing works before the deletion".into());
        }
        // The clones that read `p`'s SSTs through this checkpoint (a final pin).
        let mut pinned = Vec::new();
        for probe in &working {
            if let Probe::Read { root, .. } = probe {
                if let Ok(Some(latest)) = s.admin(root).read_manifest(None).await {
                    if latest.external_dbs().iter().any(|e| {
                        e.path == "p" && e.final_checkpoint_id == Some(id) && !e.sst_ids.is_empty()
                    }) {
                        pinned.push(*probe);
                    }
                }
            }
        }
        let deleted = async {
            s.admin("p")
                .delete_checkpoint(id)
                .await
                .map_err(|e| anyhow!("delete_checkpoint failed: {e}"))?;
            // What the deletion releases is collected by the next GC run.
            s.admin("p")
                .run_gc_once(gc_now_options())
                .await
                .map_err(|e| anyhow!("GC failed: {e}"))?;
            self.still_work(working, "after the deletion and GC").await
        };
        if let Err(err) = deleted.await {
            return Outcome::Failed(err.to_string());
        }
        if pinned.is_empty() {
            return Outcome::Ok;
        }
        // Play the later harm out: `p` keeps writing and compacts its L0 away, every expiring
        // checkpoint goes as it would when it expires (never-expiring ones, another clone's
        // pin or a user's, stay and keep their SSTs), and GC runs again.
        if let Err(err) = self.compact_p_and_collect().await {
            return Outcome::Untestable(format!(
                "the released SSTs stay in `p`'s manifest until it compacts, and it cannot: {err}"
            ));
        }
        match self
            .still_work(pinned, "after the deletion, a compaction of `p` and GC")
            .await
        {
            Ok(()) => Outcome::Ok,
            Err(err) => Outcome::Deferred(err.to_string()),
        }
    }

    /// `p` writes four L0 SSTs and compacts until its L0 is empty; its expiring checkpoints are
    /// deleted as their expiry would; GC runs.
    async fn compact_p_and_collect(&self) -> Result<()> {
        let s = &self.scenario;
        let admin = s.admin("p");
        let db = s.open("p").await?;
        for i in 0..4 {
            db.put(format!("z{i}"), "later").await?;
            flush(&db, FlushType::MemTable).await?;
        }
        db.close().await?;
        compact_until_l0_empty(s.admin("p"), s.admin("p")).await?;
        for checkpoint in admin.list_checkpoints(None).await? {
            if checkpoint.expire_time.is_some() {
                admin.delete_checkpoint(checkpoint.id).await?;
            }
        }
        admin.run_gc_once(gc_now_options()).await?;
        Ok(())
    }

    /// Whether `probe` works now; `tag` names the roots its clones are made at.
    async fn probe(&self, probe: &Probe, tag: &str) -> Result<()> {
        let s = &self.scenario;
        match probe {
            Probe::Read { root, keys } => {
                read_back_with_reader(s, root, keys, self.uses_wal_store).await
            }
            Probe::CloneFrom { source, id, keys } => {
                let with_wal = self.uses_wal_store;
                with_scratch_clone(s, source, *id, tag, async |root| {
                    read_back_with_writer(s, root, keys, with_wal)
                        .await
                        .map_err(|e| anyhow!("clone from checkpoint {id}: {e}"))
                })
                .await
            }
        }
    }

    /// The probes among `probes` that work now.
    async fn working<'a>(&self, probes: &'a [Probe]) -> Vec<&'a Probe> {
        let mut working = Vec::new();
        for probe in probes {
            match self.probe(probe, "before").await {
                Ok(()) => working.push(probe),
                Err(err) if std::env::var_os("SLATECHECK_ORACLE_VERBOSE").is_some() => {
                    eprintln!("fails before the action: {probe:?}: {err}");
                }
                Err(_) => {}
            }
        }
        working
    }

    /// Every probe of `working` must still work.
    async fn still_work(&self, working: Vec<&Probe>, when: &str) -> Result<()> {
        for (n, probe) in working.into_iter().enumerate() {
            self.probe(probe, &format!("after{n}"))
                .await
                .map_err(|e| match probe {
                    Probe::Read { root, .. } => anyhow!("`{root}` {when}: {e}"),
                    Probe::CloneFrom { .. } => anyhow!("{when}: {e}"),
                })?;
        }
        Ok(())
    }

    /// The action itself (for the actions with probes, without them).
    async fn act(&self) -> Result<()> {
        let s = &self.scenario;
        match &self.action {
            Action::CloneCheckpoint {
                source,
                id,
                expected,
            } => {
                s.clone_db("x", source, Some(*id))
                    .await
                    .map_err(|e| anyhow!("clone failed: {e}"))?;
                read_back_with_writer(s, "x", expected, self.uses_wal_store).await
            }
            Action::CloneLatest { source, expected } => {
                s.clone_db("x", source, None)
                    .await
                    .map_err(|e| anyhow!("clone failed: {e}"))?;
                read_back_with_writer(s, "x", expected, self.uses_wal_store).await
            }
            Action::Open { root, expected } => {
                let db = s
                    .open_with(root, self.uses_wal_store)
                    .await
                    .map_err(|e| anyhow!("open failed: {e:#}"))?;
                let read = read_back(&db, expected).await;
                // The first WAL write after the open is what collides after a hole.
                let write = async {
                    db.put("probe", "after-open").await?;
                    flush(&db, FlushType::Wal).await
                }
                .await;
                let _ = db.close().await;
                read?;
                write.map_err(|e| anyhow!("write after open failed: {e}"))
            }
            Action::Gc { root, .. } => s
                .admin(root)
                .run_gc_once(gc_now_options())
                .await
                .map_err(|e| anyhow!("GC failed: {e}")),
            Action::WipeWal { root, .. } => {
                let wal = s.wal_dir().join(root).join("wal");
                if wal.exists() {
                    std::fs::remove_dir_all(&wal)?;
                }
                Ok(())
            }
            Action::DeleteRoot { .. } => s
                .admin("p")
                .delete_db(true)
                .await
                .map(|_| ())
                .map_err(|e| anyhow!("delete_db failed: {e}")),
            Action::DeleteCheckpoint { .. } => {
                unreachable!("performed by `delete_checkpoint`")
            }
            Action::Read { root, expected } => {
                read_back_with_reader(s, root, expected, self.uses_wal_store).await
            }
        }
    }
}

/// Reads `expected` back with a reader that writes nothing (no managed checkpoint).
async fn read_back_with_reader(
    s: &Scenario,
    root: &str,
    expected: &Keys,
    with_wal: bool,
) -> Result<()> {
    let reader = open_reader(s, root, with_wal).await?;
    let result = read_back(&reader, expected).await;
    let _ = reader.close().await;
    result
}

/// A `DbReader` of `root` that follows its latest state, with the WAL store when `with_wal`.
async fn open_reader(s: &Scenario, root: &str, with_wal: bool) -> Result<DbReader> {
    let mut builder =
        DbReader::builder(root, crate::slatedb_018::oracle::local_store(s.main_dir())?)
            .with_reader_mode(DbReaderMode::FollowLatest);
    if with_wal {
        builder =
            builder.with_wal_object_store(crate::slatedb_018::oracle::local_store(s.wal_dir())?);
    }
    builder
        .build()
        .await
        .map_err(|e| anyhow!("reader failed: {e}"))
}

/// The roots whose checkpoints a scratch clone may add to: its source, and the roots its
/// carried `external_dbs` entries pin.
const CHECKPOINTED_ROOTS: [&str; 3] = ["p", "c1", "c2"];

/// Clones `source` from its checkpoint `id` into a scratch root (named after `tag`), hands that
/// root to `then`, and removes the clone and every checkpoint it left (the ephemeral one and
/// the pin on its source, and the pins a clone of a clone writes on the roots it carries), so
/// that a probe changes nothing it is not meant to.
async fn with_scratch_clone<T>(
    s: &Scenario,
    source: &str,
    id: uuid::Uuid,
    tag: &str,
    then: impl AsyncFnOnce(&str) -> Result<T>,
) -> Result<T> {
    let mut before = std::collections::BTreeSet::new();
    for root in CHECKPOINTED_ROOTS {
        before.extend(
            s.admin(root)
                .list_checkpoints(None)
                .await
                .unwrap_or_default()
                .iter()
                .map(|c| c.id),
        );
    }
    let scratch = format!("probe-{tag}-{}", id.simple());
    let result = async {
        s.clone_db(&scratch, source, Some(id))
            .await
            .map_err(|e| anyhow!("clone from checkpoint {id} failed: {e}"))?;
        then(&scratch).await
    }
    .await;
    for root in CHECKPOINTED_ROOTS {
        let admin = s.admin(root);
        for added in admin.list_checkpoints(None).await.unwrap_or_default() {
            if !before.contains(&added.id) {
                let _ = admin.delete_checkpoint(added.id).await;
            }
        }
    }
    for dir in [s.main_dir(), s.wal_dir()] {
        let _ = std::fs::remove_dir_all(dir.join(&scratch));
    }
    result
}

/// What a reader of `root` finds of the keys `written` names: each key's value, or
/// [`DELETED`] where it finds none.
async fn contents(s: &Scenario, root: &str, written: &Keys, with_wal: bool) -> Result<Keys> {
    let reader = open_reader(s, root, with_wal).await?;
    let mut found = Keys::new();
    for key in written.keys() {
        let value = reader
            .get(key.as_bytes())
            .await
            .map_err(|e| anyhow!("reading {key}: {e}"))?;
        found.insert(
            key.clone(),
            value.map_or_else(|| DELETED.into(), |v| as_text(&v)),
        );
    }
    let _ = reader.close().await;
    Ok(found)
}

/// Opens a writer on `root` and reads `expected` back.
async fn read_back_with_writer(
    s: &Scenario,
    root: &str,
    expected: &Keys,
    with_wal: bool,
) -> Result<()> {
    let db = s
        .open_with(root, with_wal)
        .await
        .map_err(|e| anyhow!("open of the clone failed: {e}"))?;
    let result = read_back(&db, expected).await;
    let _ = db.close().await;
    result
}

/// A value read back, as text.
fn as_text(value: &[u8]) -> String {
    String::from_utf8_lossy(value).into_owned()
}

/// Reads `expected` back from `db` twice: a point read of every key, then one scan of the
/// whole key range, which reads every SST and sorted run the database references (a missing
/// SST the point reads happened to skip, e.g. thanks to a bloom filter, is still a broken
/// database). Keys written after `expected` was taken may be there too; keys `expected`
/// records as [`DELETED`] must be in neither.
async fn read_back<R: DbReadOps + Sync>(db: &R, expected: &Keys) -> Result<()> {
    let mut lost = Vec::new();
    for (key, value) in expected {
        match db.get(key.as_bytes()).await {
            Ok(None) if value == DELETED => {}
            Ok(Some(found)) if as_text(&found) == *value => {}
            Ok(other) => lost.push(format!("{key}={:?}", other.as_deref().map(as_text))),
            Err(err) => return Err(anyhow!("reading {key}: {err}")),
        }
    }
    if !lost.is_empty() {
        return Err(anyhow!(
            "{} acknowledged key(s) lost: {}",
            lost.len(),
            lost.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let mut scanned = Keys::new();
    let mut iterator = db
        .scan::<std::ops::RangeFull>(..)
        .await
        .map_err(|e| anyhow!("full scan failed: {e}"))?;
    while let Some(row) = iterator
        .next()
        .await
        .map_err(|e| anyhow!("full scan failed after {} rows: {e}", scanned.len()))?
    {
        scanned.insert(as_text(&row.key), as_text(&row.value));
    }
    let short: Vec<&String> = expected
        .iter()
        .filter(|(key, value)| match scanned.get(*key) {
            Some(found) => found != *value,
            None => *value != DELETED,
        })
        .map(|(key, _)| key)
        .collect();
    if short.is_empty() {
        Ok(())
    } else {
        Err(anyhow!(
            "the full scan disagrees on {} of {} acknowledged key(s) (missing, older or resurrected: {})",
            short.len(),
            expected.len(),
            short
                .iter()
                .take(3)
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}
