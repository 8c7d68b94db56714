//! Verdicts on the `k-*` fixtures (SlateDB 0.18): expired checkpoints still listed
//! (`SDB-CKPT-002`, `--gc-running`), a clone's pin deleted while other holders keep its SSTs
//! (`SDB-CLONE-004`), GC with a checkpoint manifest missing, and rolled-back manifest
//! histories (`SDB-MAN-002`), each against what SlateDB did next (the fixture's
//! `scenario.json`).

mod common;

use chrono::Duration;
use common::plans::{assert_verdict, assert_warning_says, evaluate_at, finding};
use common::store::{
    edit_manifests, inputs, inputs_with_object_rows, made_at, read_object_rows, relist_main,
    snapshot,
};
use slatecheck_core::finding::{Severity, Verdict};
use slatecheck_core::rules::CheckOptions;
use slatecheck_core::snapshot::{Snapshot, SnapshotInputs};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    common::fixtures_dir().join("v2").join(name)
}

/// What SlateDB answered at each step whose name starts with `step`, in order.
fn recorded_all(name: &str, step: &str) -> Vec<serde_json::Value> {
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixture(name).join("scenario.json")).expect("scenario.json"),
    )
    .expect("scenario.json parses");
    let answers: Vec<serde_json::Value> = record["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|s| s["step"].as_str().is_some_and(|s| s.starts_with(step)))
        .map(|s| s["outcome"].clone())
        .collect();
    assert!(!answers.is_empty(), "{name}: no step `{step}`");
    answers
}

/// What SlateDB answered at the first step whose name starts with `step`.
fn recorded(name: &str, step: &str) -> serde_json::Value {
    recorded_all(name, step).remove(0)
}

fn gc_running() -> CheckOptions {
    CheckOptions {
        gc_running: true,
        ..CheckOptions::default()
    }
}

fn min_age_zero() -> CheckOptions {
    CheckOptions {
        min_age: Duration::zero(),
        ..CheckOptions::default()
    }
}

/// SlateDB cloned from `short` after it had expired (no GC had run): the clone is safe, with
/// the GC race as a warning; with `--gc-running` it is unsafe, as the clone after one GC pass
/// was (`CheckpointMissing`). `long` (a day left) is fine either way.
#[test]
fn an_expired_but_listed_checkpoint_clones_unless_gc_runs() {
    assert_eq!(
        recorded("k-expired-checkpoint", "clone c from p@short"),
        "ok"
    );
    assert_eq!(
        recorded("k-expired-checkpoint", "c: reader get k00"),
        "found"
    );
    let after_gc = recorded("k-expired-checkpoint", "clone c2 from p@short after GC");
    assert!(
        after_gc["error"]
            .as_str()
            .is_some_and(|e| e.to_lowercase().contains("checkpoint")),
        "{after_gc}"
    );
    assert_eq!(
        recorded("k-expired-checkpoint", "clone c3 from p@long after GC"),
        "ok"
    );

    let snapshot = snapshot(&fixture("k-expired-checkpoint-before-clone"), false);
    // When SlateDB cloned: 2.5 s after the close, `short` 1.5 s past its expiry.
    let now = made_at(&snapshot) + Duration::seconds(3);
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "clone:p@short");
    assert_verdict(&result, Verdict::Safe, Some("SDB-CKPT-002"));
    let warning = result
        .findings
        .iter()
        .find(|f| f.rule == "SDB-CKPT-002")
        .expect("warning");
    assert_warning_says(warning, &["expired at"]);

    let result = evaluate_at(&snapshot, &gc_running(), now, "clone:p@short");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CKPT-002"));
    assert!(result
        .predicted_error
        .as_deref()
        .is_some_and(|e| e.starts_with("CheckpointMissing")));

    // Not yet expired, but within the margin: unsafe only with GC running, and with a margin
    // shorter than what is left, fine.
    let before = made_at(&snapshot) - Duration::seconds(60);
    let result = evaluate_at(&snapshot, &gc_running(), before, "clone:p@long");
    assert_verdict(&result, Verdict::Safe, None);
    assert!(!result.rules.contains(&"SDB-CKPT-002"));
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "clone:p@long");
    assert_verdict(&result, Verdict::Safe, None);
    assert!(result.findings.is_empty(), "{:#?}", result.findings);
    let soon = CheckOptions {
        expiry_margin: Duration::days(2),
        ..gc_running()
    };
    let result = evaluate_at(&snapshot, &soon, now, "clone:p@long");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CKPT-002"));

    // After SlateDB's GC pass the checkpoint is gone from the manifest.
    let snapshot = snapshot_of("k-expired-checkpoint");
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "clone:p@short");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CKPT-003"));
}

