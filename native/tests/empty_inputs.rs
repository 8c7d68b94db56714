//! An empty input is never a clean bill of health. A failed CLI run (no such bucket, endpoint
//! down) leaves a 0-byte listing file, and a misconfigured live store (wrong prefix, virtual-host
//! addressing against a path-style endpoint) lists nothing without an error: on either, no plan
//! may come out `safe`, and the report must name the likely cause rather than "no database".

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/v2")
        .join(name)
}

fn slatecheck(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(args)
        .output()
        .expect("slatecheck runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("slatecheck-empty-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|err| {
        panic!(
            "JSON report ({err}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Every plan kind on the fixture whose `clone` reads `parent`'s SSTs: with the store's real
/// listing `delete-root:parent` is unsafe; that is what an empty input must not turn into safe.
const PLANS: [&str; 7] = [
    "delete-root:parent",
    "clone:parent",
    "open:parent",
    "read:parent",
    "gc:parent",
    "wipe-wal:parent",
    "read:clone",
];

fn assert_inconclusive_naming_the_empty_listing(out: &Output, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(3),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = report(out);
    for plan in report["plans"].as_array().expect("plans") {
        assert_ne!(plan["verdict"], "safe", "{what}: {plan}");
    }
    let text = report["findings"].to_string();
    assert!(text.contains("shows no objects"), "{what}: {text}");
    assert!(
        text.contains("AWS_VIRTUAL_HOSTED_STYLE_REQUEST") && text.contains("exited 0"),
        "{what}: the remediation names what to check: {text}"
    );
    assert!(!text.contains("no database at"), "{what}: {text}");
}

fn with_plans(mut args: Vec<&str>) -> Vec<&str> {
    for plan in PLANS {
        args.extend(["--plan", plan]);
    }
    args.extend(["--format", "json"]);
    args
}

#[test]
fn the_real_listing_says_deleting_the_parent_is_unsafe() {
    let dir = fixture("c-final-checkpoint-deleted-pinned");
    let out = slatecheck(&[
        "check",
        "--store",
        dir.join("main").to_str().unwrap(),
        "--plan",
        "delete-root:parent",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_zero_byte_listing_file_makes_no_plan_safe() {
    let dir = scratch("zero-byte");
    let listing = dir.join("main.txt");
    std::fs::write(&listing, b"").unwrap();
    let out = slatecheck(&with_plans(vec![
        "check",
        "--listing",
        listing.to_str().unwrap(),
    ]));
    assert_inconclusive_naming_the_empty_listing(&out, "0-byte listing alone");
    // With the manifests copied from the real store, the clones are known from them, and the
    // listing still cannot settle anything.
    let manifests = fixture("c-final-checkpoint-deleted-pinned").join("main");
    let out = slatecheck(&with_plans(vec![
        "check",
        "--listing",
        listing.to_str().unwrap(),
        "--manifests",
        manifests.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code().map(|c| c == 0), Some(false));
    for plan in report(&out)["plans"].as_array().unwrap() {
        assert_ne!(plan["verdict"], "safe", "{plan}");
    }
    // `[]` and `null` (what gcloud, az, rclone and `s3api --query` print for nothing) too.
    for empty in ["[]\n", "null\n"] {
        std::fs::write(&listing, empty).unwrap();
        let out = slatecheck(&with_plans(vec![
            "check",
            "--listing",
            listing.to_str().unwrap(),
        ]));
        assert_inconclusive_naming_the_empty_listing(&out, empty.trim());
    }
    // And a plan-less check.
    std::fs::write(&listing, b"").unwrap();
    let out = slatecheck(&[
        "check",
        "--listing",
        listing.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_inconclusive_naming_the_empty_listing(&out, "no plan");
}

#[test]
fn a_live_store_that_lists_nothing_makes_no_plan_safe() {
    let dir = scratch("live");
    let out = slatecheck(&with_plans(vec!["check", "--store", dir.to_str().unwrap()]));
    assert_inconclusive_naming_the_empty_listing(&out, "empty directory store");
    let out = slatecheck(&with_plans(vec!["check", "--store", "memory://"]));
    assert_inconclusive_naming_the_empty_listing(&out, "memory://");
}

/// A local store directory that does not exist is an error, not an empty store: read as empty,
/// a mistyped `--wal-store` would make the WAL look wiped, and `wipe-wal:` look harmless.
#[test]
fn a_local_store_directory_that_does_not_exist_is_an_error() {
    let missing = scratch("missing").join("no-such-dir");
    let main = fixture("b-seed-wal-store-split-before-wipe").join("main");
    for (flag, store) in [
        ("--store", missing.to_str().unwrap()),
        ("--wal-store", missing.to_str().unwrap()),
    ] {
        let mut args = vec!["check", "--plan", "wipe-wal:shard"];
        if flag == "--wal-store" {
            args.extend(["--store", main.to_str().unwrap()]);
        }
        args.extend([flag, store]);
        let out = slatecheck(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains("no-such-dir: no such directory") && stderr.lines().count() == 1,
            "{flag}: {stderr}"
        );
    }
}

#[test]
fn a_listing_of_objects_outside_the_prefix_only_is_empty_too() {
    let dir = scratch("prefix");
    let listing = dir.join("main.txt");
    std::fs::write(
        &listing,
        "120 other/parent/manifest/00000000000000000001.manifest\n",
    )
    .unwrap();
    let out = slatecheck(&with_plans(vec![
        "check",
        "--listing",
        listing.to_str().unwrap(),
        "--prefix",
        "prod",
    ]));
    assert_inconclusive_naming_the_empty_listing(&out, "outside --prefix");
}

#[test]
fn deleting_a_root_the_listing_shows_nothing_under_is_not_safe() {
    let dir = fixture("c-final-checkpoint-deleted-pinned");
    let out = slatecheck(&[
        "check",
        "--store",
        dir.join("main").to_str().unwrap(),
        "--plan",
        "delete-root:parnet",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = report(&out);
    let text = report["findings"].to_string();
    assert!(text.contains("nothing is listed under `parnet`"), "{text}");
    assert!(text.contains("parent"), "names the roots found: {text}");
}
