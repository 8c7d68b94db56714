//! Verdicts on stores the real SlateDB wrote, against what SlateDB did next (recorded in each
//! fixture's scenario.json). Both SlateDB 0.18 (format version 2) and 0.15 (format version 1)
//! fixtures are checked.

mod common;

use common::plans::{assert_verdict, assert_warning_says, evaluate_at, finding};
use common::store::{inputs, made_at, relist_main, snapshot, with_context};
use slatecheck_core::finding::{Severity, Verdict};
use slatecheck_core::plan::{evaluate, Action, PlanResult};
use slatecheck_core::rules::{CheckOptions, WalPolicy};
use slatecheck_core::snapshot::Snapshot;
use std::path::PathBuf;

fn fixture(set: &str, name: &str) -> PathBuf {
    common::fixtures_dir().join(set).join(name)
}

fn plan(set: &str, name: &str, with_wal: bool, text: &str) -> PlanResult {
    let snapshot = snapshot(&fixture(set, name), with_wal);
    let action: Action = text.parse().expect("plan parses");
    with_context(&snapshot, |cx| evaluate(cx, &action)).expect("plan evaluates")
}

const SETS: [&str; 2] = ["v2", "v1"];

#[test]
fn seed_clone_from_the_split_checkpoint_is_safe_before_the_wal_wipe() {
    for set in SETS {
        let result = plan(
            set,
            "b-seed-wal-store-split-before-wipe",
            true,
            "clone:shard@split",
        );
        assert_verdict(&result, Verdict::Safe, None);
        // The clone copies WAL 2 (data already in L0) and WAL 3 (a fence).
        let copied: Vec<&str> = result
            .objects
            .iter()
            .filter(|o| o.role.starts_with("WAL"))
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(
            copied,
            [
                "shard/wal/00000000000000000002.sst",
                "shard/wal/00000000000000000003.sst"
            ],
            "{set}"
        );
    }
}

#[test]
fn seed_clone_after_the_wal_wipe_is_unsafe_and_names_the_missing_wal() {
    for set in SETS {
        let result = plan(
            set,
            "b-seed-wal-store-split-after-wipe",
            true,
            "clone:shard@split",
        );
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
        assert!(
            result
                .predicted_error
                .as_deref()
                .is_some_and(|e| e.starts_with("WalUnavailable")),
            "{set}: {:?}",
            result.predicted_error
        );
        let finding = result
            .findings
            .iter()
            .find(|f| f.rule == "SDB-WAL-001")
            .expect("finding");
        assert_eq!(
            finding.evidence["missing_wal_ids"],
            serde_json::json!([2, 3]),
            "{set}"
        );
    }
}

#[test]
fn seed_clone_without_the_wal_listing_is_inconclusive() {
    for set in SETS {
        let result = plan(
            set,
            "b-seed-wal-store-split-after-wipe",
            false,
            "clone:shard@split",
        );
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-LIST-003"));
    }
}

#[test]
fn seed_failed_clone_is_reported_and_unreadable() {
    for set in SETS {
        let result = plan(set, "b-seed-wal-store-split", true, "read:child_after_wipe");
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-CLONE-002"));
        let result = plan(set, "b-seed-wal-store-split", true, "clone:shard@split");
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
    }
}

#[test]
fn a_clone_whose_parent_pin_was_deleted_reads_missing_ssts() {
    for set in SETS {
        assert_verdict(
            &plan(
                set,
                "c-final-checkpoint-deleted-pinned",
                false,
                "read:clone",
            ),
            Verdict::Safe,
            None,
        );
        let result = plan(set, "c-final-checkpoint-deleted", false, "read:clone");
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-SST-001"));
        assert!(result.rules.contains(&"SDB-CLONE-001"));
    }
}

#[test]
fn deleting_what_a_clone_depends_on_is_unsafe() {
    for set in SETS {
        assert_verdict(
            &plan(
                set,
                "c-final-checkpoint-deleted-pinned",
                false,
                "delete-root:parent",
            ),
            Verdict::Unsafe,
            Some("SDB-CLONE-004"),
        );
        assert_verdict(
            &plan(set, "a-checkpoints-clones-gc", false, "delete-root:clone2"),
            Verdict::Safe,
            None,
        );
        assert_verdict(
            &plan(set, "a-checkpoints-clones-gc", false, "delete-root:parent"),
            Verdict::Unsafe,
            Some("SDB-CLONE-004"),
        );
    }
}

#[test]
fn wal_holes_make_a_writer_open_unsafe() {
    for set in SETS {
        for name in ["d2-wal-hole-later", "d3-wal-hole-first"] {
            assert_verdict(
                &plan(set, name, false, "open:db"),
                Verdict::Unsafe,
                Some("SDB-WAL-003"),
            );
        }
        assert_verdict(
            &plan(set, "d1-wal-wiped-before-wipe", true, "open:db"),
            Verdict::Safe,
            None,
        );
    }
}

/// Fixture d2's database never flushed an L0 (its manifests reference no SST and record
/// `last_l0_seq` 0): every row it holds is in its WAL alone, so wiping WAL 3–4, which hold
/// data, loses acknowledged writes, even when GC has deleted the manifests from before them
/// (the oracle's seed 6039: only the latest manifest left, its `next_wal_sst_id` past every WAL
/// object). A database that did flush an L0 leaves the same objects undecided
/// (`m-size-frozen-wal-deleted-before-delete`, above).
///
/// As SlateDB wrote it, though, d2's WAL 2 is deleted already: a `DbReader` stops there and a
/// writer open stops or fails there, so nothing SlateDB reads comes from WAL 3–4 any more, and
/// the wipe breaks nothing that works (the oracle's seed 21078, whose SlateDB reads and clones
/// all worked after such a wipe): a warning, with the verdict `safe`. With WAL 2 a fence
/// instead (listed, zero bytes), the same wipe is the loss.
#[test]
fn a_database_that_never_flushed_an_l0_holds_its_writes_in_the_wal_alone() {
    let dir = fixture("v2", "d2-wal-hole-later");
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    for wal_2 in [None, Some(("db/wal/00000000000000000002.sst", 0))] {
        let mut given = common::store::inputs(&dir, false);
        given
            .manifests
            .retain(|(key, _)| key == "db/manifest/00000000000000000003.manifest");
        common::store::relist_main(
            &mut given,
            |key| !key.starts_with("db/manifest/") || key.ends_with("03.manifest"),
            wal_2.as_slice(),
        );
        let snapshot = Snapshot::build(given);
        let result = evaluate_at(&snapshot, &options, made_at(&snapshot), "wipe-wal:db");
        let lost = finding(&result, "SDB-WAL-010");
        if wal_2.is_some() {
            assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
        } else {
            assert_verdict(&result, Verdict::Safe, None);
            assert_warning_says(lost, &["WAL 2 is missing already"]);
        }
        assert_eq!(
            lost.evidence["wal_ids_with_data"],
            serde_json::json!([3, 4])
        );
        assert_eq!(
            lost.evidence["l0_published_by_manifest"],
            serde_json::Value::Null
        );
        assert!(
            lost.message.contains("never flushed an L0"),
            "{}",
            lost.message
        );
    }
}

#[test]
fn a_wiped_wal_with_unflushed_writes_is_unsafe_where_the_history_proves_it() {
    // 0.18: manifest 3 published the L0 at next_wal_sst_id 3 and epoch 1's fence is WAL 1 or 2
    // (manifest 3 of that epoch persisted 3), so the wiped WAL 3 held `walkey`, which the
    // reopen lost. 0.15's abandoned writer left manifest 3 the latest: its only gone WAL in
    // range (2) is below 3, so it held rows of that L0 flush (`l0key`), or rows written after
    // its memtable froze, had the freeze been triggered by size: `inconclusive` (its `walkey`
    // was in WAL 3, past every manifest, which no listing shows).
    for (set, plans) in [
        ("v2", &["open:db", "read:db"][..]),
        ("v1", &["open:db"][..]),
    ] {
        for text in plans {
            let result = plan(set, "d1-wal-wiped", true, text);
            if set == "v2" {
                assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
            } else {
                assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
                let gone = finding(&result, "SDB-WAL-004");
                assert_eq!(gone.evidence["wal_ids_unplaced"], serde_json::json!([2]));
            }
        }
    }
    // Before the wipe, wiping would lose WAL 3's 207 bytes of writes not in L0.
    let result = plan("v2", "d1-wal-wiped-before-wipe", true, "wipe-wal:db");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
    let lost = finding(&result, "SDB-WAL-010");
    assert_eq!(lost.evidence["wal_ids_with_data"], serde_json::json!([3]));
}