/// Wiping `p`'s WAL deletes WAL 2, which a clone from `short` or `long` copies. While a
/// checkpoint is live, breaking its clones makes the wipe unsafe; once it has expired it is no
/// live clone source (SlateDB still clones from it until GC's next pass removes it), so that
/// is a warning naming the expiry. Both expired: the wipe is safe (WAL 2's rows, read as a
/// check of the live store reads them, are all in L0).
#[test]
fn a_wipe_that_breaks_clones_only_from_expired_checkpoints_is_advice() {
    let snapshot = Snapshot::build(inputs_with_object_rows(
        &fixture("k-expired-checkpoint-before-clone"),
        false,
    ));
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let breaks = |now, checkpoint: &str| {
        let result = evaluate_at(&snapshot, &options, now, "wipe-wal:p");
        let finding = result
            .findings
            .into_iter()
            .find(|f| f.rule == "SDB-WAL-001" && f.message.contains(&format!("`{checkpoint}`")))
            .unwrap_or_else(|| panic!("no SDB-WAL-001 about `{checkpoint}`"));
        (result.verdict, finding)
    };
    let live = made_at(&snapshot) - Duration::seconds(60);
    let short_expired = made_at(&snapshot) + Duration::seconds(3);
    let both_expired = made_at(&snapshot) + Duration::days(2);
    for checkpoint in ["short", "long"] {
        let (verdict, finding) = breaks(live, checkpoint);
        assert_eq!(verdict, Verdict::Unsafe);
        assert_eq!(finding.severity, Severity::Error);
    }
    let (verdict, short) = breaks(short_expired, "short");
    assert_eq!(verdict, Verdict::Unsafe, "`long` is still live");
    assert_warning_says(&short, &["expired at"]);
    assert_eq!(breaks(short_expired, "long").1.severity, Severity::Error);
    for checkpoint in ["short", "long"] {
        let (verdict, finding) = breaks(both_expired, checkpoint);
        assert_eq!(verdict, Verdict::Safe);
        assert_eq!(finding.severity, Severity::Warning);
    }
}

fn snapshot_of(name: &str) -> Snapshot {
    snapshot(&fixture(name), false)
}

/// The final pin `clone` placed on `parent`.
fn pin_of(snapshot: &Snapshot, clone: &str, parent: &str) -> String {
    let root = snapshot.root(clone).expect("clone root");
    let latest = root.latest_given().expect("clone's latest");
    latest
        .external_dbs
        .iter()
        .find(|e| e.path == parent)
        .and_then(|e| e.final_checkpoint_id)
        .expect("pin")
        .to_string()
}

/// Deleting the clone's pin while `parent`'s latest manifest still references its SSTs: the
/// deletion and the GC after it break nothing (SlateDB: the clone still read), the harm comes
/// once `parent` compacts them away and its expiring checkpoints go (SlateDB: the read failed).
#[test]
fn deleting_a_pin_the_parent_still_references_is_deferred_harm() {
    assert_eq!(
        recorded("k-pin-deleted-after-delete", "clone: reader get b0-00"),
        "found"
    );
    let reads = recorded_all("k-pin-deleted", "clone: reader get b0-00");
    assert_eq!(reads[0], "found");
    assert_ne!(reads[1], "found", "{}", reads[1]);

    let snapshot = snapshot_of("k-pin-deleted-before-delete");
    let plan = format!(
        "delete-checkpoint:parent@{}",
        pin_of(&snapshot, "clone", "parent")
    );
    let result = evaluate_at(&snapshot, &min_age_zero(), made_at(&snapshot), &plan);
    assert_verdict(&result, Verdict::Safe, Some("SDB-CLONE-004"));
    let warning = &result.findings[0];
    assert_warning_says(warning, &["latest manifest", "compacts"]);
}

/// Scenario C before its second GC: `parent` has compacted the clone's SSTs away and the
/// clone's 300 s source checkpoint has expired a day later: deleting the pin lets the next GC
/// delete them (SlateDB did, scenario `c-final-checkpoint-deleted`).
#[test]
fn deleting_a_pin_whose_ssts_nothing_else_holds_is_unsafe() {
    let snapshot = snapshot_of("c-final-checkpoint-deleted-pinned");
    let plan = format!(
        "delete-checkpoint:parent@{}",
        pin_of(&snapshot, "clone", "parent")
    );
    let now = made_at(&snapshot) + Duration::days(1);
    let result = evaluate_at(&snapshot, &min_age_zero(), now, &plan);
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CLONE-004"));
    assert!(result.findings[0].evidence["deleted_keys"]
        .as_array()
        .is_some_and(|keys| !keys.is_empty()));
}

