//! Evaluating one action against a snapshot.

use super::action::Action;
use crate::finding::{Finding, Impact, Verdict};
use crate::model::{Checkpoint, Manifest};
use crate::rules::checkpoint::{
    checkpoint_expiry, checkpoint_manifest_missing, checkpoint_missing, describe,
};
use crate::rules::clone::{
    clone_incomplete, clone_target_occupied, dependent_clones, external_pin_missing, orphan_pin,
};
use crate::rules::listing::input_missing;
use crate::rules::manifest::{manifest_boundary_ahead, manifest_rollback, root_missing};
use crate::rules::sort_findings;
use crate::rules::sst::sst_missing;
use crate::rules::wal::{
    wal_fence_gap, wal_hole, wal_range_missing, wal_replay_range_missing, wal_store_required,
};
use crate::rules::RuleContext;
use crate::snapshot::{Presence, RootState, WriterOpenForecast};
use serde::Serialize;
use std::collections::BTreeSet;

/// A plan that cannot be evaluated as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("plan `{plan}`: {message}")]
pub struct PlanError {
    /// The plan.
    pub plan: String,
    /// What is wrong.
    pub message: String,
}

/// Whether an object an action involves exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectStatus {
    /// Listed.
    Present,
    /// Not in a complete listing.
    Missing,
    /// The inputs cannot tell.
    Unknown,
}

impl ObjectStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ObjectStatus::Present => "present",
            ObjectStatus::Missing => "missing",
            ObjectStatus::Unknown => "unknown",
        }
    }
}

/// An object an action reads, copies, writes or deletes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanObject {
    /// Object key (in the store that holds it).
    pub key: String,
    /// What the action does with it.
    pub role: String,
    /// Whether it exists.
    pub status: ObjectStatus,
    /// Its size, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// The outcome of one planned action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanResult {
    /// The plan as given.
    pub plan: String,
    /// Safe, unsafe or inconclusive.
    pub verdict: Verdict,
    /// The SlateDB error (or behaviour) predicted when unsafe.
    pub predicted_error: Option<String>,
    /// The objects involved.
    pub objects: Vec<PlanObject>,
    /// The rules behind the verdict (their findings are in the report's `findings`).
    pub rules: Vec<&'static str>,
    /// The findings about this action.
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Evaluates `action`.
pub fn evaluate(cx: &RuleContext<'_>, action: &Action) -> Result<PlanResult, PlanError> {
    let plan = action.to_string();
    let mut work = Work::default();
    match action {
        Action::Clone { root, checkpoint } => {
            clone(cx, root, checkpoint.as_deref(), &mut work, &plan)?
        }
        Action::Open { root } => open(cx, root, &mut work),
        Action::Read { root } => read(cx, root, &mut work),
        Action::WipeWal { root } => wipe_wal(cx, root, &mut work),
        Action::DeleteCheckpoint { root, checkpoint } => {
            delete_checkpoint(cx, root, checkpoint, &mut work, &plan)?
        }
        Action::DeleteRoot { root } => {
            work.findings.extend(dependent_clones::check(
                cx,
                root,
                None,
                &format!("deleting `{root}`"),
            ));
        }
        Action::Split {
            root,
            checkpoint,
            children,
        } => split(cx, root, checkpoint, children, &mut work, &plan)?,
        Action::Gc { root } => gc(cx, root, &mut work),
    }
    let mut findings = work.findings;
    sort_findings(&mut findings);
    let verdict = findings
        .iter()
        .map(Finding::verdict)
        .max()
        .unwrap_or(Verdict::Safe);
    let predicted_error = findings.iter().find_map(|f| match &f.impact {
        Impact::Unsafe { predicted_error } => Some(predicted_error.clone()),
        _ => None,
    });
    let rules: BTreeSet<&'static str> = findings.iter().map(|f| f.rule).collect();
    Ok(PlanResult {
        plan,
        verdict,
        predicted_error,
        objects: work.objects,
        rules: rules.into_iter().collect(),
        findings,
    })
}

