//! Listings printed by the real CLIs (aws, rclone, gcloud, …) of fixture stores uploaded to
//! local protocol servers, captured by scripts/capture-listings into fixtures/listings/real:
//! each complete one reads exactly the objects, bytes and roots of the store's directory (the
//! fixture's own `find` listing), each partial one is never complete, and a check from the
//! real listings agrees with the check of the store's directory.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn slatecheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(args)
        .output()
        .expect("slatecheck runs")
}

fn json(out: &Output, what: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|err| {
        panic!(
            "{what}: no JSON ({err}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (fixture, part) folders captured.
fn captured() -> Vec<(String, String, PathBuf)> {
    let root = repo().join("fixtures/listings/real");
    let mut out = Vec::new();
    for fixture in std::fs::read_dir(&root)
        .expect("fixtures/listings/real")
        .flatten()
    {
        if !fixture.path().is_dir() {
            continue;
        }
        for part in std::fs::read_dir(fixture.path()).expect("part").flatten() {
            out.push((
                fixture.file_name().to_string_lossy().into_owned(),
                part.file_name().to_string_lossy().into_owned(),
                part.path(),
            ));
        }
    }
    out.sort();
    assert!(
        !out.is_empty(),
        "no captured listings: run scripts/capture-listings"
    );
    out
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("captures")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
}

#[test]
fn complete_real_listings_read_exactly_what_was_uploaded() {
    for (fixture, part, dir) in captured() {
        let reference = repo().join(format!("fixtures/v2/{fixture}/listings/{part}.tsv"));
        let expected = json(
            &slatecheck(&["listing", "--format", "json", reference.to_str().unwrap()]),
            "reference",
        );
        for file in files(&dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("partial-") {
                continue;
            }
            let what = format!("{fixture}/{part}/{name}");
            let out = slatecheck(&[
                "listing",
                "--format",
                "json",
                "--tz",
                "UTC",
                "--listing-complete",
                file.to_str().unwrap(),
            ]);
            let read = json(&out, &what);
            let human = name.contains("human");
            let codes: Vec<&str> = read["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|w| w["code"].as_str())
                .collect();
            if human {
                // Sizes under 1 KiB print exactly (`554 Bytes`): lossy only above.
                assert!(
                    codes.iter().all(|c| *c == "lossy-sizes"),
                    "{what}: {codes:?}"
                );
            } else {
                assert!(codes.is_empty(), "{what}: {}", read["warnings"]);
                assert_eq!(out.status.code(), Some(0), "{what}");
                assert_eq!(read["bytes"], expected["bytes"], "{what}: bytes");
            }
            assert_eq!(read["objects"], expected["objects"], "{what}: objects");
            assert_eq!(
                read["slatedb_objects"], expected["slatedb_objects"],
                "{what}"
            );
            let roots = |summary: &Value| -> Value {
                let mut roots = summary["roots"].clone();
                for root in roots.as_object_mut().unwrap().values_mut() {
                    if human {
                        root.as_object_mut().unwrap().remove("bytes");
                        root.as_object_mut().unwrap().remove("wal_fences");
                    }
                }
                roots
            };
            assert_eq!(roots(&read), roots(&expected), "{what}: roots");
        }
    }
}

#[test]
fn partial_real_listings_are_never_complete() {
    let incomplete = [
        "truncated",
        "possibly-truncated",
        "count-mismatch",
        "missing-footer",
        "unverifiable",
    ];
    for (fixture, part, dir) in captured() {
        for file in files(&dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("partial-") {
                continue;
            }
            let what = format!("{fixture}/{part}/{name}");
            if std::fs::metadata(&file).unwrap().len() == 0 {
                // `rclone lsl --max-depth 1` of a store whose objects all sit in folders prints
                // nothing: an empty listing, which never makes a plan safe.
                let out = slatecheck(&[
                    "check",
                    "--listing",
                    file.to_str().unwrap(),
                    "--plan",
                    "delete-root:shard",
                ]);
                assert_eq!(out.status.code(), Some(3), "{what}");
                continue;
            }
            let out = slatecheck(&[
                "listing",
                "--format",
                "json",
                "--tz",
                "UTC",
                file.to_str().unwrap(),
            ]);
            assert_eq!(
                out.status.code(),
                Some(3),
                "{what}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            let read = json(&out, &what);
            assert!(
                read["warnings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| incomplete.contains(&w["code"].as_str().unwrap_or_default())),
                "{what}: {}",
                read["warnings"]
            );
        }
    }
}

#[test]
fn checks_from_real_listings_agree_with_the_store_directory() {
    let seed = "b-seed-wal-store-split-after-wipe";
    let real = repo().join("fixtures/listings/real").join(seed);
    let store = repo().join("fixtures/v2").join(seed);
    let essence = |out: &Output| -> Value {
        let report = json(out, "check");
        serde_json::json!({
            "exit": out.status.code(),
            "verdict": report["verdict"],
            "plans": report["plans"].as_array().unwrap().iter().map(|p| serde_json::json!([p["plan"], p["verdict"], p["predicted_error"]])).collect::<Vec<_>>(),
        })
    };
    let plans = [
        "--plan",
        "clone:shard@split",
        "--plan",
        "clone:shard",
        "--plan",
        "open:shard",
        "--plan",
        "read:child_ok",
        "--plan",
        "delete-root:shard",
        "--plan",
        "wipe-wal:shard",
    ];
    let mut local = vec![
        "check",
        "--store",
        store.join("main").to_str().unwrap().to_string().leak(),
        "--wal-store",
        store.join("wal").to_str().unwrap().to_string().leak(),
        "--format",
        "json",
    ];
    local.extend(plans);
    // A check of the store reads WAL objects' rows, which listings do not give: `child_ok`'s
    // copy of the wiped WAL 2 holds only rows of `shard`'s L0, and `shard`'s writers closed with
    // `Db::close()` (so nothing was written past its latest manifest, SDB-WAL-009), so the
    // reopen loses nothing (SlateDB's reopen of `shard` succeeded, fixture b). Without reading
    // any, the store directory and the listings must agree on everything.
    let with_rows = json(&slatecheck(&local), "check");
    let open_shard = &with_rows["plans"][2];
    assert_eq!(open_shard["verdict"], "inconclusive", "{with_rows}");
    assert_eq!(
        open_shard["rules"],
        serde_json::json!(["SDB-WAL-004", "SDB-WAL-009"]),
        "{with_rows}"
    );
    assert!(
        with_rows
            .to_string()
            .contains("as its copy in clone `child_ok` shows"),
        "{with_rows}"
    );
    let mut closed = local.clone();
    closed.push("--writers-closed");
    let with_rows = essence(&slatecheck(&closed));
    assert_eq!(with_rows["plans"][2][1], "safe", "{with_rows}");
    local.extend(["--limit", "sst-read-bytes=1"]);
    let expected = essence(&slatecheck(&local));
    assert_eq!(expected["verdict"], "unsafe", "{expected}");
    assert_eq!(expected["plans"][2][1], "inconclusive", "{expected}");
    // Every complete capture of both stores, in every format the tools printed.
    let names: Vec<String> = files(&real.join("main"))
        .iter()
        .map(|file| file.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("partial-") && real.join("wal").join(name).is_file())
        .collect();
    assert!(names.len() >= 15, "{names:?}");
    for name in &names {
        let main = real.join("main").join(name);
        let wal = real.join("wal").join(name);
        let manifests = store.join("main");
        let mut args = vec![
            "check",
            "--tz",
            "UTC",
            "--listing-complete",
            "--listing",
            main.to_str().unwrap(),
            "--wal-listing",
            wal.to_str().unwrap(),
            "--manifests",
            manifests.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend(plans);
        let got = essence(&slatecheck(&args));
        assert_eq!(
            got, expected,
            "{name}: check from the real listings vs --store DIR"
        );
    }
}
