//! `SDB-WAL-009` wal-tail-missing: the fence of the latest writer open, or the newest recorded WAL, is gone: the WAL after the latest manifest was deleted. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::listing::ObjectsById;
use crate::model::{Manifest, WalId};
use crate::rules::listing::input_missing;
use crate::rules::wal::id_ranges;
use crate::rules::RuleContext;
use crate::snapshot::{
    opens_since_position, writer_close, writer_open_unpersisted, writer_opened_here, CloseShape,
    RootState, RowsAgainstL0, Unknown,
};

crate::declare_rule! {
    /// ## What it checks
    /// Whether the WAL after the latest manifest can have been deleted, two ways:
    /// - The latest manifest was written by a writer open that has persisted nothing since
    ///   (its `writer_epoch` is higher than every earlier manifest's, and its
    ///   `next_wal_sst_id` and `replay_after_wal_id` are still those of the manifest it bumped
    ///   from): the zero-byte fence WAL that open wrote must still exist, at or after
    ///   `next_wal_sst_id` when the WAL range before it is intact, after `replay_after_wal_id`
    ///   in any case. When it does not, this is an error. When several writers opened at that
    ///   position since it was last persisted (each crashed, or closed before writing), each
    ///   wrote a zero-byte fence there after every object there at its open: if the objects from
    ///   `next_wal_sst_id` on are listed without a gap but fewer of them are zero-byte than
    ///   there were opens, the newest open's fence lay past them all and is gone (fixture
    ///   `u-idle-fence-deleted`).
    /// - Otherwise, on a database a writer has opened on (not a clone that never wrote): the
    ///   newest WAL object the latest manifest records (`next_wal_sst_id - 1`) must still
    ///   exist, or some later one. When none of them is listed, the deletion reached the end of
    ///   the recorded WAL, and whether a writer wrote past it is more than any listing shows:
    ///   inconclusive, unless the manifests given record the close of the latest epoch's
    ///   writer (a manifest of that epoch that moves only `next_wal_sst_id` past the one
    ///   before it: then a note, as nothing was written after it), the user states that the
    ///   last writer closed (`--writers-closed`, or `--writers-closed-wal-only` for a close
    ///   that flushed only its WAL: any close records its WAL position; a note), or an
    ///   earlier collection (`--earlier-bundle`) read such WAL objects and their rows are past
    ///   `last_l0_seq` (then an error). A manifest of that epoch that repeats the one before it, as a
    ///   `Db::close()` after its memtable flush leaves it, is named in the warning as the
    ///   likely story, but proves nothing: an admin write that changes nothing looks the same
    ///   (`Admin::delete_checkpoint` of a checkpoint that is not there; after a crash, SlateDB
    ///   then loses the crashed writer's last writes: fixture `t-crash-repeated-manifest`).
    /// - Otherwise, when an earlier collection (`--earlier-bundle`) read WAL objects from
    ///   `next_wal_sst_id` on that are not listed now, with rows past `last_l0_seq`: writes no
    ///   manifest records were deleted, though every object the manifest records may still be
    ///   listed (the invisible tail, which no listing alone shows: fixture
    ///   `w-crash-tail-deleted`). An error.
    ///
    /// ## Why it matters
    /// Every writer open writes its fence right after bumping the epoch (slatedb
    /// `wal/slatedb/writer_init.rs` `fence_and_init`, at `last_seen_wal_id(replay_after) + 1`),
    /// and the writer's acknowledged writes go to the WAL objects after it. Nothing records
    /// them in a manifest until the writer's next L0 flush, checkpoint or close, which also
    /// persists a `next_wal_sst_id` past them (`memtable_flusher/manifest_writer.rs`). A writer
    /// that crashes, or closes with a WAL flush only, leaves its last writes in WAL objects at
    /// or after the latest manifest's `next_wal_sst_id`, recorded by no manifest.
    /// SlateDB's GC never deletes a WAL object at or after the latest `replay_after_wal_id`
    /// (`garbage_collector/wal_gc.rs` keeps the boundary and everything after it), nor (by
    /// default) any fence. So the objects up to `next_wal_sst_id - 1` stay listed until someone
    /// deletes them, and a deletion that took the newest of them with nothing after it left
    /// may have taken such unrecorded writes too.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: a `DbReader` treats the missing WAL as its end (`db_reader.rs`) and a
    /// writer open finds nothing to replay; both silently return `None` for the acknowledged
    /// writes. A clone of the latest state copies only the manifest's WAL range and misses them
    /// too. (A writer that crashed between its epoch bump and its fence write leaves the same
    /// listing as the first case and lost nothing; that window is one object write long.)
    ///
    /// ## Example
    /// `db` is reopened (manifest 5, epoch 2, `next_wal_sst_id=3`, fence WAL 3), writes `tail`
    /// into WAL 4 and flushes it; the WAL store is wiped while the writer runs. Manifest 5 is
    /// still the latest and no WAL object at or after 3 is listed: `read:db` is unsafe.
    /// Had the writer taken a checkpoint right after opening (manifest 6, `next_wal_sst_id=4`)
    /// before writing `tail`, WAL 3 would be the newest recorded and the listing the same as if
    /// it had written nothing: `read:db` is inconclusive. Had it instead closed with a WAL
    /// flush only (manifest 6 moves `next_wal_sst_id` to 5 and changes nothing else), nothing
    /// after WAL 4 can have been written: a note, and the verdict rests on WAL 3 and 4.
    /// Had the writer instead flushed its memtable (manifest 6, `next_wal_sst_id=4`), written
    /// `tail` to WAL 4 and crashed, and only WAL 4 been deleted, the listing would show nothing
    /// amiss (`safe`, with a note that says so); a bundle collected before the deletion read WAL
    /// 4's row past `last_l0_seq`, and with it `read:db` is unsafe.
    pub static RULE = {
        id: "SDB-WAL-009",
        name: "wal-tail-missing",
        family: Wal,
        severity: Error,
        summary: "the fence of the latest writer open, or the newest recorded WAL, is gone: the WAL after the latest manifest was deleted",
        scan: scan,
    };
}

