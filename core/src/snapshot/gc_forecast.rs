//! What one run of SlateDB's garbage collector would delete from a root, at a given time.
//!
//! Per slatedb's `garbage_collector` (§6 of the reference notes): every task first drops
//! expired checkpoints from the latest manifest; "active" manifests are the latest one and those
//! the remaining checkpoints point at. Then: manifest objects other than the newest, not
//! active, older than `min_age`; WAL objects with data below the latest `replay_after_wal_id`,
//! outside every remaining checkpoint's range, older than `min_age` (fences only with fence GC,
//! which is a dry run by default); compacted SSTs of this root that no active manifest
//! references and whose ULID time is below the cutoff `min(now - min_age, compaction low
//! watermark, newest L0)`, where no compactor state means nothing is deleted.

use super::presence::Unknown;
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
}

fn old_enough(time: Option<DateTime<Utc>>, now: DateTime<Utc>, min_age: Duration) -> bool {
    // An object whose age the listing does not show is taken as old: the forecast then
    // errs towards deletion, which is the side a safety check must err on.
    time.is_none_or(|t| now - t > min_age)
}

/// Forecasts a GC run on `root` at `now`.
pub fn forecast(
    root: &RootState,
    latest: &Manifest,
    now: DateTime<Utc>,
    min_age: Duration,
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
    for checkpoint in &remaining {
        active.push(root.manifest(checkpoint.manifest_id)?);
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
    let wal = wal_objects
        .into_iter()
        .flatten()
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
    Ok(GcForecast {
        expired_checkpoints,
        manifests,
        wal,
        ssts,
        cutoff,
    })
}
