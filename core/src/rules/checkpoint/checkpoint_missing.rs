//! `SDB-CKPT-003` checkpoint-missing: the checkpoint an action names is not in the latest manifest. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;

crate::declare_rule! {
    /// ## What it checks
    /// That the checkpoint a clone (or a reader) starts from is listed in the root's latest
    /// manifest; SlateDB looks checkpoints up there and nowhere else.
    ///
    /// ## Why it matters
    /// Checkpoints disappear when deleted, when GC removes expired ones, and when the latest
    /// manifest object is deleted (the database rolls back to the previous manifest, which may
    /// not know a newer checkpoint).
    ///
    /// ## SlateDB error it prevents
    /// `CheckpointMissing(id)`.
    ///
    /// ## Example
    /// `clone:parent@split` after `split` was deleted by a cleanup job.
    pub static RULE = {
        id: "SDB-CKPT-003",
        name: "checkpoint-missing",
        family: Checkpoint,
        severity: Error,
        summary: "the checkpoint an action names is not in the latest manifest",
        scan: scan,
    };
}

/// A finding: `wanted` (an id or name) is not among `latest`'s checkpoints.
pub fn finding(root: &str, latest: &Manifest, wanted: &str) -> Finding {
    let known: Vec<String> = latest
        .checkpoints
        .iter()
        .map(|c| {
            c.name
                .as_ref()
                .map_or(c.id.to_string(), |n| format!("{n} ({})", c.id))
        })
        .collect();
    RULE.finding(
        root,
        format!("`{root}` has no checkpoint `{wanted}` in its latest manifest ({})", latest.id),
        evidence![("manifest_id", latest.id), ("checkpoint", wanted), ("checkpoints", known)],
        "create the checkpoint again (or pick one of those listed); if the latest manifest object was deleted, restore it",
        Impact::Unsafe { predicted_error: format!("CheckpointMissing({wanted})") },
    )
}

fn scan(_cx: &crate::rules::RuleContext<'_>, _out: &mut Vec<Finding>) {
    // Only a planned action can name a checkpoint.
}
