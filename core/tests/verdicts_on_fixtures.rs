//! Verdicts on stores the real SlateDB wrote, against what SlateDB did next (recorded in each
//! fixture's scenario.json). Both SlateDB 0.18 (format version 2) and 0.15 (format version 1)
//! fixtures are checked.

mod common;

use chrono::{DateTime, Utc};
use common::store::{made_at, snapshot, with_context};
use slatecheck_core::finding::Verdict;
use slatecheck_core::plan::{evaluate, Action, PlanResult};
use slatecheck_core::rules::{CheckOptions, RuleContext, WalPolicy};
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

/// Evaluates `text` with `options` at `now` (for checks that need other than the defaults).
fn evaluate_at(
    snapshot: &Snapshot,
    options: CheckOptions,
    now: DateTime<Utc>,
    text: &str,
) -> PlanResult {
    let action: Action = text.parse().expect("plan parses");
    evaluate(
        &RuleContext {
            snapshot,
            now,
            options: &options,
        },
        &action,
    )
    .expect("plan evaluates")
}

fn assert_verdict(result: &PlanResult, verdict: Verdict, rule: Option<&str>) {
    assert_eq!(
        result.verdict, verdict,
        "{}: {:#?}",
        result.plan, result.findings
    );
    if let Some(rule) = rule {
        assert!(
            result.rules.contains(&rule),
            "{}: expected {rule} in {:?}",
            result.plan,
            result.rules
        );
    }
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

#[test]
fn a_wiped_wal_with_unflushed_writes_is_inconclusive_for_open() {
    for set in SETS {
        assert_verdict(
            &plan(set, "d1-wal-wiped", true, "open:db"),
            Verdict::Inconclusive,
            Some("SDB-WAL-004"),
        );
    }
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
        let result = evaluate_at(&snapshot, gc_now(), made_at(&snapshot), "gc:parent");
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
        let result = evaluate_at(&Snapshot::build(given), gc_now(), now, "gc:parent");
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
        let result = evaluate_at(&snapshot, fork(), made_at(&snapshot), "clone:shard@split");
        assert_verdict(&result, Verdict::Safe, None);
    }
    // A hole after a WAL object the clone copies is still fatal (SlateDB 0.18's d2: WAL 1 is
    // there, WAL 2 was deleted).
    let snapshot = snapshot(&fixture("v2", "d2-wal-hole-later"), false);
    let result = evaluate_at(&snapshot, fork(), made_at(&snapshot), "clone:db");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
}

/// The options of a GC run with `min_age = 0`, as the fixtures' GC passes ran.
fn gc_now() -> CheckOptions {
    CheckOptions {
        min_age: chrono::Duration::zero(),
        ..Default::default()
    }
}