/// What to do about deleted WAL objects before SlateDB reads the database again.
const RESTORE_WAL: &str = "restore the deleted WAL objects (object versioning, a backup, the WAL disk) before any reader, writer or clone touches the database";

/// " (the newest is WAL N)", or " (none at all)", for messages about what is still listed.
fn newest_listed_phrase(newest: Option<WalId>) -> String {
    newest.map_or_else(
        || " (none at all)".into(),
        |id| format!(" (the newest is WAL {id})"),
    )
}

/// What to do when the fence of the latest writer open is gone.
fn fence_gone_remediation() -> String {
    format!("{RESTORE_WAL}; if the writer of that epoch is still running, stop it from serving reads: its acknowledged writes are gone from storage")
}

/// The harm when the fence of writer epoch `epoch`'s open is gone, and every WAL after it.
fn fence_gone(epoch: u64) -> Impact {
    Impact::Unsafe {
        predicted_error: format!(
            "silent loss of the writes acknowledged since writer epoch {epoch} opened (its fence WAL and every WAL after it are gone)"
        ),
    }
}

/// Checks that the fence of the writer open that wrote `latest` is still listed, or, when that
/// writer has persisted a manifest since, that the WAL `latest` records has not lost its end.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let objects = match cx.wal_objects(root) {
        Ok(objects) => objects,
        Err(why) => return unlisted(root, latest, &why),
    };
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
    end_deleted(cx, root, latest, objects).or_else(|| tail_read_earlier(root, latest, objects))
}

/// The first two ways of [`RULE`]: the fence of a writer open that persisted nothing since is
/// gone, or the newest WAL object `latest` records is.
fn end_deleted(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
    objects: &ObjectsById<WalId>,
) -> Option<Finding> {
    let after_replay = latest.replay_after_wal_id.saturating_add(1);
    let Some(bumped_from) = writer_open_unpersisted(root, latest) else {
        return recorded_end_gone(cx, root, latest, objects);
    };
    let range_intact = latest
        .wal_replay_range()
        .all(|id| objects.contains_key(&id));
    let fence_from = if range_intact {
        latest.next_wal_sst_id
    } else {
        after_replay
    };
    if objects.range(fence_from..).next().is_some() {
        return range_intact
            .then(|| fences_short(root, latest, objects))
            .flatten();
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
            newest_listed_phrase(newest),
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
        fence_gone_remediation(),
        fence_gone(latest.writer_epoch),
    ))
}

