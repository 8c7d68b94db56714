//! What one run of SlateDB's garbage collector would delete from a root, at a given time.
//!
//! Per slatedb's `garbage_collector` (§6 of the reference notes): every task first drops
//! expired checkpoints from the latest manifest; "active" manifests are the latest one and those
//! the remaining checkpoints point at. Then: manifest objects other than the newest, not
//! active, older than `min_age`; WAL objects with data below the latest `replay_after_wal_id`,
//! outside every remaining checkpoint's range, older than `min_age` (fences only with fence GC,
//! which is a dry run by default); compacted SSTs of this root that no active manifest
//! references and whose ULID time is below the cutoff `min(now - min_age, compaction low
//! watermark, newest L0)`, where no compactor state means nothing is deleted; and, for a
//! clone, the final pins it holds on databases whose SSTs no active manifest lists any more,
//! which the detach task deletes on those databases (`detach_gc.rs`).
//!
//! When a remaining checkpoint's manifest is gone (a complete listing does not show it), the
//! tasks that read every referenced manifest abort with `ManifestMissing` before deleting
//! anything (`ManifestStore::read_referenced_manifests`, `manifest/store.rs:590-614`, called by
//! `WalGcTask::collect`, `wal_gc.rs:77-89`, for WAL and WAL fences alike, and by
//! `CompactedGcTask::list_active_l0_and_compacted_ssts`, `compacted_gc.rs:69-79`; the detach
//! task only reads them when it has a candidate, `detach_gc.rs:75-115`, and deletes no data).
//! Manifest GC never reads them (`manifest_gc.rs:93-153`: it keeps the ids the checkpoints
//! name) and compactions GC reads no manifest, so those two still delete.

use super::presence::{Presence, Unknown};
use super::root::RootState;
use crate::model::{CheckpointId, Manifest, ManifestId, SstId, WalId};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// The most the compacted-SST cutoff can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SstCutoff {
    /// No compactor state is listed: the cutoff is the epoch and no SST is deleted.
    Epoch,
    /// SSTs older than this may be deleted, depending on the compactor's low watermark.
    AtMost(DateTime<Utc>),
}

/// The forecast of one GC run.
#[derive(Clone, Debug, PartialEq)]
pub struct GcForecast {
    /// Checkpoints removed because they expired.
    pub expired_checkpoints: Vec<CheckpointId>,
    /// Manifest objects deleted.
    pub manifests: Vec<(ManifestId, String)>,
    /// WAL objects deleted.
    pub wal: Vec<(WalId, String)>,
    /// Compacted SSTs that may be deleted (unreferenced, below the cutoff bound).
    pub ssts: Vec<(SstId, String)>,
    /// The SST cutoff bound.
    pub cutoff: SstCutoff,
    /// The missing manifest of a remaining checkpoint that makes the WAL, WAL fence, compacted
    /// and detach tasks abort (`wal`, `ssts` and `detached_pins` are then empty).
    pub aborted_on_missing_manifest: Option<ManifestId>,
    /// The final pins this root, a clone, holds on databases it no longer reads, which the
    /// detach task deletes there: (that database's path, the pin).
    pub detached_pins: Vec<(String, CheckpointId)>,
}

fn old_enough(time: Option<DateTime<Utc>>, now: DateTime<Utc>, min_age: Duration) -> bool {
    // An object whose age the listing does not show is taken as old: the forecast then
    // errs towards deletion, which is the side a safety check must err on.
    time.is_none_or(|t| now - t > min_age)
}

