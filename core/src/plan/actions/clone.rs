//! `clone:ROOT[@CHECKPOINT]`: a single-source clone from a checkpoint, or from the latest state
//! through an ephemeral checkpoint.

use crate::plan::planner::{find_checkpoint, latest, wal_objects, Access, PlanError, Work};
use crate::rules::checkpoint::{
    checkpoint_expiry, checkpoint_manifest_missing, checkpoint_missing, describe,
};
use crate::rules::clone::{clone_incomplete, external_pin_missing};
use crate::rules::listing::input_missing;
use crate::rules::manifest::{manifest_boundary_ahead, manifest_damaged, manifest_rollback};
use crate::rules::sst::{sst_missing, sst_truncated};
use crate::rules::wal::{
    wal_fence_gap, wal_range_missing, wal_store_required, wal_tail_missing, wal_unreadable,
};
use crate::rules::RuleContext;
use crate::snapshot::{Presence, Unknown};

pub(crate) fn clone(
    cx: &RuleContext<'_>,
    path: &str,
    checkpoint: Option<&str>,
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let Some((root, latest)) = latest(cx, path, Access::Reader, work) else {
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
            // The ephemeral checkpoint pins the latest manifest: writes past it are not cloned,
            // and when its writer's fence is gone they are gone from the source as well.
            work.findings
                .extend(wal_tail_missing::check(cx, root, latest));
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
                Err(Unknown::DamagedManifest { .. }) => {
                    work.findings
                        .extend(manifest_damaged::check_pinned(root, found));
                    return Ok(());
                }
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
        .extend(wal_unreadable::check_copied(cx, root, manifest, &subject));
    work.findings
        .extend(sst_missing::check(cx, root, manifest, &subject));
    work.findings
        .extend(sst_truncated::check(cx, root, manifest, &subject));
    work.findings
        .extend(external_pin_missing::check_before_clone(cx, root, manifest));
    work.findings.extend(wal_store_required::check(root));
    Ok(())
}
