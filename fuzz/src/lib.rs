//! The fuzz targets' entry points: one function per target, each feeding untrusted bytes to one
//! reader of slatecheck-core the way the CLI and the page do, and asserting what must hold for
//! any input: no panic, and a refusal is one line that names the input. The libFuzzer targets
//! (`fuzz_targets/*.rs`, run by `scripts/fuzz`) call these, and so does the ordinary test
//! `core/tests/fuzz_corpus.rs`, which replays the committed corpus and every regression input
//! on each `cargo test`, on the stable toolchain.

use slatecheck_core::bundle::read_bundle_with_limits;
use slatecheck_core::check::{run_check, CheckError, CheckRequest};
use slatecheck_core::config::Config;
use slatecheck_core::intake::sniff;
use slatecheck_core::limits::Limits;
use slatecheck_core::listing::{
    detect_format, read_listing, Listing, ListingBuilder, ListingError, ListingFormat, RunsWanted,
};
use slatecheck_core::manifest::{
    decode_for_check, decode_manifest_file, parse_slatedb_json, to_slatedb_json,
};
use slatecheck_core::plan::Action;
use slatecheck_core::report::{render_html, render_markdown, render_sarif, render_text};
use slatecheck_core::snapshot::{Snapshot, SnapshotInputs};
use std::io::Write;

/// Every target, by name (its folder under `fuzz/corpus/` and `fuzz/regressions/`).
pub const TARGETS: [&str; 10] = [
    "manifest_binary",
    "manifest_json",
    "detect_format",
    "listing",
    "json_runs_ahead",
    "bundle",
    "config",
    "plan",
    "sst_rows",
    "check",
];

/// Runs target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "manifest_binary" => manifest_binary(data),
        "manifest_json" => manifest_json(data),
        "detect_format" => detect(data),
        "listing" => listing(data),
        "json_runs_ahead" => json_runs_ahead(data),
        "bundle" => bundle(data),
        "config" => config(data),
        "plan" => plan(data),
        "sst_rows" => sst_rows(data),
        "check" => check(data),
        other => panic!("no fuzz target `{other}`"),
    }
}

/// Limits small enough that fuzzing reaches them with small inputs.
fn small_limits() -> Limits {
    Limits {
        bundle_bytes: 1 << 20,
        bundle_members: 64,
        member_bytes: 256 << 10,
        manifest_bytes: 256 << 10,
        manifest_tables: 5_000,
        wal_ids: 100_000,
        sst_read_bytes: 1 << 20,
        held_manifests_bytes: 64 << 20,
    }
}

/// A refusal must be one line naming the input.
fn assert_refusal(name: &str, error: &str) {
    assert!(
        error.starts_with(name),
        "the error does not name `{name}`: {error}"
    );
    assert!(
        !error.contains('\n'),
        "the error is not one line: {error:?}"
    );
}

const MANIFEST: &str = "db/manifest/00000000000000000007.manifest";

/// A binary manifest object: decoded (and rendered as SlateDB's JSON), or refused; under tight
/// limits too, where a newer format version is "unsupported", not an error.
pub fn manifest_binary(data: &[u8]) {
    match decode_manifest_file(MANIFEST, data, None) {
        Ok(files) => {
            for file in &files {
                let _ = to_slatedb_json(&file.manifest).to_string();
            }
        }
        Err(err) => assert_refusal(MANIFEST, &err.to_string()),
    }
    if let Err(err) = decode_for_check(MANIFEST, data, None, &small_limits()) {
        assert_refusal(MANIFEST, &err.to_string());
    }
}

/// slatedb-cli manifest JSON: what is read is rendered back and reads again as the same value.
pub fn manifest_json(data: &[u8]) {
    const NAME: &str = "list-manifests.json";
    match parse_slatedb_json(NAME, data) {
        Ok(files) => {
            for file in &files {
                let json = to_slatedb_json(&file.manifest).to_string();
                let again = parse_slatedb_json(NAME, json.as_bytes())
                    .unwrap_or_else(|err| panic!("rendered JSON does not read again: {err}"));
                assert_eq!(
                    to_slatedb_json(&again[0].manifest).to_string(),
                    json,
                    "JSON round trip changed the manifest"
                );
            }
        }
        Err(err) => assert_refusal(NAME, &err.to_string()),
    }
    if let Err(err) = decode_for_check(NAME, data, None, &small_limits()) {
        assert_refusal(NAME, &err.to_string());
    }
}

