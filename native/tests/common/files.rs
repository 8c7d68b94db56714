//! Fixture folders as an object store sees them.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A path for test `name`'s scratch files in the target directory (never the system's temp
/// folder), unique to this test process.
pub fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("slatecheck-{}-{name}", std::process::id()))
}

/// Every file below `dir`, as (key relative to `dir` with `/` separators, path), sorted by key.
pub fn keys_below(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
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
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((key, path));
            }
        }
    }
    out.sort();
    out
}

/// When `fixture` was written, in RFC 3339: the newest modification time its generator recorded
/// in `listings/*.tsv` (find's `%s\t%T@\t%P`). Checks of the fixture run `--now` at this time,
/// because a checkout's file times (a directory store's default "now") and an upload's (a
/// cloud's) are whenever the test runs, and a checkpoint lifetime the fixture was written
/// with would otherwise expire under the test some day after.
pub fn written_at(fixture: &Path) -> String {
    let newest = std::fs::read_dir(fixture.join("listings"))
        .expect("listings")
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "tsv"))
        .flat_map(|entry| {
            let text = std::fs::read_to_string(entry.path()).expect("read listing");
            text.lines()
                .filter_map(|line| line.split('\t').nth(1)?.parse::<f64>().ok())
                .collect::<Vec<_>>()
        })
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        newest.is_finite(),
        "{}: no times in listings/*.tsv",
        fixture.display()
    );
    chrono::DateTime::from_timestamp(newest.ceil() as i64, 0)
        .expect("time in range")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