/// Scenario C before its deletions, with the clone's pin already deleted (as an operator
/// cleaning up unnamed never-expiring checkpoints does). Two expiring checkpoints of `parent`
/// still reference the L0 SSTs the clone reads, which `parent` compacted away: the clone's
/// 300 s source checkpoint and a 15-minute one. Deleting either while the other holds them
/// releases nothing; once the source checkpoint has expired, the 15-minute one is the last
/// holder, and deleting it lets the next GC delete them, as SlateDB's GC did once every
/// checkpoint was gone (scenario `c-final-checkpoint-deleted`). The oracle's seed 34261 had
/// that shape and was called `safe`: only the clone's pin was looked at. With the pin in
/// place, the same deletion releases nothing.
#[test]
fn deleting_the_last_holder_of_a_clones_ssts_is_unsafe_though_it_is_no_pin() {
    let name = "c-final-checkpoint-deleted-pinned";
    let pinned = snapshot_of(name);
    let pin = pin_of(&pinned, "clone", "parent");
    let source = pinned
        .root("clone")
        .and_then(|root| root.latest_given())
        .and_then(|latest| latest.external_dbs.iter().find(|e| e.path == "parent"))
        .map(|entry| entry.source_checkpoint_id)
        .expect("the clone's source checkpoint");
    let checkpoints = |snapshot: &Snapshot| {
        snapshot
            .root("parent")
            .and_then(|root| root.latest_given())
            .map(|latest| latest.checkpoints.clone())
            .expect("parent's latest")
    };
    let longer = checkpoints(&pinned)
        .into_iter()
        .find(|c| c.id != source && c.expire_time.is_some())
        .expect("the 15-minute checkpoint");
    let source_expiry = checkpoints(&pinned)
        .iter()
        .find(|c| c.id == source)
        .and_then(|c| c.expire_time)
        .expect("the source checkpoint expires");
    let after_source_expired = source_expiry + Duration::seconds(60);
    assert!(longer.expire_time.is_some_and(|t| t > after_source_expired));
    let delete_longer = format!("delete-checkpoint:parent@{}", longer.id);

    let result = evaluate_at(
        &pinned,
        &min_age_zero(),
        after_source_expired,
        &delete_longer,
    );
    assert_verdict(&result, Verdict::Safe, None);

    let mut given = inputs(&fixture(name), false);
    edit_manifests(&mut given, "parent", |_, manifest| {
        manifest.checkpoints.retain(|c| c.id.to_string() != pin)
    });
    let unpinned = Snapshot::build(given);
    let result = evaluate_at(
        &unpinned,
        &min_age_zero(),
        after_source_expired,
        &delete_longer,
    );
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CLONE-004"));
    let released = finding(&result, "SDB-CLONE-004");
    assert!(released.message.contains("is gone"), "{}", released.message);
    // Among them the SST whose absence SlateDB's read of the clone reported in scenario C.
    let deleted = released.evidence["deleted_keys"].to_string();
    assert!(
        deleted.contains("parent/compacted/01M8BWEE3GBN5DP4KTZCN5ZS3Y.sst"),
        "{deleted}"
    );
    // While the source checkpoint is live, each of the two holds them for the other.
    for id in [source, longer.id] {
        let plan = format!("delete-checkpoint:parent@{id}");
        let result = evaluate_at(&unpinned, &min_age_zero(), made_at(&unpinned), &plan);
        assert_verdict(&result, Verdict::Safe, None);
    }
}

