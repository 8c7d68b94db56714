//! Evaluating one action against a snapshot.

use super::action::Action;
use super::actions;
use crate::finding::{Finding, Impact, Verdict};
use crate::model::{Checkpoint, Manifest};
use crate::rules::listing::input_missing;
use crate::rules::manifest::root_missing;
use crate::rules::sort_findings;
use crate::rules::RuleContext;
use crate::snapshot::{Presence, RootState, Unknown};
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
    /// What a `safe` verdict cannot promise: losses that leave no trace in any listing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
            actions::clone::clone(cx, root, checkpoint.as_deref(), &mut work, &plan)?
        }
        Action::Open { root } => actions::open::open(cx, root, &mut work),
        Action::Read { root } => actions::read::read(cx, root, &mut work),
        Action::WipeWal { root } => actions::wipe_wal::wipe_wal(cx, root, &mut work),
        Action::DeleteCheckpoint { root, checkpoint } => {
            actions::delete_checkpoint::delete_checkpoint(cx, root, checkpoint, &mut work, &plan)?
        }
        Action::DeleteRoot { root } => actions::delete_root::delete_root(cx, root, &mut work),
        Action::Split {
            root,
            checkpoint,
            children,
        } => actions::split::split(cx, root, checkpoint, children, &mut work, &plan)?,
        Action::Gc { root } => actions::gc::gc(cx, root, &mut work),
    }
    // A listing that may stop early can hide what any action depends on: a newer manifest
    // (the latest state), a `.deleting` marker, another database at a clone's target, clones
    // still reading the root. Objects it does show settle nothing about what it may not.
    if let Some(why @ Unknown::IncompleteListing { .. }) = cx.snapshot.main_unknown() {
        let root = action.root();
        work.findings.push(input_missing::finding(
            root,
            &format!("whether the main store listing shows everything `{plan}` depends on"),
            &why,
        ));
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
    let notes = match verdict {
        Verdict::Safe => unseen_wal_loss(cx, action).into_iter().collect(),
        _ => Vec::new(),
    };
    Ok(PlanResult {
        plan,
        verdict,
        predicted_error,
        objects: work.objects,
        rules: rules.into_iter().collect(),
        notes,
        findings,
    })
}

/// For actions that read the WAL past the latest manifest (a writer open, a reader, a clone of
/// the latest state): the loss no listing can show. Deleting the newest WAL objects after a
/// listed fence (or after the newest WAL a manifest records) leaves a WAL that looks complete.
fn unseen_wal_loss(cx: &RuleContext<'_>, action: &Action) -> Option<String> {
    let root = match action {
        Action::Open { root } | Action::Read { root } => root,
        Action::Clone {
            root,
            checkpoint: None,
        } => root,
        _ => return None,
    };
    let state = cx.snapshot.root(root)?;
    let latest = state.latest_given()?;
    let newest = cx
        .wal_objects(state)
        .ok()
        .and_then(|objects| objects.keys().next_back().copied());
    let after = newest.map_or(latest.replay_after_wal_id, |id| {
        id.max(latest.replay_after_wal_id)
    });
    Some(format!(
        "nothing in these inputs shows that WAL objects of `{root}` after WAL {after} were deleted: the loss of the newest WAL objects after a listed fence leaves no trace in a listing (SlateDB's own readers and writers cannot see it either)"
    ))
}

/// What an action's evaluation collects: its findings and the objects it involves.
#[derive(Default)]
pub(crate) struct Work {
    pub(crate) findings: Vec<Finding>,
    pub(crate) objects: Vec<PlanObject>,
}

impl Work {
    pub(crate) fn object(
        &mut self,
        presence: &Presence,
        role: impl Into<String>,
        key_if_unknown: String,
    ) {
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

/// How an action meets a root's latest manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// A writer opens on it.
    Writer,
    /// SlateDB reads it (a `DbReader`, a clone).
    Reader,
    /// A change judged by its consequences (GC, a WAL wipe, a checkpoint deletion): what it
    /// does to a root whose latest manifest cannot be read is left undecided.
    Change,
}

/// The root and its latest manifest, or the findings that stop the evaluation.
pub(crate) fn latest<'a>(
    cx: &RuleContext<'a>,
    path: &str,
    access: Access,
    work: &mut Work,
) -> Option<(&'a RootState, &'a Manifest)> {
    if let Some(finding) = root_missing::check(cx, path, access == Access::Writer) {
        work.findings.push(finding);
        return None;
    }
    let root = cx.snapshot.root(path)?;
    work.findings
        .extend(crate::rules::manifest::delete_in_progress::check(root));
    work.findings
        .extend(crate::rules::listing::unrecognized_objects::check(root));
    let id = root.latest_id?;
    match root.manifest(id) {
        Ok(manifest) => Some((root, manifest)),
        Err(Unknown::DamagedManifest { .. }) if access != Access::Change => {
            // Every open, read and clone fails on it: decided, whatever else the root shows.
            work.findings
                .extend(crate::rules::manifest::manifest_damaged::check_latest(root));
            None
        }
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
pub(crate) fn find_checkpoint<'a>(
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

pub(crate) fn wal_objects(
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

pub(crate) fn advisory(mut finding: Finding) -> Finding {
    finding.impact = Impact::Advisory;
    finding
}
