//! `SDB-MAN-002` manifest-rollback: SSTs newer than the latest manifest that it does not know. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{Manifest, SstId};
use crate::rules::RuleContext;
use crate::snapshot::{RootState, RowsAgainstL0, UnknownToLatest, WriterOpenForecast};
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Whether the root's `compacted/` folder holds SSTs that no manifest given references and
    /// that are newer (by ULID time) than every SST the latest manifest references, or whether
    /// a clone reads such SSTs of it; for a clone from latest, also whether WAL objects with
    /// data lie past the latest manifest's WAL range. And whether the store proves that a
    /// manifest newer than the latest listed one existed:
    ///
    /// * a clone's final pin that was written after the latest manifest: an initialized clone
    ///   has written its final checkpoint `X` on the parent, with its source checkpoint `E` as
    ///   `source` (`create_clone_manifest`, `clone.rs:220-255`; `make_new_checkpoint` needs `E`
    ///   listed, `manifest/store.rs:148-175`). When `E` is in the latest manifest `L` and pins
    ///   `L` itself (`E.manifest_id == L`: `L` is the manifest that created it, the ephemeral
    ///   checkpoint of a clone from latest or a `Db::create_checkpoint`) but `X` is not, `X` was
    ///   written in a manifest after `L`;
    /// * a clone reads SSTs of the root (its `external_dbs` entry, copied from a manifest of the
    ///   root, `Manifest::cloned`, `manifest/mod.rs:996-1039`) that are newer than everything
    ///   `L` references and that no manifest given references: the manifest the clone copied
    ///   was newer than `L` (a compaction that replaced them would have left newer SSTs in `L`).
    ///
    /// ## Why it matters
    /// The latest manifest is simply the highest id listed. If the newest manifest object was
    /// deleted (by hand, a bad sync or restore, a lifecycle rule), SlateDB silently rolls back
    /// to the previous one: the L0 SSTs written since become orphans, the writes in them are
    /// gone unless the WAL still replays them (a reader or writer replays from
    /// `replay_after_wal_id + 1`, a clone copies `replay_after_wal_id + 1 ..= next_wal_sst_id -
    /// 1`), and checkpoints recorded only in the deleted manifest vanish. The same traces are
    /// left, harmlessly, by a writer or compactor that crashed after uploading an SST and
    /// before publishing it, or by a writer that is still running (its WAL objects past the
    /// manifest's range). Where the store proves a newer manifest existed, the writer
    /// explanation is excluded: the verdict is unsafe where the lost writes cannot come back
    /// (an orphaned L0 SST a clone read, with no WAL object holding data after
    /// `replay_after_wal_id`). Without that proof, or when the WAL may still replay them, it is
    /// `inconclusive`, naming both explanations. Where the orphans' rows were read (a check of
    /// the live store, a bundle, a `--manifests` folder holding them), they settle what the
    /// orphans hold: every write up to the latest manifest's `last_l0_seq` is in its tree (an L0
    /// flush publishes the rows up to it, compactions carry them on), so orphans without a row
    /// above it repeat that tree (a compaction's output, as in the oracle's seed 9013) and the
    /// finding is advice; a row above it is a flush of writes the tree lacks. When the WAL
    /// after the replay point was read in full too, rows above the highest sequence number it
    /// replays are writes SlateDB reads nowhere any more, whichever explanation holds (an L0
    /// flush writes only rows already durable in the WAL, and neither a crash nor GC deletes
    /// WAL objects after the latest replay point): unsafe. WAL objects with data past the latest range
    /// make a clone from latest unsafe either way: whatever the cause, the clone copies only
    /// `replay_after_wal_id + 1 ..= next_wal_sst_id - 1` (`clone.rs` `clone_wal`) and lacks their
    /// writes.
    ///
    /// ## SlateDB error it prevents
    /// Silent loss of the writes in the orphaned SSTs (reads return `None`), and
    /// `CheckpointMissing` for checkpoints only the deleted manifest held.
    ///
    /// ## Example
    /// `p/manifest/…07.manifest` was deleted; `p/compacted/01M8C…` (written for manifest 7)
    /// is newer than every SST manifest 6 references, and clone `c` reads it.
    pub static RULE = {
        id: "SDB-MAN-002",
        name: "manifest-rollback",
        family: Manifest,
        severity: Warning,
        summary: "SSTs newer than the latest manifest are unknown to it: it may have been rolled back",
        scan: scan,
    };
}