/// In fixture `a`, `clone2` (a clone of `clone`) placed its own never-expiring pin on `parent`
/// on the same manifest as `clone`'s: deleting `clone`'s pin releases no SST. But `clone2` also
/// left its never-expiring pin on `clone`, a live checkpoint a clone of `clone` can be made
/// from, and that clone writes its own pin on `parent` from the deleted one: it works now and
/// fails after (`CheckpointMissing`, fixture `p`), as the independent oracle's s0456 did.
#[test]
fn deleting_a_pin_another_never_expiring_pin_covers_releases_nothing() {
    let snapshot = snapshot_of("a-checkpoints-clones-gc");
    let plan = format!(
        "delete-checkpoint:parent@{}",
        pin_of(&snapshot, "clone", "parent")
    );
    let now = made_at(&snapshot) + Duration::days(1);
    let result = evaluate_at(&snapshot, &min_age_zero(), now, &plan);
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-CLONE-004"));
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.len() == 1 && messages[0].contains("breaks the clones of `clone` from"),
        "{messages:#?}"
    );
    // `clone2`'s pin on `clone` works; the checkpoint it was made through expired long ago.
    let breaks = &result.findings[0].evidence;
    assert_eq!(
        breaks["clone_source_checkpoints"],
        serde_json::json!([pin_of(&snapshot, "clone2", "clone")])
    );
    assert_eq!(
        breaks["clone_source_checkpoints_not_working"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // Without checkpoints on `clone`, only a later clone of its latest state would fail, which
    // no checkpoint promises: advice.
    let without_clone_checkpoints = |given: &mut SnapshotInputs| {
        edit_manifests(given, "clone", |_, manifest| manifest.checkpoints.clear());
    };
    let mut given = inputs(&fixture("a-checkpoints-clones-gc"), false);
    without_clone_checkpoints(&mut given);
    let result = evaluate_at(&Snapshot::build(given), &min_age_zero(), now, &plan);
    assert_verdict(&result, Verdict::Safe, None);
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.len() == 1 && messages[0].contains("later clone of `clone`'s latest state"),
        "{messages:#?}"
    );
    // Without the other never-expiring checkpoints on `parent` either (clone2's pin, the
    // `Durable` checkpoint), the same deletion leaves the SSTs to `parent`'s latest manifest:
    // deferred harm.
    let clone_pin = pin_of(&snapshot, "clone", "parent");
    let mut given = inputs(&fixture("a-checkpoints-clones-gc"), false);
    without_clone_checkpoints(&mut given);
    edit_manifests(&mut given, "parent", |_, manifest| {
        manifest
            .checkpoints
            .retain(|c| c.expire_time.is_some() || c.id.to_string() == clone_pin);
    });
    let result = evaluate_at(&Snapshot::build(given), &min_age_zero(), now, &plan);
    assert_verdict(&result, Verdict::Safe, Some("SDB-CLONE-004"));
}

/// `gc:parent` when the manifest of checkpoint `cp-all` (and of `clone`'s pin) is missing:
/// SlateDB's WAL and compacted-SST tasks abort on it, manifest GC still runs. The forecast
/// deletes manifests only, and nothing a clone needs: safe, with the missing manifest reported.
#[test]
fn gc_with_a_checkpoint_manifest_missing_deletes_only_manifests() {
    let dir = fixture("a-checkpoints-clones-gc-before-gc");
    let now = made_at(&snapshot(&dir, false)) + Duration::minutes(1);
    let mut given = inputs(&dir, false);
    drop_manifest(&mut given, "parent", 4);
    let result = evaluate_at(&Snapshot::build(given), &min_age_zero(), now, "gc:parent");
    assert_verdict(&result, Verdict::Safe, Some("SDB-CKPT-001"));
    assert!(
        result
            .objects
            .iter()
            .all(|o| o.key.starts_with("parent/manifest/")),
        "{:#?}",
        result.objects
    );
    assert!(!result.objects.is_empty());
    // With the manifest only not provided (it is listed), the inputs cannot tell.
    let mut given = inputs(&dir, false);
    given
        .manifests
        .retain(|(key, _)| key != "parent/manifest/00000000000000000004.manifest");
    let result = evaluate_at(&Snapshot::build(given), &min_age_zero(), now, "gc:parent");
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-LIST-003"));
}

fn drop_manifest(given: &mut SnapshotInputs, root: &str, id: u64) {
    let key = format!("{root}/manifest/{id:020}.manifest");
    relist_main(given, |k| k != key, &[]);
    given.manifests.retain(|(k, _)| *k != key);
}

