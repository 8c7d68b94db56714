// Scenarios on SlateDB 0.18 only (fixtures `k-*`): expired checkpoints that are still listed,
// a clone's pin deleted while its parent still references the SSTs, and a rolled-back manifest
// history that a clone proves. Each records what SlateDB then did in `scenario.json`.

use super::oracle::local_store;
use super::scenarios::{
    compact_until_l0_empty, flush, gc_now_options, named, parent_of_four_l0_cloned, put_range,
    Scenario,
};
use crate::store::files_under;
use anyhow::{anyhow, Context, Result};
use serde_json::json;
use slatedb::config::{CheckpointScope, FlushType};
use slatedb::{DbReader, DbReaderMode};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Runs every `k-*` scenario into `out`, working in `work`; returns the fixture directories.
pub async fn generate_all(work: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let mut fixtures = Vec::new();
    fixtures.extend(expired_checkpoint(work, out).await?);
    fixtures.extend(pin_deleted_while_referenced(work, out).await?);
    fixtures.extend(rollback_proven_by_clone(work, out).await?);
    Ok(fixtures)
}

/// Whether `key` reads back from `root` through a `DbReader` that writes nothing.
async fn reads_back(s: &Scenario, root: &str, key: &str) -> Result<bool> {
    let reader = DbReader::builder(root, local_store(s.main_dir())?)
        .with_reader_mode(DbReaderMode::FollowLatest)
        .build()
        .await?;
    let found = reader.get(key).await?.is_some();
    reader.close().await?;
    Ok(found)
}

/// Logs whether `key` reads back from `root`.
async fn log_read(s: &mut Scenario, root: &str, key: &str) -> Result<()> {
    let outcome = match reads_back(s, root, key).await {
        Ok(true) => json!("found"),
        Ok(false) => json!("missing"),
        Err(err) => json!({ "error": s.portable(&err.to_string()) }),
    };
    s.log(&format!("{root}: reader get {key}"), outcome);
    Ok(())
}

/// `k-expired-checkpoint`: checkpoints `short` (1 s lifetime) and `long` (1 day); after `short`
/// expired, with no GC run, a clone from it works; after one GC pass, a clone from it fails.
pub async fn expired_checkpoint(work: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let mut s = Scenario::new(work, out, "k-expired-checkpoint", false)?;
    let db = s.open("p").await?;
    put_range(&db, "k", 0..6).await?;
    flush(&db, FlushType::MemTable).await?;
    let short = db
        .create_checkpoint(CheckpointScope::Durable, &named("short", Some(Duration::from_secs(1))))
        .await?;
    s.log("p: checkpoint Durable `short`, lifetime 1 s", json!({ "id": short.id, "manifest_id": short.manifest_id }));
    let long = db
        .create_checkpoint(CheckpointScope::Durable, &named("long", Some(Duration::from_secs(86_400))))
        .await?;
    s.log("p: checkpoint Durable `long`, lifetime 1 day", json!({ "id": long.id, "manifest_id": long.manifest_id }));
    db.close().await?;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    s.log("wait 2.5 s: `short` has expired, no GC has run", json!("ok"));
    s.snapshot("-before-clone")?;

    let result = s.clone_db("c", "p", Some(short.id)).await;
    s.log_result("clone c from p@short (expired, still listed)", &result);
    result?;
    log_read(&mut s, "c", "k00").await?;
    s.admin("p").run_gc_once(gc_now_options()).await?;
    s.log("p: GC once, min_age 0", json!("ok"));
    let result = s.clone_db("c2", "p", Some(short.id)).await;
    s.log_result("clone c2 from p@short after GC", &result);
    let result = s.clone_db("c3", "p", Some(long.id)).await;
    s.log_result("clone c3 from p@long after GC", &result);
    s.snapshot("")?;
    Ok(s.into_fixtures())
}