/// Forecasts a GC run on `root` at `now`. `main_unknown` says why absence from the main
/// listing cannot be settled, if it cannot: a checkpoint manifest that is not given is then
/// unknown, not missing.
pub fn forecast(
    root: &RootState,
    latest: &Manifest,
    now: DateTime<Utc>,
    min_age: Duration,
    main_unknown: Option<&Unknown>,
) -> Result<GcForecast, Unknown> {
    let remaining: Vec<_> = latest
        .checkpoints
        .iter()
        .filter(|c| c.expire_time.is_none_or(|t| t > now))
        .collect();
    let expired_checkpoints = latest
        .checkpoints
        .iter()
        .filter(|c| c.expire_time.is_some_and(|t| t <= now))
        .map(|c| c.id)
        .collect();
    let mut active: Vec<&Manifest> = vec![latest];
    let mut aborted_on_missing_manifest = None;
    for checkpoint in &remaining {
        match root.manifest(checkpoint.manifest_id) {
            Ok(manifest) => active.push(manifest),
            Err(why) => match root.manifest_presence(checkpoint.manifest_id, main_unknown) {
                Presence::Missing { .. } => {
                    aborted_on_missing_manifest.get_or_insert(checkpoint.manifest_id);
                }
                _ => return Err(why),
            },
        }
    }
    let active_ids: BTreeSet<ManifestId> = remaining
        .iter()
        .map(|c| c.manifest_id)
        .chain([latest.id])
        .collect();
    let newest_listed = root.listed_manifests.keys().next_back().copied();
    let manifests = root
        .listed_manifests
        .iter()
        .filter(|(id, listed)| {
            Some(**id) != newest_listed
                && !active_ids.contains(id)
                && old_enough(listed.last_modified, now, min_age)
        })
        .map(|(id, listed)| (*id, listed.key.clone()))
        .collect();
    let wal_objects = root.wal_objects(None, None).ok();
    let protected = |id: WalId| {
        id >= latest.replay_after_wal_id
            || active[1..]
                .iter()
                .any(|m| m.replay_after_wal_id < id && id < m.next_wal_sst_id)
    };
    let aborted = aborted_on_missing_manifest.is_some();
    let wal = wal_objects
        .into_iter()
        .flatten()
        .filter(|_| !aborted)
        .filter(|(id, listed)| {
            listed.size > 0 && !protected(**id) && old_enough(listed.last_modified, now, min_age)
        })
        .map(|(id, listed)| (*id, listed.key.clone()))
        .collect();
    let referenced: BTreeSet<SstId> = active
        .iter()
        .flat_map(|m| m.sst_views().map(|view| view.sst.id))
        .collect();
    let newest_l0 = latest
        .trees()
        .flat_map(|tree| tree.l0.iter().map(|view| view.sst.id.0.timestamp_ms()))
        .max()
        .or_else(|| {
            latest
                .tree
                .last_compacted_l0_sst_view_id
                .map(|id| id.timestamp_ms())
        });
    let cutoff = match (root.compactions_listed, newest_l0) {
        (true, Some(newest_l0)) => {
            let newest_l0 = DateTime::from_timestamp_millis(newest_l0 as i64).unwrap_or_default();
            SstCutoff::AtMost((now - min_age).min(newest_l0))
        }
        _ => SstCutoff::Epoch,
    };
    let ssts = match cutoff {
        _ if aborted => Vec::new(),
        SstCutoff::Epoch => Vec::new(),
        SstCutoff::AtMost(bound) => root
            .compacted
            .keys()
            .filter(|id| {
                !referenced.contains(id) && (id.0.timestamp_ms() as i64) < bound.timestamp_millis()
            })
            .filter_map(|id| root.compacted.get(id).map(|listed| (*id, listed.key)))
            .collect(),
    };
    // The detach task (`detach_gc.rs`, `find_detachable`) releases a pin once no active
    // manifest lists any of that database's SSTs under it.
    let detached_pins = latest
        .external_dbs
        .iter()
        .filter(|_| !aborted)
        .filter(|entry| entry.sst_ids.is_empty())
        .filter_map(|entry| Some((entry.path.clone(), entry.final_checkpoint_id?)))
        .filter(|(_, pin)| {
            active.iter().all(|manifest| {
                manifest.external_dbs.iter().all(|other| {
                    other.final_checkpoint_id != Some(*pin) || other.sst_ids.is_empty()
                })
            })
        })
        .collect();
    Ok(GcForecast {
        expired_checkpoints,
        manifests,
        wal,
        ssts,
        cutoff,
        aborted_on_missing_manifest,
        detached_pins,
    })
}