/// `k-rollback`: `p`'s manifests since its second session were deleted; `c` still reads the
/// second session's L0 SST, which proves that newer manifests existed.
#[test]
fn a_rollback_a_clone_proves_is_decided_where_the_writes_cannot_come_back() {
    // Intact: nothing to report.
    let snapshot = snapshot_of("k-rollback-intact");
    for plan in ["read:p", "clone:p", "open:p"] {
        let result = evaluate_at(
            &snapshot,
            &CheckOptions::default(),
            made_at(&snapshot),
            plan,
        );
        assert_verdict(&result, Verdict::Safe, None);
    }

    // Manifests deleted, WAL intact: a reader still replays the second session's WAL (SlateDB
    // found b00), a clone of latest copies only the rolled-back range (SlateDB's c2 missed it).
    let reads_of_b00 = recorded_all("k-rollback", "p: reader get b00");
    assert_eq!(reads_of_b00, ["found", "missing"]);
    let snapshot = snapshot_of("k-rollback-manifests-deleted");
    let now = made_at(&snapshot);
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "read:p");
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-MAN-002"));
    assert!(result.findings[0].evidence.contains_key("rollback_proofs"));
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "clone:p");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-002"));
    assert_eq!(recorded("k-rollback", "c2: reader get b00"), "missing");
    // With the objects' rows (a check of the live store): the orphaned flush holds writes
    // past manifest 4's `last_l0_seq`, and the WAL after its replay point, which has no hole,
    // holds them too: a reader or a writer open replays them (SlateDB found b00). A clone of
    // latest still misses them.
    let with_rows = Snapshot::build(inputs_with_object_rows(
        &fixture("k-rollback-manifests-deleted"),
        false,
    ));
    for plan in ["read:p", "open:p"] {
        let result = evaluate_at(&with_rows, &CheckOptions::default(), now, plan);
        assert_verdict(&result, Verdict::Safe, Some("SDB-MAN-002"));
        let rollback = finding(&result, "SDB-MAN-002");
        assert!(
            rollback.evidence["max_seq_past_l0"].is_u64(),
            "{rollback:?}"
        );
        assert!(
            rollback
                .message
                .contains("a writer open or a reader replays them"),
            "{}",
            rollback.message
        );
    }
    let result = evaluate_at(&with_rows, &CheckOptions::default(), now, "clone:p");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-002"));

    // WAL wiped as well: the second session's writes are gone for readers (SlateDB's reader
    // returned nothing for b00); a clone of latest fails on the rolled-back range's WAL 2.
    // No WAL object of `p` is left and no WAL store listing is given, but the clones' copies
    // of `p`'s WAL objects sit in the main store, where `clone_wal` copied them from: `p`
    // keeps its WAL there, and the loss is decided.
    let snapshot = snapshot_of("k-rollback-wal-wiped");
    let now = made_at(&snapshot);
    assert!(snapshot.root("p").is_some_and(|p| p.wal_in_main_shown));
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "read:p");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-002"));
    assert_eq!(
        recorded_all("k-rollback", "p: reader get b00")[1],
        "missing"
    );
    let result = evaluate_at(&snapshot, &CheckOptions::default(), now, "clone:p");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-WAL-001"));
    // Without the clones' copies nothing shows where `p`'s WAL lives: the rollback is proven,
    // the loss is not.
    let mut given = inputs(&fixture("k-rollback-wal-wiped"), false);
    relist_main(
        &mut given,
        |key| !(key.starts_with("c/wal/") || key.starts_with("c2/wal/")),
        &[],
    );
    let result = evaluate_at(
        &Snapshot::build(given),
        &CheckOptions::default(),
        now,
        "read:p",
    );
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-MAN-002"));
    // Stated that `p`'s WAL store is the main store (an empty WAL listing): decided.
    let mut given = inputs(&fixture("k-rollback-wal-wiped"), false);
    given.wal = Some(slatecheck_core::listing::ListingBuilder::new(Default::default()).finish());
    let result = evaluate_at(
        &Snapshot::build(given),
        &CheckOptions::default(),
        now,
        "read:p",
    );
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-002"));
    let clone = recorded("k-rollback", "clone c3 from p");
    assert!(
        clone["error"]
            .as_str()
            .is_some_and(|e| e.contains("wal unavailable")),
        "{clone}"
    );

    // Without the clone nothing proves the rollback: a crashed writer explains the orphan.
    let mut given = inputs(&fixture("k-rollback-wal-wiped"), false);
    given.manifests.retain(|(key, _)| !key.starts_with("c/"));
    relist_main(&mut given, |key| !key.starts_with("c/"), &[]);
    let result = evaluate_at(
        &Snapshot::build(given),
        &CheckOptions::default(),
        now,
        "read:p",
    );
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-MAN-002"));
}

