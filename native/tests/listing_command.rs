//! `slatecheck listing` as a user runs it on exported listings.

mod common;

use common::outputs::{json_on_exit, stderr_on_exit};
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
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("slatecheck-listing-cli-{}", std::process::id()));
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
    let summary = json_on_exit(&out, 0);
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
    let stderr = stderr_on_exit(&out, 2);
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

/// An `aws s3 ls` listing of over 40 MB: past the size read in chunks on every core.
fn large_s3_ls() -> String {
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
    text
}

#[test]
fn a_large_listing_read_in_chunks_names_file_wide_lines_and_hashes_every_byte() {
    let text = large_s3_ls();
    let lines = text.lines().count();
    // An unreadable line near the end, far past the first chunks: its line in the file.
    let bad = format!("{text}not a listing line\n");
    let path = temp_file("large-bad.txt", bad.as_bytes());
    let stderr = stderr_on_exit(&slatecheck(&["listing", path.to_str().expect("utf-8")]), 2);
    assert!(
        stderr.starts_with(&format!(
            "slatecheck: error: {}:{}: ",
            path.display(),
            lines + 1
        )),
        "{stderr}"
    );
    // A line longer than any listing line, in the middle: refused, naming its line.
    let middle = text[..text.len() / 2].rfind('\n').expect("a line end") + 1;
    let long = format!(
        "{}{}\n{}",
        &text[..middle],
        "x".repeat(3 << 20),
        &text[middle..]
    );
    let path = temp_file("large-long.txt", long.as_bytes());
    let stderr = stderr_on_exit(&slatecheck(&["listing", path.to_str().expect("utf-8")]), 2);
    let line = text[..middle].lines().count() + 1;
    assert!(
        stderr.starts_with(&format!(
            "slatecheck: error: {}:{line}: a line longer than",
            path.display()
        )),
        "{stderr}"
    );
    // The report names the listing by the SHA-256 of all its bytes, as `sha256sum` does.
    use sha2::Digest as _;
    let path = temp_file("large-hashed.txt", text.as_bytes());
    let out = slatecheck(&[
        "check",
        "--format",
        "json",
        "--listing",
        path.to_str().expect("utf-8"),
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let expected: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(
        report["inputs"][0]["sha256"],
        Value::from(expected),
        "{}",
        report["inputs"]
    );
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
    let mut text = large_s3_ls();
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
    // The parts stop together at the limit, with the error a single read gives.
    let limited = slatecheck(&[
        "listing",
        "--max-objects",
        "1000",
        path.to_str().expect("utf-8"),
    ]);
    let stderr = stderr_on_exit(&limited, 2);
    assert!(
        stderr.contains("more than 1000 SlateDB objects"),
        "{stderr}"
    );
}

/// An `aws s3api list-objects-v2` listing of over 40 MB, as the CLI prints it: past the size
/// read on every core, each chunk's run of objects read ahead.
fn large_s3api_json() -> String {
    let mut items = Vec::new();
    let mut length = 0;
    let mut id = 0u64;
    while length < 40 << 20 {
        id += 1;
        let item = format!(
            "        {{\n            \"Key\": \"shard-{}/wal/{:020}.sst\",\n            \"LastModified\": \"2026-11-26T09:00:33+00:00\",\n            \"ETag\": \"\\\"d41d8cd98f00b204e9800998ecf8427e\\\"\",\n            \"Size\": {},\n            \"StorageClass\": \"STANDARD\"\n        }}",
            id % 7,
            id / 7,
            id % 1000
        );
        length += item.len();
        items.push(item);
    }
    format!(
        "{{\n    \"Contents\": [\n{}\n    ],\n    \"RequestCharged\": null\n}}\n",
        items.join(",\n")
    )
}

#[test]
fn a_large_json_listing_read_on_every_core_reads_as_one_read_through_a_pipe() {
    let text = large_s3api_json();
    let path = temp_file("large-s3api.json", text.as_bytes());
    let split = summary(path.to_str().expect("utf-8"), None);
    let piped = summary("/dev/stdin", Some(text.clone().into_bytes()));
    assert_eq!(split, piped);
    assert_eq!(
        split["objects"],
        Value::from(text.matches("\"Key\"").count() as u64)
    );
    // A damaged object far past the first chunks: the error and line a single read gives.
    let at = text
        .match_indices("\"Size\": ")
        .nth(150_000)
        .expect("enough objects")
        .0;
    let bad = format!("{}\"Size\": -{}", &text[..at], &text[at + 8..]);
    let line = text[..at].matches('\n').count() + 1;
    let path = temp_file("large-s3api-bad.json", bad.as_bytes());
    let stderr = stderr_on_exit(&slatecheck(&["listing", path.to_str().expect("utf-8")]), 2);
    // The line of the object, which starts four lines above its size.
    assert!(
        stderr.starts_with(&format!(
            "slatecheck: error: {}:{}: invalid JSON: object `shard-",
            path.display(),
            line - 4
        )),
        "{stderr}"
    );
}

/// An S3 Inventory delivery's manifest naming `files`.
fn inventory_manifest(files: &[&str]) -> String {
    let entries: Vec<String> = files
        .iter()
        .map(|name| {
            format!(r#"{{"key": "dest/config/data/{name}", "size": 1, "MD5checksum": "x"}}"#)
        })
        .collect();
    format!(
        r#"{{"sourceBucket": "bucket", "destinationBucket": "arn:aws:s3:::dest", "version": "2016-11-30", "creationTimestamp": "1795683600000", "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass", "files": [{}]}}"#,
        entries.join(",")
    )
}

#[test]
fn inventory_data_files_read_on_every_core_join_in_order_with_the_first_error() {
    // Four data files, each read whole on a core of its own and joined in the order given; the
    // same WAL object in the first and the last keeps the last file's size.
    let row = |id: u64, size: u64| {
        format!("\"bucket\",\"db%2Fwal%2F{id:020}.sst\",\"{size}\",\"2026-11-26T09:00:33.000Z\",\"d41d8cd98f00b204e9800998ecf8427e\",\"STANDARD\"\n")
    };
    let names = ["part-0.csv", "part-1.csv", "part-2.csv", "part-3.csv"];
    let manifest = temp_file(
        "inventory-manifest.json",
        inventory_manifest(&names).as_bytes(),
    );
    let data: Vec<PathBuf> = names
        .iter()
        .enumerate()
        .map(|(n, name)| {
            let rows: String = (0..50u64)
                .map(|i| row(n as u64 * 50 + i + 1, i))
                .chain([row(1, 1000 + n as u64)])
                .collect();
            temp_file(name, rows.as_bytes())
        })
        .collect();
    let mut args = vec![
        "listing",
        "--format",
        "json",
        manifest.to_str().expect("utf-8"),
    ];
    args.extend(data.iter().map(|path| path.to_str().expect("utf-8")));
    let out = slatecheck(&args);
    let summary = json_on_exit(&out, 0);
    assert_eq!(summary["objects"], Value::from(4 * 51));
    assert_eq!(summary["slatedb_objects"], Value::from(200));
    let sources: Vec<&str> = summary["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        sources,
        [&[manifest.to_str().expect("utf-8")][..], &args[4..]].concat()
    );
    // WAL 1's last row (part-3's, 1003 B) replaces its first (part-0's, 0 B).
    let expected_bytes: u64 = 4 * (0..50u64).sum::<u64>() + 1003;
    assert_eq!(summary["roots"]["db"]["bytes"], Value::from(expected_bytes));
    // A broken second and fourth file: the error is the second's, as a read in turn gives.
    std::fs::write(&data[1], "\"unterminated\n").expect("write");
    std::fs::write(&data[3], "\"bucket\"\n").expect("write");
    let out = slatecheck(&args);
    let stderr = stderr_on_exit(&out, 2);
    assert!(stderr.contains("part-1.csv"), "{stderr}");
    assert!(!stderr.contains("part-3.csv"), "{stderr}");
}
