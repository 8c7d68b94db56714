//! `read_sst_rows` on the SSTs real SlateDB wrote: every WAL and compacted SST of the
//! committed fixtures (SlateDB 0.15 under `fixtures/v1`, 0.18 under `fixtures/v2`) decodes,
//! every zero-byte object is a fence, and damaged copies (cut short, bytes flipped) are
//! errors, never a different answer and never a panic.

use proptest::prelude::*;
use slatecheck_core::sst::{read_sst_rows, SstError, SstRows};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Every `*.sst` object under `fixtures/`, as (path relative to it, bytes), sorted.
fn fixture_ssts() -> &'static [(String, Vec<u8>)] {
    static SSTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SSTS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut files = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("reading a fixtures directory") {
                let path: PathBuf = entry.expect("a directory entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|ext| ext == "sst") {
                    let relative = path
                        .strip_prefix(&root)
                        .expect("under fixtures/")
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push((relative, std::fs::read(&path).expect("reading an SST")));
                }
            }
        }
        files.sort();
        files
    })
}

/// The non-empty fixture SSTs.
fn nonempty_ssts() -> Vec<&'static (String, Vec<u8>)> {
    fixture_ssts()
        .iter()
        .filter(|(_, bytes)| !bytes.is_empty())
        .collect()
}

const NO_ROWS: SstRows = SstRows {
    rows: 0,
    min_seq: None,
    max_seq: None,
};

#[test]
fn every_fixture_sst_decodes_and_every_empty_one_is_a_fence() {
    let mut tally = std::collections::BTreeMap::<String, (u64, u64)>::new();
    for (path, bytes) in fixture_ssts() {
        let kind = if path.contains("/wal/") {
            "wal"
        } else if path.contains("/compacted/") {
            "compacted"
        } else {
            panic!("{path}: an SST neither under wal/ nor compacted/")
        };
        let era = path.split('/').next().unwrap_or_default();
        let rows = read_sst_rows(bytes).unwrap_or_else(|err| panic!("{path}: {err}"));
        let label = if bytes.is_empty() {
            assert_eq!(kind, "wal", "{path}: a zero-byte object outside wal/");
            assert_eq!(rows, NO_ROWS, "{path}");
            format!("{era} {kind} fences")
        } else {
            assert!(rows.rows > 0, "{path}: an SST with no rows");
            let (min, max) = (rows.min_seq.unwrap(), rows.max_seq.unwrap());
            assert!(min <= max, "{path}: {rows:?}");
            assert!(rows.rows >= 1 && min >= 1, "{path}: {rows:?}");
            format!("{era} {kind} SSTs")
        };
        let entry = tally.entry(label).or_default();
        entry.0 += 1;
        entry.1 += rows.rows;
    }
    println!("objects and rows: {tally:?}");
    let count = |label: &str| tally.get(label).map_or(0, |(objects, _)| *objects);
    for era in ["v1", "v2"] {
        assert!(count(&format!("{era} wal SSTs")) >= 20, "{tally:?}");
        assert!(count(&format!("{era} compacted SSTs")) >= 10, "{tally:?}");
        assert!(count(&format!("{era} wal fences")) >= 5, "{tally:?}");
    }
}

/// The WAL objects of one directory hold increasing sequence numbers: each object's rows come
/// after the previous object's (writes are numbered in order, and each WAL object holds the
/// writes made after the previous one's).
#[test]
fn wal_objects_of_a_directory_hold_increasing_sequence_numbers() {
    let mut previous: Option<(&str, &str, u64)> = None;
    let mut checked = 0;
    for (path, bytes) in nonempty_ssts() {
        let Some((dir, _)) = path.rsplit_once("/wal/") else {
            continue;
        };
        let rows = read_sst_rows(bytes).unwrap_or_else(|err| panic!("{path}: {err}"));
        if let Some((previous_dir, previous_path, previous_max)) = previous {
            if previous_dir == dir {
                assert!(
                    rows.min_seq.unwrap() > previous_max,
                    "{path}: {rows:?}, after {previous_path} with max {previous_max}"
                );
                checked += 1;
            }
        }
        previous = Some((dir, path, rows.max_seq.unwrap()));
    }
    assert!(checked >= 20, "{checked} pairs checked");
}