/// WAL objects after `latest`'s range (from `next_wal_sst_id` on) that an earlier collection
/// read (`--earlier-bundle`) with rows past `last_l0_seq`, and that are not listed now, while
/// what `latest` records still is: acknowledged writes no manifest records were deleted. No
/// listing shows this (the invisible tail); the earlier rows do. SlateDB's GC never deletes a
/// WAL object at or after the latest `replay_after_wal_id` (`garbage_collector/wal_gc.rs`), and
/// a writer that recorded those rows in L0 would have written a later manifest.
fn tail_read_earlier(
    root: &RootState,
    latest: &Manifest,
    objects: &ObjectsById<WalId>,
) -> Option<Finding> {
    let lost: Vec<u64> = root
        .earlier_wal_rows
        .range(latest.next_wal_sst_id..)
        .filter(|(id, rows)| {
            !objects.contains_key(id)
                && matches!(rows, Ok(rows) if RowsAgainstL0::past_l0(rows, latest))
        })
        .map(|(id, _)| *id)
        .collect();
    if lost.is_empty() {
        return None;
    }
    let newest_listed = objects.keys().next_back().copied();
    let gone = format!(
        "{} not listed now{}, a deletion no listing alone shows",
        if lost.len() == 1 { "it is" } else { "they are" },
        newest_listed_phrase(newest_listed),
    );
    Some(lost_per_earlier_collection(
        root,
        latest,
        &lost,
        newest_listed,
        &gone,
    ))
}

/// WAL objects `lost`, written after `latest` and read by an earlier collection with rows past
/// its `last_l0_seq`, are gone (`gone` says how the listing shows it).
fn lost_per_earlier_collection(
    root: &RootState,
    latest: &Manifest,
    lost: &[u64],
    newest_listed: Option<WalId>,
    gone: &str,
) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "WAL {} of `{}`, written after manifest {} and read by an earlier collection (--earlier-bundle), held rows past its `last_l0_seq` {}, and {gone}: those acknowledged writes, which no manifest records, are gone",
            id_ranges(lost),
            root.path,
            latest.id,
            latest.last_l0_seq,
        ),
        evidence![
            ("manifest_id", latest.id),
            ("last_l0_seq", latest.last_l0_seq),
            ("next_wal_sst_id", latest.next_wal_sst_id),
            ("wal_ids_read_past_l0", lost),
            ("newest_listed_wal_id", newest_listed),
        ],
        RESTORE_WAL,
        Impact::Unsafe {
            predicted_error: format!("silent loss of the writes in WAL {}", id_ranges(lost)),
        },
    )
}

/// Several writers opened at `latest`'s WAL position since it was last persisted (crashed, or
/// closed before writing), and the WAL objects from `next_wal_sst_id` on are listed without a
/// gap: each open wrote a zero-byte fence there, each after every object there at its open, so
/// fewer zero-byte objects than opens means the latest fences, the newest open's among them,
/// lie past every listed object, and are gone with whatever that writer wrote after them.
fn fences_short(
    root: &RootState,
    latest: &Manifest,
    objects: &ObjectsById<WalId>,
) -> Option<Finding> {
    let opens = opens_since_position(root, latest);
    let from = latest.next_wal_sst_id;
    let listed: Vec<(WalId, u64)> = objects
        .range(from..)
        .map(|(id, object)| (*id, object.size))
        .collect();
    let (first, newest) = (listed.first()?.0, listed.last()?.0);
    let contiguous = first == from && newest - first + 1 == listed.len() as u64;
    let fences = listed.iter().filter(|(_, size)| *size == 0).count();
    if !contiguous || fences >= opens.len() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "the manifests of `{}` record {} writer opens (epochs {}) since WAL position {} was last persisted, and each open writes a zero-byte fence at or after WAL {}, after every WAL object there at its open; WAL {}–{} are listed without a gap, but only {} of them {}: the fence of the latest open, epoch {}'s, lay past WAL {} and is gone, and with it every write that writer acknowledged",
            root.path,
            opens.len(),
            id_ranges(&opens),
            from,
            from,
            first,
            newest,
            fences,
            if fences == 1 { "is zero-byte" } else { "are zero-byte" },
            latest.writer_epoch,
            newest,
        ),
        evidence![
            ("manifest_id", latest.id),
            ("writer_epoch", latest.writer_epoch),
            ("opens_since_position", &opens),
            ("next_wal_sst_id", from),
            ("zero_byte_objects_from_position", fences),
            ("newest_listed_wal_id", newest),
        ],
        fence_gone_remediation(),
        fence_gone(latest.writer_epoch),
    ))
}

