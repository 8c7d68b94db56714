//! `SDB-WAL-009` wal-tail-missing: the fence of the latest writer open is gone: the WAL after the latest manifest was deleted. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::{writer_open_unpersisted, RootState};

crate::declare_rule! {
    /// ## What it checks
    /// Whether the latest manifest was written by a writer open that has persisted nothing
    /// since (its `writer_epoch` is higher than every earlier manifest's, and its
    /// `next_wal_sst_id` and `replay_after_wal_id` are still those of the manifest it bumped
    /// from), and if so, that the zero-byte fence WAL that open wrote still exists: at or after
    /// `next_wal_sst_id` when the WAL range before it is intact, after `replay_after_wal_id`
    /// in any case.
    ///
    /// ## Why it matters
    /// Every writer open writes its fence right after bumping the epoch (slatedb
    /// `wal/slatedb/writer_init.rs` `fence_and_init`, at `last_seen_wal_id(replay_after) + 1`),
    /// and the writer's acknowledged writes go to the WAL objects after it. Nothing records
    /// them in a manifest until the writer's next L0 flush, checkpoint or close, which also
    /// persists a `next_wal_sst_id` past the fence (`memtable_flusher/manifest_writer.rs`).
    /// SlateDB's GC never deletes a WAL object at or after the latest `replay_after_wal_id`,
    /// nor (by default) any fence (`garbage_collector/wal_gc.rs`, fence GC is dry-run). So while
    /// this manifest is the latest, the fence must be listed; when it is not, the WAL after the
    /// manifest was deleted, and with it every write that writer acknowledged.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: a `DbReader` treats the missing fence as the end of the WAL
    /// (`db_reader.rs`) and a writer open finds nothing to replay; both silently return
    /// `None` for the acknowledged writes. A clone of the latest state copies only the
    /// manifest's WAL range and misses them too. (A writer that crashed between its epoch bump
    /// and its fence write leaves the same listing and lost nothing; that window is one object
    /// write long.)
    ///
    /// ## Example
    /// `db` is reopened (manifest 5, epoch 2, `next_wal_sst_id=3`, fence WAL 3), writes `tail`
    /// into WAL 4 and flushes it; the WAL store is wiped while the writer runs. Manifest 5 is
    /// still the latest and no WAL object at or after 3 is listed: `read:db` is unsafe.
    pub static RULE = {
        id: "SDB-WAL-009",
        name: "wal-tail-missing",
        family: Wal,
        severity: Error,
        summary: "the fence of the latest writer open is gone: the WAL after the latest manifest was deleted",
        scan: scan,
    };
}

/// Checks that the fence of the writer open that wrote `latest` is still listed.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let objects = cx.wal_objects(root).ok()?;
    let bumped_from = writer_open_unpersisted(root, latest)?;
    let after_replay = latest.replay_after_wal_id.saturating_add(1);
    // A WAL object after the replay point in the other store: the writer was opened with the
    // wrong WAL store configuration and fenced there (SDB-WAL-005 says so); nothing was deleted.
    let other = if std::ptr::eq(objects, &root.wal_in_main) {
        &root.wal_in_wal_store
    } else {
        &root.wal_in_main
    };
    if other.range(after_replay..).next().is_some() {
        return None;
    }
    let range_intact = latest
        .wal_replay_range()
        .all(|id| objects.contains_key(&id));
    let fence_from = if range_intact {
        latest.next_wal_sst_id
    } else {
        after_replay
    };
    if objects.range(fence_from..).next().is_some() {
        return None;
    }
    let newest = objects.keys().next_back().copied();
    Some(RULE.finding(
        &root.path,
        format!(
            "manifest {} of `{}` was written when writer epoch {} opened (its WAL position is still that of manifest {}), so that open's fence WAL at id {} or later must exist; no WAL object from {} on is listed{}: the WAL after the manifest was deleted, and every write that writer acknowledged with it",
            latest.id,
            root.path,
            latest.writer_epoch,
            bumped_from.id,
            fence_from,
            fence_from,
            newest.map(|id| format!(" (the newest is WAL {id})")).unwrap_or_else(|| " (none at all)".into()),
        ),
        evidence![
            ("manifest_id", latest.id),
            ("writer_epoch", latest.writer_epoch),
            ("bumped_from_manifest_id", bumped_from.id),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("next_wal_sst_id", latest.next_wal_sst_id),
            ("fence_expected_from", fence_from),
            ("newest_listed_wal_id", newest),
        ],
        "restore the deleted WAL objects (object versioning, a backup, the WAL disk) before any reader, writer or clone touches the database; if the writer of that epoch is still running, stop it from serving reads: its acknowledged writes are gone from storage",
        Impact::Unsafe {
            predicted_error: format!(
                "silent loss of the writes acknowledged since writer epoch {} opened (its fence WAL and every WAL after it are gone)",
                latest.writer_epoch
            ),
        },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