#[derive(Default)]
struct Work {
    findings: Vec<Finding>,
    objects: Vec<PlanObject>,
}

impl Work {
    fn object(&mut self, presence: &Presence, role: impl Into<String>, key_if_unknown: String) {
        let (key, status, size) = match presence {
            Presence::Present { key, size } => (key.clone(), ObjectStatus::Present, Some(*size)),
            Presence::Missing { key } => (key.clone(), ObjectStatus::Missing, None),
            Presence::Unknown(_) => (key_if_unknown, ObjectStatus::Unknown, None),
        };
        self.objects.push(PlanObject {
            key,
            role: role.into(),
            status,
            size,
        });
    }
}

/// The root and its latest manifest, or the findings that stop the evaluation.
fn latest<'a>(
    cx: &RuleContext<'a>,
    path: &str,
    writer: bool,
    work: &mut Work,
) -> Option<(&'a RootState, &'a Manifest)> {
    if let Some(finding) = root_missing::check(cx, path, writer) {
        work.findings.push(finding);
        return None;
    }
    let root = cx.snapshot.root(path)?;
    work.findings
        .extend(crate::rules::manifest::delete_in_progress::check(root));
    let id = root.latest_id?;
    match root.manifest(id) {
        Ok(manifest) => Some((root, manifest)),
        Err(why) => {
            work.findings.push(input_missing::finding(
                path,
                &format!("the state of `{path}`"),
                &why,
            ));
            None
        }
    }
}

