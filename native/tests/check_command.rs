//! `slatecheck check` on the bundled seed scenario, as the README shows it: listings exported
//! with `find -printf`, manifest objects copied under their keys.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/v2")
        .join(name)
}

/// `find DIR -type f -printf '%s\t%T@\t%P\n'` of a fixture folder, written to a temp file.
fn find_listing(dir: &Path, name: &str) -> PathBuf {
    let mut lines = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let key = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                let size = std::fs::metadata(&path).expect("metadata").len();
                lines.push(format!("{size}\t1795683633.0000000000\t{key}\n"));
            }
        }
    }
    lines.sort();
    let out = std::env::temp_dir().join(format!("slatecheck-check-{}-{name}", std::process::id()));
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
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
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
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
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

#[test]
fn collect_then_check_the_bundle() {
    let dir = fixture("b-seed-wal-store-split-after-wipe");
    let bundle =
        std::env::temp_dir().join(format!("slatecheck-bundle-{}.tar.gz", std::process::id()));
    let bundle_arg = bundle.display().to_string();
    let collect = |out: &str| {
        slatecheck(&[
            "collect".into(),
            dir.join("main").display().to_string(),
            "--wal-store".into(),
            dir.join("wal").display().to_string(),
            "-o".into(),
            out.to_string(),
        ])
    };
    let out = collect(&bundle_arg);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let again = format!("{bundle_arg}.again");
    assert_eq!(collect(&again).status.code(), Some(0));
    assert_eq!(
        std::fs::read(&bundle).expect("bundle"),
        std::fs::read(&again).expect("bundle")
    );
    let _ = std::fs::remove_file(&bundle);
    let _ = std::fs::remove_file(&again);
    let bad = slatecheck(&[
        "check".into(),
        "--bundle".into(),
        dir.join("scenario.json").display().to_string(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
}