/// Fixture i: the writer reopened (manifest 5, its epoch-bump, is the latest), wrote `tail`
/// to the WAL and was still running when the WAL store was wiped; SlateDB's reader then
/// returned nothing for `tail` (scenario.json).
#[test]
fn a_wal_wiped_after_a_writer_open_loses_its_acknowledged_writes() {
    let record = scenario_steps("i-reopen-wal-wiped");
    let after_wipe = record
        .iter()
        .skip_while(|step| step["step"] != "operator wipes db/wal")
        .find(|step| step["step"] == "reader (FollowLatest) gets `tail`")
        .expect("reader step after the wipe");
    assert_eq!(after_wipe["outcome"]["value"], serde_json::Value::Null);
    for text in ["read:db", "open:db", "clone:db"] {
        assert_verdict(
            &plan("v2", "i-reopen-wal-wiped", true, text),
            Verdict::Unsafe,
            Some("SDB-WAL-009"),
        );
        if text == "clone:db" {
            // Before the wipe a clone of latest misses `tail` as well (it copies only the
            // manifest's WAL range): SDB-MAN-002 says so.
            continue;
        }
        let before = plan("v2", "i-reopen-wal-wiped-before-wipe", true, text);
        assert_verdict(&before, Verdict::Safe, None);
        assert!(
            before
                .notes
                .iter()
                .any(|n| n.starts_with("nothing in these inputs shows")),
            "{text}: {:?}",
            before.notes
        );
    }
    // Without the WAL store's listing the fence that must exist cannot be looked for, before
    // the wipe or after it: never `safe` (it was, over the lost `tail`).
    for name in ["i-reopen-wal-wiped", "i-reopen-wal-wiped-before-wipe"] {
        for text in ["read:db", "open:db"] {
            let result = plan("v2", name, false, text);
            assert_verdict(&result, Verdict::Inconclusive, Some("SDB-LIST-003"));
            assert!(
                finding(&result, "SDB-LIST-003")
                    .message
                    .contains("fence WAL of writer epoch"),
                "{name} {text}"
            );
        }
    }
}

/// Fixture l: every write in L0, two reopens that wrote nothing, then the WAL wiped; SlateDB's
/// reader still read `k02` (scenario.json). The gone WAL objects are fences the manifests
/// prove (each reopen's next manifest persisted `next_wal_sst_id` one past its bump) or below
/// the newest L0's `next_wal_sst_id`: `SDB-WAL-004` is advice and the verdict `safe`. The same
/// store with a reopen that wrote to the WAL (fixture d1) is unsafe (`SDB-WAL-010`).
#[test]
fn a_wal_wiped_after_idle_reopens_proves_the_fences_but_not_the_data_wal() {
    let read = step_outcome(
        "l-idle-reopens-wal-wiped",
        "reader (FollowLatest) gets `k02`",
    );
    assert_eq!(read["value"], "value-2");
    // `db` keeps its WAL in the main store, which is all the listing shows.
    let wiped = snapshot(&fixture("v2", "l-idle-reopens-wal-wiped"), true);
    let no_wal_store = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    // WAL 3 and 4 were the idle reopens' fences, which the epoch history proves. WAL 2 held
    // the rows of the explicit L0 flush, so SlateDB lost nothing; but a size-triggered freeze
    // (fixture m) leaves the same manifests and listing with rows in WAL 2 that are not in L0.
    for text in ["read:db", "open:db"] {
        let result = evaluate_at(&wiped, &no_wal_store, made_at(&wiped), text);
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
        let gone = finding(&result, "SDB-WAL-004");
        assert_eq!(gone.evidence["wal_ids_unplaced"], serde_json::json!([2]));
        assert_eq!(gone.evidence["proven_fences"], serde_json::json!([3, 4]));
        // Every writer of l closed with `Db::close()`: stated, that settles WAL 2.
        let closed = CheckOptions {
            writers_closed: true,
            ..no_wal_store.clone()
        };
        let result = evaluate_at(&wiped, &closed, made_at(&wiped), text);
        assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-004"));
        let gone = finding(&result, "SDB-WAL-004");
        assert_eq!(gone.evidence["wal_ids_in_l0"], serde_json::json!([2]));
        assert_verdict(
            &plan("v2", "l-idle-reopens-wal-wiped-before-wipe", true, text),
            Verdict::Safe,
            None,
        );
    }
}

/// Fixture m: a memtable frozen by size mid-WAL-buffer, so WAL 3 (after the replay point,
/// before the L0 publisher's `next_wal_sst_id`) held both rows of that L0 (`c`) and a later
/// put (`b`); with WAL 3 deleted SlateDB's reader returns nothing for `b` (scenario.json).
/// Nothing in the store tells this WAL object from one that held only L0 rows: never `safe`.
#[test]
fn a_wal_shared_by_a_size_frozen_memtable_and_later_writes_is_never_called_in_l0() {
    let outcome = |key: &str| {
        step_outcome(
            "m-size-frozen-wal-deleted",
            &format!("reader (FollowLatest) gets `{key}`"),
        )["value"]
            .clone()
    };
    assert!(outcome("b").is_null(), "`b` was lost");
    assert!(outcome("c").is_string(), "`c` is in L0");
    for text in ["read:db", "open:db"] {
        let result = plan("v2", "m-size-frozen-wal-deleted", true, text);
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
        let gone = finding(&result, "SDB-WAL-004");
        assert_eq!(gone.evidence["wal_ids_unplaced"], serde_json::json!([3]));
        assert!(
            gone.message.contains("triggered by size"),
            "{}",
            gone.message
        );
        // Before the deletion nothing is missing.
        assert_verdict(
            &plan("v2", "m-size-frozen-wal-deleted-before-delete", true, text),
            Verdict::Safe,
            None,
        );
    }
    // Wiping before the deletion: WAL 3 has data that may not be in L0.
    let result = plan(
        "v2",
        "m-size-frozen-wal-deleted-before-delete",
        true,
        "wipe-wal:db",
    );
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
    let wipe = finding(&result, "SDB-WAL-004");
    assert_eq!(wipe.evidence["wal_ids_with_data"], serde_json::json!([3]));
    // Stated that every writer closed with `Db::close()` (here untrue: the last one closed
    // with a WAL flush only), WAL 3 is deletable with advice naming the statement.
    let snapshot = snapshot(
        &fixture("v2", "m-size-frozen-wal-deleted-before-delete"),
        true,
    );
    let closed = CheckOptions {
        writers_closed: true,
        ..CheckOptions::default()
    };
    let result = evaluate_at(&snapshot, &closed, made_at(&snapshot), "wipe-wal:db");
    assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-004"));
    assert!(result
        .findings
        .iter()
        .any(|f| f.rule == "SDB-WAL-004" && f.message.contains("--writers-closed")));
}

/// `wipe-wal:` with the WAL objects' rows, as a check of the live store or a bundle reads
/// them: a writer open replays the objects after the replay point and skips every row whose
/// sequence number is at most `last_l0_seq`, so the rows decide what the listing cannot.
/// Fixture l's WAL 2, written by a clean close just before its L0 flush, holds only rows of
/// that L0 (seq 3, `last_l0_seq` 3): deletable. Fixture m's WAL 3 also holds the put after
/// the size-triggered freeze (seq 3, `last_l0_seq` 2), which the reader then lost
/// (scenario.json): unsafe. Without the rows both stay `inconclusive`.
#[test]
fn wal_rows_decide_a_wipe_the_listing_leaves_open() {
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let judge = |name: &str, with_rows: bool| {
        let dir = fixture("v2", name);
        let given = if with_rows {
            common::store::inputs_with_object_rows(&dir, true)
        } else {
            common::store::inputs(&dir, true)
        };
        let snapshot = Snapshot::build(given);
        evaluate_at(&snapshot, &options, made_at(&snapshot), "wipe-wal:db")
    };
    let clean = "l-idle-reopens-wal-wiped-before-wipe";
    assert_verdict(
        &judge(clean, false),
        Verdict::Inconclusive,
        Some("SDB-WAL-004"),
    );
    assert!(finding(&judge(clean, false), "SDB-WAL-004")
        .message
        .contains("a check of the live store (--store) reads them"));
    let result = judge(clean, true);
    assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-004"));
    let in_l0 = finding(&result, "SDB-WAL-004");
    assert_eq!(
        in_l0.evidence["wal_ids_with_rows_in_l0"],
        serde_json::json!([2])
    );
    assert_eq!(in_l0.evidence["max_seq"], serde_json::json!(3));
    assert_eq!(in_l0.evidence["last_l0_seq"], serde_json::json!(3));
    assert!(result
        .objects
        .iter()
        .all(|object| object.role == "deletable"));

    let shared = "m-size-frozen-wal-deleted-before-delete";
    assert_verdict(
        &judge(shared, false),
        Verdict::Inconclusive,
        Some("SDB-WAL-004"),
    );
    let result = judge(shared, true);
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
    let lost = finding(&result, "SDB-WAL-010");
    assert_eq!(
        lost.evidence["wal_ids_with_rows_past_l0"],
        serde_json::json!([3])
    );
    assert_eq!(lost.evidence["max_seq"], serde_json::json!(3));
    assert_eq!(lost.evidence["last_l0_seq"], serde_json::json!(2));
    assert!(result
        .objects
        .iter()
        .any(|object| object.key == "db/wal/00000000000000000003.sst"
            && object.role == "must be kept"));
}