/// Where the WAL objects cannot be seen (no WAL store listing, none in the main store): what
/// must exist cannot be checked, the fence of a writer open that persisted nothing since, or
/// the newest WAL object `latest` records. A database whose WAL was wiped and one that keeps
/// it in an unlisted WAL store look alike here.
fn unlisted(root: &RootState, latest: &Manifest, why: &Unknown) -> Option<Finding> {
    let question = match writer_open_unpersisted(root, latest) {
        Some(_) => format!(
            "whether the fence WAL of writer epoch {}'s open (at or after WAL {}) still exists, and with it the writes after it",
            latest.writer_epoch, latest.next_wal_sst_id
        ),
        None if writer_opened_here(root, latest) && latest.next_wal_sst_id > 1 => format!(
            "whether WAL {}, the newest WAL object manifest {} records, still exists, and with it any writes after it",
            latest.next_wal_sst_id - 1,
            latest.id
        ),
        None => return None,
    };
    Some(input_missing::finding(&root.path, &question, why))
}

/// "the newest WAL object manifest 8 of `db` records (WAL 4) is gone and none after it is
/// listed (none at all)": what [`recorded_end_gone`]'s findings start with.
fn end_gone(root: &RootState, latest: &Manifest, newest_listed: Option<WalId>) -> String {
    format!(
        "the newest WAL object manifest {} of `{}` records (WAL {}) is gone and none after it is listed{}",
        latest.id,
        root.path,
        latest.next_wal_sst_id.saturating_sub(1),
        newest_listed_phrase(newest_listed),
    )
}

