//! `slatecheck manifest` as a user runs it: on SlateDB-written manifests it prints SlateDB's
//! own JSON; on anything else it prints one error line naming the file and exits 2.

mod common;

use common::outputs::json_on_exit;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn slatecheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(args)
        .output()
        .expect("slatecheck runs")
}

fn expected(set: &str, store: &str, root: &str, id: u64) -> Value {
    let path = fixtures()
        .join(set)
        .join(store)
        .join("expected")
        .join(format!("{root}.json"));
    let all: Vec<Value> =
        serde_json::from_slice(&std::fs::read(path).expect("expected JSON")).expect("JSON");
    all.into_iter()
        .find(|m| m["id"] == id)
        .expect("manifest listed")
}

#[test]
fn prints_slatedb_018_json_for_the_seed_checkpoint_manifest() {
    let file = fixtures()
        .join("v2/b-seed-wal-store-split/main/shard/manifest/00000000000000000006.manifest");
    let out = slatecheck(&["manifest", file.to_str().expect("utf-8 path")]);
    let printed = json_on_exit(&out, 0);
    assert_eq!(
        printed,
        expected("v2", "b-seed-wal-store-split", "shard", 6)
    );
    // The seed's gap: the checkpointed manifest pins WAL 2 (data) and 3 (fence) for replay.
    assert_eq!(printed["replay_after_wal_id"], 1);
    assert_eq!(printed["next_wal_sst_id"], 4);
}

#[test]
fn several_files_print_an_array_like_list_manifests() {
    let dir = fixtures().join("v1/d1-wal-wiped/main/db/manifest");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["manifest", "--pretty"];
    args.extend(files.iter().map(String::as_str));
    let out = slatecheck(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert_eq!(printed.len(), files.len());
    assert!(
        printed.iter().all(|m| m["wal_object_store_uri"] == ""),
        "V1 WAL-store flag shown"
    );
}

#[test]
fn a_renamed_binary_manifest_needs_its_id() {
    let source =
        fixtures().join("v2/d2-wal-hole-later/main/db/manifest/00000000000000000002.manifest");
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("slatecheck-renamed-{}.bin", std::process::id()));
    std::fs::copy(&source, &copy).expect("copy");
    let path = copy.to_str().expect("utf-8 path");
    let out = slatecheck(&["manifest", path]);
    assert_eq!(out.status.code(), Some(2));
    let out_with_id = slatecheck(&["manifest", "--id", "2", path]);
    std::fs::remove_file(&copy).ok();
    assert_eq!(out_with_id.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&out_with_id.stdout).expect("JSON");
    assert_eq!(printed["id"], 2);
}

#[test]
fn garbage_exits_2_with_one_line_naming_the_file() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("slatecheck-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases: [(&str, &[u8], &str); 4] = [
        ("00000000000000000001.manifest", b"", "empty manifest"),
        (
            "00000000000000000002.manifest",
            &[0x00, 0x09, 1, 2, 3],
            "unsupported manifest format version 9",
        ),
        (
            "00000000000000000003.manifest",
            &[0x00, 0x02, 0xff, 0xff, 0xff, 0x7f, 0, 0],
            "malformed format version 2 FlatBuffer",
        ),
        (
            "dump.json",
            b"[{\"id\": 3, \"oops\": ",
            "not slatedb-cli manifest JSON at line 1",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        let out = slatecheck(&["manifest", path.to_str().expect("utf-8 path")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.starts_with(&format!("slatecheck: error: {}: ", path.display())),
            "{stderr}"
        );
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    std::fs::remove_dir_all(&dir).ok();
    let missing = slatecheck(&["manifest", "/nonexistent/00000000000000000001.manifest"]);
    assert_eq!(missing.status.code(), Some(2));
}