/// `k-pin-deleted`: a clone of `parent`'s latest state; its final pin is deleted and GC runs
/// while `parent`'s latest manifest still references the SSTs the clone reads (the clone still
/// reads); then `parent` compacts them away, its expiring checkpoints go, GC runs again (the
/// clone's reads fail).
pub async fn pin_deleted_while_referenced(work: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let mut s = Scenario::new(work, out, "k-pin-deleted", false)?;
    parent_of_four_l0_cloned(&mut s).await?;
    let clone_manifest = s
        .admin("clone")
        .read_manifest(None)
        .await?
        .ok_or_else(|| anyhow!("clone has no manifest"))?;
    let pin = clone_manifest
        .external_dbs()
        .iter()
        .find(|e| e.path == "parent")
        .and_then(|e| e.final_checkpoint_id)
        .ok_or_else(|| anyhow!("clone has no pin on parent"))?;
    s.snapshot("-before-delete")?;

    let admin = s.admin("parent");
    admin.delete_checkpoint(pin).await?;
    s.log("parent: delete the clone's final pin", json!({ "id": pin }));
    admin.run_gc_once(gc_now_options()).await?;
    s.log("parent: GC once, min_age 0", json!("ok"));
    log_read(&mut s, "clone", "b0-00").await?;
    s.snapshot("-after-delete")?;

    compact_until_l0_empty(s.admin("parent"), s.admin("parent")).await?;
    s.log("parent: compactor until L0 is empty", json!("ok"));
    for checkpoint in admin.list_checkpoints(None).await? {
        if checkpoint.expire_time.is_some() {
            admin.delete_checkpoint(checkpoint.id).await?;
        }
    }
    s.log("parent: delete the expiring checkpoints, as their expiry would", json!("ok"));
    admin.run_gc_once(gc_now_options()).await?;
    s.log("parent: GC once, min_age 0", json!("ok"));
    log_read(&mut s, "clone", "b0-00").await?;
    s.snapshot("")?;
    Ok(s.into_fixtures())
}

/// The manifest ids of `root` in the scenario's main store.
fn manifest_ids(s: &Scenario, root: &str) -> Result<Vec<(u64, PathBuf)>> {
    let mut ids = Vec::new();
    for file in files_under(&s.main_dir().join(root).join("manifest"))? {
        let id = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .and_then(|stem| stem.parse::<u64>().ok())
            .with_context(|| format!("manifest file name {}", file.display()))?;
        ids.push((id, file));
    }
    ids.sort();
    Ok(ids)
}

/// `k-rollback`: `p` is written in two sessions, each flushed to L0; `c` clones its latest state.
/// Then every manifest `p` wrote since the second session opened is deleted (a bad restore),
/// so `p`'s latest is the first session's last manifest and the second session's L0 SST is an
/// orphan that `c` still reads (the proof of the deleted manifests). With the WAL intact a
/// reader of `p` still replays the second session's writes; after `p`'s WAL is wiped as well
/// they are gone, and a clone of `p`'s latest state misses them. `k-rollback` itself is the end
/// state, whose `scenario.json` records every answer.
pub async fn rollback_proven_by_clone(work: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let mut s = Scenario::new(work, out, "k-rollback", false)?;
    let db = s.open("p").await?;
    put_range(&db, "a", 0..3).await?;
    flush(&db, FlushType::MemTable).await?;
    db.close().await?;
    let first_session_last = manifest_ids(&s, "p")?
        .last()
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow!("p has no manifest"))?;
    let db = s.open("p").await?;
    put_range(&db, "b", 0..3).await?;
    flush(&db, FlushType::MemTable).await?;
    db.close().await?;
    let result = s.clone_db("c", "p", None).await;
    s.log_result("clone c from p (latest)", &result);
    result?;
    log_read(&mut s, "c", "b00").await?;
    s.snapshot("-intact")?;

    let mut deleted = Vec::new();
    for (id, file) in manifest_ids(&s, "p")? {
        if id > first_session_last {
            std::fs::remove_file(&file)?;
            deleted.push(id);
        }
    }
    s.log(
        "operator deletes p's manifests written since the second session opened",
        json!({ "deleted_manifest_ids": deleted, "latest_left": first_session_last }),
    );
    s.snapshot("-manifests-deleted")?;
    log_read(&mut s, "p", "a00").await?;
    log_read(&mut s, "p", "b00").await?;
    let result = s.clone_db("c2", "p", None).await;
    s.log_result("clone c2 from p (latest, rolled back)", &result);
    if result.is_ok() {
        log_read(&mut s, "c2", "b00").await?;
    }

    s.wipe_wal_of("p")?;
    s.snapshot("-wal-wiped")?;
    log_read(&mut s, "p", "a00").await?;
    log_read(&mut s, "p", "b00").await?;
    let result = s.clone_db("c3", "p", None).await;
    s.log_result("clone c3 from p (latest, rolled back, WAL wiped)", &result);
    if result.is_ok() {
        log_read(&mut s, "c3", "b00").await?;
    }
    // The end state, with every answer above in its scenario.json.
    s.snapshot("")?;
    Ok(s.into_fixtures())
}
