//! `slatecheck check` on the bundled seed scenario, as the README shows it: listings exported
//! with `find -printf`, manifest objects copied under their keys.

mod common;

use common::files::{keys_below, scratch};
use common::outputs::json_on_exit;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/v2")
        .join(name)
}

/// `find DIR -type f -printf '%s\t%T@\t%P\n'` of a fixture folder, written to a temp file.
fn find_listing(dir: &Path, name: &str) -> PathBuf {
    let lines: Vec<String> = keys_below(dir)
        .into_iter()
        .map(|(key, path)| {
            let size = std::fs::metadata(&path).expect("metadata").len();
            format!("{size}\t1795683633.0000000000\t{key}\n")
        })
        .collect();
    let out = scratch(&format!("check-{name}"));
    std::fs::write(&out, lines.concat()).expect("write listing");
    out
}

fn check(fixture_name: &str, with_wal: bool, extra: &[&str]) -> Output {
    let dir = fixture(fixture_name);
    let main = find_listing(&dir.join("main"), &format!("{fixture_name}-main.tsv"));
    let mut args: Vec<String> = vec![
        "check".into(),
        "--listing".into(),
        main.display().to_string(),
    ];
    if with_wal {
        args.extend([
            "--wal-listing".into(),
            find_listing(&dir.join("wal"), &format!("{fixture_name}-wal.tsv"))
                .display()
                .to_string(),
        ]);
    }
    args.extend(["--manifests".into(), dir.join("main").display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(&args)
        .output()
        .expect("slatecheck runs")
}

#[test]
fn the_seed_clone_after_the_wal_wipe_is_unsafe_with_exit_1() {
    let out = check(
        "b-seed-wal-store-split-after-wipe",
        true,
        &["--plan", "clone:shard@split", "--format", "json"],
    );
    let report = json_on_exit(&out, 1);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["verdict"], "unsafe");
    assert_eq!(report["plans"][0]["plan"], "clone:shard@split");
    assert_eq!(report["plans"][0]["verdict"], "unsafe");
    assert!(report["plans"][0]["predicted_error"]
        .as_str()
        .is_some_and(|e| e.starts_with("WalUnavailable")));
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "SDB-WAL-001");
    assert_eq!(
        finding["evidence"]["missing_wal_ids"],
        serde_json::json!([2, 3])
    );
    for key in [
        "rule",
        "severity",
        "root",
        "message",
        "evidence",
        "remediation",
    ] {
        assert!(finding.get(key).is_some(), "finding has `{key}`");
    }
    assert!(report["inputs"]
        .as_array()
        .is_some_and(|inputs| inputs.len() == 3 && inputs.iter().all(|i| i["sha256"].is_string())));
}