/// Format detection and the page's sniffing of a dropped file.
pub fn detect(data: &[u8]) {
    let _ = detect_format(data, false);
    let _ = detect_format(data, true);
    let _ = sniff("dropped-file", data);
    let _ = sniff("00000000000000000003.manifest", data);
}

/// One listing file: the first byte picks the format (as `--listing-format` does, or detection
/// for a value past the formats), the rest is the file. What is read is checked end to end: a
/// scan of every rule, and a clone plan on each root, must not panic either.
pub fn listing(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let format = ListingFormat::ALL
        .get(usize::from(selector) % (ListingFormat::ALL.len() + 1))
        .copied();
    const NAME: &str = "listing.txt";
    let mut builder = ListingBuilder::new(Default::default());
    // An S3 Inventory data file is read after a manifest that names its columns.
    if format == Some(ListingFormat::S3InventoryCsv) {
        let manifest = br#"{"fileFormat":"CSV","fileSchema":"Bucket, Key, Size, LastModifiedDate, ETag, StorageClass","files":[{"key":"data/listing.txt"}]}"#;
        read_listing(&mut builder, "manifest.json", manifest.as_slice(), None)
            .expect("the inventory manifest reads");
    }
    match read_listing(&mut builder, NAME, body, format) {
        Ok(_) => {
            let listing = builder.finish();
            let roots: Vec<String> = listing.roots.keys().cloned().collect();
            check_inputs(
                SnapshotInputs {
                    main: Some(listing),
                    ..SnapshotInputs::default()
                },
                &roots,
            );
        }
        Err(err) => assert_refusal(NAME, &err.to_string()),
    }
}

/// The JSON formats whose large files the CLI reads with runs of items read ahead.
pub const JSON_READ_AHEAD: [ListingFormat; 4] = [
    ListingFormat::S3ApiJson,
    ListingFormat::GcloudJson,
    ListingFormat::AzJson,
    ListingFormat::RcloneLsjson,
];

/// A JSON listing read as the CLI reads a large one (cut into chunks at line ends, each
/// chunk's run of items read ahead, the file read in turn taking them) must read exactly as
/// the file read whole: the same objects and warnings, or the same error at the same line.
/// The first byte picks the format, the second how many line ends a chunk spans (1 to 8), the
/// rest is the file.
pub fn json_runs_ahead(data: &[u8]) {
    let [selector, span, body @ ..] = data else {
        return;
    };
    let format = JSON_READ_AHEAD[usize::from(*selector) % JSON_READ_AHEAD.len()];
    let span = usize::from(*span % 8) + 1;
    let cuts: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(at, byte)| **byte == b'\n' && at + 1 < body.len())
        .map(|(at, _)| at + 1)
        .step_by(span)
        .collect();
    let whole = read_whole(format, body);
    let ahead = read_with_runs_ahead(format, body, &cuts);
    assert_eq!(ahead, whole, "{format:?} cut at {cuts:?}");
}

const RUNS_NAME: &str = "listing.json";

fn read_whole(format: ListingFormat, body: &[u8]) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(Default::default());
    read_listing(&mut builder, RUNS_NAME, body, Some(format))?;
    Ok(builder.finish())
}

fn read_with_runs_ahead(
    format: ListingFormat,
    body: &[u8],
    cuts: &[usize],
) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(Default::default());
    let reader = builder.reader();
    let wanted = RunsWanted::default();
    let starts = std::iter::once(0).chain(cuts.iter().copied());
    let ends = cuts.iter().copied().chain(std::iter::once(body.len()));
    let chunks: Vec<_> = starts
        .zip(ends)
        .map(|(start, end)| {
            let chunk = &body[start..end];
            Ok((
                chunk,
                reader.read_items_ahead(RUNS_NAME, chunk, format, &wanted),
            ))
        })
        .collect();
    builder.join_items_ahead(RUNS_NAME, format, chunks, &wanted)?;
    Ok(builder.finish())
}

/// A bundle: the input as it is when it is gzipped, else gzipped first, so that the fuzzer
/// explores the tar layout and not the gzip checksum.
pub fn bundle(data: &[u8]) {
    const NAME: &str = "bundle.tar.gz";
    let gzipped;
    let bytes = if data.starts_with(&[0x1f, 0x8b]) {
        data
    } else {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("in memory");
        gzipped = encoder.finish().expect("in memory");
        &gzipped
    };
    match read_bundle_with_limits(NAME, bytes, Default::default(), &small_limits()) {
        Ok((_, inputs)) => {
            let roots: Vec<String> = inputs
                .main
                .iter()
                .flat_map(|listing| listing.roots.keys().cloned())
                .collect();
            check_inputs(inputs, &roots);
        }
        Err(err) => assert_refusal(NAME, &err.to_string()),
    }
}