/// Fixture n: two databases cloned from their latest state, then their WAL wiped. The clones'
/// copies of the gone WAL objects show what they held (slatedb `wal/slatedb/admin.rs`,
/// `clone_wal`, copies them object by object). `lossy`'s WAL 4 held `w00`..`w02` after a
/// reopen's fence (WAL 3), and SlateDB's reader then returned nothing for `w01`
/// (scenario.json): unsafe from the copies' sizes alone, and from their rows, although GC
/// deleted the manifest that published `lossy`'s L0. `intact`'s WAL 2
/// held the rows of its explicit L0 flush and WAL 3 a fence; SlateDB's reader lost nothing:
/// the sizes leave WAL 2 open (a size-triggered freeze leaves the same), its copy's rows
/// settle it as safe.
#[test]
fn a_clones_copies_show_what_a_wiped_wal_held() {
    let read = |root: &str, key: &str| reader_got("n-clone-copies-wal-wiped", root, key);
    assert!(read("lossy", "w01").is_null(), "`w01` was lost");
    assert_eq!(read("intact", "k01"), "value-1");
    // Nothing states where the WAL lives (no `--no-wal-store`, no WAL store listing): the
    // clones' copies in the main store show it, since `clone_wal` copies within one store.
    let options = CheckOptions::default();
    let dir = fixture("v2", "n-clone-copies-wal-wiped");
    let judge = |with_rows: bool, text: &str| {
        let mut given = common::store::inputs(&dir, false);
        if with_rows {
            common::store::read_object_rows(&dir, &mut given);
        }
        let snapshot = Snapshot::build(given);
        evaluate_at(&snapshot, &options, made_at(&snapshot), text)
    };
    for text in ["read:lossy", "open:lossy"] {
        for with_rows in [false, true] {
            let result = judge(with_rows, text);
            assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
            let lost = finding(&result, "SDB-WAL-010");
            assert_eq!(
                lost.evidence["wal_ids_copied_past_l0"],
                serde_json::json!([4])
            );
            assert_eq!(
                lost.evidence["wal_ids_copied_fences"],
                serde_json::json!([3, 5])
            );
            // GC deleted the manifest that published the L0 (the earliest left persisted
            // `next_wal_sst_id` 6): the reopen's fence, WAL 3, bounds that L0's WAL instead.
            assert_eq!(
                lost.evidence["wal_ids_past_l0"],
                serde_json::json!([3, 4, 5])
            );
            assert_eq!(
                lost.evidence["copies_in_clones"],
                serde_json::json!(["lossy-clone"])
            );
        }
    }
    // `lossy`'s last writer closed with a WAL flush only, and says so: nothing was written
    // after the WAL its manifest records (`SDB-WAL-009` a note), but that WAL's writes are
    // gone, and the plan stays unsafe.
    let wal_only = CheckOptions {
        writers_closed_wal_only: true,
        ..CheckOptions::default()
    };
    let snapshot = Snapshot::build(common::store::inputs(&dir, false));
    let result = evaluate_at(&snapshot, &wal_only, made_at(&snapshot), "read:lossy");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
    assert_eq!(finding(&result, "SDB-WAL-009").severity, Severity::Note);
    assert_eq!(
        finding(&result, "SDB-WAL-009").evidence["close_stated"],
        serde_json::json!(true)
    );
    for text in ["read:intact", "open:intact"] {
        let result = judge(false, text);
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
        let gone = finding(&result, "SDB-WAL-004");
        assert_eq!(gone.evidence["wal_ids_unplaced"], serde_json::json!([2]));
        // The copies settle WAL 2, and `intact`'s last manifest is its reopen's close (it
        // moves only `next_wal_sst_id`, past the fence WAL 3): nothing was written after it.
        let result = judge(true, text);
        assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-009"));
        let end = finding(&result, "SDB-WAL-009");
        assert_eq!(end.severity, Severity::Note, "{}", end.message);
        assert_eq!(end.evidence["close_manifest_id"], serde_json::json!(6));
        let gone = finding(&result, "SDB-WAL-004");
        assert_eq!(
            gone.evidence["wal_ids_copied_in_l0"],
            serde_json::json!([2])
        );
        assert!(
            gone.message
                .contains("as its copy in clone `intact-clone` shows"),
            "{}",
            gone.message
        );
    }
    let closed = CheckOptions {
        writers_closed: true,
        ..CheckOptions::default()
    };
    let mut given = common::store::inputs(&dir, false);
    common::store::read_object_rows(&dir, &mut given);
    let snapshot = Snapshot::build(given);
    for text in ["read:intact", "open:intact"] {
        let result = evaluate_at(&snapshot, &closed, made_at(&snapshot), text);
        assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-004"));
    }
    // Before the wipe nothing is missing, and the copies decide nothing.
    for text in ["read:lossy", "read:intact"] {
        assert_verdict(
            &plan("v2", "n-clone-copies-wal-wiped-before-wipe", false, text),
            Verdict::Safe,
            None,
        );
    }
}

/// Fixture o: two clones of `src`, each opened as a writer of its own, then their WAL wiped.
/// A clone's first manifests carry `src`'s writer epoch (slatedb `init_clone_db`), which
/// opened no writer on the clone: its fences there can only be copies, below the clone's own
/// WAL. So of `lossy`'s gone WAL 3–4, after the copied WAL 2, only one can be a fence (its own
/// writer's), and the other held `c00`, `c01`, which SlateDB's reader then lost
/// (scenario.json): unsafe. Before that bound, epoch 1 could have fenced anywhere, and the
/// verdict was `inconclusive`. `intact` closed with `Db::close()`: its writes are in L0.
#[test]
fn a_clone_that_wrote_loses_its_writes_with_its_wal() {
    let read = |root: &str, key: &str| reader_got("o-clone-writes-wal-wiped", root, key);
    assert!(read("lossy", "c01").is_null(), "`c01` was lost");
    assert_eq!(read("intact", "c01"), "value-1");
    // The clones keep their WAL in the main store (no WAL store listing is given).
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let judge = |name: &str, text: &str| {
        let snapshot = snapshot(&fixture("v2", name), false);
        evaluate_at(&snapshot, &options, made_at(&snapshot), text)
    };
    let wiped = "o-clone-writes-wal-wiped";
    for text in ["read:lossy", "open:lossy"] {
        let result = judge(wiped, text);
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
        let lost = finding(&result, "SDB-WAL-010");
        assert_eq!(lost.evidence["wal_ids_past_l0"], serde_json::json!([3, 4]));
        assert_eq!(lost.evidence["max_fences_among_them"], serde_json::json!(1));
    }
    // `intact`'s writes are in L0, but a writer that went on writing after its last manifest
    // and crashed leaves the same listing once its WAL is wiped (SDB-WAL-009): only the
    // statement that every writer closed with `Db::close()` settles it.
    let closed = CheckOptions {
        writers_closed: true,
        ..options.clone()
    };
    for text in ["read:intact", "open:intact"] {
        let result = judge(wiped, text);
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-009"));
        assert_eq!(result.rules, ["SDB-WAL-009"]);
        let snapshot = snapshot(&fixture("v2", wiped), false);
        let result = evaluate_at(&snapshot, &closed, made_at(&snapshot), text);
        assert_verdict(&result, Verdict::Safe, None);
    }
    // Before the wipe, the writes are in `lossy`'s WAL, and wiping it would lose them.
    let before = "o-clone-writes-wal-wiped-before-wipe";
    assert_verdict(&judge(before, "read:lossy"), Verdict::Safe, None);
    assert_verdict(
        &judge(before, "wipe-wal:lossy"),
        Verdict::Unsafe,
        Some("SDB-WAL-010"),
    );
}

/// Fixture o before the wipe: `src`'s WAL 2 (data, its rows in L0 already) lies in the range
/// of the final pins clones `intact` and `lossy` left on `src`. SlateDB never clones from a
/// final pin itself, but a pin is listed like any checkpoint, and a clone made from it directly
/// copies WAL 2: wiping `src`'s WAL breaks that clone, so the wipe is unsafe, and the finding
/// says which pin it is and not to delete it instead. With WAL 2 gone already, such a clone
/// fails before the wipe too: the wipe breaks nothing that works.
#[test]
fn wipe_wal_judges_a_clones_final_pin_and_says_what_it_is() {
    let dir = fixture("v2", "o-clone-writes-wal-wiped-before-wipe");
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let listed = snapshot(&dir, false);
    let result = evaluate_at(&listed, &options, made_at(&listed), "wipe-wal:src");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
    let pins: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.rule == "SDB-WAL-001" && f.severity == Severity::Error)
        .collect();
    assert_eq!(pins.len(), 2, "{pins:#?}");
    for (pin, clone) in pins.iter().zip(["intact", "lossy"]) {
        assert!(
            pin.message
                .contains(&format!("is the final pin of finished clone `{clone}`"))
                && pin.message.contains("SlateDB never clones from it itself"),
            "{}",
            pin.message
        );
        assert!(
            pin.remediation.contains("do not delete the checkpoint"),
            "{}",
            pin.remediation
        );
        assert_eq!(pin.evidence["needed_wal_ids"], serde_json::json!([2]));
    }
    let mut given = inputs(&dir, false);
    relist_main(
        &mut given,
        |key| key != "src/wal/00000000000000000002.sst",
        &[],
    );
    let gone = Snapshot::build(given);
    let result = evaluate_at(&gone, &options, made_at(&gone), "wipe-wal:src");
    assert!(
        result
            .findings
            .iter()
            .all(|f| f.rule != "SDB-WAL-001" || f.severity < Severity::Error),
        "{:#?}",
        result.findings
    );
}