/// A checkpoint by id or by (unique) name.
fn find_checkpoint<'a>(
    latest: &'a Manifest,
    wanted: &str,
    plan: &str,
) -> Result<Option<&'a Checkpoint>, PlanError> {
    if let Some(found) = latest
        .checkpoints
        .iter()
        .find(|c| c.id.to_string().eq_ignore_ascii_case(wanted))
    {
        return Ok(Some(found));
    }
    let named: Vec<&Checkpoint> = latest
        .checkpoints
        .iter()
        .filter(|c| c.name.as_deref() == Some(wanted))
        .collect();
    match named.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        several => Err(PlanError {
            plan: plan.to_string(),
            message: format!(
                "{} checkpoints are named `{wanted}`; name one by id: {}",
                several.len(),
                several
                    .iter()
                    .map(|c| c.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

fn wal_objects(
    cx: &RuleContext<'_>,
    root: &RootState,
    ids: impl Iterator<Item = u64>,
    role: &str,
    work: &mut Work,
) {
    let objects = cx.wal_objects(root);
    for id in ids {
        let key = root.wal_key(id);
        let presence = match &objects {
            Ok(listed) => match listed.get(&id) {
                Some(object) => Presence::Present {
                    key: key.clone(),
                    size: object.size,
                },
                None => Presence::Missing { key: key.clone() },
            },
            Err(why) => Presence::Unknown(why.clone()),
        };
        work.object(&presence, role, key);
    }
}

fn clone(
    cx: &RuleContext<'_>,
    path: &str,
    checkpoint: Option<&str>,
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let Some((root, latest)) = latest(cx, path, false, work) else {
        return Ok(());
    };
    work.findings.extend(clone_incomplete::check(root, latest));
    // Every clone writes a checkpoint on its source (ephemeral or final) first.
    work.findings
        .extend(manifest_boundary_ahead::check(cx, root));
    let (manifest, subject) = match checkpoint {
        None => {
            work.findings
                .extend(manifest_rollback::check(cx, root, latest));
            work.findings
                .extend(manifest_rollback::check_wal_beyond(cx, root, latest));
            (
                latest,
                format!(
                    "its latest manifest ({}, through an ephemeral checkpoint)",
                    latest.id
                ),
            )
        }
        Some(wanted) => {
            let Some(found) = find_checkpoint(latest, wanted, plan)? else {
                work.findings
                    .push(checkpoint_missing::finding(path, latest, wanted));
                return Ok(());
            };
            work.findings
                .extend(checkpoint_expiry::check(cx, root, found));
            work.findings
                .extend(checkpoint_manifest_missing::check(cx, root, found));
            let presence =
                root.manifest_presence(found.manifest_id, cx.root_main_unknown(root).as_ref());
            let key = crate::listing::object_key(
                path,
                &crate::listing::SlateObject::Manifest {
                    id: found.manifest_id,
                },
            );
            work.object(&presence, "checkpoint manifest", key);
            match root.manifest(found.manifest_id) {
                Ok(manifest) => (manifest, describe(found)),
                Err(why) => {
                    if !matches!(presence, Presence::Missing { .. }) {
                        work.findings.push(input_missing::finding(
                            path,
                            &format!("what {} pins", describe(found)),
                            &why,
                        ));
                    }
                    return Ok(());
                }
            }
        }
    };
    wal_objects(
        cx,
        root,
        manifest.wal_replay_range(),
        "WAL copied by the clone",
        work,
    );
    work.findings
        .extend(wal_range_missing::check(cx, root, manifest, &subject));
    work.findings
        .extend(wal_fence_gap::check(cx, root, manifest, &subject));
    work.findings
        .extend(sst_missing::check(cx, root, manifest, &subject));
    work.findings
        .extend(external_pin_missing::check(cx, root, manifest));
    work.findings.extend(wal_store_required::check(root));
    Ok(())
}

fn open(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, true, work) else {
        return;
    };
    if let Ok(present) = cx.wal_ids(root) {
        let forecast = WriterOpenForecast::new(latest.replay_after_wal_id, &present);
        wal_objects(
            cx,
            root,
            (latest.replay_after_wal_id + 1)..=forecast.last_seen,
            "WAL replayed",
            work,
        );
        work.objects.push(PlanObject {
            key: root.wal_key(forecast.fence),
            role: "fence written".into(),
            status: if present.contains(&forecast.fence) {
                ObjectStatus::Present
            } else {
                ObjectStatus::Missing
            },
            size: None,
        });
    }
    // The writer's first act is the manifest write that bumps its epoch.
    work.findings
        .extend(manifest_boundary_ahead::check(cx, root));
    work.findings.extend(wal_hole::check(cx, root, latest));
    work.findings
        .extend(wal_replay_range_missing::check(cx, root, latest));
    // The writer opens, but serving reads needs every SST the manifest references.
    work.findings
        .extend(sst_missing::check_latest(cx, root, latest));
    work.findings
        .extend(manifest_rollback::check(cx, root, latest));
    work.findings
        .extend(clone_incomplete::check(root, latest).map(advisory));
    work.findings.extend(wal_store_required::check(root));
}

fn read(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, false, work) else {
        return;
    };
    work.findings.extend(clone_incomplete::check(root, latest));
    work.findings
        .extend(sst_missing::check_latest(cx, root, latest));
    work.findings
        .extend(manifest_rollback::check(cx, root, latest));
    work.findings.extend(
        external_pin_missing::check(cx, root, latest)
            .into_iter()
            .map(advisory),
    );
    let reader_misses =
        "DbReader stops at the first missing WAL object: reads miss the writes after it";
    work.findings
        .extend(wal_hole::check(cx, root, latest).map(|f| predicting(f, reader_misses)));
    work.findings
        .extend(wal_replay_range_missing::check(cx, root, latest));
    work.findings.extend(wal_store_required::check(root));
}

fn wipe_wal(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, false, work) else {
        return;
    };
    let objects = match cx.wal_objects(root) {
        Ok(objects) => objects,
        Err(why) => {
            work.findings.push(input_missing::finding(
                path,
                &format!("which WAL objects of `{path}` exist"),
                &why,
            ));
            return;
        }
    };
    let mut kept: BTreeSet<u64> = BTreeSet::new();
    let clone_use = CloneUse::of(cx, path);
    for checkpoint in &latest.checkpoints {
        // A finished clone's pin is never cloned from (nested clones pin SSTs, they copy no WAL
        // from here); unnamed checkpoints with a lifetime are SlateDB's own (the compactor's,
        // readers', clone creation's). Any checkpoint an operator made may be cloned from again.
        let internal = clone_use.finished.contains(&checkpoint.id)
            || (checkpoint.name.is_none()
                && checkpoint.expire_time.is_some()
                && !clone_use.unfinished.contains(&checkpoint.id));
        if internal {
            continue;
        }
        match root.manifest(checkpoint.manifest_id) {
            Ok(manifest) => {
                let needed: Vec<u64> = manifest
                    .wal_replay_range()
                    .filter(|id| objects.contains_key(id))
                    .collect();
                if !needed.is_empty() {
                    work.findings.push(wal_range_missing::would_break(
                        root,
                        manifest,
                        &describe(checkpoint),
                        &needed,
                    ));
                    kept.extend(needed);
                }
            }
            Err(why) => work.findings.push(input_missing::finding(
                path,
                &format!("which WAL objects {} needs", describe(checkpoint)),
                &why,
            )),
        }
    }
    let replay: Vec<u64> = objects
        .range(latest.replay_after_wal_id + 1..)
        .filter(|(_, o)| o.size > 0)
        .map(|(id, _)| *id)
        .collect();
    if !replay.is_empty() {
        work.findings
            .push(wal_replay_range_missing::would_drop(root, latest, &replay));
        kept.extend(replay);
    }
    for (id, object) in objects {
        let role = if kept.contains(id) {
            "must be kept"
        } else {
            "deletable"
        };
        work.objects.push(PlanObject {
            key: object.key.clone(),
            role: role.into(),
            status: ObjectStatus::Present,
            size: Some(object.size),
        });
    }
}

/// The checkpoints of a database that its clones placed or started from.
struct CloneUse {
    /// Pins of clones that finished.
    finished: BTreeSet<uuid::Uuid>,
    /// Pins and source checkpoints of clones that did not: a resume copies their WAL range.
    unfinished: BTreeSet<uuid::Uuid>,
}

impl CloneUse {
    fn of(cx: &RuleContext<'_>, parent: &str) -> Self {
        let mut finished = BTreeSet::new();
        let mut unfinished = BTreeSet::new();
        for root in cx.roots() {
            let Some(latest) = root.latest_given() else {
                continue;
            };
            for entry in latest.external_dbs.iter().filter(|e| e.path == parent) {
                if latest.initialized {
                    finished.extend(entry.final_checkpoint_id);
                } else {
                    unfinished.extend(
                        entry
                            .final_checkpoint_id
                            .into_iter()
                            .chain([entry.source_checkpoint_id]),
                    );
                }
            }
        }
        Self {
            finished,
            unfinished,
        }
    }
}

fn delete_checkpoint(
    cx: &RuleContext<'_>,
    path: &str,
    wanted: &str,
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let Some((_, latest)) = latest(cx, path, false, work) else {
        return Ok(());
    };
    let Some(found) = find_checkpoint(latest, wanted, plan)? else {
        return Ok(()); // Deleting an absent checkpoint is a no-op in SlateDB.
    };
    work.findings.extend(dependent_clones::check(
        cx,
        path,
        Some(found.id),
        &format!("deleting {}", describe(found)),
    ));
    Ok(())
}

/// A shard split: before it, each child's clone must be safe and its root free (or a clone of
/// this parent that can resume); after it, each child must be a finished clone, at the root the
/// application opens, reading the parent's SSTs through a lasting pin, with its WAL range.
fn split(
    cx: &RuleContext<'_>,
    parent: &str,
    checkpoint: &str,
    children: &[String],
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let pending: Vec<&String> = children
        .iter()
        .filter(|child| !cx.snapshot.root(child).is_some_and(RootState::exists))
        .collect();
    if !pending.is_empty() {
        clone(cx, parent, Some(checkpoint), work, plan)?;
    }
    for child in children {
        let Some(state) = cx.snapshot.root(child).filter(|state| state.exists()) else {
            // A clone written inside the parent's prefix leaves the application's root empty.
            let nested = format!("{parent}/{child}");
            if cx.snapshot.root(&nested).is_some_and(RootState::exists) {
                work.findings.extend(
                    root_missing::check(cx, child, true)
                        .map(|finding| nested_child(finding, &nested)),
                );
            }
            continue;
        };
        work.findings
            .extend(clone_target_occupied::check(state, parent));
        let Some(Ok(latest)) = state.latest_id.map(|id| state.manifest(id)) else {
            work.findings
                .extend(
                    state
                        .latest_id
                        .and_then(|id| state.manifest(id).err())
                        .map(|why| {
                            input_missing::finding(child, &format!("the state of `{child}`"), &why)
                        }),
                );
            continue;
        };
        work.findings.extend(clone_incomplete::check(state, latest));
        work.findings
            .extend(external_pin_missing::check(cx, state, latest));
        work.findings
            .extend(sst_missing::check_latest(cx, state, latest));
        work.findings.extend(wal_hole::check(cx, state, latest));
    }
    if let Some(parent_state) = cx.snapshot.root(parent) {
        work.findings.extend(orphan_pin::check(cx, parent_state));
    }
    Ok(())
}

/// One GC run: what it deletes, and whether any of it is still needed.
fn gc(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, false, work) else {
        return;
    };
    if let Some(why) = cx.root_main_unknown(root) {
        work.findings.push(input_missing::finding(
            path,
            &format!("what GC deletes from `{path}`"),
            &why,
        ));
    }
    for checkpoint in &latest.checkpoints {
        // GC tasks that read referenced manifests abort on a missing one: nothing is collected,
        // which is no danger to data.
        work.findings
            .extend(checkpoint_manifest_missing::check(cx, root, checkpoint).map(advisory));
    }
    let forecast = match crate::snapshot::gc_forecast(root, latest, cx.now, cx.options.min_age) {
        Ok(forecast) => forecast,
        Err(why) => {
            work.findings.push(input_missing::finding(
                path,
                &format!("what GC keeps of `{path}`"),
                &why,
            ));
            return;
        }
    };
    let deleted = |key: &String, role: &str| PlanObject {
        key: key.clone(),
        role: role.to_string(),
        status: ObjectStatus::Present,
        size: None,
    };
    work.objects.extend(
        forecast
            .manifests
            .iter()
            .map(|(_, key)| deleted(key, "deleted by GC")),
    );
    work.objects.extend(
        forecast
            .wal
            .iter()
            .map(|(_, key)| deleted(key, "deleted by GC")),
    );
    work.objects.extend(forecast.ssts.iter().map(|(_, key)| {
        deleted(
            key,
            "deleted by GC when below the compactor's low watermark",
        )
    }));
    work.findings
        .extend(crate::rules::gc::gc_deletes_needed::check(
            cx, root, latest, &forecast,
        ));
}

fn nested_child(mut finding: Finding, nested: &str) -> Finding {
    finding.message = format!(
        "{}; a clone was written at `{nested}`, inside the parent's prefix (gadget-inc/silo#377)",
        finding.message
    );
    finding.impact = Impact::Unsafe {
        predicted_error: "the child opens as a new, empty database".into(),
    };
    finding
}

fn advisory(mut finding: Finding) -> Finding {
    finding.impact = Impact::Advisory;
    finding
}

fn predicting(mut finding: Finding, predicted: &str) -> Finding {
    if let Impact::Unsafe { predicted_error } = &mut finding.impact {
        *predicted_error = predicted.to_string();
    }
    finding
}
