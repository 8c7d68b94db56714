//! `SDB-CKPT-005` stale-detached-checkpoint: a checkpoint leaves out WAL writes that were durable before it was taken. See [`RULE`].

use super::describe;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{Checkpoint, Manifest};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// For every checkpoint of a database's latest manifest whose pinned manifest was given:
    /// whether the listing shows WAL objects with data at or past that manifest's
    /// `next_wal_sst_id` that were last modified before the checkpoint's creation time (whole
    /// seconds, rounded down, so only objects written at least a second earlier count). It
    /// needs listings with modification times; without them it stays quiet.
    ///
    /// ## Why it matters
    /// `Admin::create_detached_checkpoint` pins the last manifest the writer persisted
    /// (`admin.rs:491-512`), not the writer's state: WAL objects the writer flushed after that
    /// manifest are durable but outside the checkpoint's WAL range. A clone or reader at that
    /// checkpoint does not see those writes. A writer's own checkpoint (`Db::create_checkpoint`)
    /// covers every WAL it flushed, so this only shows for detached checkpoints taken while a
    /// writer was running. Nothing fails; the checkpoint is older than it looks.
    ///
    /// ## SlateDB error it prevents
    /// None: writes acknowledged before the checkpoint are silently absent from clones and
    /// readers at it.
    ///
    /// ## Example
    /// `cp-detached` pins `parent`'s manifest 8 (`next_wal_sst_id` 5), and
    /// `parent/wal/00000000000000000005.sst` (287 bytes) was written a minute before it.
    pub static RULE = {
        id: "SDB-CKPT-005",
        name: "stale-detached-checkpoint",
        family: Checkpoint,
        severity: Note,
        summary: "a checkpoint leaves out WAL writes that were durable before it was taken",
        scan: scan,
    };
}

/// A note when `checkpoint` (of `root`) excludes WAL data written before it.
pub fn check(cx: &RuleContext<'_>, root: &RootState, checkpoint: &Checkpoint) -> Option<Finding> {
    let pinned: &Manifest = root.manifest(checkpoint.manifest_id).ok()?;
    let objects = cx.wal_objects(root).ok()?;
    let excluded: Vec<String> = objects
        .range(pinned.next_wal_sst_id..)
        .filter(|(_, listed)| listed.size > 0)
        .filter(|(_, listed)| {
            listed
                .last_modified
                .is_some_and(|t| t < checkpoint.create_time)
        })
        .map(|(_, listed)| listed.key.clone())
        .collect();
    let first = excluded.first()?.clone();
    Some(RULE.finding(
        &root.path,
        format!(
            "{} of `{}` ends before WAL {} (next_wal_sst_id {}), yet {} WAL object(s) with data from there on were written before it was created, e.g. {first}: clones and readers at it do not see those writes",
            describe(checkpoint),
            root.path,
            pinned.next_wal_sst_id,
            pinned.next_wal_sst_id,
            excluded.len()
        ),
        evidence![
            ("checkpoint_id", checkpoint.id),
            ("manifest_id", checkpoint.manifest_id),
            ("next_wal_sst_id", pinned.next_wal_sst_id),
            ("create_time", checkpoint.create_time.to_rfc3339()),
            ("excluded_wal_keys", excluded),
        ],
        "to include them, take the checkpoint through the writer (Db::create_checkpoint with CheckpointScope::All), or flush the writer's memtable before a detached checkpoint",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(latest.checkpoints.iter().filter_map(|c| check(cx, root, c)));
    }
}