/// Issue 10 judges an action by what it breaks of what works. Fixture o: `src`'s clones
/// `lossy` and `intact` read `src`'s SSTs, and `lossy`'s WAL held writes that are not in L0.
/// Deleting `src` breaks the reads of both before their WAL is wiped; after the wipe a read of
/// `lossy` fails already (SDB-WAL-010), so deleting `src` breaks no read of `lossy` that
/// works: advice, saying what the deletion makes final. `intact`'s reads still work (its
/// writes are in L0): deleting `src` still breaks them.
#[test]
fn an_action_is_not_blamed_for_reads_that_fail_already() {
    let options = CheckOptions {
        no_wal_store: true,
        writers_closed: true,
        ..CheckOptions::default()
    };
    let judge = |name: &str| {
        let snapshot = snapshot(&fixture("v2", name), false);
        evaluate_at(&snapshot, &options, made_at(&snapshot), "delete-root:src")
    };
    let breaks = |result: &PlanResult, clone: &str| {
        result
            .findings
            .iter()
            .find(|f| f.rule == "SDB-CLONE-004" && f.evidence["clone"] == clone)
            .map(|f| f.severity)
    };
    let before = judge("o-clone-writes-wal-wiped-before-wipe");
    assert_verdict(&before, Verdict::Unsafe, Some("SDB-CLONE-004"));
    assert_eq!(breaks(&before, "lossy"), Some(Severity::Error));
    assert_eq!(breaks(&before, "intact"), Some(Severity::Error));
    let wiped = judge("o-clone-writes-wal-wiped");
    assert_verdict(&wiped, Verdict::Unsafe, Some("SDB-CLONE-004"));
    assert_eq!(breaks(&wiped, "intact"), Some(Severity::Error));
    assert_eq!(breaks(&wiped, "lossy"), Some(Severity::Warning));
    let lossy = wiped
        .findings
        .iter()
        .find(|f| f.evidence["clone"] == "lossy")
        .expect("lossy");
    assert_warning_says(lossy, &["a read of `lossy` fails already", "SDB-WAL-010"]);

    // The same for a wipe: fixture n's `lossy` holds writes past L0 in WAL 4 (unsafe to
    // wipe), but with its SSTs gone a read of it fails already.
    let dir = fixture("v2", "n-clone-copies-wal-wiped-before-wipe");
    let listed = snapshot(&dir, false);
    let result = evaluate_at(&listed, &options, made_at(&listed), "wipe-wal:lossy");
    assert_eq!(finding(&result, "SDB-WAL-010").severity, Severity::Error);
    let mut given = inputs(&dir, false);
    relist_main(&mut given, |key| !key.starts_with("lossy/compacted/"), &[]);
    let unreadable = Snapshot::build(given);
    let result = evaluate_at(
        &unreadable,
        &options,
        made_at(&unreadable),
        "wipe-wal:lossy",
    );
    assert_ne!(result.verdict, Verdict::Unsafe, "{:#?}", result.findings);
    assert_warning_says(
        finding(&result, "SDB-WAL-010"),
        &["a read of `lossy` fails already", "SDB-SST-001"],
    );
}

/// Fixture t: `closed`'s last manifest is its `Db::close()`, repeating its memtable flush's;
/// `crashed`'s is an `Admin::delete_checkpoint` of a checkpoint that is not there, written
/// after its writer crashed with `b00`, `b01` in its WAL only. Both WALs wiped: SlateDB lost
/// `crashed`'s writes and none of `closed`'s (scenario.json), and the two stores show the same
/// shape, so neither read is `safe` from the store alone (`SDB-WAL-009` names the repeat as
/// the likely story and the admin write as the other); `--writers-closed`, true of `closed`
/// only, settles `closed`, and so does `--writers-closed-wal-only=closed`. Before the wipe
/// both reads are `safe`.
#[test]
fn a_repeated_manifest_proves_no_close() {
    let name = "t-crash-repeated-manifest";
    assert_eq!(reader_got(name, "closed", "b01"), "value-1");
    assert!(
        reader_got(name, "crashed", "b01").is_null(),
        "`b01` was lost"
    );
    let stated = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let closed = CheckOptions {
        writers_closed: true,
        ..stated.clone()
    };
    let wiped = snapshot(&fixture("v2", name), false);
    for root in ["closed", "crashed"] {
        let result = evaluate_at(&wiped, &stated, made_at(&wiped), &format!("read:{root}"));
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-009"));
        assert_warning_says(
            finding(&result, "SDB-WAL-009"),
            &[
                "repeats manifest",
                "an admin write that changes nothing looks the same",
            ],
        );
    }
    let result = evaluate_at(&wiped, &closed, made_at(&wiped), "read:closed");
    assert_verdict(&result, Verdict::Safe, None);
    // The weaker statement, that the last writer closed whatever it flushed, is true of
    // `closed` too and settles the same question: a closing writer records its WAL position,
    // so nothing was written after the WAL its manifest records (here its rows are in L0 as
    // well). Made of `closed` alone it leaves `crashed`, whose reader lost `b01`, undecided.
    let closed_wal_only = CheckOptions {
        writers_closed_wal_only_roots: vec!["closed".into()],
        ..stated.clone()
    };
    let result = evaluate_at(&wiped, &closed_wal_only, made_at(&wiped), "read:closed");
    assert_verdict(&result, Verdict::Safe, None);
    assert!(
        finding(&result, "SDB-WAL-009")
            .message
            .contains("its last writer closed, as stated"),
        "{:#?}",
        result.findings
    );
    let result = evaluate_at(&wiped, &closed_wal_only, made_at(&wiped), "read:crashed");
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-009"));
    let before = snapshot(&fixture("v2", &format!("{name}-before-wipe")), false);
    for root in ["closed", "crashed"] {
        let result = evaluate_at(&before, &stated, made_at(&before), &format!("read:{root}"));
        assert_verdict(&result, Verdict::Safe, None);
    }
}

/// Fixture u: two writers opened at `p`'s first WAL position and crashed, the first after
/// writing `k00`..`k02` to WAL 2 (its fence is WAL 1), the second before writing (its fence,
/// WAL 3, is then deleted). WAL 1–2 are listed without a gap and one of them is zero-byte,
/// for two opens: the second open's fence is gone, so a read is unsafe as after one open whose
/// fence is gone (`SDB-WAL-009`; no listing tells a writer that wrote nothing after it, as this
/// one, whose reader still got `k01`, from one that did). Wiping the WAL then still loses
/// `k00`..`k02` (`SDB-WAL-010`, unsafe): a gone fence does not prove the read fails already.
/// Before the deletion, two fences for two opens: `safe`.
#[test]
fn a_gone_fence_among_several_opens_is_counted() {
    let name = "u-idle-fence-deleted";
    assert_eq!(reader_got(name, "p", "k01"), "value-1");
    let stated = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let deleted = snapshot(&fixture("v2", name), false);
    let read = evaluate_at(&deleted, &stated, made_at(&deleted), "read:p");
    assert_verdict(&read, Verdict::Unsafe, Some("SDB-WAL-009"));
    let fence = finding(&read, "SDB-WAL-009");
    assert_eq!(
        fence.evidence["opens_since_position"],
        serde_json::json!([1, 2])
    );
    assert_eq!(fence.evidence["zero_byte_objects_from_position"], 1);
    let wipe = evaluate_at(&deleted, &stated, made_at(&deleted), "wipe-wal:p");
    assert_verdict(&wipe, Verdict::Unsafe, Some("SDB-WAL-010"));
    assert_eq!(finding(&wipe, "SDB-WAL-010").severity, Severity::Error);
    let before = snapshot(&fixture("v2", &format!("{name}-before-delete")), false);
    let read = evaluate_at(&before, &stated, made_at(&before), "read:p");
    assert_verdict(&read, Verdict::Safe, None);
}

/// Fixture v: `p` closed with its writes in L0, then two writers opened and died, each leaving
/// a zero-byte fence at the manifest's WAL position; the first fence was deleted. SlateDB's
/// next writer opened, and its first WAL flush failed with "detected newer DB client"
/// (scenario.json): it fenced the hole and collided with the second fence. An open is unsafe
/// for that, not for lost writes: the object it skips is a fence. Before the deletion, safe.
#[test]
fn a_hole_before_a_fence_fences_the_next_writer() {
    let name = "v-fence-among-fences-deleted";
    let flushed = step_outcome(name, "p: the writer puts k03 and flushes the WAL");
    assert!(
        flushed["error"]
            .as_str()
            .is_some_and(|error| error.contains("detected newer DB client")),
        "{flushed}"
    );
    let stated = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let deleted = snapshot(&fixture("v2", name), false);
    let open = evaluate_at(&deleted, &stated, made_at(&deleted), "open:p");
    assert_verdict(&open, Verdict::Unsafe, Some("SDB-WAL-003"));
    assert_eq!(
        open.predicted_error.as_deref(),
        Some("Fenced (detected newer DB client) on the writer's first WAL flush")
    );
    let hole = finding(&open, "SDB-WAL-003");
    assert!(
        hole.message.contains("no write is dropped"),
        "{}",
        hole.message
    );
    let before = snapshot(&fixture("v2", &format!("{name}-before-delete")), false);
    let open = evaluate_at(&before, &stated, made_at(&before), "open:p");
    assert_verdict(&open, Verdict::Safe, None);
}

