//! `slatecheck listing` as a user runs it on exported listings.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn slatecheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(args)
        .output()
        .expect("slatecheck runs")
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slatecheck-listing-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write");
    path
}

const S3_LS: &str =
    "2026-11-26 09:00:33        130 prod/shard/manifest/00000000000000000001.manifest\n\
2026-11-26 09:00:33          0 prod/shard/wal/00000000000000000001.sst\n\
2026-11-26 09:00:34        287 prod/shard/wal/00000000000000000002.sst\n\
2026-11-26 09:00:35        404 prod/shard/compacted/01M8BP2BMFGB8ZKB791GPV253C.sst\n\
2026-11-26 09:00:36         99 prod/other/readme.txt\n\
\n\
Total Objects: 5\n\
   Total Size: 920\n";

#[test]
fn json_summary_has_the_documented_keys() {
    let path = temp_file("s3ls.txt", S3_LS.as_bytes());
    let out = slatecheck(&[
        "listing",
        "--format",
        "json",
        "--prefix",
        "prod/",
        "--tz",
        "UTC",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(summary["format"], "aws-s3-ls");
    assert_eq!(summary["objects"], 5);
    assert_eq!(summary["bytes"], 920);
    assert_eq!(summary["roots"]["shard"]["latest_manifest"], 1);
    assert_eq!(summary["roots"]["shard"]["wal_fences"], 1);
    assert_eq!(summary["warnings"], Value::Array(vec![]));
}

#[test]
fn a_listing_that_may_be_incomplete_exits_3_and_says_why() {
    let cut = S3_LS.replace("Total Objects: 5", "Total Objects: 9");
    let path = temp_file("cut.txt", cut.as_bytes());
    let out = slatecheck(&["listing", "--tz", "+01:00", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[count-mismatch]"), "{text}");
    assert!(text.contains("roots:\n  prod/shard: 1 manifests"), "{text}");
}

#[test]
fn unreadable_listings_exit_2_with_the_file_and_line() {
    let path = temp_file(
        "bad.txt",
        b"2026-11-26 09:00:33          0 db/wal/00000000000000000001.sst\nnot a listing line\n",
    );
    let out = slatecheck(&["listing", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("slatecheck: error: {}:2: ", path.display())),
        "{stderr}"
    );
    let usage = slatecheck(&[
        "listing",
        "--tz",
        "Mars/Olympus",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(usage.status.code(), Some(2));
}

/// `slatecheck listing --format json` of `path` (with `piped` written to its stdin through a
/// pipe), as JSON with the file's name replaced by `F`.
fn summary(path: &str, piped: Option<Vec<u8>>) -> Value {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(["listing", "--format", "json", "--tz", "UTC", path])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("slatecheck runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        if let Some(bytes) = piped {
            stdin.write_all(&bytes).expect("write to the pipe");
        }
    });
    let out = child.wait_with_output().expect("slatecheck runs");
    writer.join().expect("writer");
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .replace(path, "F");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn a_large_listing_read_on_every_core_reads_as_one_read_through_a_pipe() {
    // Past the size where the file is split at line ends and read on every core; a pipe
    // (`/dev/stdin`) cannot be split and is read whole, and its first bytes must not be lost
    // to format detection. A key repeated across the cut keeps its later line.
    let mut text = String::new();
    let mut id = 0u64;
    while text.len() < 40 << 20 {
        id += 1;
        let root = id % 7;
        text.push_str(&format!(
            "2026-11-26 09:00:33 {:>10} shard-{root}/wal/{:020}.sst\n",
            id % 1000,
            id / 7
        ));
        if id.is_multiple_of(5) {
            text.push_str(&format!("2026-11-26 09:00:34 {:>10} other/{id}.txt\n", id));
        }
    }
    text.push_str(&format!(
        "2026-11-26 09:00:35        999 shard-1/wal/{:020}.sst\n",
        1
    ));
    text.push_str("                           PRE not-recursive/\n");
    let path = temp_file("large-s3ls.txt", text.as_bytes());
    let split = summary(path.to_str().expect("utf-8"), None);
    let piped = summary("/dev/stdin", Some(text.clone().into_bytes()));
    assert_eq!(split, piped);
    assert_eq!(
        split["objects"],
        Value::from(text.lines().count() as u64 - 1)
    );
    assert!(split["warnings"].to_string().contains("PRE"), "{split}");
}