/// What the store shows of a rollback of `root` to `latest`.
struct Rollback {
    /// Sentences proving that a manifest newer than `latest` existed (empty: not proven).
    proofs: Vec<String>,
    /// SSTs of `root` newer than everything `latest` references that no manifest of `root`
    /// given references: listed ones, and ones only a clone names.
    orphans: BTreeSet<SstId>,
    /// Those of `orphans` a clone holds in its L0: a memtable flush wrote them, so they hold
    /// writes newer than everything in `latest`'s SSTs.
    flushed: BTreeSet<SstId>,
}

fn rollback(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Rollback {
    let unknown = UnknownToLatest::new(latest, root.manifests.values().map(|f| &f.manifest));
    let newer = |id: &SstId| unknown.contains(id);
    let mut proofs = Vec::new();
    let mut orphans: BTreeSet<SstId> = BTreeSet::new();
    let mut flushed = BTreeSet::new();
    let mut clone_known = BTreeSet::new();
    for other in cx.roots().filter(|other| other.path != root.path) {
        for file in other.manifests.values() {
            let manifest = &file.manifest;
            let l0: BTreeSet<SstId> = manifest
                .trees()
                .flat_map(|tree| tree.l0.iter().map(|view| view.sst.id))
                .collect();
            for db in manifest
                .external_dbs
                .iter()
                .filter(|db| db.path == root.path)
            {
                for id in db.sst_ids.iter().filter(|id| newer(id)) {
                    clone_known.insert(*id);
                    if l0.contains(id) {
                        flushed.insert(*id);
                    }
                }
            }
        }
        let Some(clone_latest) = other.latest_given().filter(|m| m.initialized) else {
            continue;
        };
        for db in clone_latest
            .external_dbs
            .iter()
            .filter(|db| db.path == root.path)
        {
            let Some(pin) = db.final_checkpoint_id else {
                continue;
            };
            let source_created_by_latest = latest
                .checkpoints
                .iter()
                .any(|c| c.id == db.source_checkpoint_id && c.manifest_id == latest.id);
            if source_created_by_latest && !latest.checkpoints.iter().any(|c| c.id == pin) {
                proofs.push(format!(
                    "`{}`'s final pin {pin} is not in manifest {}, although its source checkpoint {} was created by manifest {} itself: the pin was written in a newer manifest",
                    other.path, latest.id, db.source_checkpoint_id, latest.id
                ));
            }
        }
    }
    // Only a complete, current listing shows that no newer manifest is there.
    if cx.root_main_unknown(root).is_some() {
        proofs.clear();
    } else if !clone_known.is_empty() {
        proofs.push(format!(
            "clones read {} SST(s) of `{}` newer than everything manifest {} references, copied from a newer manifest of it",
            clone_known.len(),
            root.path,
            latest.id
        ));
    }
    orphans.extend(clone_known);
    orphans.extend(root.compacted.keys().filter(|id| newer(id)));
    Rollback {
        proofs,
        orphans,
        flushed,
    }
}

/// A finding when `root` holds unreferenced SSTs newer than everything `latest` references.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let Rollback {
        proofs,
        orphans,
        mut flushed,
    } = rollback(cx, root, latest);
    if orphans.is_empty() {
        return None;
    }
    // Read rows settle what an orphan holds: rows up to `last_l0_seq` are in the latest
    // manifest's tree already, a row above it is a write that tree lacks.
    let verdicts: Vec<Option<RowsAgainstL0>> = orphans
        .iter()
        .map(|id| match cx.sst_rows(root, *id) {
            Some(Ok(rows)) => Some(RowsAgainstL0::of(rows, latest)),
            _ => None,
        })
        .collect();
    for (id, verdict) in orphans.iter().zip(&verdicts) {
        if matches!(verdict, Some(RowsAgainstL0::NotInL0 { .. })) {
            flushed.insert(*id);
        }
    }
    let all_read = verdicts.iter().all(Option::is_some);
    let past_l0 = verdicts
        .iter()
        .flatten()
        .filter_map(|verdict| match verdict {
            RowsAgainstL0::NotInL0 { max_seq } => Some(*max_seq),
            RowsAgainstL0::InL0 { .. } => None,
        })
        .max();
    let keys: Vec<String> = orphans
        .iter()
        .map(|id| match root.compacted.get(id) {
            Some(listed) => listed.key.clone(),
            None => format!("{}/compacted/{}", root.path, id.file_name()),
        })
        .collect();
    let path = &root.path;
    let mut evidence = evidence![("manifest_id", latest.id), ("unreferenced_keys", &keys)];
    if !proofs.is_empty() {
        evidence.insert("rollback_proofs".into(), serde_json::json!(&proofs));
    }
    let remediation = "find out whether a manifest object newer than the latest listed was deleted (object versioning, access logs) and restore it before any writer, reader or clone uses the database";
    let replayed = replayed_up_to(cx, root, latest);
    let settled = match past_l0 {
        None => Some(format!(
            "none has a sequence number above the manifest's `last_l0_seq` {}: they repeat writes its tree holds (a compaction's output, or a flush of rows already in L0)",
            latest.last_l0_seq
        )),
        Some(max_seq) => replayed
            .filter(|replayed| *replayed >= max_seq)
            .map(|replayed| {
                format!(
                    "those above the manifest's `last_l0_seq` {} (up to sequence number {max_seq}) are in the WAL after its replay point too, which has no hole and was read (up to sequence number {replayed}): a writer open or a reader replays them",
                    latest.last_l0_seq
                )
            }),
    };
    if let (true, Some(settled)) = (all_read, settled) {
        evidence.insert("last_l0_seq".into(), serde_json::json!(latest.last_l0_seq));
        evidence.insert("max_seq_past_l0".into(), serde_json::json!(past_l0));
        let cause = if proofs.is_empty() {
            "the newest manifest may have been deleted (SlateDB then rolls back silently), or a writer or compactor crashed before publishing them".to_string()
        } else {
            format!("its newest manifests were deleted ({})", proofs.join("; "))
        };
        return Some(RULE.finding(
            path,
            format!(
                "`{path}` holds {} SST(s) newer than everything its latest manifest ({}) references, and no manifest references them: {cause}. Their rows were read, and {settled}, so a writer or reader of manifest {} loses no write in them",
                orphans.len(),
                latest.id,
                latest.id,
            ),
            evidence,
            "nothing to do for a writer open or a reader; a checkpoint that only a deleted manifest held is gone with it",
            Impact::Advisory,
        ));
    }
    // Rows past what the WAL replays are lost, whichever explanation holds: an L0 flush
    // writes only rows already durable in the WAL (`db.rs`, `replay_wal`: "the memtable is
    // already durable in the WAL"), and neither a crash nor GC deletes WAL objects after the
    // latest manifest's replay point, so those objects were deleted with the writes in them.
    if let (true, Some(max_seq), Some(replayed)) = (all_read, past_l0, replayed) {
        if replayed < max_seq {
            evidence.insert("last_l0_seq".into(), serde_json::json!(latest.last_l0_seq));
            evidence.insert("max_seq_past_l0".into(), serde_json::json!(max_seq));
            evidence.insert("wal_replayed_up_to_seq".into(), serde_json::json!(replayed));
            return Some(RULE.finding(
                path,
                format!(
                    "`{path}` holds {} SST(s) newer than everything its latest manifest ({}) references, and no manifest references them; their rows were read and reach sequence number {max_seq}, while the WAL a writer or reader of manifest {} replays (after WAL {}, read in full) reaches only {replayed}: the writes numbered {} to {max_seq} are in no object SlateDB reads",
                    orphans.len(),
                    latest.id,
                    latest.id,
                    latest.replay_after_wal_id,
                    replayed + 1,
                ),
                evidence,
                remediation,
                Impact::Unsafe {
                    predicted_error: format!(
                        "silent loss of the writes numbered {} to {max_seq} of `{path}` (only in {})",
                        replayed + 1,
                        keys[0]
                    ),
                },
            ));
        }
    }
    if proofs.is_empty() {
        return Some(RULE.finding(
            path,
            format!(
                "`{path}` holds {} SST(s) newer than everything its latest manifest ({}) references, and no manifest references them: the newest manifest may have been deleted (SlateDB then rolls back silently), or a writer crashed before publishing them",
                orphans.len(),
                latest.id
            ),
            evidence,
            remediation,
            Impact::Inconclusive,
        ));
    }
    // A newer manifest existed. Writes in an orphaned flush are lost unless a WAL object after
    // `replay_after_wal_id` still holds them: SlateDB replays (and a clone copies) only those.
    let replayable: Option<Vec<u64>> = cx.wal_objects(root).ok().map(|objects| {
        objects
            .range(latest.replay_after_wal_id.saturating_add(1)..)
            .filter(|(_, listed)| listed.size > 0)
            .map(|(id, _)| *id)
            .collect()
    });
    let proof = proofs.join("; ");
    match replayable {
        Some(wal) if wal.is_empty() && !flushed.is_empty() => Some(RULE.finding(
            path,
            format!(
                "`{path}`'s newest manifests were deleted ({proof}): SlateDB rolls back silently to manifest {}, and the writes in {} flushed SST(s) it does not know are lost, since no WAL object with data after WAL {} is left to replay them",
                latest.id,
                flushed.len(),
                latest.replay_after_wal_id
            ),
            evidence,
            remediation,
            Impact::Unsafe {
                predicted_error: format!(
                    "silent rollback of `{path}` to manifest {}: reads return None for the writes in {}",
                    latest.id, keys[0]
                ),
            },
        )),
        _ => Some(RULE.finding(
            path,
            format!(
                "`{path}`'s newest manifests were deleted ({proof}): SlateDB rolls back silently to manifest {}, which does not know {} SST(s); whether writes are lost depends on what they hold (a compaction's output repeats older data, a flush's holds new writes) and on whether the WAL objects after WAL {} still hold them{}",
                latest.id,
                orphans.len(),
                latest.replay_after_wal_id,
                match &replayable {
                    Some(wal) if !wal.is_empty() => format!(" (WAL {} hold data)", crate::rules::wal::id_ranges(wal)),
                    Some(_) => String::new(),
                    None => " (the WAL listing cannot tell)".to_string(),
                }
            ),
            evidence,
            remediation,
            Impact::Inconclusive,
        )),
    }
}