/// Fixture p: `src` cloned twice; `split` took a named checkpoint `cp`, `plain` none. A clone
/// carries its source's `external_dbs` over and writes its own pin on `src` from the source's
/// final pin (slatedb `Manifest::cloned`), so once a clone's pin is deleted every clone of that
/// clone fails with `CheckpointMissing` (scenario.json: both did), while its reads still work.
/// Deleting `split`'s pin breaks the clones from `cp`, a checkpoint users clone from: unsafe.
/// Deleting `plain`'s only breaks a clone of its latest state, which no checkpoint promises: a
/// warning, as the oracle's seed 27067 and issue 10's consequence rule judge it. So is deleting
/// `split`'s once a clone from `cp` fails already (the independent oracle's s0502).
#[test]
fn deleting_a_clones_pin_breaks_the_clones_of_that_clone() {
    let outcome = |step: &str| step_outcome("p-clone-pin-deleted", step);
    for step in [
        "clone split-child from split's checkpoint `cp`",
        "clone plain-child from plain (latest)",
    ] {
        let error = outcome(step)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(error.contains("checkpoint missing"), "{step}: {error}");
    }
    assert_eq!(reader_got("p-clone-pin-deleted", "split", "c01"), "value-1");
    let pin = |clone: &str| {
        outcome(&format!("{clone}: its final pin on src"))["checkpoint_id"]
            .as_str()
            .expect("pin id")
            .to_string()
    };
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let before = snapshot(&fixture("v2", "p-clone-pin-deleted-before-delete"), false);
    let judge = |text: String| evaluate_at(&before, &options, made_at(&before), &text);
    let clone_breaks = |result: &PlanResult| {
        result
            .findings
            .iter()
            .find(|f| f.rule == "SDB-CLONE-004" && f.message.contains("CheckpointMissing"))
            .cloned()
            .unwrap_or_else(|| panic!("{}: {:#?}", result.plan, result.findings))
    };
    let split = judge(format!("delete-checkpoint:src@{}", pin("split")));
    assert_verdict(&split, Verdict::Unsafe, Some("SDB-CLONE-004"));
    let broken = clone_breaks(&split);
    assert_eq!(broken.severity, Severity::Error);
    assert_eq!(
        broken.evidence["clone_source_checkpoints"],
        serde_json::json!([outcome("split: 2 puts, WAL flush, checkpoint `cp`")["id"]])
    );
    let plain = judge(format!("delete-checkpoint:src@{}", pin("plain")));
    assert_verdict(&plain, Verdict::Safe, Some("SDB-CLONE-004"));
    assert_eq!(clone_breaks(&plain).severity, Severity::Warning);

    // With `split`'s WAL gone, a clone from `cp` fails already (WalUnavailable): deleting the
    // pin breaks nothing that works, and says so.
    let mut given = inputs(&fixture("v2", "p-clone-pin-deleted-before-delete"), false);
    relist_main(&mut given, |key| !key.starts_with("split/wal/"), &[]);
    let wal_gone = Snapshot::build(given);
    let text = format!("delete-checkpoint:src@{}", pin("split"));
    let split = evaluate_at(&wal_gone, &options, made_at(&wal_gone), &text);
    assert_verdict(&split, Verdict::Safe, Some("SDB-CLONE-004"));
    let advice = clone_breaks(&split);
    assert_warning_says(&advice, &["fails already"]);
    assert_eq!(
        advice.evidence["clone_source_checkpoints_not_working"],
        serde_json::json!([outcome("split: 2 puts, WAL flush, checkpoint `cp`")["id"]])
    );
}

/// Fixture r: every manifest of `whole` and `collected` deleted, their SSTs and WAL left. A
/// writer open starts a new database replaying the WAL from WAL 1 (scenario.json): `whole`,
/// whose WAL is all there, kept `k01`; `collected`, whose first WAL objects GC had deleted,
/// lost it. So `open:collected` is unsafe (SDB-MAN-001), `open:whole` inconclusive (a clone's
/// inherited writes are in no WAL of its own), and both were fine before the deletion.
#[test]
fn a_root_whose_manifests_were_deleted_loses_what_its_wal_does_not_hold() {
    let name = "r-manifests-deleted";
    let got = |root: &str| {
        step_outcome(name, &format!("the writer opened on {root} gets `k01`"))["value"].clone()
    };
    assert_eq!(got("whole"), "value-1");
    assert!(got("collected").is_null(), "`k01` was lost");
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let deleted = snapshot(&fixture("v2", name), false);
    let before = snapshot(&fixture("v2", &format!("{name}-before-delete")), false);
    for (plan, verdict) in [
        ("open:collected", Verdict::Unsafe),
        ("open:whole", Verdict::Inconclusive),
    ] {
        let result = evaluate_at(&deleted, &options, made_at(&deleted), plan);
        assert_verdict(&result, verdict, Some("SDB-MAN-001"));
        // The main store lists their WAL objects, so where the WAL lives is not in question.
        let stated_nothing = CheckOptions::default();
        let result = evaluate_at(&deleted, &stated_nothing, made_at(&deleted), plan);
        assert_verdict(&result, verdict, Some("SDB-MAN-001"));
        let result = evaluate_at(&before, &options, made_at(&before), plan);
        assert_verdict(&result, Verdict::Safe, None);
    }
}

/// Fixture q: `lossy` and `closed` each reopen, take a checkpoint at once (its manifest records
/// the reopen's fence as the newest WAL), write `tail` and flush it to the WAL; `lossy`'s writer
/// is left running, as a crash leaves it, `closed` closes. Then both WALs are wiped. SlateDB's
/// reader lost `lossy`'s `tail` and none of `closed`'s (scenario.json). Every listed fact of the
/// two is alike: the newest recorded WAL is gone with nothing after it (SDB-WAL-009), and only
/// how the writers stopped tells them apart, so both are inconclusive, and `safe` once the user
/// states that every writer closed with `Db::close()`. Before this check both were `safe`:
/// a false `safe` over `lossy`'s lost write (the independent oracle's s0016 had that shape).
#[test]
fn a_wipe_that_reaches_the_newest_recorded_wal_leaves_later_writes_open() {
    let name = "q-writes-after-checkpoint-wal-wiped";
    let before_wipe = format!("{name}-before-wipe");
    assert_eq!(reader_got(&before_wipe, "lossy", "tail"), "acknowledged");
    assert!(
        reader_got(name, "lossy", "tail").is_null(),
        "`tail` was lost"
    );
    assert_eq!(reader_got(name, "closed", "tail"), "acknowledged");
    let WipedFixture {
        wiped,
        before,
        options,
        closed,
    } = wiped_fixture(name);
    for plan in ["read:lossy", "open:lossy", "read:closed", "open:closed"] {
        let result = evaluate_at(&wiped, &options, made_at(&wiped), plan);
        assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-009"));
        let end = finding(&result, "SDB-WAL-009");
        assert_eq!(end.severity, Severity::Warning);
        assert_eq!(
            end.evidence["newest_listed_wal_id"],
            serde_json::Value::Null
        );
        // `closed`'s last manifest repeats its memtable flush's, as a `Db::close()` leaves it
        // (said, though it proves nothing); `lossy`'s writer crashed, and nothing repeats.
        let repeats = end.message.contains("repeats manifest");
        assert_eq!(repeats, plan.ends_with(":closed"), "{}", end.message);
        assert_eq!(
            end.evidence["repeating_manifest_id"].is_null(),
            !plan.ends_with(":closed")
        );
        let result = evaluate_at(&wiped, &closed, made_at(&wiped), plan);
        assert_verdict(&result, Verdict::Safe, None);
        let result = evaluate_at(&before, &options, made_at(&before), plan);
        assert_verdict(&result, Verdict::Safe, None);
        assert!(
            !result.rules.contains(&"SDB-WAL-009"),
            "{plan}: {:?}",
            result.rules
        );
    }
}

/// Fixture s: `lossy` is a clone, never opened as a writer, made from a `Durable` checkpoint
/// taken while `src`'s writer held `w00`..`w02` only in its WAL; `src` then closed with
/// `Db::close()`, and `intact` was cloned from that closed state. Both clones' WAL is wiped, and
/// SlateDB's reader of `lossy` lost `w01` (scenario.json). Every writer of the store closed with
/// `Db::close()`, but that put the `w` keys in `src`'s L0, not the clone's: `--writers-closed`
/// says nothing about a WAL range a clone inherited, so `lossy` is never `safe`. Before this
/// check, `--writers-closed` made it `safe` (the independent oracle's s0165 had that shape).
#[test]
fn writers_closed_says_nothing_about_the_wal_a_clone_inherited() {
    let name = "s-clone-inherits-wal-wiped";
    let before_wipe = format!("{name}-before-wipe");
    assert_eq!(reader_got(&before_wipe, "lossy", "w01"), "value-1");
    assert!(reader_got(name, "lossy", "w01").is_null(), "`w01` was lost");
    assert_eq!(reader_got(name, "intact", "w01"), "value-1");
    let WipedFixture {
        wiped,
        before,
        options,
        closed,
    } = wiped_fixture(name);
    let lossy = ["read:lossy", "open:lossy"];
    for plan in lossy {
        for stated in [&options, &closed] {
            let result = evaluate_at(&wiped, stated, made_at(&wiped), plan);
            assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
        }
    }
    let intact = ["read:intact", "open:intact"];
    let all = [lossy, intact].concat();
    let safe = [
        (&wiped, &closed, &intact[..]),
        (&before, &options, &all[..]),
        (&before, &closed, &all[..]),
    ];
    for (store, stated, plans) in safe {
        for plan in plans {
            let result = evaluate_at(store, stated, made_at(store), plan);
            assert_verdict(&result, Verdict::Safe, None);
        }
    }
}

