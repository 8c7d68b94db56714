//! `SDB-CLONE-004` dependent-clones: clones still read SSTs that a deletion would release. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{Checkpoint, CheckpointId, ExternalDb, Manifest, SstId};
use crate::rules::listing::input_missing;
use crate::rules::RuleContext;
use crate::snapshot::{RootState, Unknown};
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Before deleting a database or one of its checkpoints: which clones still read SSTs of
    /// that database through `external_dbs`, pinned by that checkpoint (or any checkpoint, for
    /// a database deletion), and what still holds those SSTs once it is gone.
    ///
    /// A checkpoint deletion is judged as `Admin::delete_checkpoint` followed by one GC run of
    /// the database at `--now` with `--min-age`: it is unsafe when that run deletes an SST a
    /// clone reads. Other holders are checked first: a never-expiring checkpoint whose manifest
    /// references every SST the clone reads (another clone's pin, a user checkpoint without a
    /// lifetime on the same manifest) keeps them, and nothing is reported. SSTs that the
    /// latest manifest or an expiring checkpoint still references, or that are newer than
    /// GC's cutoff, survive that run: the harm is deferred, and reported as a warning naming
    /// what brings it on (the database compacting them out of its manifests, the expiry of the
    /// checkpoints that still hold them, the cutoff passing them).
    ///
    /// A checkpoint that is not the clone's pin can still be the last thing of the database
    /// that holds what the clone reads (its pin deleted already, or on a manifest that does not
    /// reference them all): deleting it is unsafe when the GC run after it deletes SSTs the
    /// clone reads that the run keeps while the checkpoint is there.
    ///
    /// Deleting a finished clone's final pin also breaks, at once, every later clone of that
    /// clone: a clone carries its source's `external_dbs` over and writes its own pin on the
    /// parent with the source's pin as its source (`manifest/mod.rs` `Manifest::cloned`,
    /// `clone.rs`), which fails with `CheckpointMissing` once that pin is gone. A clone from a
    /// live checkpoint of the clone (SlateDB's own included, such as a grandchild's final pin)
    /// is then unsafe; a clone of its latest state, which no checkpoint promises, a warning; so
    /// is a clone from a checkpoint that has expired (GC's pass after the deletion removes it)
    /// or whose clone fails already (objects it needs are gone). Likewise, a deletion breaks
    /// no read of a clone whose reads fail already for another cause (its own WAL or SSTs gone):
    /// the `delete-root:` and `delete-checkpoint:` plans report that as a warning saying the
    /// deletion makes the loss final.
    ///
    /// ## Why it matters
    /// Neither `Admin::delete_db` nor `Admin::delete_checkpoint` checks for dependents: the
    /// parent only knows it holds a checkpoint, not who placed it. After the deletion the
    /// parent's GC (or the deletion itself) removes SSTs the clones still read. GC keeps every
    /// SST the latest manifest or an unexpired checkpoint's manifest references, and deletes
    /// the others below `min(now - min_age, compaction low watermark, newest L0)`
    /// (`CompactedGcTask::collect`, `garbage_collector/compacted_gc.rs:200-250`; expired
    /// checkpoints are dropped first, `garbage_collector.rs:411-470`).
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (… not found)` on the clones' reads; `CheckpointMissing`
    /// when an unfinished clone resumes from a deleted source checkpoint (`clone.rs:367-441`),
    /// and on every clone of a clone whose pin was deleted.
    ///
    /// ## Example
    /// `delete-checkpoint:parent@f0f53d3d…` while `clone.external_dbs` pins it with 2 SSTs
    /// that `parent` has compacted away: the next GC deletes them. Had `parent` not compacted
    /// yet, its latest manifest would keep them until it does: a warning.
    pub static RULE = {
        id: "SDB-CLONE-004",
        name: "dependent-clones",
        family: Clone,
        severity: Error,
        summary: "clones still read SSTs that a deletion would release",
        scan: scan,
    };
}

/// Findings for every clone that reads SSTs of `parent` pinned by `checkpoint` (any, if None).
pub fn check(
    cx: &RuleContext<'_>,
    parent: &str,
    checkpoint: Option<CheckpointId>,
    action: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // The same for every clone that reads `parent`: forecast at most once.
    let mut release = None;
    for root in cx.roots() {
        let Some(latest) = root.latest_given() else {
            continue;
        };
        for entry in latest.external_dbs.iter().filter(|e| e.path == parent) {
            // An unfinished clone still needs its source checkpoint to resume.
            let resumes_from_it =
                !latest.initialized && checkpoint.is_none_or(|id| entry.source_checkpoint_id == id);
            let pinned_here = checkpoint.is_none_or(|id| entry.final_checkpoint_id == Some(id));
            if resumes_from_it || (pinned_here && checkpoint.is_none() && !entry.sst_ids.is_empty())
            {
                out.push(breaks(parent, action, &root.path, entry));
            } else if let (true, Some(id)) = (pinned_here && !entry.sst_ids.is_empty(), checkpoint)
            {
                out.extend(released_pin(cx, parent, id, action, &root.path, entry));
            } else if let (true, Some(id)) =
                (latest.initialized && !entry.sst_ids.is_empty(), checkpoint)
            {
                let Some(release) = release.get_or_insert_with(|| Release::of(cx, parent, id))
                else {
                    continue;
                };
                out.extend(released_holder(release, parent, action, &root.path, entry));
            }
        }
    }
    out
}

/// The clone whose reads `finding`, one of [`check`]'s, says the deletion breaks (it names
/// the clone in its evidence and predicts a read error), or `None` for any other finding.
pub fn reads_broken(finding: &Finding) -> Option<String> {
    let Impact::Unsafe { predicted_error } = &finding.impact else {
        return None;
    };
    if finding.rule != RULE.id || !predicted_error.starts_with(READS_FAIL) {
        return None;
    }
    finding.evidence.get("clone")?.as_str().map(str::to_owned)
}

/// How the predicted error of a deletion that breaks a clone's reads begins.
const READS_FAIL: &str = "ObjectStoreError(NotFound) on reads of";

fn breaks(parent: &str, action: &str, clone: &str, entry: &ExternalDb) -> Finding {
    RULE.finding(
        parent,
        format!("{action} breaks `{clone}`, which still reads {} SSTs of `{parent}`", entry.sst_ids.len()),
        evidence![("clone", clone), ("final_checkpoint_id", entry.final_checkpoint_id), ("sst_ids", entry.sst_ids.len())],
        format!("keep it until `{clone}` no longer reads `{parent}`'s SSTs (after compaction its sst_ids empty and detach GC releases the pin), or delete the clone first"),
        Impact::Unsafe { predicted_error: format!("{READS_FAIL} `{clone}`") },
    )
}

/// Deleting checkpoint `id`, a clone's final pin: what the next GC run deletes of what the
/// clone reads, and what keeps the rest.
fn released_pin(
    cx: &RuleContext<'_>,
    parent: &str,
    id: CheckpointId,
    action: &str,
    clone: &str,
    entry: &ExternalDb,
) -> Option<Finding> {
    let Some((root, latest)) = latest_of(cx, parent) else {
        return Some(breaks(parent, action, clone, entry));
    };
    let after = without_checkpoint(latest, id);
    let reads = reads_of(entry);
    // A never-expiring checkpoint that references every SST the clone reads keeps them all
    // for as long as it exists: the deletion harms nothing.
    if after
        .checkpoints
        .iter()
        .filter(|c| c.expire_time.is_none())
        .any(|c| pinned_by(root, c).is_some_and(|pinned| reads.is_subset(&pinned)))
    {
        return None;
    }
    let forecast = match crate::snapshot::gc_forecast(
        root,
        &after,
        cx.now,
        cx.options.min_age,
        cx.root_main_unknown(root).as_ref(),
    ) {
        Ok(forecast) => forecast,
        Err(why) => {
            return Some(input_missing::finding(
                parent,
                &format!("what GC keeps of `{parent}` once the pin of `{clone}` is deleted"),
                &why,
            ))
        }
    };
    let deleted: Vec<String> = forecast
        .ssts
        .iter()
        .filter(|(sst, _)| reads.contains(sst))
        .map(|(_, key)| key.clone())
        .collect();
    if !deleted.is_empty() {
        return Some(RULE.finding(
            parent,
            format!(
                "{action} releases {} SST(s) that `{clone}` still reads and that nothing else of `{parent}` references: the next GC run deletes them, e.g. {}",
                deleted.len(),
                deleted[0]
            ),
            evidence![("clone", clone), ("final_checkpoint_id", entry.final_checkpoint_id), ("sst_ids", entry.sst_ids.len()), ("deleted_keys", &deleted)],
            format!("keep the checkpoint until `{clone}` no longer reads `{parent}`'s SSTs (after compaction its sst_ids empty and detach GC releases the pin), or delete the clone first"),
            Impact::Unsafe { predicted_error: format!("{READS_FAIL} `{clone}`") },
        ));
    }
    // Nothing is deleted during the action: say what holds the SSTs and what ends that.
    let mut holders = Vec::new();
    let mut held: BTreeSet<SstId> = latest
        .sst_views()
        .map(|view| view.sst.id)
        .filter(|sst| reads.contains(sst))
        .collect();
    if !held.is_empty() {
        holders.push(format!(
            "`{parent}`'s latest manifest ({}) until `{parent}` compacts them away",
            latest.id
        ));
    }
    for keeper in after
        .checkpoints
        .iter()
        .filter(|c| !forecast.expired_checkpoints.contains(&c.id))
    {
        let Some(pinned) = pinned_by(root, keeper) else {
            continue;
        };
        if pinned.is_disjoint(&reads) {
            continue;
        }
        held.extend(pinned.intersection(&reads));
        let subject = crate::rules::checkpoint::describe(keeper);
        holders.push(match keeper.expire_time {
            Some(t) => format!("{subject} until it expires at {t}"),
            None => format!("{subject}, for some of them"),
        });
    }
    if !reads.is_subset(&held) {
        holders.push(match (forecast.aborted_on_missing_manifest, forecast.cutoff) {
            (Some(missing), _) => format!("GC's compacted-SST task, which aborts while manifest {missing} (named by a checkpoint) is missing"),
            (None, crate::snapshot::SstCutoff::Epoch) => "GC's cutoff, which stays at the epoch until a compactor state is written".to_string(),
            (None, crate::snapshot::SstCutoff::AtMost(bound)) => format!("GC's cutoff ({bound} at most), which passes them once `{parent}` writes newer L0 SSTs"),
        });
    }
    let mut finding = RULE.finding(
        parent,
        format!(
            "{action} leaves the {} SST(s) `{clone}` reads unpinned; no GC run during the action deletes them, because they are still held by {}; once those go, the next GC of `{parent}` deletes them and `{clone}`'s reads fail",
            reads.len(),
            holders.join(", by ")
        ),
        evidence![("clone", clone), ("final_checkpoint_id", entry.final_checkpoint_id), ("sst_ids", entry.sst_ids.len()), ("held_by", &holders)],
        format!("keep the checkpoint until `{clone}` no longer reads `{parent}`'s SSTs (compact `{clone}` so its sst_ids empty; detach GC then releases the pin), or recreate a never-expiring pin on the manifest they come from"),
        Impact::Advisory,
    );
    finding.severity = Severity::Warning;
    Some(finding)
}

/// What deleting one checkpoint of `parent` does to the GC run after it, the same for every
/// clone that reads `parent`'s SSTs.
struct Release<'a> {
    latest: &'a Manifest,
    checkpoint: &'a Checkpoint,
    /// The SSTs the checkpoint's manifest references, when it was given.
    pinned: Option<BTreeSet<SstId>>,
    /// The SSTs the run deletes once the checkpoint is gone and keeps while it is there, or
    /// why the run cannot be forecast.
    newly_deleted: Result<Vec<(SstId, String)>, Unknown>,
}

impl<'a> Release<'a> {
    /// `None` when `parent`'s latest manifest is not given or does not hold checkpoint `id`.
    fn of(cx: &RuleContext<'a>, parent: &str, id: CheckpointId) -> Option<Self> {
        let (root, latest) = latest_of(cx, parent)?;
        let checkpoint = latest.checkpoints.iter().find(|c| c.id == id)?;
        let unknown = cx.root_main_unknown(root);
        let deleted_with = |manifest: &Manifest| {
            crate::snapshot::gc_forecast(
                root,
                manifest,
                cx.now,
                cx.options.min_age,
                unknown.as_ref(),
            )
            .map(|forecast| forecast.ssts)
        };
        let newly_deleted = deleted_with(latest).and_then(|now| {
            let doomed: BTreeSet<SstId> = now.into_iter().map(|(sst, _)| sst).collect();
            deleted_with(&without_checkpoint(latest, id)).map(|after| {
                after
                    .into_iter()
                    .filter(|(sst, _)| !doomed.contains(sst))
                    .collect()
            })
        });
        Some(Self {
            latest,
            checkpoint,
            pinned: pinned_by(root, checkpoint),
            newly_deleted,
        })
    }
}

/// Deleting a checkpoint that is not `clone`'s pin, but may be what still holds SSTs the
/// clone reads: its pin was deleted already, or never held them all. Unsafe when the next GC
/// run deletes, once the checkpoint is gone, SSTs the clone reads that it keeps while the
/// checkpoint is there (the oracle's seed 34261: the clone's pins deleted, an expiring
/// checkpoint taken before `parent` compacted the SSTs away was their last holder).
fn released_holder(
    release: &Release<'_>,
    parent: &str,
    action: &str,
    clone: &str,
    entry: &ExternalDb,
) -> Option<Finding> {
    let reads = reads_of(entry);
    // A checkpoint whose manifest references none of them holds none of them.
    if release
        .pinned
        .as_ref()
        .is_some_and(|pinned| pinned.is_disjoint(&reads))
    {
        return None;
    }
    let newly_deleted = match &release.newly_deleted {
        Ok(newly_deleted) => newly_deleted,
        Err(why) => {
            return Some(input_missing::finding(
                parent,
                &format!(
                    "what GC keeps of `{parent}` once {action} is done, of the SSTs `{clone}` reads"
                ),
                why,
            ))
        }
    };
    let released: Vec<&str> = newly_deleted
        .iter()
        .filter(|(sst, _)| reads.contains(sst))
        .map(|(_, key)| key.as_str())
        .collect();
    let first = released.first()?;
    let id = release.checkpoint.id;
    Some(RULE.finding(
        parent,
        format!(
            "{action} releases {} SST(s) that `{clone}` still reads and that nothing else of `{parent}` holds ({}): the next GC run deletes them, e.g. {first}",
            released.len(),
            match entry.final_checkpoint_id {
                Some(pin) if release.latest.checkpoints.iter().any(|c| c.id == pin) => format!("`{clone}`'s own pin {pin} does not reference them"),
                Some(pin) => format!("`{clone}`'s own pin {pin} is gone"),
                None => format!("`{clone}` has no pin on `{parent}`"),
            },
        ),
        evidence![("clone", clone), ("checkpoint_id", id), ("final_checkpoint_id", entry.final_checkpoint_id), ("sst_ids", entry.sst_ids.len()), ("deleted_keys", &released)],
        format!("keep the checkpoint until `{clone}` no longer reads `{parent}`'s SSTs (compact `{clone}` so its sst_ids empty), or first create a never-expiring checkpoint on a manifest that references them"),
        Impact::Unsafe { predicted_error: format!("{READS_FAIL} `{clone}`") },
    ))
}

/// `parent`'s root and its latest manifest, when given.
fn latest_of<'a>(cx: &RuleContext<'a>, parent: &str) -> Option<(&'a RootState, &'a Manifest)> {
    cx.snapshot
        .root(parent)
        .and_then(|root| root.latest_given().map(|latest| (root, latest)))
}

/// `latest` as `Admin::delete_checkpoint` of `id` leaves it.
fn without_checkpoint(latest: &Manifest, id: CheckpointId) -> Manifest {
    let mut after = latest.clone();
    after.checkpoints.retain(|c| c.id != id);
    after
}

/// The SSTs of the database `entry` names that the clone reads.
fn reads_of(entry: &ExternalDb) -> BTreeSet<SstId> {
    entry.sst_ids.iter().copied().collect()
}

/// The SSTs `checkpoint`'s manifest references, when it was given.
fn pinned_by(root: &RootState, checkpoint: &Checkpoint) -> Option<BTreeSet<SstId>> {
    let manifest: &Manifest = root.manifest(checkpoint.manifest_id).ok()?;
    Some(manifest.sst_views().map(|view| view.sst.id).collect())
}

fn scan(_cx: &RuleContext<'_>, _out: &mut Vec<Finding>) {
    // Only meaningful for a planned deletion: see the planner.
}