#[test]
fn the_same_clone_before_the_wipe_is_safe_with_exit_0() {
    let out = check(
        "b-seed-wal-store-split-before-wipe",
        true,
        &["--plan", "clone:shard@split"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("verdict: safe\n"), "{text}");
}

#[test]
fn without_the_wal_listing_the_verdict_is_inconclusive_with_exit_3() {
    let out = check(
        "b-seed-wal-store-split-after-wipe",
        false,
        &["--plan", "clone:shard@split"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("SDB-LIST-003"), "{text}");
}

#[test]
fn identical_inputs_give_byte_identical_json() {
    let run = || {
        check(
            "a-checkpoints-clones-gc",
            false,
            &[
                "--format",
                "json",
                "--plan",
                "clone:parent@cp-all",
                "--plan",
                "delete-root:parent",
            ],
        )
        .stdout
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}

#[test]
fn bad_plans_and_rules_are_usage_errors() {
    let out = check(
        "a-checkpoints-clones-gc",
        false,
        &["--plan", "frobnicate:parent"],
    );
    assert_eq!(out.status.code(), Some(2));
    let explain = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(["explain", "SDB-WAL-001"])
        .output()
        .expect("runs");
    assert_eq!(explain.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&explain.stdout).contains("## SlateDB error it prevents"));
    let unknown = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(["explain", "SDB-NOPE-1"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
}

fn slatecheck(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(args)
        .output()
        .expect("slatecheck runs")
}

#[test]
fn a_live_local_store_gives_the_same_verdicts_as_its_listings() {
    let dir = fixture("b-seed-wal-store-split-after-wipe");
    let main = dir.join("main").display().to_string();
    let wal = dir.join("wal").display().to_string();
    let plan = "clone:shard@split".to_string();
    let out = slatecheck(&[
        "check".into(),
        "--store".into(),
        main.clone(),
        "--wal-store".into(),
        wal,
        "--plan".into(),
        plan.clone(),
        "--format".into(),
        "json".into(),
    ]);
    let report = json_on_exit(&out, 1);
    assert_eq!(
        report["findings"][0]["evidence"]["missing_wal_ids"],
        serde_json::json!([2, 3])
    );
    assert_eq!(report["inputs"][0]["kind"], "store");
    assert_eq!(report["inputs"][0]["url"], main.as_str());
    // A file:// URL of the main store alone cannot tell where the WAL went.
    let out = slatecheck(&[
        "check".into(),
        "--store".into(),
        format!("file://{main}"),
        "--plan".into(),
        plan,
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn an_empty_store_is_inconclusive_and_unknown_schemes_are_usage_errors() {
    let out = slatecheck(&["check".into(), "--store".into(), "memory://".into()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("shows no objects"));
    let out = slatecheck(&["check".into(), "--store".into(), "ftp://host/x".into()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown store scheme"));
}

/// `slatecheck collect` of fixture `dir`'s main store (and its WAL store, `with_wal`) into a
/// temporary bundle named `name`, which must succeed.
fn collect(dir: &Path, with_wal: bool, name: &str) -> PathBuf {
    let bundle = scratch(name);
    let mut args = vec!["collect".into(), dir.join("main").display().to_string()];
    if with_wal {
        args.extend(["--wal-store".into(), dir.join("wal").display().to_string()]);
    }
    args.extend(["-o".into(), bundle.display().to_string()]);
    let out = slatecheck(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bundle
}

#[test]
fn collect_then_check_the_bundle() {
    let dir = fixture("b-seed-wal-store-split-after-wipe");
    let bundle = collect(&dir, true, "bundle.tar.gz");
    let bundle_arg = bundle.display().to_string();
    let out = slatecheck(&[
        "check".into(),
        "--bundle".into(),
        bundle_arg.clone(),
        "--plan".into(),
        "clone:shard@split".into(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SDB-WAL-001"));
    // Collecting the same state twice gives the same bytes.
    let again = collect(&dir, true, "bundle-again.tar.gz");
    assert_eq!(
        std::fs::read(&bundle).expect("bundle"),
        std::fs::read(&again).expect("bundle")
    );
    // Compressed less, the bundle is larger and checks the same.
    let fast = scratch("bundle-fast.tar.gz");
    let out = slatecheck(&[
        "collect".into(),
        dir.join("main").display().to_string(),
        "--wal-store".into(),
        dir.join("wal").display().to_string(),
        "--gzip-level".into(),
        "1".into(),
        "-o".into(),
        fast.display().to_string(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = |path: &Path| std::fs::metadata(path).expect("bundle").len();
    assert!(
        size(&fast) > size(&bundle),
        "{} vs {}",
        size(&fast),
        size(&bundle)
    );
    let report = |bundle: &Path| {
        let out = slatecheck(&[
            "check".into(),
            "--bundle".into(),
            bundle.display().to_string(),
            "--format".into(),
            "json".into(),
        ]);
        let mut report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("a JSON report");
        // The report names its inputs by their SHA-256, and the bundle in its locations.
        report["inputs"] = serde_json::Value::Null;
        report
            .to_string()
            .replace(&bundle.display().to_string(), "BUNDLE")
    };
    assert_eq!(report(&fast), report(&bundle));
    let level = slatecheck(&[
        "collect".into(),
        dir.join("main").display().to_string(),
        "--gzip-level".into(),
        "10".into(),
        "-o".into(),
        fast.display().to_string(),
    ]);
    assert_eq!(level.status.code(), Some(2));
    let _ = std::fs::remove_file(&bundle);
    let _ = std::fs::remove_file(&again);
    let _ = std::fs::remove_file(&fast);
    let bad = slatecheck(&[
        "check".into(),
        "--bundle".into(),
        dir.join("scenario.json").display().to_string(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `--no-wal-store`: d1's WAL store was wiped; listed without it, the main store alone cannot
/// tell "no WAL store" from "WAL wiped" (exit 3) until the user asserts the former (exit 1).
/// A bundle collected without `--wal-store` asserts it too.
#[test]
fn no_wal_store_settles_a_main_store_without_wal_objects() {
    let plan = ["--plan", "open:db"];
    let out = check("d1-wal-wiped", false, &plan);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = check(
        "d1-wal-wiped",
        false,
        &["--plan", "open:db", "--no-wal-store"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("SDB-WAL-010"), "{text}");
    // It contradicts a WAL listing: a usage error.
    let out = check(
        "d1-wal-wiped",
        true,
        &["--plan", "open:db", "--no-wal-store"],
    );
    assert_eq!(out.status.code(), Some(2));

    let bundle = collect(&fixture("d1-wal-wiped"), false, "bundle-no-wal.tar.gz");
    let out = slatecheck(&[
        "check".into(),
        "--bundle".into(),
        bundle.display().to_string(),
        "--plan".into(),
        "open:db".into(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("SDB-WAL-010"), "{text}");
    let _ = std::fs::remove_file(&bundle);
}

/// `--writers-closed`: l's WAL was wiped after clean closes; WAL 2 held the rows of an
/// explicit L0 flush, which no listing tells from a size-frozen memtable's WAL with later
/// writes in it (exit 3) until the user states that every writer closed with `Db::close()`
/// (exit 0). Where the store proves a loss (d1: WAL-only data after the newest L0), the
/// evidence wins over the statement (exit 1).
#[test]
fn writers_closed_settles_wal_objects_that_may_share_a_wal_with_l0() {
    let wiped = "l-idle-reopens-wal-wiped";
    let no_wal_store = ["--plan", "open:db", "--no-wal-store"];
    assert_exit(check(wiped, false, &no_wal_store), 3, "--writers-closed");
    let closed = ["--plan", "open:db", "--no-wal-store", "--writers-closed"];
    assert_exit(check(wiped, false, &closed), 0, "SDB-WAL-004");
    assert_exit(check("d1-wal-wiped", false, &closed), 1, "SDB-WAL-010");
}

/// `--writers-closed=ROOT` states it of that root alone. Fixture q: `closed` closed with
/// `Db::close()` and `lossy` crashed after a write, then both WALs were wiped; the listings
/// look alike. Stated of `closed`, its open is safe and `lossy`'s stays inconclusive; a root
/// the inputs do not show is a usage error; a value after a space is not taken for a root.
/// `--writers-closed-wal-only=ROOT` settles `closed` the same way.
#[test]
fn writers_closed_of_one_root_settles_that_root_alone() {
    let fixture = "q-writes-after-checkpoint-wal-wiped";
    let verdicts = |statement: &[&str]| {
        let mut extra = vec![
            "--no-wal-store",
            "--plan",
            "open:closed",
            "--plan",
            "open:lossy",
        ];
        extra.extend(["--format", "json"]);
        extra.extend(statement);
        let out = check(fixture, false, &extra);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        let plans = report["plans"].as_array().expect("plans").clone();
        plans
            .iter()
            .map(|plan| plan["verdict"].as_str().expect("verdict").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(verdicts(&[]), ["inconclusive", "inconclusive"]);
    assert_eq!(
        verdicts(&["--writers-closed=closed"]),
        ["safe", "inconclusive"]
    );
    assert_eq!(
        verdicts(&["--writers-closed=/closed/"]),
        ["safe", "inconclusive"]
    );
    assert_eq!(
        verdicts(&["--writers-closed=closed,lossy"]),
        ["safe", "safe"]
    );
    assert_eq!(verdicts(&["--writers-closed"]), ["safe", "safe"]);
    // The weaker statement (the last writer closed, whatever it flushed) settles the same
    // question here: nothing was written after the WAL the manifests record.
    assert_eq!(
        verdicts(&["--writers-closed-wal-only=closed"]),
        ["safe", "inconclusive"]
    );
    let unknown = check(
        fixture,
        false,
        &["--writers-closed-wal-only=clos", "--plan", "open:closed"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("--writers-closed-wal-only names `clos`"),
        "{err}"
    );
    let unknown = check(
        fixture,
        false,
        &["--writers-closed=close", "--plan", "open:closed"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("--writers-closed names `close`"), "{err}");
    let spaced = check(fixture, false, &["--writers-closed", "closed"]);
    assert_eq!(spaced.status.code(), Some(2));
}

/// `out` exited with `code` and its report says `says`.
fn assert_exit(out: Output, code: i32, says: &str) {
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(code), "{text}");
    assert!(text.contains(says), "{text}");
}

/// A checkpoint that has expired but is still listed: SlateDB 0.18's clone does not check
/// expiry, so the clone is safe (a warning names the GC race); `--gc-running` says GC runs
/// in the background, and the clone is then unsafe.
#[test]
fn gc_running_makes_an_expired_checkpoint_unsafe_to_clone_from() {
    let bundle = fixture("k-expired-checkpoint-before-clone").join("bundle.tar.gz");
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "check",
            "--bundle",
            &bundle.display().to_string(),
            "--plan",
            "clone:p@short",
            "--now",
            "2099-01-01T00:00:00Z",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        slatecheck(&args)
    };
    let out = run(&[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("SDB-CKPT-002") && text.contains("--gc-running"),
        "{text}"
    );
    let out = run(&["--gc-running"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("CheckpointMissing"), "{text}");
}

/// Fixture h's `clone` with its `compactions/` object rewritten to record a compactor epoch its
/// manifests never reached, as a deletion of the newest manifests leaves it: `open:clone` is
/// unsafe (`SDB-MAN-008`), read from the store itself, from a listing with the objects copied
/// and from a bundle; with the object as SlateDB wrote it, the rule stays quiet.
#[test]
fn a_compactor_epoch_ahead_of_every_manifest_makes_an_open_unsafe_from_store_folder_and_bundle() {
    let key = "clone/compactions/00000000000000000008.compactions";
    let store = scratch("epoch");
    for (name, path) in keys_below(&fixture("h-clone-detach").join("main")) {
        let copy = store.join(&name);
        std::fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&path, &copy).expect("copy");
    }
    let open = |args: &[String]| {
        let mut all: Vec<String> = vec!["check".into(), "--plan".into(), "open:clone".into()];
        all.extend(["--format".into(), "json".into()]);
        all.extend(args.iter().cloned());
        slatecheck(&all)
    };
    let live = vec!["--store".to_string(), store.display().to_string()];
    let listing = find_listing(&store, "epoch-main.tsv");
    let offline = vec![
        "--listing".to_string(),
        listing.display().to_string(),
        "--manifests".into(),
        store.display().to_string(),
    ];
    let fired = |report: &serde_json::Value| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "SDB-MAN-008")
    };
    for args in [&live, &offline] {
        assert!(!fired(&json_on_exit(&open(args), 0)), "{args:?}");
    }
    // The epoch field of the object SlateDB wrote: the one 8-byte 1 whose change the decoder sees.
    let written = std::fs::read(store.join(key)).expect("object");
    let raised = (0..written.len().saturating_sub(8))
        .filter(|at| written[*at..*at + 8] == 1u64.to_le_bytes())
        .map(|at| {
            let mut bytes = written.clone();
            bytes[at..at + 8].copy_from_slice(&7u64.to_le_bytes());
            bytes
        })
        .find(|bytes| slatecheck_core::manifest::compactor_epoch(bytes) == Ok(7))
        .expect("the epoch field");
    std::fs::write(store.join(key), raised).expect("rewrite");
    // A bundle carries the object too.
    let bundle = scratch("epoch.tar.gz");
    let collected = slatecheck(&[
        "collect".into(),
        store.display().to_string(),
        "-o".into(),
        bundle.display().to_string(),
    ]);
    assert_eq!(collected.status.code(), Some(0), "{collected:?}");
    let from_bundle = vec!["--bundle".to_string(), bundle.display().to_string()];
    for args in [&live, &offline, &from_bundle] {
        let report = json_on_exit(&open(args), 1);
        assert!(fired(&report), "{args:?}: {report}");
    }
    std::fs::remove_dir_all(&store).ok();
    std::fs::remove_file(&bundle).ok();
}

/// `wipe-wal:` decided by the WAL objects' rows, read the three ways a check can get them:
/// from the live store, from a `--manifests` folder that holds the WAL objects too, and from a
/// `collect` bundle. Fixture m's WAL 3 holds a row past `last_l0_seq` (a write only the WAL
/// has: exit 1); fixture l's WAL 2 only rows of L0 (exit 0). A folder of manifests alone
/// cannot tell them apart (exit 3).
#[test]
fn wal_rows_decide_wipe_wal_from_store_folder_and_bundle() {
    for (name, code, says) in [
        (
            "m-size-frozen-wal-deleted-before-delete",
            1,
            "whose rows were read",
        ),
        (
            "l-idle-reopens-wal-wiped-before-wipe",
            0,
            "so every one is in L0 already",
        ),
    ] {
        let dir = fixture(name);
        let store = dir.join("main").display().to_string();
        let live = slatecheck(&[
            "check".into(),
            "--store".into(),
            store,
            "--plan".into(),
            "wipe-wal:db".into(),
        ]);
        assert_exit(live, code, says);
        let folder = check(name, false, &["--plan", "wipe-wal:db", "--format", "json"]);
        let report = json_on_exit(&folder, code);
        assert!(report["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .any(|input| input["kind"] == "sst-objects"));
        let bundle = collect(&dir, false, &format!("{name}-rows.tar.gz"));
        let from_bundle = slatecheck(&[
            "check".into(),
            "--bundle".into(),
            bundle.display().to_string(),
            "--plan".into(),
            "wipe-wal:db".into(),
        ]);
        assert_exit(from_bundle, code, says);
        let _ = std::fs::remove_file(&bundle);
        // The manifests alone, copied under their keys: the rows are unknown.
        let manifests_only = scratch(&format!("{name}-manifests"));
        for (key, path) in keys_below(&dir.join("main")) {
            if key.contains("/manifest/") {
                let to = manifests_only.join(&key);
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                std::fs::copy(&path, &to).expect("copy");
            }
        }
        let listing = find_listing(&dir.join("main"), &format!("{name}-rows.tsv"));
        let listing_only = slatecheck(&[
            "check".into(),
            "--listing".into(),
            listing.display().to_string(),
            "--manifests".into(),
            manifests_only.display().to_string(),
            "--no-wal-store".into(),
            "--plan".into(),
            "wipe-wal:db".into(),
        ]);
        assert_exit(
            listing_only,
            3,
            "a check of the live store (--store) reads them",
        );
        let _ = std::fs::remove_dir_all(&manifests_only);
    }
}

/// A WAL object copied into the `--manifests` folder at another size than the listing's is
/// not the object listed: it is not read (memory stays within `sst-read-bytes`), and the
/// verdict stays what the listing alone gives, naming why.
#[test]
fn a_folder_copy_of_another_size_is_not_read() {
    let name = "l-idle-reopens-wal-wiped-before-wipe";
    let dir = fixture(name);
    let copy = scratch("resized");
    for (key, path) in keys_below(&dir.join("main")) {
        let to = copy.join(&key);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&path, &to).expect("copy");
    }
    let wal = copy.join("db/wal/00000000000000000002.sst");
    let mut bytes = std::fs::read(&wal).expect("WAL object");
    bytes.extend_from_slice(b"junk");
    std::fs::write(&wal, bytes).expect("resize");
    let listing = find_listing(&dir.join("main"), "resized.tsv");
    let out = slatecheck(&[
        "check".into(),
        "--listing".into(),
        listing.display().to_string(),
        "--manifests".into(),
        copy.display().to_string(),
        "--no-wal-store".into(),
        "--plan".into(),
        "wipe-wal:db".into(),
    ]);
    assert_exit(out, 3, "bytes, not the 256 listed");
    let _ = std::fs::remove_dir_all(&copy);
}

/// `--earlier-bundle`: a bundle collected before a deletion holds the rows of the WAL objects
/// it deleted, and they settle what no listing of the store after it can: fixture m's deleted
/// WAL 3 held a write not in L0 (exit 1), fixture l's wiped WAL 2 only rows of L0 (exit 0: the
/// report says so, and l's manifests record its last writer's close, so nothing was written
/// after the collection: SDB-WAL-009's note); without the earlier bundle both are
/// `inconclusive` (exit 3). Fixture w's deleted WAL 3, past the latest manifest's range, held
/// writes no manifest records: `safe` without the bundle (no listing shows it), exit 1 with it.
#[test]
fn an_earlier_bundle_settles_wal_objects_gone_since() {
    for (after, before, plan, without, code, says) in [
        (
            "m-size-frozen-wal-deleted",
            "m-size-frozen-wal-deleted-before-delete",
            "open:db",
            (3, "SDB-WAL-004"),
            1,
            "SDB-WAL-010",
        ),
        (
            "l-idle-reopens-wal-wiped",
            "l-idle-reopens-wal-wiped-before-wipe",
            "open:db",
            (3, "SDB-WAL-004"),
            0,
            "as an earlier collection read them",
        ),
        (
            "w-crash-tail-deleted",
            "w-crash-tail-deleted-before-delete",
            "read:p",
            (0, "leaves no trace in a listing"),
            1,
            "a deletion no listing alone shows",
        ),
    ] {
        let earlier = collect(&fixture(before), false, &format!("{before}-earlier.tar.gz"));
        let store = fixture(after).join("main").display().to_string();
        let run = |extra: &[String]| {
            let mut args: Vec<String> = ["check", "--store", &store, "--no-wal-store"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            args.extend(["--plan".into(), plan.into()]);
            args.extend(extra.iter().cloned());
            slatecheck(&args)
        };
        assert_exit(run(&[]), without.0, without.1);
        let with = run(&["--earlier-bundle".into(), earlier.display().to_string()]);
        assert_exit(with, code, says);
        let json = run(&[
            "--earlier-bundle".into(),
            earlier.display().to_string(),
            "--format".into(),
            "json".into(),
        ]);
        let report = json_on_exit(&json, code);
        assert!(report["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .any(|input| input["kind"] == "earlier-bundle"));
        let _ = std::fs::remove_file(&earlier);
    }
}