/// Once the pin is gone, a clone of that clone fails at once with the `CheckpointMissing` of
/// that pin, as SlateDB's did; while it is there, the same clones work.
#[test]
fn a_clone_of_a_clone_whose_pin_is_gone_fails_with_checkpoint_missing() {
    let outcome = |step: &str| step_outcome("p-clone-pin-deleted", step);
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let cp = outcome("split: 2 puts, WAL flush, checkpoint `cp`")["id"]
        .as_str()
        .expect("checkpoint id")
        .to_string();
    let plans = [
        (
            format!("clone:split@{cp}"),
            "clone split-child from split's checkpoint `cp`",
        ),
        (
            "clone:plain".to_string(),
            "clone plain-child from plain (latest)",
        ),
    ];
    let after = snapshot(&fixture("v2", "p-clone-pin-deleted"), false);
    let before = snapshot(&fixture("v2", "p-clone-pin-deleted-before-delete"), false);
    for (plan, step) in &plans {
        let error = outcome(step)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let pin = error
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("{step}: {error}"));
        let result = evaluate_at(&after, &options, made_at(&after), plan);
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-CLONE-001"));
        assert_eq!(
            result.predicted_error.as_deref(),
            Some(format!("CheckpointMissing({pin})").as_str()),
            "{plan}"
        );
        let result = evaluate_at(&before, &options, made_at(&before), plan);
        assert!(
            !result.rules.contains(&"SDB-CLONE-001") && result.verdict != Verdict::Unsafe,
            "{plan} before the deletion: {result:#?}"
        );
    }
}

/// Rows read from an object other than the one listed (a different size: rewritten since
/// the listing) decide nothing, and neither do rows that could not be read: the finding says
/// why.
#[test]
fn wal_rows_of_another_object_or_unreadable_decide_nothing() {
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let dir = fixture("v2", "l-idle-reopens-wal-wiped-before-wipe");
    let judge = |edit: &dyn Fn(&mut slatecheck_core::snapshot::RowsRead)| {
        let mut given = common::store::inputs_with_object_rows(&dir, true);
        assert!(!given.object_rows.is_empty());
        given.object_rows.iter_mut().for_each(edit);
        let snapshot = Snapshot::build(given);
        evaluate_at(&snapshot, &options, made_at(&snapshot), "wipe-wal:db")
    };
    let resized = judge(&|read| read.size += 1);
    assert_verdict(&resized, Verdict::Inconclusive, Some("SDB-WAL-004"));
    let unreadable = judge(&|read| {
        read.rows = Err(slatecheck_core::snapshot::RowsError::Sst(
            slatecheck_core::sst::SstError::Checksum(slatecheck_core::sst::SstPart::Block(0)),
        ))
    });
    assert_verdict(&unreadable, Verdict::Inconclusive, Some("SDB-WAL-004"));
    assert!(finding(&unreadable, "SDB-WAL-004").message.contains(
        "could not be read: db/wal/00000000000000000002.sst: block 0 fails its checksum"
    ));
}

/// Only the newest WAL object (the one holding `tail`) deleted after the fence: no listing
/// can see it. The verdict is `safe`, and says what it cannot see.
#[test]
fn deleting_only_the_wal_after_a_listed_fence_is_invisible_and_said_so() {
    let dir = fixture("v2", "i-reopen-wal-wiped-before-wipe");
    let mut given = common::store::inputs(&dir, true);
    let newest = given
        .wal
        .as_ref()
        .and_then(|l| {
            l.objects
                .keys()
                .filter(|k| k.starts_with("db/wal/"))
                .max()
                .cloned()
        })
        .expect("a WAL object");
    if let Some(listing) = given.wal.as_mut() {
        listing.objects.retain(|key, _| *key != newest);
    }
    let snapshot = Snapshot::build(given);
    let result = evaluate_at(
        &snapshot,
        &CheckOptions::default(),
        made_at(&snapshot),
        "read:db",
    );
    assert_verdict(&result, Verdict::Safe, None);
    assert_eq!(result.notes.len(), 1, "{:?}", result.notes);
}

/// `--no-wal-store`: d1's WAL was wiped, and without a WAL store listing a WAL store cannot be
/// told from no WAL; asserting the WAL lives in the main store makes the loss decisive.
#[test]
fn asserting_no_wal_store_makes_a_missing_wal_decisive() {
    let snapshot = snapshot(&fixture("v2", "d1-wal-wiped"), false);
    let unlisted = evaluate_at(
        &snapshot,
        &CheckOptions::default(),
        made_at(&snapshot),
        "open:db",
    );
    assert_verdict(&unlisted, Verdict::Inconclusive, Some("SDB-LIST-003"));
    let asserted = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let result = evaluate_at(&snapshot, &asserted, made_at(&snapshot), "open:db");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-010"));
}

/// Fixture j: an unnamed checkpoint with a lifetime, made through the API, pins a data WAL;
/// wiping the WAL breaks a clone from it, as SlateDB then showed (scenario.json).
#[test]
fn wipe_wal_judges_unnamed_user_checkpoints_with_lifetimes() {
    let recorded = |step: &str| step_outcome("j-user-checkpoint-wal-wiped", step);
    let clone = recorded("clone c from p at the unnamed checkpoint");
    assert!(
        clone["error"]
            .as_str()
            .is_some_and(|e| e.contains("wal unavailable")),
        "{clone}"
    );
    let before = plan(
        "v2",
        "j-user-checkpoint-wal-wiped-before-wipe",
        false,
        "wipe-wal:p",
    );
    assert_verdict(&before, Verdict::Unsafe, Some("SDB-WAL-001"));
    // With `p`'s SSTs deleted, a clone from the checkpoint reads nothing already: the wipe
    // breaks nothing that works (the oracle's seed 17001), and says what it destroys.
    let mut given = common::store::inputs(
        &fixture("v2", "j-user-checkpoint-wal-wiped-before-wipe"),
        false,
    );
    common::store::relist_main(&mut given, |key| !key.starts_with("p/compacted/"), &[]);
    let damaged = Snapshot::build(given);
    let result = evaluate_at(
        &damaged,
        &CheckOptions::default(),
        made_at(&damaged),
        "wipe-wal:p",
    );
    assert_ne!(result.verdict, Verdict::Unsafe, "{:?}", result.findings);
    assert!(result.findings.iter().any(|f| f.rule == "SDB-WAL-001"
        && f.message.contains("fails already")
        && matches!(f.impact, slatecheck_core::finding::Impact::Advisory)));
    let checkpoint = recorded("p: checkpoint Durable, unnamed, lifetime 1 h")["id"]
        .as_str()
        .expect("checkpoint id")
        .to_string();
    let clone = format!("clone:p@{checkpoint}");
    let intact = plan(
        "v2",
        "j-user-checkpoint-wal-wiped-before-wipe",
        false,
        &clone,
    );
    assert_verdict(&intact, Verdict::Safe, None);
    // Its WAL lived in the main store: after the wipe only `--no-wal-store` says so.
    let wiped = snapshot(&fixture("v2", "j-user-checkpoint-wal-wiped"), false);
    let unlisted = evaluate_at(&wiped, &CheckOptions::default(), made_at(&wiped), &clone);
    assert_verdict(&unlisted, Verdict::Inconclusive, Some("SDB-LIST-003"));
    let asserted = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let result = evaluate_at(&wiped, &asserted, made_at(&wiped), &clone);
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
}

/// A clone from `split` copies WAL 2 (data) and WAL 3 (the reopen's fence). With the fence
/// deleted, that clone fails already; wiping the WAL then breaks nothing that works, and says
/// that restoring WAL 3 alone would no longer mend the checkpoint. With the range intact, the
/// same wipe is unsafe.
#[test]
fn wipe_wal_beside_a_checkpoint_that_fails_already_breaks_nothing_more() {
    let dir = fixture("v2", "b-seed-wal-store-split-before-wipe");
    let intact = snapshot(&dir, true);
    let result = evaluate_at(
        &intact,
        &CheckOptions::default(),
        made_at(&intact),
        "wipe-wal:shard",
    );
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));

    let mut given = common::store::inputs(&dir, true);
    common::store::relist_wal(
        &mut given,
        |key| key != "shard/wal/00000000000000000003.sst",
        &[],
    );
    let fence_gone = Snapshot::build(given);
    let now = made_at(&fence_gone);
    let clone = evaluate_at(
        &fence_gone,
        &CheckOptions::default(),
        now,
        "clone:shard@split",
    );
    assert_verdict(&clone, Verdict::Unsafe, Some("SDB-WAL-001"));
    // WAL 2's rows were written before the newest L0 was published: undecided without a
    // statement of how the writer stopped, and no longer unsafe for the checkpoint's sake.
    let result = evaluate_at(&fence_gone, &CheckOptions::default(), now, "wipe-wal:shard");
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
    let closed = CheckOptions {
        writers_closed: true,
        ..CheckOptions::default()
    };
    let result = evaluate_at(&fence_gone, &closed, now, "wipe-wal:shard");
    assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-001"));
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "SDB-WAL-001" && f.message.contains("fails already")),
        "{:#?}",
        result.findings
    );
}

/// Fixture d1 after its wipe: WAL 3's writes are gone already and nothing is left to delete.
/// Wiping again loses nothing more: `safe`, with the loss that happened reported.
#[test]
fn wiping_a_wal_that_is_gone_already_decides_nothing_from_the_loss() {
    let result = plan("v2", "d1-wal-wiped", true, "wipe-wal:db");
    assert_verdict(&result, Verdict::Safe, Some("SDB-WAL-010"));
    assert!(result.objects.iter().all(|o| o.role != "must be kept"));
}

