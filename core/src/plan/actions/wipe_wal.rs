//! `wipe-wal:ROOT`: every WAL object of the database is deleted now.

use crate::finding::{Finding, Impact, Severity};
use crate::model::Manifest;
use crate::plan::actions::clone_source::CloneSource;
use crate::plan::actions::clone_use::CloneUse;
use crate::plan::actions::own_checkpoints::slatedb_own;
use crate::plan::actions::read;
use crate::plan::planner::{advisory, latest, Access, ObjectStatus, PlanObject, Work};
use crate::rules::checkpoint::{checkpoint_manifest_missing, describe};
use crate::rules::listing::input_missing;
use crate::rules::wal::{wal_hole, wal_range_missing, wal_replay_range_missing, wal_writes_lost};
use crate::rules::RuleContext;
use crate::snapshot::{newest_l0, NewestL0, RootState, RowsAgainstL0};
use std::collections::BTreeSet;

pub(crate) fn wipe_wal(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
    let Some((root, latest)) = latest(cx, path, Access::Change, work) else {
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
    // Every live checkpoint may be cloned from, whatever its name or lifetime, SlateDB's own
    // too (an expired one, still listed, only until GC's next pass: breaking its clones is
    // advice). SlateDB's own are named as such, and come last, the longest-lived first: a report
    // shows a finding on one manifest's WAL range once, and names the first checkpoint judged.
    let mut checkpoints: Vec<_> = latest
        .checkpoints
        .iter()
        .map(|checkpoint| (checkpoint, slatedb_own(root, checkpoint, &clone_use)))
        .collect();
    checkpoints.sort_by_key(|(_, own)| own.clone());
    // Manifests a live checkpoint's clone was found to need WAL of: a second checkpoint on one
    // would only repeat the finding under another name.
    let mut judged: BTreeSet<u64> = BTreeSet::new();
    for (checkpoint, own) in checkpoints {
        match root.manifest(checkpoint.manifest_id) {
            Ok(_) if judged.contains(&checkpoint.manifest_id) => {}
            Ok(manifest) => {
                // A clone from it that fails already, for a WAL object of its range or an SST
                // its manifest references gone, is nothing the wipe can break.
                let source = CloneSource::of(cx, root, checkpoint, manifest);
                work.findings
                    .extend(source.broken.into_iter().map(already_broken));
                let needed: Vec<u64> = manifest
                    .wal_replay_range()
                    .filter(|id| objects.contains_key(id))
                    .collect();
                if needed.is_empty() {
                    continue;
                }
                let subject = describe(checkpoint);
                if source.fails_already {
                    // A clone from it fails already, and the wipe changes nothing that works;
                    // it only destroys what a restore of the missing objects would still need.
                    work.findings
                        .push(already_broken(wal_range_missing::would_break_further(
                            root, manifest, &subject, &needed,
                        )));
                    continue;
                }
                let breaks = wal_range_missing::would_break(root, manifest, &subject, &needed);
                let breaks = match &own {
                    Some(own) => own.explain(checkpoint, breaks),
                    None => breaks,
                };
                match source.expired {
                    Some(expired) => work.findings.push(expired_source(breaks, expired)),
                    None => {
                        work.findings.push(breaks);
                        kept.extend(needed);
                        judged.insert(manifest.id);
                    }
                }
            }
            // A checkpoint whose manifest object is gone is no clone source already
            // (`ManifestMissing`): the wipe cannot break it.
            Err(why) => match checkpoint_manifest_missing::check(cx, root, checkpoint) {
                Some(missing) => work.findings.push(already_broken(missing)),
                None => work.findings.push(input_missing::finding(
                    path,
                    &format!("which WAL objects {} needs", describe(checkpoint)),
                    &why,
                )),
            },
        }
    }
    // Writes after the replay point already gone: the store has lost them (or not, when they
    // were fences or rows of L0) whatever the wipe does, so they are reported without deciding
    // the verdict; what the wipe itself deletes, below, decides it.
    work.findings.extend(
        wal_replay_range_missing::check(cx, root, latest)
            .into_iter()
            .chain(wal_writes_lost::check(cx, root, latest))
            .map(already_broken),
    );
    // After the replay point: a zero-byte object is a fence and holds nothing. One with data
    // whose rows were read holds writes L0 lacks exactly when a row is past `last_l0_seq`.
    // For the rest the listing decides what it can: data at or after the manifest that
    // published the newest L0 holds writes that are not in L0; data before it may hold either
    // (how that L0's memtable froze is not recorded).
    let bound = newest_l0(root, latest);
    let data: Vec<u64> = objects
        .range(latest.replay_after_wal_id.saturating_add(1)..)
        .filter(|(_, o)| o.size > 0)
        .map(|(id, _)| *id)
        .collect();
    // A `DbReader` stops at the first object missing after the replay point, and a writer open
    // stops or fails there (`SDB-WAL-003`): SlateDB reads nothing from that hole on, so wiping
    // it breaks nothing that works; it destroys what a repair of the hole could still recover.
    let hole = wal_hole::reader_stops_at(objects, latest);
    let (readable, behind_hole): (Vec<u64>, Vec<u64>) = data
        .into_iter()
        .partition(|id| hole.is_none_or(|hole| *id < hole));
    // A read of the latest state that fails already (an SST gone, writes lost to a hole or to
    // a deleted tail) is broken whatever the wipe does: what the wipe takes from it is what a
    // repair could still recover, reported without deciding the verdict.
    let action = format!("wiping the WAL of `{path}`");
    let harms = judge_data(cx, root, latest, &bound, &readable, &mut kept);
    let broken = harms
        .iter()
        .any(|harm| harm.impact != Impact::Advisory)
        .then(|| read::fails_already(cx, path))
        .flatten();
    work.findings.extend(
        harms
            .into_iter()
            .map(|harm| read::unless_broken_already(broken.as_ref(), path, &action, harm)),
    );
    if let Some(hole) = hole {
        work.findings.extend(
            judge_data(cx, root, latest, &bound, &behind_hole, &mut kept)
                .into_iter()
                .map(|finding| unread_behind(finding, hole)),
        );
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

/// What wiping the WAL objects with data `ids` (after the replay point of `latest`) loses,
/// each object holding writes that may be lost added to `kept`. A zero-byte object is a fence
/// and holds nothing. One with data whose rows were read holds writes L0 lacks exactly when a
/// row is past `last_l0_seq`. For the rest the listing decides what it can: data at or after
/// the manifest that published the newest L0 holds writes that are not in L0; data before it
/// may hold either (how that L0's memtable froze is not recorded).
fn judge_data(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
    bound: &NewestL0,
    ids: &[u64],
    kept: &mut BTreeSet<u64>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut in_l0: Vec<(u64, Option<u64>)> = Vec::new();
    let mut not_in_l0: Vec<(u64, u64)> = Vec::new();
    let mut unread: Vec<u64> = Vec::new();
    for id in ids {
        match cx.wal_rows(root, *id) {
            Some(Ok(rows)) => match RowsAgainstL0::of(rows, latest) {
                RowsAgainstL0::InL0 { max_seq } => in_l0.push((*id, max_seq)),
                RowsAgainstL0::NotInL0 { max_seq } => not_in_l0.push((*id, max_seq)),
            },
            _ => unread.push(*id),
        }
    }
    if !not_in_l0.is_empty() {
        findings.push(wal_writes_lost::would_lose_rows(root, latest, &not_in_l0));
        kept.extend(not_in_l0.iter().map(|(id, _)| *id));
    }
    if !in_l0.is_empty() {
        findings.push(wal_replay_range_missing::would_drop_rows_in_l0(
            root, latest, &in_l0,
        ));
    }
    let (past_l0, unplaced): (Vec<u64>, Vec<u64>) = unread
        .into_iter()
        .partition(|id| *id >= bound.next_wal_sst_id);
    if !past_l0.is_empty() {
        findings.push(wal_writes_lost::would_lose(root, latest, bound, &past_l0));
    }
    if !unplaced.is_empty() {
        if cx.writers_closed_over(root, latest) {
            findings.push(wal_replay_range_missing::would_drop_closed(
                root, latest, bound, &unplaced,
            ));
        } else {
            let unread = wal_replay_range_missing::why_unread(cx, root, &unplaced);
            findings.push(wal_replay_range_missing::would_drop_unplaced(
                root, latest, bound, &unplaced, &unread,
            ));
            kept.extend(unplaced);
        }
    }
    kept.extend(past_l0);
    findings
}

/// `finding`, about WAL objects behind the hole at `hole`, as advice: SlateDB reads none of
/// them any more, whatever the wipe does.
fn unread_behind(finding: Finding, hole: u64) -> Finding {
    let mut finding = already_broken(finding);
    finding.message = format!(
        "{}; but WAL {hole} is missing already: a `DbReader` stops there and a writer open stops or fails there (SDB-WAL-003), so SlateDB reads none of them now, and the wipe destroys only what a repair of the hole could still recover",
        finding.message
    );
    finding
}

/// `breaks`, about a clone from a checkpoint that expired at `expired`, as advice: an expired
/// checkpoint is no live clone source. SlateDB's clone does not check expiry, so one still works
/// while the checkpoint is listed, but any GC pass removes it (`SDB-CKPT-002`); whoever still
/// means to clone from it refreshes it first.
fn expired_source(breaks: Finding, expired: chrono::DateTime<chrono::Utc>) -> Finding {
    let mut finding = advisory(breaks);
    finding.severity = Severity::Warning;
    finding.message = format!(
        "{}; but the checkpoint expired at {expired}: it is listed until GC's next pass removes it, and SlateDB clones from it until then",
        finding.message
    );
    finding.remediation = "nothing to do if no clone will be made from the expired checkpoint; otherwise refresh it (`Admin::refresh_checkpoint`) and keep these WAL objects until its clones are initialized".into();
    finding
}

/// A finding about what is broken before the action, reported beside the action's verdict
/// without deciding it.
fn already_broken(finding: Finding) -> Finding {
    let mut finding = advisory(finding);
    finding.severity = finding.severity.min(Severity::Warning);
    finding
}