/// Every byte flipped is an error, and one that proves SlateDB cannot read the object either.
#[test]
fn every_single_flipped_byte_of_every_fixture_is_an_error() {
    let mut flips = 0;
    for (path, bytes) in nonempty_ssts() {
        for at in 0..bytes.len() {
            for mask in [0x01, 0x80] {
                let mut damaged = bytes.clone();
                damaged[at] ^= mask;
                match read_sst_rows(&damaged) {
                    Ok(rows) => panic!("{path}: byte {at} ^ {mask:#04x} decodes to {rows:?}"),
                    // SlateDB checks the same checksums and footer: it cannot read it either.
                    Err(err) => assert!(
                        err.proves_unreadable(),
                        "{path}: byte {at} ^ {mask:#04x}: {err} is not proof SlateDB fails too"
                    ),
                }
                flips += 1;
            }
        }
    }
    assert!(flips > 10_000, "{flips}");
}

#[test]
fn a_corrupt_footer_on_a_real_wal_sst_is_named() {
    let (path, bytes) = nonempty_ssts()
        .into_iter()
        .find(|(path, _)| path.contains("/wal/"))
        .expect("a WAL SST");
    let mut damaged = bytes.clone();
    let len = damaged.len();
    damaged[len - 10..len - 2].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(
        read_sst_rows(&damaged).unwrap_err().to_string(),
        format!(
            "corrupt footer: the SST info offset {} is past the {} bytes before the footer",
            u64::MAX,
            len - 10
        ),
        "{path}"
    );
    damaged[len - 2..].copy_from_slice(&3u16.to_be_bytes());
    assert_eq!(
        read_sst_rows(&damaged),
        Err(SstError::UnsupportedVersion(3)),
        "{path}"
    );
}

fn fixture_index() -> impl Strategy<Value = usize> {
    0..nonempty_ssts().len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An SST cut anywhere is an error (an empty one is a fence).
    #[test]
    fn a_cut_fixture_is_an_error(index in fixture_index(), keep in 0.0f64..1.0) {
        let (path, bytes) = nonempty_ssts()[index];
        let keep = ((bytes.len() as f64) * keep) as usize;
        let result = read_sst_rows(&bytes[..keep]);
        if keep == 0 {
            prop_assert_eq!(result, Ok(NO_ROWS));
        } else {
            // Proof that SlateDB cannot read it either (`SDB-WAL-011`), past the 10 bytes
            // SlateDB's WAL replay reads as a fence.
            prop_assert!(
                result.as_ref().is_err_and(|err| err.proves_unreadable() == (keep > 10)),
                "{} cut to {} bytes: {:?}", path, keep, result
            );
        }
    }

    /// Any bytes changed anywhere: an error, never a different answer.
    #[test]
    fn damaged_fixtures_are_errors(
        index in fixture_index(),
        damage in prop::collection::vec((0.0f64..1.0, 1u8..=255), 1..6),
    ) {
        let (path, bytes) = nonempty_ssts()[index];
        let mut damaged = bytes.clone();
        for (at, mask) in damage {
            let at = ((bytes.len() as f64) * at) as usize;
            damaged[at] ^= mask;
        }
        let result = read_sst_rows(&damaged);
        if damaged != *bytes {
            prop_assert!(result.is_err(), "{}: {:?}", path, result);
        }
    }

    /// A fixture's bytes spliced with arbitrary ones never panic.
    #[test]
    fn spliced_fixtures_never_panic(
        index in fixture_index(),
        at in 0.0f64..1.0,
        junk in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let (_, bytes) = nonempty_ssts()[index];
        let at = ((bytes.len() as f64) * at) as usize;
        let mut spliced = bytes[..at].to_vec();
        spliced.extend_from_slice(&junk);
        spliced.extend_from_slice(&bytes[at..]);
        let _ = read_sst_rows(&spliced);
    }

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_sst_rows(&bytes);
    }
}