/// Every `compactions/` object SlateDB wrote in the fixtures decodes, and records the compactor
/// epoch of its root's newest manifest (the stores are healthy there).
#[test]
fn compactions_objects_record_the_latest_manifests_compactor_epoch() {
    let mut seen = 0;
    for set in SETS {
        for dir in common::fixture_stores(set) {
            let main = dir.join("main");
            for file in common::files_under(&main) {
                if file.extension().is_none_or(|e| e != "compactions") {
                    continue;
                }
                let key = common::key_below(&main, &file);
                let epoch = slatecheck_core::manifest::compactor_epoch(
                    &std::fs::read(&file).expect("readable"),
                )
                .unwrap_or_else(|why| panic!("{key}: {why}"));
                let root = key.split("/compactions/").next().expect("root");
                let snapshot = snapshot(&dir, false);
                let state = snapshot.root(root).expect("root");
                let latest = state
                    .manifest(state.latest_id.expect("latest"))
                    .expect("given");
                assert_eq!(epoch, latest.compactor_epoch, "{}: {key}", dir.display());
                seen += 1;
            }
        }
    }
    assert!(seen >= 6, "{seen} compactions objects");
}

/// The compactor's checkpoint (fixture h: 900 s, unnamed, on the manifest its compaction
/// replaced) is SlateDB's own: wipe-wal judges a clone from it as from any live checkpoint, and
/// says what it is. The same checkpoint made an hour before the compaction's output would be a
/// user's, judged the same and not named SlateDB's.
#[test]
fn wipe_wal_tells_the_compactors_checkpoint_by_its_manifests() {
    let compactor_checkpoint = |result: &PlanResult| {
        result
            .findings
            .iter()
            .find(|f| f.rule == "SDB-WAL-001" && f.message.contains("(manifest 9"))
            .map(|f| f.message.contains("is the compactor's checkpoint"))
    };
    let dir = fixture("v2", "h-clone-detach");
    let snapshot_of = |shift_hours: i64| {
        let mut given = common::store::inputs(&dir, false);
        common::store::edit_manifests(&mut given, "clone", |_, manifest| {
            for checkpoint in manifest.checkpoints.iter_mut() {
                if checkpoint.name.is_none() && checkpoint.expire_time.is_some() {
                    checkpoint.create_time -= chrono::Duration::hours(shift_hours);
                }
            }
        });
        Snapshot::build(given)
    };
    for (shift_hours, named_own) in [(0, true), (1, false)] {
        let snapshot = snapshot_of(shift_hours);
        let result = evaluate_at(
            &snapshot,
            &CheckOptions::default(),
            made_at(&snapshot),
            "wipe-wal:clone",
        );
        assert_eq!(
            compactor_checkpoint(&result),
            Some(named_own),
            "{:#?}",
            result.findings
        );
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
    }
}

/// A v2 fixture whose WAL was wiped, the state before the wipe, and the options of a check
/// that states the WAL lives in the main store, without and with `--writers-closed`.
struct WipedFixture {
    wiped: Snapshot,
    before: Snapshot,
    options: CheckOptions,
    closed: CheckOptions,
}

fn wiped_fixture(name: &str) -> WipedFixture {
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    WipedFixture {
        wiped: snapshot(&fixture("v2", name), false),
        before: snapshot(&fixture("v2", &format!("{name}-before-wipe")), false),
        closed: CheckOptions {
            writers_closed: true,
            ..options.clone()
        },
        options,
    }
}

/// What SlateDB's reader of `root` returned for `key` in fixture `name` (its scenario.json):
/// the value, null when it found none.
fn reader_got(name: &str, root: &str, key: &str) -> serde_json::Value {
    step_outcome(
        name,
        &format!("reader (FollowLatest) of {root} gets `{key}`"),
    )["value"]
        .clone()
}

/// The outcome recorded for the last step named `step` in fixture `name`'s scenario.json: a
/// read logged before and after an action is the fixture's own state the second time.
fn step_outcome(name: &str, step: &str) -> serde_json::Value {
    scenario_steps(name)
        .into_iter()
        .rfind(|recorded| recorded["step"] == step)
        .map(|recorded| recorded["outcome"].clone())
        .unwrap_or_else(|| panic!("{name}: no step {step}"))
}

fn scenario_steps(name: &str) -> Vec<serde_json::Value> {
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixture("v2", name).join("scenario.json")).expect("scenario.json"),
    )
    .expect("JSON");
    record["steps"].as_array().cloned().unwrap_or_default()
}

#[test]
fn healthy_stores_are_safe_to_clone_open_and_read() {
    for set in SETS {
        for (name, plans) in [
            (
                "a-checkpoints-clones-gc",
                &[
                    "clone:parent@cp-all",
                    "clone:parent",
                    "read:clone2",
                    "open:clone",
                    "read:parent",
                ][..],
            ),
            (
                "e-segmented",
                &["read:seg", "open:seg", "clone:seg@seg-cp"][..],
            ),
            ("f-projected-clone", &["read:half", "open:parent"][..]),
        ] {
            for text in plans {
                assert_verdict(&plan(set, name, false, text), Verdict::Safe, None);
            }
        }
    }
}

#[test]
fn a_checkpoint_that_does_not_exist_is_unsafe_to_clone_from() {
    let result = plan(
        "v2",
        "a-checkpoints-clones-gc",
        false,
        "clone:parent@no-such-checkpoint",
    );
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CKPT-003"));
    let result = plan("v2", "a-checkpoints-clones-gc", false, "read:nowhere");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-001"));
}

