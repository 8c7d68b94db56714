//! `SDB-CKPT-004` checkpoint-id-duplicate: two checkpoints of the latest manifest share an id. See [`RULE`].

use super::describe;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{Checkpoint, CheckpointId, Manifest};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeMap;

crate::declare_rule! {
    /// ## What it checks
    /// That the checkpoint ids in a database's latest manifest are unique. (Names need not be:
    /// SlateDB allows several checkpoints with one name.)
    ///
    /// ## Why it matters
    /// SlateDB mints checkpoint ids as random UUIDs and never repeats one; a duplicate means
    /// the manifest was edited or merged by hand. SlateDB's lookups (`find_checkpoint`,
    /// `manifest/mod.rs:739-741`) take the first entry with the id, so a clone, reader or
    /// `refresh_checkpoint` by that id silently uses the first one, and whatever only the
    /// other entry pins (its manifest and that manifest's SSTs and WAL range) is kept by GC
    /// but unreachable by id.
    ///
    /// ## SlateDB error it prevents
    /// None reported: clones and readers by that id may start from a different manifest than
    /// the operator meant.
    ///
    /// ## Example
    /// `parent`'s latest manifest lists checkpoint `9f8e9dbe-…` twice, pinning manifests 4
    /// and 8.
    pub static RULE = {
        id: "SDB-CKPT-004",
        name: "checkpoint-id-duplicate",
        family: Checkpoint,
        severity: Warning,
        summary: "two checkpoints in the latest manifest share an id",
        scan: scan,
    };
}

/// A finding per checkpoint id listed more than once in `latest`.
pub fn check(root: &RootState, latest: &Manifest) -> Vec<Finding> {
    let mut by_id: BTreeMap<CheckpointId, Vec<&Checkpoint>> = BTreeMap::new();
    for checkpoint in &latest.checkpoints {
        by_id.entry(checkpoint.id).or_default().push(checkpoint);
    }
    by_id
        .into_iter()
        .filter_map(|(id, entries)| {
            let first = entries.first()?;
            if entries.len() < 2 {
                return None;
            }
            let manifest_ids: Vec<u64> = entries.iter().map(|c| c.manifest_id).collect();
            let same_manifest = manifest_ids.iter().all(|m| *m == first.manifest_id);
            Some(RULE.finding(
                &root.path,
                format!(
                    "`{}`'s latest manifest ({}) lists checkpoint id {id} {} times{}; SlateDB resolves the id to the first, {}",
                    root.path,
                    latest.id,
                    entries.len(),
                    if same_manifest { ", all pinning the same manifest" } else { ", pinning different manifests" },
                    describe(first)
                ),
                evidence![
                    ("manifest_id", latest.id),
                    ("checkpoint_id", id),
                    ("pinned_manifest_ids", manifest_ids),
                    ("names", entries.iter().map(|c| c.name.clone()).collect::<Vec<_>>()),
                ],
                "find what edited the manifest; to keep a specific pinned version, create a new checkpoint from it (by a unique id) and then delete the duplicated id",
                Impact::Advisory,
            ))
        })
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(root, latest));
    }
}
