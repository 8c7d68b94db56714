//! `SDB-WAL-007` wal-id-regression: WAL ids go back between manifest versions: ids get reused. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::checkpoint::describe;
use crate::rules::manifest::successions;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Between consecutive manifest versions of a database: that `next_wal_sst_id` and
    /// `replay_after_wal_id` never decrease; and in every version given, that
    /// `replay_after_wal_id <= next_wal_sst_id - 1` (the range to replay is not inverted).
    /// Steps out of an unfinished clone's first manifest are not judged (clone creation stamps
    /// the range its WAL copy returns).
    ///
    /// ## Why it matters
    /// WAL ids are allocated in order and never reused while the WAL objects are there. When a
    /// WAL store is wiped, the next writer open finds no WAL, writes its fence at
    /// `replay_after_wal_id + 1` and persists a lower `next_wal_sst_id`: the ids above it will
    /// be written again with new data. A checkpoint whose range still claims those ids then
    /// clones or reads different data than it pinned, and the writes that were in the wiped
    /// WAL are gone. An inverted range is never written by SlateDB at all.
    ///
    /// ## SlateDB error it prevents
    /// None reported: a clone from an older checkpoint copies WAL objects written after it,
    /// or fails `WalUnavailable` until they are written again.
    ///
    /// ## Example
    /// `shard` went from `next_wal_sst_id` 4 (manifest 10) to 3 (manifest 11) after its WAL
    /// store was wiped; checkpoint `split` (manifest 6) still claims WAL 2–3.
    pub static RULE = {
        id: "SDB-WAL-007",
        name: "wal-id-regression",
        family: Wal,
        severity: Warning,
        summary: "WAL ids go back between manifest versions: WAL ids will be reused",
        scan: scan,
    };
}

fn check_step(
    root: &RootState,
    latest: Option<&Manifest>,
    earlier: &Manifest,
    later: &Manifest,
) -> Option<Finding> {
    let next_back = later.next_wal_sst_id < earlier.next_wal_sst_id;
    let replay_back = later.replay_after_wal_id < earlier.replay_after_wal_id;
    if !next_back && !replay_back {
        return None;
    }
    // Ids at or above the later manifest's next id were already handed out once.
    let reused: Vec<u64> = (later.next_wal_sst_id..earlier.next_wal_sst_id).collect();
    let claiming: Vec<String> = latest
        .map(|latest| {
            latest
                .checkpoints
                .iter()
                .filter(|c| {
                    root.manifest(c.manifest_id)
                        .is_ok_and(|m| m.wal_replay_range().any(|id| reused.contains(&id)))
                })
                .map(describe)
                .collect()
        })
        .unwrap_or_default();
    let mut message = format!(
        "`{}`'s WAL position goes back between manifests {} and {} (next_wal_sst_id {} → {}, replay_after_wal_id {} → {})",
        root.path,
        earlier.id,
        later.id,
        earlier.next_wal_sst_id,
        later.next_wal_sst_id,
        earlier.replay_after_wal_id,
        later.replay_after_wal_id
    );
    if !reused.is_empty() {
        message.push_str(&format!(
            ": WAL {} will be written again",
            id_ranges(&reused)
        ));
    }
    if !claiming.is_empty() {
        message.push_str(&format!(", yet {} still claim them", claiming.join(", ")));
    }
    Some(RULE.finding(
        &root.path,
        message,
        evidence![
            ("earlier_manifest_id", earlier.id),
            ("later_manifest_id", later.id),
            ("next_wal_sst_id", [earlier.next_wal_sst_id, later.next_wal_sst_id]),
            ("replay_after_wal_id", [earlier.replay_after_wal_id, later.replay_after_wal_id]),
            ("reused_wal_ids", reused),
            ("checkpoints_claiming_reused_ids", claiming),
        ],
        "treat checkpoints taken before the regression as unusable for clones (or restore the wiped WAL objects before any writer writes again); take a new checkpoint after an L0 flush",
        Impact::Advisory,
    ))
}

fn inverted(root: &RootState, manifest: &Manifest) -> Option<Finding> {
    (manifest.replay_after_wal_id >= manifest.next_wal_sst_id).then(|| {
        RULE.finding(
            &root.path,
            format!(
                "manifest {} of `{}` has replay_after_wal_id {} but next_wal_sst_id {}: SlateDB never replays past the next WAL id it will write",
                manifest.id, root.path, manifest.replay_after_wal_id, manifest.next_wal_sst_id
            ),
            evidence![
                ("manifest_id", manifest.id),
                ("replay_after_wal_id", manifest.replay_after_wal_id),
                ("next_wal_sst_id", manifest.next_wal_sst_id),
            ],
            "find what rewrote the manifest and restore the version SlateDB wrote",
            Impact::Advisory,
        )
    })
}

/// The WAL id regressions of `root`'s manifests.
pub fn check(root: &RootState) -> Vec<Finding> {
    let latest = root.latest_given();
    let steps = successions(root)
        .into_iter()
        .filter_map(|(earlier, later)| check_step(root, latest, earlier, later));
    let inversions = root
        .manifests
        .values()
        .filter_map(|file| inverted(root, &file.manifest));
    steps.chain(inversions).collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        out.extend(check(root));
    }
}
