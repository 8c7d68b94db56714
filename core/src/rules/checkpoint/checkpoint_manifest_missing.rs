//! `SDB-CKPT-001` checkpoint-manifest-missing: the manifest a checkpoint points at is missing. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Checkpoint;
use crate::rules::RuleContext;
use crate::snapshot::{Presence, RootState};

crate::declare_rule! {
    /// ## What it checks
    /// That the manifest object every checkpoint of the latest manifest points at
    /// (`<root>/manifest/<manifest_id>.manifest`) exists.
    ///
    /// ## Why it matters
    /// GC keeps a checkpoint's manifest while the checkpoint exists; if it is gone anyway
    /// (deleted by hand, a bad sync, an external lifecycle rule), nothing that reads the
    /// checkpoint works, and every GC task that reads referenced manifests aborts before
    /// deleting anything (`ManifestStore::read_referenced_manifests`,
    /// `manifest/store.rs:590-614`: the WAL and WAL-fence tasks, the compacted-SST task, the
    /// detach task when it has a candidate), so the database stops collecting WAL objects and
    /// SSTs; manifest and compactions GC, which do not read them, still run. A GC run is then
    /// no danger to data (`gc:` forecasts exactly that).
    ///
    /// ## SlateDB error it prevents
    /// `ManifestMissing(id)`: cloning from the checkpoint, `DbReader` in `Checkpoint(id)` mode,
    /// creating a checkpoint with it as `source`, and the WAL/compacted/detach GC tasks.
    ///
    /// ## Example
    /// Checkpoint `cp-all` points at manifest 4 and `parent/manifest/…04.manifest` is not listed.
    pub static RULE = {
        id: "SDB-CKPT-001",
        name: "checkpoint-manifest-missing",
        family: Checkpoint,
        severity: Error,
        summary: "the manifest a checkpoint points at is missing",
        scan: scan,
    };
}

/// Checks that `checkpoint`'s manifest exists.
pub fn check(cx: &RuleContext<'_>, root: &RootState, checkpoint: &Checkpoint) -> Option<Finding> {
    let Presence::Missing { key } =
        root.manifest_presence(checkpoint.manifest_id, cx.root_main_unknown(root).as_ref())
    else {
        return None;
    };
    Some(RULE.finding(
        &root.path,
        format!("{} of `{}` points at a manifest that is missing ({key})", super::describe(checkpoint), root.path),
        evidence![("checkpoint_id", checkpoint.id), ("manifest_id", checkpoint.manifest_id), ("missing_key", key)],
        "restore the manifest object from versioning or backup; if it is lost, delete the checkpoint (its clones' pins must be re-established) so GC can run again",
        Impact::Unsafe { predicted_error: format!("ManifestMissing({})", checkpoint.manifest_id) },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(latest.checkpoints.iter().filter_map(|c| check(cx, root, c)));
    }
}
