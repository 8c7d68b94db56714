//! `slatecheck check` report outputs: several formats in one run, `slatecheck.toml`, baselines
//! and redaction.

mod common;

use common::outputs::stderr_on_exit;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SEED_AFTER: &str = "b-seed-wal-store-split-after-wipe";
const SEED_BEFORE: &str = "b-seed-wal-store-split-before-wipe";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/v2")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("report-outputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `slatecheck check --bundle <fixture> --plan clone:shard@split <extra>` run in `cwd`.
fn check_in(cwd: &Path, fixture_name: &str, extra: &[String]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slatecheck"));
    command
        .current_dir(cwd)
        .env_remove("GITHUB_STEP_SUMMARY")
        .arg("check")
        .arg("--bundle")
        .arg(fixture(fixture_name).join("bundle.tar.gz"))
        .args(["--plan", "clone:shard@split"])
        .args(extra);
    command.output().expect("slatecheck runs")
}

fn format_to(format: &str, path: &Path) -> String {
    format!("--format={format}={}", path.display())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn several_formats_in_one_run_and_the_step_summary() {
    let dir = scratch("multi");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("summary");
    let mut args = Vec::new();
    for (format, file) in [
        ("json", "r.json"),
        ("sarif", "r.sarif"),
        ("html", "r.html"),
        ("markdown", "r.md"),
        ("junit", "r.xml"),
        ("text", "r.txt"),
    ] {
        args.push(format_to(format, &dir.join(file)));
    }
    args.push("--format=github".into());
    let output = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .current_dir(&dir)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .arg("check")
        .arg("--bundle")
        .arg(fixture(SEED_AFTER).join("bundle.tar.gz"))
        .args(["--plan", "clone:shard@split"])
        .args(&args)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "unsafe");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("::error file="),
        "annotations on stdout: {stdout}"
    );
    assert!(stdout.contains("title=SDB-WAL-001 wal-range-missing (shard)::"));
    let json: Value = serde_json::from_str(&read(&dir.join("r.json"))).expect("JSON");
    assert_eq!(json["verdict"], "unsafe");
    assert_eq!(json["findings"][0]["rule"], "SDB-WAL-001");
    let sarif: Value = serde_json::from_str(&read(&dir.join("r.sarif"))).expect("SARIF");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "SDB-WAL-001");
    assert!(read(&dir.join("r.html")).contains("data-testid=\"verdict\">unsafe<"));
    assert!(read(&dir.join("r.md")).contains("❌ UNSAFE"));
    assert!(read(&dir.join("r.xml")).contains("failures=\"1\""));
    assert!(read(&dir.join("r.txt")).starts_with("verdict: unsafe"));
    let summary = read(&summary);
    assert!(
        summary.starts_with("earlier step\n## slatecheck: ❌ UNSAFE"),
        "{summary}"
    );
}