/// The newest WAL object `latest` records (`next_wal_sst_id - 1`) is gone and nothing after it
/// is listed: the deletion reached the end of the recorded WAL, so writes made after `latest`
/// (which go to the WAL objects after it, and which no manifest records until the writer's next
/// flush, checkpoint or close) are gone too if there were any. No listing shows whether there
/// were: a writer that went on writing and crashed, or closed without a memtable flush, lost
/// them; one that closed, whatever it flushed, recorded them in a later manifest. So this is
/// inconclusive, unless the user states that the last writer closed.
fn recorded_end_gone(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
    objects: &ObjectsById<WalId>,
) -> Option<Finding> {
    let newest_recorded = latest.next_wal_sst_id.checked_sub(1).filter(|id| *id > 0)?;
    // A clone that never opened a writer holds only copies of its source's WAL range (and
    // none when that range is empty): nothing of its own was written to lose.
    if !writer_opened_here(root, latest) || objects.range(newest_recorded..).next().is_some() {
        return None;
    }
    let newest_listed = objects.keys().next_back().copied();
    // An earlier collection that read WAL objects written after `latest` shows what went: rows
    // past `last_l0_seq` are writes no manifest records. The evidence wins over a statement
    // that every writer closed.
    let read_lost: Vec<u64> = root
        .earlier_wal_rows
        .range(latest.next_wal_sst_id..)
        .filter(|(_, rows)| matches!(rows, Ok(rows) if RowsAgainstL0::past_l0(rows, latest)))
        .map(|(id, _)| *id)
        .collect();
    if !read_lost.is_empty() {
        let gone = format!("no WAL object from {newest_recorded} on is listed now");
        return Some(lost_per_earlier_collection(
            root,
            latest,
            &read_lost,
            newest_listed,
            &gone,
        ));
    }
    let close = writer_close(root, latest);
    if let Some((closing, CloseShape::Recorded)) = close {
        return Some(closed_before_the_deletion(
            root,
            latest,
            CloseKnown::Recorded(closing),
            newest_listed,
        ));
    }
    if cx.writers_recorded_wal_over(root, latest) {
        return Some(closed_before_the_deletion(
            root,
            latest,
            CloseKnown::Stated,
            newest_listed,
        ));
    }
    // A manifest that repeats the one before it looks like a `Db::close()`, and is said so, as
    // the likely story the user can confirm.
    let repeating = close.map(|(manifest, _)| manifest.id);
    let looks_closed = repeating.map_or_else(String::new, |id| {
        format!(
            "; manifest {id} repeats manifest {} of the same writer epoch, as the last write of a `Db::close()` after its memtable flush does, but an admin write that changes nothing looks the same",
            id - 1
        )
    });
    let mut finding = RULE.finding(
        &root.path,
        format!(
            "{}: the deletion reached the end of the WAL the manifest records, so the writes of any writer that went on writing after it (into WAL {} on) and then crashed or closed without flushing its memtable are gone too, and no listing shows whether there were any{looks_closed}",
            end_gone(root, latest, newest_listed),
            latest.next_wal_sst_id,
        ),
        evidence![
            ("manifest_id", latest.id),
            ("writer_epoch", latest.writer_epoch),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("next_wal_sst_id", latest.next_wal_sst_id),
            ("newest_listed_wal_id", newest_listed),
            ("repeating_manifest_id", repeating),
        ],
        format!("if the database's last writer closed instead of crashing, it wrote nothing after the recorded WAL: say so (--writers-closed after `Db::close()`, --writers-closed-wal-only after `close_with_options` with a WAL flush only); otherwise {RESTORE_WAL}"),
        Impact::Inconclusive,
    );
    finding.severity = Severity::Warning;
    Some(finding)
}

/// How the close of the latest writer epoch's writer is known.
enum CloseKnown<'a> {
    /// A given manifest is its close ([`CloseShape::Recorded`]).
    Recorded(&'a Manifest),
    /// The user states it (`--writers-closed`, `--writers-closed-wal-only`).
    Stated,
}

/// The recorded end is gone, but the writer of the latest epoch closed, which records its WAL
/// position in a last manifest write (`memtable_flusher/manifest_writer.rs`,
/// `try_graceful_cleanup`, whatever the close flushed): it wrote nothing after the WAL position
/// it persisted then, and no writer has opened since (that would have bumped the epoch). A
/// note, so the `safe` says why.
fn closed_before_the_deletion(
    root: &RootState,
    latest: &Manifest,
    known: CloseKnown<'_>,
    newest_listed: Option<WalId>,
) -> Finding {
    let newest_recorded = latest.next_wal_sst_id - 1;
    let (how, closing) = match known {
        CloseKnown::Recorded(closing) => (
            format!(
                "manifest {} is writer epoch {}'s close (it moves only `next_wal_sst_id` past manifest {})",
                closing.id,
                closing.writer_epoch,
                closing.id - 1,
            ),
            Some(closing.id),
        ),
        CloseKnown::Stated => (
            "its last writer closed, as stated (--writers-closed or --writers-closed-wal-only), and a closing writer records its WAL position in one last manifest write".to_string(),
            None,
        ),
    };
    let mut finding = RULE.finding(
        &root.path,
        format!(
            "{}, but {how}: that writer wrote nothing after WAL {newest_recorded}, and no writer has opened since, so no write after the recorded WAL was lost",
            end_gone(root, latest, newest_listed),
        ),
        evidence![
            ("manifest_id", latest.id),
            ("writer_epoch", latest.writer_epoch),
            ("close_manifest_id", closing),
            ("close_stated", closing.is_none()),
            ("next_wal_sst_id", latest.next_wal_sst_id),
            ("newest_listed_wal_id", newest_listed),
        ],
        "nothing, for writes after the recorded WAL; the findings on the WAL objects the manifest records say whether their rows are in L0",
        Impact::Advisory,
    );
    finding.severity = Severity::Note;
    finding
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
