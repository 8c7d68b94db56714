//! Randomized scenarios for the oracle test: SlateDB 0.18 writes a store through a random
//! history (writes, flushes of either kind, closes that leave data in the WAL, reopens that
//! leave fences, checkpoints of both scopes and detached ones, clones), then the store is
//! damaged the ways operators damage stores (a WAL object deleted, the WAL wiped, an SST
//! deleted, a checkpoint or a manifest object deleted), and one action is chosen. slatecheck
//! judges the action from a copy of the listings and manifests; then SlateDB performs it and
//! its real outcome (errors, lost keys) is recorded.

use crate::slatedb_018::scenarios::Scenario;
use crate::store::{files_under, relative_key, StoreDirs};
use anyhow::{anyhow, Result};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use slatecheck_core::listing::{Listing, ListingBuilder, ListingOptions, RawEntry};
use slatecheck_core::manifest::decode_manifest_file;
use slatecheck_core::snapshot::SnapshotInputs;
use slatedb::config::{CheckpointOptions, CheckpointScope, FlushOptions, FlushType};
use slatedb::{Db, DbReader, DbReaderMode};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One of `p`'s checkpoints, as a candidate for `delete-checkpoint`.
struct PCheckpoint {
    id: uuid::Uuid,
    /// The operator's checkpoint `cp`.
    named_cp: bool,
    /// Unnamed and never-expiring: a clone's final pin.
    pin: bool,
}

/// What SlateDB did when the action was performed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded and every expected key read back.
    Ok,
    /// It failed, or a key did not read back.
    Failed(String),
    /// The store was already broken where the action would be judged, so the outcome says
    /// nothing about the action (e.g. the clone from `cp` failed before the WAL was wiped).
    Untestable(String),
}

/// One generated scenario, ready to be judged and performed.
pub struct Generated {
    /// The seed.
    pub seed: u64,
    /// What was done, in order.
    pub steps: Vec<String>,
    /// The action, in slatecheck's plan syntax.
    pub plan: String,
    /// slatecheck's inputs, taken after the damage and before the action.
    inputs: Option<SnapshotInputs>,
    /// Whether the operator gave slatecheck the WAL store listing.
    pub wal_listing_given: bool,
    scenario: Scenario,
    action: Action,
    uses_wal_store: bool,
}

type Keys = BTreeMap<String, String>;

enum Action {
    CloneCheckpoint {
        id: uuid::Uuid,
        expected: Keys,
    },
    CloneLatest {
        expected: Keys,
    },
    Open {
        expected: Keys,
    },
    Read {
        root: String,
        expected: Keys,
    },
    /// One GC run with `min_age = 0`, then every database reads back what it should.
    Gc {
        readers: Vec<(String, Keys)>,
    },
    /// The WAL of `p` deleted, then `p` reopened and, if there is one, a clone from `cp`.
    WipeWal {
        expected: Keys,
        checkpoint: Option<(uuid::Uuid, Keys)>,
    },
    /// `Admin::delete_checkpoint` on `p`, then one GC run of `p` with `min_age = 0` (the next
    /// scheduled GC), then every database that read back before still reads back.
    DeleteCheckpoint {
        id: uuid::Uuid,
        readers: Vec<(String, Keys)>,
    },
    /// `Admin::delete_db` on `p`, then every clone that read back before still reads back.
    DeleteRoot {
        readers: Vec<(String, Keys)>,
    },
}