/// A compaction's output orphaned by deleting the manifest that published it: fixture
/// c-pinned's `parent` compacted its L0 away in manifest 12. With manifest 12 deleted, the
/// output SST is newer than everything manifest 11 references and nothing references it: from
/// the listing it may be an orphaned flush of new writes (`inconclusive`); its rows, read as a
/// check of the live store reads them, are all at or below manifest 11's `last_l0_seq`, so it
/// repeats what manifest 11's tree holds and a writer or reader loses nothing (the oracle's
/// seed 9013, where SlateDB's open then lost no write). Rows above it, and above all the WAL
/// after the replay point replays (read in full: up to 12), would be writes no object SlateDB
/// reads holds: unsafe.
#[test]
fn an_orphaned_compaction_output_is_told_by_its_rows() {
    let dir = fixture("c-final-checkpoint-deleted-pinned");
    let without_latest = |rows: bool| {
        let mut given = inputs(&dir, false);
        drop_manifest(&mut given, "parent", 12);
        if rows {
            read_object_rows(&dir, &mut given);
        }
        given
    };
    let options = CheckOptions {
        no_wal_store: true,
        ..CheckOptions::default()
    };
    let listed = Snapshot::build(without_latest(false));
    let now = made_at(&listed);
    let result = evaluate_at(&listed, &options, now, "open:parent");
    assert_verdict(&result, Verdict::Inconclusive, Some("SDB-MAN-002"));

    let given = without_latest(true);
    assert!(given
        .object_rows
        .iter()
        .any(|read| read.key.starts_with("parent/compacted/")));
    let read = Snapshot::build(given);
    for plan in ["open:parent", "read:parent"] {
        let result = evaluate_at(&read, &options, now, plan);
        assert_verdict(&result, Verdict::Safe, Some("SDB-MAN-002"));
        let rollback = finding(&result, "SDB-MAN-002");
        assert!(rollback
            .message
            .contains("they repeat writes its tree holds"));
        assert_eq!(
            rollback.evidence["max_seq_past_l0"],
            serde_json::Value::Null
        );
    }

    let mut given = without_latest(true);
    for read in given
        .object_rows
        .iter_mut()
        .filter(|read| read.key.starts_with("parent/compacted/"))
    {
        if let Ok(rows) = &mut read.rows {
            rows.max_seq = Some(u64::MAX);
        }
    }
    let result = evaluate_at(&Snapshot::build(given), &options, now, "open:parent");
    assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-002"));
    assert_eq!(
        finding(&result, "SDB-MAN-002").evidence["wal_replayed_up_to_seq"],
        12
    );
}

/// `k-rollback-manifests-deleted` with the second session's WAL object (WAL 4) deleted too, as
/// its deletion would show in the listing, and every object's rows read: the orphaned L0 SST
/// holds rows up to sequence number 6, and the WAL after manifest 4's replay point, read in
/// full, replays up to 3. Writes 4 to 6 are then in no object SlateDB reads (its reader of the
/// rolled-back `p` found `b00` only while WAL 4 was there): unsafe, and so even without the
/// clone that proves the rollback, since a writer that crashed before publishing its flush
/// leaves its WAL objects in place.
#[test]
fn orphaned_rows_past_everything_the_wal_replays_are_lost_whatever_orphaned_them() {
    let dir = fixture("k-rollback-manifests-deleted");
    let wal_4 = "p/wal/00000000000000000004.sst";
    let judge = |drop_wal_4: bool, drop_clone: bool, plan: &str| {
        let mut given = inputs_with_object_rows(&dir, false);
        if drop_wal_4 {
            if let Some(main) = given.main.as_mut() {
                main.objects.retain(|key, _| key != wal_4);
            }
            given.object_rows.retain(|read| read.key != wal_4);
        }
        if drop_clone {
            given.manifests.retain(|(key, _)| !key.starts_with("c/"));
        }
        let snapshot = Snapshot::build(given);
        evaluate_at(
            &snapshot,
            &CheckOptions::default(),
            made_at(&snapshot),
            plan,
        )
    };
    for plan in ["read:p", "open:p"] {
        // WAL 4 there: a reader replays the orphan's writes (SlateDB found b00).
        assert_verdict(
            &judge(false, false, plan),
            Verdict::Safe,
            Some("SDB-MAN-002"),
        );
        for drop_clone in [false, true] {
            let result = judge(true, drop_clone, plan);
            assert_verdict(&result, Verdict::Unsafe, Some("SDB-MAN-002"));
            let rollback = finding(&result, "SDB-MAN-002");
            assert_eq!(rollback.evidence["max_seq_past_l0"], 6);
            assert_eq!(rollback.evidence["wal_replayed_up_to_seq"], 3);
        }
    }
    assert_eq!(
        recorded_all("k-rollback", "p: reader get b00"),
        ["found", "missing"]
    );
}