#[test]
fn a_gc_forecast_deletes_exactly_what_slatedb_gc_deleted() {
    for set in SETS {
        let before = fixture(set, "a-checkpoints-clones-gc-before-gc");
        let after = fixture(set, "a-checkpoints-clones-gc");
        let keys = |dir: &std::path::Path| -> std::collections::BTreeSet<String> {
            common::files_under(&dir.join("main"))
                .iter()
                .map(|p| {
                    p.strip_prefix(dir.join("main"))
                        .expect("under main")
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect()
        };
        let deleted_by_slatedb: Vec<String> =
            keys(&before).difference(&keys(&after)).cloned().collect();
        let snapshot = snapshot(&before, false);
        let result = evaluate_at(&snapshot, &gc_now(), made_at(&snapshot), "gc:parent");
        assert_verdict(&result, Verdict::Safe, None);
        let predicted: Vec<String> = result.objects.iter().map(|o| o.key.clone()).collect();
        assert_eq!(predicted, deleted_by_slatedb, "{set}");
    }
}

#[test]
fn gc_after_the_pin_is_gone_would_delete_what_the_clone_reads() {
    // Scenario C before its second GC: the parent's checkpoints are deleted in the inputs, as
    // `Admin::delete_checkpoint` did, and GC then deletes the clone's SSTs.
    for set in SETS {
        let dir = fixture(set, "c-final-checkpoint-deleted-pinned");
        let now = made_at(&snapshot(&dir, false)) + chrono::Duration::days(1);
        let mut given = common::store::inputs(&dir, false);
        common::store::drop_checkpoints(&mut given, "parent");
        let result = evaluate_at(&Snapshot::build(given), &gc_now(), now, "gc:parent");
        assert_verdict(&result, Verdict::Unsafe, Some("SDB-GC-001"));
    }
}

#[test]
fn the_seed_forks_clone_policy_skips_leading_missing_wal_objects() {
    let fork = || CheckOptions {
        wal_policy: WalPolicy::SkipLeadingMissing,
        ..Default::default()
    };
    for set in SETS {
        let snapshot = snapshot(&fixture(set, "b-seed-wal-store-split-after-wipe"), true);
        // WAL 2 and 3 are both missing at the start of the range: the fork skips them.
        let result = evaluate_at(&snapshot, &fork(), made_at(&snapshot), "clone:shard@split");
        assert_verdict(&result, Verdict::Safe, None);
    }
    // A hole after a WAL object the clone copies is still fatal (SlateDB 0.18's d2: WAL 1 is
    // there, WAL 2 was deleted).
    let snapshot = snapshot(&fixture("v2", "d2-wal-hole-later"), false);
    let result = evaluate_at(&snapshot, &fork(), made_at(&snapshot), "clone:db");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
}

/// The options of a GC run with `min_age = 0`, as the fixtures' GC passes ran.
fn gc_now() -> CheckOptions {
    CheckOptions {
        min_age: chrono::Duration::zero(),
        ..Default::default()
    }
}

/// Which objects a check reads for their rows: the non-empty WAL objects after each latest
/// manifest's replay point, then the SSTs it does not know, only of the roots wanted (a
/// check's plans name them), within the byte budget, lowest WAL ids first.
#[test]
fn objects_read_for_rows_are_those_after_the_replay_point_of_wanted_roots() {
    use slatecheck_core::snapshot::objects_to_read;
    let dir = fixture("v2", "c-final-checkpoint-deleted-pinned");
    let mut given = common::store::inputs(&dir, false);
    // Without manifest 12, `parent`'s compaction output is an SST its latest does not know.
    given
        .manifests
        .retain(|(key, _)| key != "parent/manifest/00000000000000000012.manifest");
    let plan = |wanted: &dyn Fn(&str) -> bool, budget: u64| {
        objects_to_read(
            given.main.as_ref(),
            given.wal.as_ref(),
            &given.manifests,
            budget,
            wanted,
        )
    };
    let all = plan(&|_| true, u64::MAX);
    let keys: Vec<&str> = all.to_read.iter().map(|o| o.key.as_str()).collect();
    assert!(
        keys.iter().any(|k| k.starts_with("parent/compacted/")),
        "{keys:?}"
    );
    let first_sst = keys.iter().position(|k| k.contains("/compacted/"));
    assert!(
        keys[..first_sst.unwrap_or(keys.len())]
            .iter()
            .all(|k| k.contains("/wal/")),
        "WAL objects come first: {keys:?}"
    );
    let parent_only = plan(&|root| root == "parent", u64::MAX);
    assert!(!parent_only.to_read.is_empty());
    assert!(parent_only
        .to_read
        .iter()
        .all(|o| o.key.starts_with("parent/")));
    let none = plan(&|_| true, 0);
    assert!(none.to_read.is_empty());
    assert_eq!(none.left_out, all.to_read.len());
}

/// Rows an earlier collection read (a bundle collected before the wipe or the deletion,
/// `--earlier-bundle`) settle WAL objects that are gone now, which no listing can: fixture m's
/// deleted WAL 3 held the put after the size-triggered freeze (a row past `last_l0_seq`), and
/// SlateDB's reader lost it: unsafe. Fixture l's wiped WAL 2 held only rows of its L0 (WAL 3
/// and 4 were fences), and SlateDB lost nothing: safe. Without them both stay `inconclusive`.
#[test]
fn rows_read_before_a_deletion_settle_the_gone_wal_objects() {
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    for (after, before, verdict, rule) in [
        (
            "m-size-frozen-wal-deleted",
            "m-size-frozen-wal-deleted-before-delete",
            Verdict::Unsafe,
            "SDB-WAL-010",
        ),
        // The rows settle the gone WAL 2, and the last reopen's close is in the manifests
        // (SDB-WAL-009's note): nothing was written after it.
        (
            "l-idle-reopens-wal-wiped",
            "l-idle-reopens-wal-wiped-before-wipe",
            Verdict::Safe,
            "SDB-WAL-004",
        ),
    ] {
        let earlier = common::store::inputs_with_object_rows(&fixture("v2", before), true);
        assert!(!earlier.object_rows.is_empty(), "{before}");
        for plan in ["open:db", "read:db"] {
            let without = Snapshot::build(common::store::inputs(&fixture("v2", after), true));
            let result = evaluate_at(&without, &options, made_at(&without), plan);
            assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
            let mut given = common::store::inputs(&fixture("v2", after), true);
            given.earlier_rows = earlier.object_rows.clone();
            given.earlier_manifests = earlier.manifests.clone();
            let with = Snapshot::build(given);
            let result = evaluate_at(&with, &options, made_at(&with), plan);
            assert_verdict(&result, verdict, Some(rule));
            let settled = finding(&result, rule);
            assert!(
                settled
                    .message
                    .contains("as an earlier collection read them"),
                "{after} {plan}: {}",
                settled.message
            );
            // Without manifests that show the same database, the rows are not used.
            let mut given = common::store::inputs(&fixture("v2", after), true);
            given.earlier_rows = earlier.object_rows.clone();
            let unproven = Snapshot::build(given);
            let result = evaluate_at(&unproven, &options, made_at(&unproven), plan);
            assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
        }
    }
    // Another database's earlier bundle (fixture d1's, same root `db`) is not used either: its
    // manifests of the ids given now differ.
    let other =
        common::store::inputs_with_object_rows(&fixture("v2", "d1-wal-wiped-before-wipe"), true);
    let mut given = common::store::inputs(&fixture("v2", "m-size-frozen-wal-deleted"), true);
    given.earlier_rows = other.object_rows;
    given.earlier_manifests = other.manifests;
    let mixed = Snapshot::build(given);
    let result = evaluate_at(&mixed, &options, made_at(&mixed), "open:db");
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-WAL-004"));
}

/// The invisible tail: after a crash, only the WAL object past the latest manifest's range was
/// deleted (fixture w: `t00`, `t01` in WAL 3, past manifest 3's `next_wal_sst_id` 3), and
/// SlateDB's reader then silently returned nothing for `t01` (scenario.json). Every WAL object
/// the manifest records is still listed: `safe`, with a note that no listing shows such a
/// deletion. A bundle collected before the deletion read WAL 3's rows, past `last_l0_seq`:
/// with it, `unsafe` (SDB-WAL-009). Over the store as it was then, the same rows change nothing.
#[test]
fn rows_read_before_the_deletion_show_the_invisible_tail() {
    let (after, before) = ("w-crash-tail-deleted", "w-crash-tail-deleted-before-delete");
    let steps = std::fs::read_to_string(fixture("v2", after).join("scenario.json")).unwrap();
    let steps: serde_json::Value = serde_json::from_str(&steps).unwrap();
    let last_read = steps["steps"].as_array().unwrap().last().unwrap();
    assert_eq!(last_read["outcome"]["key"], "t01");
    assert!(last_read["outcome"]["value"].is_null(), "{last_read}");
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let earlier = common::store::inputs_with_object_rows(&fixture("v2", before), true);
    for plan in ["open:p", "read:p"] {
        let without = Snapshot::build(common::store::inputs(&fixture("v2", after), true));
        let result = evaluate_at(&without, &options, made_at(&without), plan);
        assert_verdict(&result, Verdict::Safe, None);
        assert!(
            result
                .notes
                .iter()
                .any(|note| note.contains("leaves no trace")),
            "{plan}: {:?}",
            result.notes
        );
        for (now, verdict) in [(after, Verdict::Unsafe), (before, Verdict::Safe)] {
            let mut given = common::store::inputs(&fixture("v2", now), true);
            given.earlier_rows = earlier.object_rows.clone();
            given.earlier_manifests = earlier.manifests.clone();
            let with = Snapshot::build(given);
            let result = evaluate_at(&with, &options, made_at(&with), plan);
            let rule = (verdict == Verdict::Unsafe).then_some("SDB-WAL-009");
            assert_verdict(&result, verdict, rule);
            if rule.is_some() {
                let lost = finding(&result, "SDB-WAL-009");
                assert_eq!(
                    lost.evidence["wal_ids_read_past_l0"],
                    serde_json::json!([3])
                );
                assert!(
                    lost.message.contains("a deletion no listing alone shows"),
                    "{}",
                    lost.message
                );
            }
        }
    }
}

/// GC of a clone that no longer reads its parent's SSTs detaches it and deletes its final pin
/// on the parent (slatedb `detach_gc.rs`), breaking a clone from that pin. Fixture h: `clone`
/// compacted away every SST of `parent`, and SlateDB's GC pass then kept the pin, since the
/// compactor's checkpoint on `clone` still pins a manifest listing `parent`'s SSTs: `safe`
/// while that checkpoint lives. Once it has expired, the next pass detaches (the built-in
/// oracle's seed 39215 saw SlateDB do so, and the clone from the pin fail with
/// `checkpoint missing`): `unsafe`, naming the pin. Its clone failing already is a warning.
#[test]
fn gc_of_a_clone_that_no_longer_reads_its_parent_deletes_its_pin_there() {
    let snapshot = snapshot(&fixture("v2", "h-clone-detach"), false);
    let options = CheckOptions {
        no_wal_store: true,
        ..gc_now()
    };
    let kept = evaluate_at(&snapshot, &options, made_at(&snapshot), "gc:clone");
    assert_verdict(&kept, Verdict::Safe, None);
    assert!(!kept.rules.contains(&"SDB-GC-001"), "{:#?}", kept.findings);

    let later = "2099-01-01T00:00:00Z".parse().expect("a time");
    let detached = evaluate_at(&snapshot, &options, later, "gc:clone");
    assert_verdict(&detached, Verdict::Unsafe, Some("SDB-GC-001"));
    let pin = finding(&detached, "SDB-GC-001");
    assert!(
        pin.message.contains(
            "deletes `clone`'s final pin fcdba045-7bec-4943-8bfe-54d99c01e9af on `parent`"
        ),
        "{}",
        pin.message
    );
    assert!(detached
        .predicted_error
        .as_deref()
        .is_some_and(|error| error.starts_with("CheckpointMissing(fcdba045")));

    // Without the parent's WAL objects a clone from the pin fails already: the run breaks
    // nothing that works.
    let mut given = inputs(&fixture("v2", "h-clone-detach"), false);
    relist_main(&mut given, |key| !key.starts_with("parent/wal/"), &[]);
    let snapshot = Snapshot::build(given);
    let broken = evaluate_at(&snapshot, &options, later, "gc:clone");
    let pin = finding(&broken, "SDB-GC-001");
    assert_eq!(pin.severity, Severity::Warning, "{}", pin.message);
    assert!(pin.message.contains("fails already"), "{}", pin.message);

    // Without `parent`'s manifests, whether the pin is still a working clone source is not
    // known: never `safe`.
    let mut given = inputs(&fixture("v2", "h-clone-detach"), false);
    given
        .manifests
        .retain(|(key, _)| !key.starts_with("parent/"));
    let snapshot = Snapshot::build(given);
    let unknown = evaluate_at(&snapshot, &options, later, "gc:clone");
    assert_verdict(&unknown, Verdict::Inconclusive, Some("SDB-LIST-003"));
    let question = finding(&unknown, "SDB-LIST-003");
    assert!(
        question.message.contains("the pin fcdba045"),
        "{}",
        question.message
    );
}