/// A whole check over inputs read from fuzzed bytes: a scan, and plans on the first roots,
/// rendered in every format.
fn check_inputs(inputs: SnapshotInputs, roots: &[String]) {
    let snapshot = Snapshot::build(inputs);
    let scan = CheckRequest {
        limits: small_limits(),
        ..CheckRequest::default()
    };
    let report = match run_check(&snapshot, scan) {
        Ok(report) => report,
        Err(CheckError::Limit(err)) => return assert_refusal("database `", &err.to_string()),
        Err(err) => panic!("a scan has no plan, so only a limit can refuse it: {err}"),
    };
    let _ = (
        report.to_json(),
        render_text(&report),
        render_sarif(&report),
    );
    let plans: Vec<Action> = roots
        .iter()
        .take(2)
        .flat_map(|root| {
            let root = if root.is_empty() { "/" } else { root.as_str() };
            [
                format!("clone:{root}"),
                format!("open:{root}"),
                format!("read:{root}"),
                format!("gc:{root}"),
                format!("wipe-wal:{root}"),
                format!("delete-root:{root}"),
            ]
        })
        .filter_map(|plan| plan.parse().ok())
        .collect();
    if plans.is_empty() {
        return;
    }
    let request = CheckRequest {
        plans,
        limits: small_limits(),
        ..CheckRequest::default()
    };
    if let Ok(report) = run_check(&snapshot, request) {
        let _ = (render_markdown(&report), render_html(&report));
    }
}

/// A whole check over a listing and manifests given directly, so that the fuzzer reaches what
/// manifests claim (ids, epochs, ranges, checkpoints, clones) without a bundle's tar and gzip
/// around them: the bytes up to the first NUL are a `size key` (or any) listing, and each
/// NUL-separated part after it a manifest, binary or slatedb-cli JSON, of root `p` or `c` by
/// turns (an empty part passes a turn), filed under the id it records.
pub fn check(data: &[u8]) {
    let mut parts = data.split(|byte| *byte == 0);
    let listing_bytes = parts.next().unwrap_or_default();
    let mut builder = ListingBuilder::new(Default::default());
    let main = read_listing(&mut builder, "main.txt", listing_bytes, None)
        .is_ok()
        .then(|| builder.finish());
    let mut manifests = Vec::new();
    for (at, part) in parts.enumerate() {
        let root = if at % 2 == 0 { "p" } else { "c" };
        let key = format!("{root}/manifest/{:020}.manifest", at + 1);
        let Ok(files) = decode_manifest_file(&key, part, None) else {
            continue;
        };
        for file in files {
            let key = format!("{root}/manifest/{:020}.manifest", file.manifest.id);
            manifests.push((key, file));
        }
    }
    let inputs = SnapshotInputs {
        main,
        manifests,
        ..SnapshotInputs::default()
    };
    check_inputs(inputs, &["p".to_string(), "c".to_string()]);
}

/// `slatecheck.toml`.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(err) = Config::parse("slatecheck.toml", text) {
        assert_refusal("slatecheck.toml:", &err.to_string());
    }
}

/// The plan syntax: a plan that parses prints as text that parses to the same plan.
pub fn plan(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match text.parse::<Action>() {
        Ok(action) => {
            let shown = action.to_string();
            assert_eq!(
                shown.parse::<Action>().as_ref(),
                Ok(&action),
                "`{text}` prints as `{shown}`, which reads differently"
            );
        }
        Err(err) => {
            assert!(err.starts_with("plan `"), "{err}");
            assert!(err.contains("accepted: "), "{err}");
        }
    }
}

/// An SST object (a WAL object or a compacted SST) read down to its rows' sequence numbers:
/// rows that come back are consistent (sequence numbers exactly when there are rows, the
/// smallest at most the largest); a refusal is one short line (the caller prefixes the key).
pub fn sst_rows(data: &[u8]) {
    match slatecheck_core::sst::read_sst_rows(data) {
        Ok(rows) => {
            assert_eq!(rows.rows == 0, rows.max_seq.is_none(), "{rows:?}");
            assert_eq!(rows.min_seq.is_none(), rows.max_seq.is_none(), "{rows:?}");
            assert!(rows.min_seq <= rows.max_seq, "{rows:?}");
        }
        Err(err) => {
            let text = err.to_string();
            assert!(!text.is_empty() && !text.contains('\n'), "{text:?}");
        }
    }
}