/// For a clone from the latest state: a finding when WAL objects holding data lie beyond the
/// latest manifest's WAL range (`next_wal_sst_id` and up).
///
/// SlateDB's clone copies exactly `replay_after_wal_id + 1 ..= next_wal_sst_id - 1` of the
/// manifest it clones (`WalAdmin::clone_wal`, `wal/slatedb/admin.rs:132-160`), while a writer
/// or reader of the database itself replays every WAL object after `replay_after_wal_id` until
/// the first missing one. Data WAL objects past the range are the trace of a deleted newest
/// manifest (the oracle: both sessions closed with a WAL flush, the newest manifest deleted, the
/// clone lost the second session's writes) or of a writer that is running or crashed before
/// recording them; either way the clone does not get those writes. Where the store proves a
/// newer manifest existed (see [`RULE`]), the writes are acknowledged writes of the lost
/// history and the clone's loss is certain: unsafe.
pub fn check_wal_beyond(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
) -> Option<Finding> {
    let objects = cx.wal_objects(root).ok()?;
    let beyond: Vec<String> = objects
        .range(latest.next_wal_sst_id..)
        .filter(|(_, listed)| listed.size > 0)
        .map(|(_, listed)| listed.key.clone())
        .collect();
    if beyond.is_empty() {
        return None;
    }
    let proofs = rollback(cx, root, latest).proofs;
    let path = &root.path;
    let mut evidence = evidence![
        ("manifest_id", latest.id),
        ("next_wal_sst_id", latest.next_wal_sst_id),
        ("unreferenced_keys", &beyond),
    ];
    if !proofs.is_empty() {
        evidence.insert("rollback_proofs".into(), serde_json::json!(&proofs));
    }
    if !proofs.is_empty() {
        return Some(RULE.finding(
            path,
            format!(
                "`{path}` holds {} WAL object(s) with data past the WAL range of its latest manifest ({}, next_wal_sst_id {}), and its newest manifests were deleted ({}): a clone from latest copies only that range and silently misses their writes",
                beyond.len(),
                latest.id,
                latest.next_wal_sst_id,
                proofs.join("; ")
            ),
            evidence,
            "restore the deleted manifest objects (object versioning, backups) before cloning",
            Impact::Unsafe {
                predicted_error: format!(
                    "the clone of `{path}` silently misses the writes in {}",
                    beyond[0]
                ),
            },
        ));
    }
    // Without a proof the cause stays open (a deleted manifest, a writer that crashed or is
    // still running before recording them), but the clone's outcome does not depend on it:
    // it copies only the latest manifest's range.
    Some(RULE.finding(
        path,
        format!(
            "`{path}` holds {} WAL object(s) with data past the WAL range of its latest manifest ({}, next_wal_sst_id {}): a clone from latest copies only that range and does not get their writes, whatever left them there (the newest manifest deleted, which SlateDB rolls back over silently, or a writer that is running or crashed before recording them)",
            beyond.len(),
            latest.id,
            latest.next_wal_sst_id
        ),
        evidence,
        "if a manifest object newer than the latest listed was deleted, restore it; otherwise have a writer record the WAL first (open it, which replays these objects, and flush the memtable with FlushType::MemTable), then clone",
        Impact::Unsafe {
            predicted_error: format!(
                "the clone of `{path}` does not have the acknowledged writes in {}",
                beyond[0]
            ),
        },
    ))
}

/// The highest sequence number a writer open or a reader of `latest` replays from the WAL
/// (every object after `replay_after_wal_id` up to the first missing one), when SlateDB's probe
/// finds no hole there ([`WriterOpenForecast::is_clean`]) and every object with data was read; at least
/// `last_l0_seq`. Writes are appended to the WAL in sequence order, and every row above
/// `last_l0_seq` lies after the replay point, so every write up to that number is replayed.
/// (A clone from latest copies only the manifest's own WAL range; `check_wal_beyond` makes it
/// unsafe when data lies past that range.)
fn replayed_up_to(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<u64> {
    let objects = cx.wal_objects(root).ok()?;
    let forecast = WriterOpenForecast::new(latest.replay_after_wal_id, &cx.wal_ids(root).ok()?);
    if !forecast.is_clean() {
        return None;
    }
    let mut replayed = latest.last_l0_seq;
    for (id, listed) in objects.range(latest.replay_after_wal_id.saturating_add(1)..) {
        if listed.size == 0 {
            continue;
        }
        let rows = cx.wal_rows(root, *id)?.as_ref().ok()?;
        replayed = replayed.max(rows.max_seq.unwrap_or_default());
    }
    Some(replayed)
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