async fn flush(db: &Db, flush_type: FlushType) -> Result<()> {
    db.flush_with_options(FlushOptions { flush_type }).await?;
    Ok(())
}

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
    // Every acknowledged write: durable once a flush or close returned.
    let mut written: BTreeMap<String, String> = BTreeMap::new();
    let mut next_key = 0u32;
    let mut put = |db: &Db, written: &mut BTreeMap<String, String>, count: u32| {
        let keys: Vec<(String, String)> = (0..count)
            .map(|_| {
                next_key += 1;
                (format!("k{next_key:04}"), format!("v{next_key}-{seed}"))
            })
            .collect();
        written.extend(keys.iter().cloned());
        let db = db.clone();
        async move {
            for (key, value) in keys {
                db.put(key, value).await?;
            }
            anyhow::Ok(())
        }
    };

    // History: a first session, then reopens, each ending in a close of some kind.
    let sessions = rng.random_range(1..=3);
    let mut last_close_flushed_memtable = true;
    for session in 0..sessions {
        let db = scenario.open("p").await?;
        let writes = if session == 0 {
            rng.random_range(1..=6)
        } else {
            rng.random_range(0..=4)
        };
        if writes > 0 {
            put(&db, &mut written, writes).await?;
            match rng.random_range(0..3) {
                0 => flush(&db, FlushType::MemTable).await?,
                1 => flush(&db, FlushType::Wal).await?,
                _ => {}
            }
        }
        let wal_only = rng.random_bool(0.3);
        if wal_only {
            crate::slatedb_018::compat::close_leaving_data_in_wal(db).await?;
        } else {
            db.close().await?;
        }
        last_close_flushed_memtable = !wal_only;
        steps.push(format!(
            "session {session}: {writes} puts, close{}",
            if wal_only { " (WAL flush only)" } else { "" }
        ));
    }

    // Sometimes enough L0 flushes for the compactor, which then merges them into a sorted run
    // (and lets GC delete L0 SSTs nothing pins any more).
    if rng.random_bool(0.06) {
        let db = scenario.open("p").await?;
        for _ in 0..4 {
            put(&db, &mut written, 2).await?;
            flush(&db, FlushType::MemTable).await?;
        }
        db.close().await?;
        crate::slatedb_018::scenarios::compact_until_l0_empty(
            scenario.admin("p"),
            scenario.admin("p"),
        )
        .await?;
        last_close_flushed_memtable = true;
        steps.push("4 L0 flushes, compaction until L0 is empty".into());
    }

    // A checkpoint, taken the ways operators take them.
    let mut checkpoint: Option<(uuid::Uuid, BTreeMap<String, String>)> = None;
    match rng.random_range(0..4) {
        0 => {}
        kind => {
            let lifetime = rng.random_bool(0.5).then_some(Duration::from_secs(3600));
            let options = CheckpointOptions {
                lifetime,
                source: None,
                name: Some("cp".into()),
            };
            let id = if kind == 3 && last_close_flushed_memtable {
                let id = scenario
                    .admin("p")
                    .create_detached_checkpoint(&options)
                    .await?
                    .id;
                steps.push("detached checkpoint `cp`".into());
                id
            } else {
                let db = scenario.open("p").await?;
                if rng.random_bool(0.5) {
                    put(&db, &mut written, rng.random_range(1..=3)).await?;
                    flush(&db, FlushType::Wal).await?;
                }
                let scope = if kind == 1 {
                    CheckpointScope::All
                } else {
                    CheckpointScope::Durable
                };
                let id = db.create_checkpoint(scope, &options).await?.id;
                db.close().await?;
                steps.push(format!("reopen, checkpoint `cp` ({scope:?}), close"));
                id
            };
            checkpoint = Some((id, written.clone()));
        }
    }

    // Maybe a clone made before the damage.
    let mut clone: Option<BTreeMap<String, String>> = None;
    if rng.random_bool(0.35) {
        let from = checkpoint.as_ref().filter(|_| rng.random_bool(0.6));
        let expected = from.map_or_else(|| written.clone(), |(_, keys)| keys.clone());
        if scenario
            .clone_db("c1", "p", from.map(|(id, _)| *id))
            .await
            .is_ok()
        {
            steps.push(format!(
                "clone `c1` from {}",
                if from.is_some() { "`cp`" } else { "latest" }
            ));
            clone = Some(expected);
        }
    }
    let mut grandchild: Option<Keys> = None;
    if let (Some(keys), true) = (&clone, rng.random_bool(0.4)) {
        if scenario.clone_db("c2", "c1", None).await.is_ok() {
            steps.push("clone `c2` from `c1` (latest)".into());
            grandchild = Some(keys.clone());
        }
    }
    if rng.random_bool(0.25) {
        scenario
            .admin("p")
            .run_gc_once(crate::slatedb_018::scenarios::gc_now_options())
            .await?;
        steps.push("GC of `p` with min_age 0".into());
    }

    // Damage.
    let mut checkpoint_deleted = false;
    let wal_dir = scenario.wal_dir().join("p").join("wal");
    let main_dir = scenario.main_dir().to_path_buf();
    match rng.random_range(0..10) {
        0..=2 => steps.push("no damage".into()),
        3 => {
            let wals = files_under(&wal_dir)?;
            if let Some(victim) = wals.get(rng.random_range(0..wals.len().max(1))) {
                std::fs::remove_file(victim)?;
                steps.push(format!(
                    "delete {}",
                    relative_key(scenario.wal_dir(), victim)
                ));
            }
        }
        4 => {
            if wal_dir.exists() {
                std::fs::remove_dir_all(&wal_dir)?;
            }
            steps.push("wipe p's WAL".into());
        }
        5 => {
            let ssts = files_under(&main_dir.join("p").join("compacted"))?;
            if let Some(victim) = ssts.get(rng.random_range(0..ssts.len().max(1))) {
                std::fs::remove_file(victim)?;
                steps.push(format!("delete {}", relative_key(&main_dir, victim)));
            }
        }
        6 => {
            if let Some((id, _)) = &checkpoint {
                scenario.admin("p").delete_checkpoint(*id).await?;
                steps.push("delete checkpoint `cp`".into());
                checkpoint_deleted = true;
            }
        }
        7 => {
            if let Some((id, _)) = &checkpoint {
                let latest = scenario
                    .admin("p")
                    .read_manifest(None)
                    .await?
                    .ok_or_else(|| anyhow!("no manifest"))?;
                if let Some(cp) = latest.checkpoints().iter().find(|c| c.id == *id) {
                    let path = main_dir
                        .join("p/manifest")
                        .join(format!("{:020}.manifest", cp.manifest_id));
                    if path.exists() && cp.manifest_id != latest.id() {
                        std::fs::remove_file(&path)?;
                        steps.push(format!(
                            "delete p/manifest/{:020}.manifest (checkpoint `cp`'s)",
                            cp.manifest_id
                        ));
                    }
                }
            }
        }
        9 => {
            // An operator cleaning up "unnamed, never-expiring" checkpoints deletes clones' pins.
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
        }
        _ => {
            let manifests = files_under(&main_dir.join("p").join("manifest"))?;
            if manifests.len() > 1 {
                let newest = manifests.last().expect("non-empty");
                std::fs::remove_file(newest)?;
                steps.push(format!(
                    "delete the latest manifest {}",
                    relative_key(&main_dir, newest)
                ));
            }
        }
    }

    // The action.
    let choice = rng.random_range(0..11);
    let mut readers = vec![("p".to_string(), written.clone())];
    readers.extend(clone.iter().map(|keys| ("c1".to_string(), keys.clone())));
    readers.extend(
        grandchild
            .iter()
            .map(|keys| ("c2".to_string(), keys.clone())),
    );
    // `p`'s checkpoints as SlateDB lists them now: `cp`, clones' never-expiring final pins, and
    // SlateDB's own (a clone's ephemeral source checkpoint, the compactor's).
    let p_checkpoints: Vec<PCheckpoint> = if choice == 7 || choice == 9 {
        scenario
            .admin("p")
            .read_manifest(None)
            .await?
            .map(|latest| {
                latest
                    .checkpoints()
                    .iter()
                    .map(|c| PCheckpoint {
                        id: c.id,
                        named_cp: c.name.as_deref() == Some("cp"),
                        pin: c.name.is_none() && c.expire_time.is_none(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let p_exists = files_under(&main_dir.join("p").join("manifest"))?
        .iter()
        .any(|f| f.extension().is_some_and(|e| e == "manifest"));
    let (plan, action) = match (choice, &checkpoint, &clone) {
        (0, Some((id, keys)), _) => (
            format!("clone:p@{id}"),
            Action::CloneCheckpoint {
                id: *id,
                expected: keys.clone(),
            },
        ),
        (1, _, _) => (
            "clone:p".to_string(),
            Action::CloneLatest {
                expected: written.clone(),
            },
        ),
        (2, _, Some(keys)) => (
            "read:c1".to_string(),
            Action::Read {
                root: "c1".into(),
                expected: keys.clone(),
            },
        ),
        (3, _, _) => (
            "read:p".to_string(),
            Action::Read {
                root: "p".into(),
                expected: written.clone(),
            },
        ),
        (4, _, _) | (5, _, _) => ("gc:p".to_string(), Action::Gc { readers }),
        (6, _, _) => (
            "wipe-wal:p".to_string(),
            Action::WipeWal {
                expected: written.clone(),
                checkpoint: checkpoint.clone().filter(|_| !checkpoint_deleted),
            },
        ),
        (7, _, _) | (9, _, _) if !p_checkpoints.is_empty() => {
            // Sometimes the named `cp`, often a clone's never-expiring pin, otherwise any.
            let named: Vec<&PCheckpoint> = p_checkpoints.iter().filter(|c| c.named_cp).collect();
            let pins: Vec<&PCheckpoint> = p_checkpoints.iter().filter(|c| c.pin).collect();
            let pool = match rng.random_range(0..10) {
                0..=2 if !named.is_empty() => named,
                3..=7 if !pins.is_empty() => pins,
                _ => p_checkpoints.iter().collect(),
            };
            let id = pool[rng.random_range(0..pool.len())].id;
            (
                format!("delete-checkpoint:p@{id}"),
                Action::DeleteCheckpoint { id, readers },
            )
        }
        (8, _, _) if p_exists => {
            readers.retain(|(root, _)| root != "p");
            ("delete-root:p".to_string(), Action::DeleteRoot { readers })
        }
        _ => (
            "open:p".to_string(),
            Action::Open {
                expected: written.clone(),
            },
        ),
    };
    let wal_listing_given = !uses_wal_store || rng.random_bool(0.85);
    let dirs = StoreDirs {
        main: scenario.main_dir().to_path_buf(),
        wal: uses_wal_store.then(|| scenario.wal_dir().to_path_buf()),
    };
    let inputs = inputs_of(&dirs, wal_listing_given)?;
    scenario.log("generated", serde_json::json!(steps));
    Ok(Generated {
        seed,
        steps,
        plan,
        inputs: Some(inputs),
        wal_listing_given,
        scenario,
        action,
        uses_wal_store,
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
    /// slatecheck's inputs (taken once).
    pub fn take_inputs(&mut self) -> SnapshotInputs {
        self.inputs.take().unwrap_or_default()
    }

    /// Performs the action with SlateDB and reports what happened.
    pub async fn perform(&self) -> Outcome {
        if let Action::WipeWal {
            checkpoint: Some((id, keys)),
            ..
        } = &self.action
        {
            // A clone from `cp` made before the wipe shows whether the checkpoint works at all.
            let baseline = async {
                self.scenario
                    .clone_db("x0", "p", Some(*id))
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                read_back_with_writer(&self.scenario, "x0", keys, self.uses_wal_store).await
            };
            if let Err(err) = baseline.await {
                return Outcome::Untestable(format!(
                    "cloning from `cp` fails before the wipe: {err}"
                ));
            }
        }
        match &self.action {
            Action::DeleteCheckpoint { id, readers } => {
                return self.delete_checkpoint(*id, readers).await;
            }
            Action::DeleteRoot { readers } => return self.delete_root(readers).await,
            _ => {}
        }
        match self.perform_inner().await {
            Ok(()) => Outcome::Ok,
            Err(err) => Outcome::Failed(err.to_string()),
        }
    }

    /// `delete-checkpoint:p@id`: the deletion, then the next GC run of `p`; every reader that
    /// worked before must still read back.
    async fn delete_checkpoint(&self, id: uuid::Uuid, readers: &[(String, Keys)]) -> Outcome {
        let s = &self.scenario;
        let working = self.working(readers).await;
        if working.is_empty() {
            return Outcome::Untestable("no database reads back before the deletion".into());
        }
        // The clones that read `p`'s SSTs through this checkpoint (a final pin).
        let mut pinned = Vec::new();
        for reader in &working {
            let (root, _) = reader;
            if let Ok(Some(latest)) = s.admin(root).read_manifest(None).await {
                if latest.external_dbs().iter().any(|e| {
                    e.path == "p" && e.final_checkpoint_id == Some(id) && !e.sst_ids.is_empty()
                }) {
                    pinned.push(*reader);
                }
            }
        }
        // Another never-expiring checkpoint of `p` on the same manifest (`cp` without a
        // lifetime for a clone from `cp`, the parent clone's pin for a nested clone) keeps
        // pinning the same SSTs.
        let checkpoints = s
            .admin("p")
            .list_checkpoints(None)
            .await
            .unwrap_or_default();
        let same_manifest = checkpoints.iter().find(|c| c.id == id).and_then(|deleted| {
            checkpoints
                .iter()
                .find(|c| {
                    c.id != id && c.expire_time.is_none() && c.manifest_id == deleted.manifest_id
                })
                .map(|c| (c.id, c.manifest_id))
        });
        let deleted = async {
            s.admin("p")
                .delete_checkpoint(id)
                .await
                .map_err(|e| anyhow!("delete_checkpoint failed: {e}"))?;
            // What the deletion releases is collected by the next GC run.
            s.admin("p")
                .run_gc_once(crate::slatedb_018::scenarios::gc_now_options())
                .await
                .map_err(|e| anyhow!("GC failed: {e}"))?;
            self.still_read_back(working, "after the deletion and GC")
                .await
        };
        if let Err(err) = deleted.await {
            return Outcome::Failed(err.to_string());
        }
        if pinned.is_empty() {
            return Outcome::Ok;
        }
        if let Some((other, manifest)) = same_manifest {
            return Outcome::Untestable(format!(
                "checkpoint {other} of `p` still pins manifest {manifest} and the SSTs the clone reads: the deletion harms the clone only once that one goes too"
            ));
        }
        // A released pin harms a clone only once `p`'s GC may delete the SSTs it read: after
        // `p` compacts them out of its manifest and the expiring checkpoints on the same
        // manifest (the clone's 300 s source checkpoint, the compactor's 900 s ones, `cp` with
        // a lifetime) expire. Play that out: `p` keeps writing and compacts, every expiring
        // checkpoint goes as it would when it expires, and GC runs again.
        match self.compact_p_and_collect().await {
            Ok(()) => {}
            Err(err) => {
                return Outcome::Untestable(format!(
                "the released SSTs stay in `p`'s manifest until it compacts, and it cannot: {err}"
            ))
            }
        }
        match self
            .still_read_back(pinned, "after the deletion, a compaction of `p` and GC")
            .await
        {
            Ok(()) => Outcome::Ok,
            Err(err) => Outcome::Failed(err.to_string()),
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
        crate::slatedb_018::scenarios::compact_until_l0_empty(s.admin("p"), s.admin("p")).await?;
        for checkpoint in admin.list_checkpoints(None).await? {
            if checkpoint.expire_time.is_some() {
                admin.delete_checkpoint(checkpoint.id).await?;
            }
        }
        admin
            .run_gc_once(crate::slatedb_018::scenarios::gc_now_options())
            .await?;
        Ok(())
    }

    /// `delete-root:p`: `Admin::delete_db`; every clone that read back before must still.
    async fn delete_root(&self, readers: &[(String, Keys)]) -> Outcome {
        let working = self.working(readers).await;
        if !readers.is_empty() && working.is_empty() {
            return Outcome::Untestable("no clone of `p` reads back before the deletion".into());
        }
        let result = async {
            self.scenario
                .admin("p")
                .delete_db(true)
                .await
                .map_err(|e| anyhow!("delete_db failed: {e}"))?;
            self.still_read_back(working, "after deleting `p`").await
        };
        match result.await {
            Ok(()) => Outcome::Ok,
            Err(err) => Outcome::Failed(err.to_string()),
        }
    }

    /// The readers among `readers` that read back now.
    async fn working<'a>(&self, readers: &'a [(String, Keys)]) -> Vec<&'a (String, Keys)> {
        let mut working = Vec::new();
        for reader in readers {
            let (root, expected) = reader;
            if read_back_with_reader(&self.scenario, root, expected, self.uses_wal_store)
                .await
                .is_ok()
            {
                working.push(reader);
            }
        }
        working
    }

    /// Every reader of `working` must still read back.
    async fn still_read_back(&self, working: Vec<&(String, Keys)>, when: &str) -> Result<()> {
        for (root, expected) in working {
            read_back_with_reader(&self.scenario, root, expected, self.uses_wal_store)
                .await
                .map_err(|e| anyhow!("`{root}` {when}: {e}"))?;
        }
        Ok(())
    }

    async fn perform_inner(&self) -> Result<()> {
        let s = &self.scenario;
        match &self.action {
            Action::CloneCheckpoint { id, expected } => {
                s.clone_db("x", "p", Some(*id))
                    .await
                    .map_err(|e| anyhow!("clone failed: {e}"))?;
                read_back_with_writer(s, "x", expected, self.uses_wal_store).await
            }
            Action::CloneLatest { expected } => {
                s.clone_db("x", "p", None)
                    .await
                    .map_err(|e| anyhow!("clone failed: {e}"))?;
                read_back_with_writer(s, "x", expected, self.uses_wal_store).await
            }
            Action::Open { expected } => {
                let db = s
                    .open_with("p", self.uses_wal_store)
                    .await
                    .map_err(|e| anyhow!("open failed: {e}"))?;
                let read = check_keys(expected, |key| {
                    let db = db.clone();
                    async move { db.get(key).await.map_err(|e| anyhow!("{e}")).map(as_text) }
                })
                .await;
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
            Action::Gc { readers } => {
                // The action must not break what worked before it: reads that already fail
                // (the damage) are not the GC's doing.
                let working = self.working(readers).await;
                s.admin("p")
                    .run_gc_once(crate::slatedb_018::scenarios::gc_now_options())
                    .await
                    .map_err(|e| anyhow!("GC failed: {e}"))?;
                self.still_read_back(working, "after GC").await
            }
            Action::DeleteCheckpoint { .. } | Action::DeleteRoot { .. } => {
                unreachable!("performed by `perform`")
            }
            Action::WipeWal {
                expected,
                checkpoint,
            } => {
                // Judge the wipe only on what worked before it.
                let readable_before = read_back_with_reader(s, "p", expected, self.uses_wal_store)
                    .await
                    .is_ok();

                let wal = s.wal_dir().join("p").join("wal");
                if wal.exists() {
                    std::fs::remove_dir_all(&wal)?;
                }
                if let Some((id, keys)) = checkpoint {
                    s.clone_db("x", "p", Some(*id))
                        .await
                        .map_err(|e| anyhow!("clone from `cp` after the wipe failed: {e}"))?;
                    read_back_with_writer(s, "x", keys, self.uses_wal_store).await?;
                }
                if readable_before {
                    read_back_with_writer(s, "p", expected, self.uses_wal_store).await?;
                }
                Ok(())
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
    let mut builder =
        DbReader::builder(root, crate::slatedb_018::oracle::local_store(s.main_dir())?)
            .with_reader_mode(DbReaderMode::FollowLatest);
    if with_wal {
        builder =
            builder.with_wal_object_store(crate::slatedb_018::oracle::local_store(s.wal_dir())?);
    }
    let reader = builder
        .build()
        .await
        .map_err(|e| anyhow!("reader failed: {e}"))?;
    let result = check_keys(expected, |key| {
        let reader = &reader;
        async move {
            reader
                .get(key)
                .await
                .map_err(|e| anyhow!("{e}"))
                .map(as_text)
        }
    })
    .await;
    let _ = reader.close().await;
    result
}

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
    let result = check_keys(expected, |key| {
        let db = db.clone();
        async move { db.get(key).await.map_err(|e| anyhow!("{e}")).map(as_text) }
    })
    .await;
    let _ = db.close().await;
    result
}

/// A value read back, as text.
fn as_text(value: Option<slatedb::bytes::Bytes>) -> Option<String> {
    value.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

async fn check_keys<F, Fut>(expected: &BTreeMap<String, String>, mut get: F) -> Result<()>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>>>,
{
    let mut lost = Vec::new();
    for (key, value) in expected {
        match get(key.clone()).await {
            Ok(Some(found)) if &found == value => {}
            Ok(other) => lost.push(format!("{key}={other:?}")),
            Err(err) => return Err(anyhow!("reading {key}: {err}")),
        }
    }
    if lost.is_empty() {
        Ok(())
    } else {
        Err(anyhow!(
            "{} acknowledged key(s) lost: {}",
            lost.len(),
            lost.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ))
    }
}
