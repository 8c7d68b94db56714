//! `wipe-wal:ROOT`: every WAL object of the database is deleted now.

use crate::plan::actions::clone_use::CloneUse;
use crate::plan::planner::{latest, ObjectStatus, PlanObject, Work};
use crate::rules::checkpoint::describe;
use crate::rules::listing::input_missing;
use crate::rules::wal::{wal_range_missing, wal_replay_range_missing};
use crate::rules::RuleContext;
use std::collections::BTreeSet;

pub(crate) fn wipe_wal(cx: &RuleContext<'_>, path: &str, work: &mut Work) {
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
                // A range already broken stays worth reporting: the wipe would destroy what a
                // restore of the missing objects still needs, and the checkpoint is no clone
                // source as it is.
                work.findings.extend(wal_range_missing::check(
                    cx,
                    root,
                    manifest,
                    &describe(checkpoint),
                ));
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
    // Writes after the replay point already gone: the wipe cannot lose them, but the store
    // has lost them, or will once the rest of the range goes.
    work.findings
        .extend(wal_replay_range_missing::check(cx, root, latest));
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