#[test]
fn output_writes_the_one_format_without_a_file() {
    let dir = scratch("output");
    let out = dir.join("report.sarif");
    let output = check_in(
        &dir,
        SEED_AFTER,
        &[
            "--format=sarif".into(),
            "--output".into(),
            out.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(read(&out).contains("\"version\": \"2.1.0\""));
    let two = check_in(
        &dir,
        SEED_AFTER,
        &["--format=json".into(), "--format=html".into()],
    );
    assert_eq!(two.status.code(), Some(2));
    let unknown = check_in(&dir, SEED_AFTER, &["--format=pdf".into()]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn sarif_from_listing_files_points_at_listing_lines() {
    let dir = scratch("lines");
    let sarif_path = dir.join("r.sarif");
    let output = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .current_dir(fixture(SEED_AFTER))
        .arg("check")
        .args([
            "--listing",
            "listings/main.tsv",
            "--wal-listing",
            "listings/wal.tsv",
        ])
        .args(["--manifests", "main", "--plan", "clone:shard@split"])
        .arg(format_to("sarif", &sarif_path))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_str(&read(&sarif_path)).expect("SARIF");
    let locations = &sarif["runs"][0]["results"][0]["locations"];
    // The checkpoint's manifest object, at its line of the main listing.
    assert_eq!(
        locations[0]["physicalLocation"],
        serde_json::json!({"artifactLocation": {"uri": "listings/main.tsv"}, "region": {"startLine": 9}})
    );
    assert_eq!(
        locations[0]["logicalLocations"][0]["fullyQualifiedName"],
        "shard/manifest/00000000000000000006.manifest"
    );
    let listed = read(&fixture(SEED_AFTER).join("listings/main.tsv"));
    assert!(listed
        .lines()
        .nth(8)
        .is_some_and(|line| line.ends_with("shard/manifest/00000000000000000006.manifest")));
    // A missing WAL object: the WAL listing it is absent from, and its key.
    assert_eq!(
        locations[1]["physicalLocation"]["artifactLocation"]["uri"],
        "listings/wal.tsv"
    );
    assert_eq!(
        locations[1]["logicalLocations"][0]["fullyQualifiedName"],
        "shard/wal/00000000000000000002.sst"
    );
}

#[test]
fn config_errors_are_one_line_naming_file_and_line() {
    let dir = scratch("config-errors");
    std::fs::write(
        dir.join("slatecheck.toml"),
        "fail-level = \"error\"\n\n[[ignore]]\nkey = \"shard/wal/00000000000000000002.sst\"\n",
    )
    .expect("config");
    let output = check_in(&dir, SEED_AFTER, &[]);
    let stderr = stderr_on_exit(&output, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("slatecheck: error: slatecheck.toml:3: ignore entry has no `reason`"),
        "{stderr}"
    );
    let other = dir.join("other.toml");
    std::fs::write(&other, "[rules]\nSDB-WAL-001 = \"loud\"\n").expect("config");
    let output = check_in(
        &dir,
        SEED_AFTER,
        &["--config".into(), other.display().to_string()],
    );
    let stderr = stderr_on_exit(&output, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("other.toml:2: level `loud`"), "{stderr}");
    let missing = check_in(&dir, SEED_AFTER, &["--config=nope.toml".into()]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn config_ignores_overrides_and_fail_level_set_the_exit_code() {
    let dir = scratch("config-ok");
    std::fs::write(
        dir.join("slatecheck.toml"),
        "[[ignore]]\nkey = \"shard/wal/00000000000000000002.sst\"\nreason = \"restored from backup, INC-1\"\n",
    )
    .expect("config");
    let output = check_in(&dir, SEED_AFTER, &["--format=json".into()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the ignored finding no longer fails"
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["verdict"], "safe");
    assert_eq!(
        json["suppressed"][0]["reason"],
        "restored from backup, INC-1"
    );
    assert_eq!(json["suppressed"][0]["source"], "slatecheck.toml:1");

    let plain = scratch("fail-level");
    // The safe seed clone has one note (SDB-WAL-005).
    assert_eq!(check_in(&plain, SEED_BEFORE, &[]).status.code(), Some(0));
    let note = check_in(&plain, SEED_BEFORE, &["--fail-level=note".into()]);
    assert_eq!(note.status.code(), Some(1));
    let warning = check_in(&plain, SEED_BEFORE, &["--fail-level=warning".into()]);
    assert_eq!(warning.status.code(), Some(0));
    let none = check_in(&plain, SEED_AFTER, &["--fail-level=none".into()]);
    assert_eq!(none.status.code(), Some(0));
    std::fs::write(
        plain.join("slatecheck.toml"),
        "[rules]\nSDB-WAL-005 = \"error\"\n",
    )
    .expect("config");
    let raised = check_in(&plain, SEED_BEFORE, &[]);
    assert_eq!(
        raised.status.code(),
        Some(1),
        "a note raised to error fails"
    );
}

#[test]
fn a_baseline_fails_only_on_new_findings() {
    let dir = scratch("baseline");
    let baseline = dir.join("baseline.json");
    let first = check_in(&dir, SEED_AFTER, &[format_to("json", &baseline)]);
    assert_eq!(first.status.code(), Some(1));
    let again = check_in(
        &dir,
        SEED_AFTER,
        &[
            "--baseline".into(),
            baseline.display().to_string(),
            "--format=json".into(),
        ],
    );
    assert_eq!(again.status.code(), Some(0), "nothing new");
    let json: Value = serde_json::from_slice(&again.stdout).expect("JSON");
    assert_eq!(json["verdict"], "unsafe", "the verdict itself is unchanged");
    assert_eq!(json["findings"][0]["baseline_state"], "unchanged");
    std::fs::write(&baseline, "{\"findings\": []}").expect("empty baseline");
    let fresh = check_in(
        &dir,
        SEED_AFTER,
        &["--baseline".into(), baseline.display().to_string()],
    );
    assert_eq!(fresh.status.code(), Some(1), "a new finding fails");
    std::fs::write(&baseline, "not json").expect("bad baseline");
    let bad = check_in(
        &dir,
        SEED_AFTER,
        &["--baseline".into(), baseline.display().to_string()],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn redaction_leaks_no_root_or_path_in_any_format() {
    let dir = scratch("redact");
    let formats = [
        "text", "json", "markdown", "html", "sarif", "junit", "github",
    ];
    let mut args = vec!["--redact".to_string()];
    for format in formats {
        args.push(format_to(format, &dir.join(format!("r.{format}"))));
    }
    let output = check_in(&dir, SEED_AFTER, &args);
    assert_eq!(output.status.code(), Some(1));
    for format in formats {
        let mut text = read(&dir.join(format!("r.{format}")));
        if format == "sarif" {
            // Rule help is the rule catalogue's fixed documentation, not store data.
            let mut sarif: Value = serde_json::from_str(&text).expect("SARIF");
            sarif["runs"][0]["tool"]["driver"]["rules"] = Value::Null;
            text = sarif.to_string();
        }
        for leak in ["shard", "child_ok", SEED_AFTER, "fixtures/"] {
            assert!(!text.contains(leak), "{format} leaks `{leak}`:\n{text}");
        }
        assert!(text.contains("root-2") || format == "junit", "{format}");
    }
}

#[test]
fn redaction_hides_a_local_store_directory() {
    let dir = scratch("redact-store");
    let store = fixture(SEED_AFTER);
    let output = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .current_dir(&dir)
        .arg("check")
        .arg("--store")
        .arg(store.join("main"))
        .arg("--wal-store")
        .arg(store.join("wal"))
        .args(["--plan", "clone:shard@split", "--redact", "--format=json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    for leak in ["shard", "child_ok", SEED_AFTER, "fixtures"] {
        assert!(!text.contains(leak), "leaks `{leak}`:\n{text}");
    }
    let json: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["inputs"][0]["url"], "input-1");
    assert_eq!(json["redacted"], true);
}
