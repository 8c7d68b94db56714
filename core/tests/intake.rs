//! Intake: the files a user drops on the page (a bundle, listings, manifest objects, a store
//! folder) are recognised and assembled into the same inputs, and so the same verdict, as the
//! CLI's explicit flags give.

mod common;

use common::{files_under, fixtures_dir, key_below};
use slatecheck_core::check::{run_check, CheckRequest};
use slatecheck_core::intake::{sniff, Assembly, FileKind, Store, SNIFF_WINDOW};
use slatecheck_core::listing::{ListingFormat, ListingOptions};
use slatecheck_core::snapshot::{Snapshot, SnapshotInputs};
use std::io::Write;
use std::path::Path;

const SEED: &str = "v2/b-seed-wal-store-split-after-wipe";

fn seed_dir() -> std::path::PathBuf {
    fixtures_dir().join(SEED)
}

/// The verdict and findings JSON of `clone:shard@split` (inputs left out: they name files).
fn verdict_of(given: SnapshotInputs) -> (String, serde_json::Value) {
    let report = run_check(
        &Snapshot::build(given),
        CheckRequest {
            plans: vec!["clone:shard@split".parse().expect("plan")],
            ..CheckRequest::default()
        },
    )
    .expect("check runs");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    (report.verdict.name().to_string(), json["plans"].clone())
}

fn head(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("readable");
    bytes.truncate(SNIFF_WINDOW);
    bytes
}

#[test]
fn every_kind_of_dropped_file_is_recognised() {
    let dir = seed_dir();
    assert_eq!(
        sniff("bundle.tar.gz", &head(&dir.join("bundle.tar.gz"))),
        FileKind::Bundle
    );
    assert_eq!(
        sniff("main.tsv", &head(&dir.join("listings/main.tsv"))),
        FileKind::Listing {
            format: ListingFormat::FindTsv
        }
    );
    let manifest = dir.join("main/shard/manifest/00000000000000000006.manifest");
    assert_eq!(
        sniff("00000000000000000006.manifest", &head(&manifest)),
        FileKind::Manifest
    );
    assert_eq!(
        sniff("shard.json", &head(&dir.join("expected/shard.json"))),
        FileKind::ManifestJson
    );
    // A gzipped listing is a listing, not a bundle.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(dir.join("listings/main.tsv")).expect("listing"))
        .expect("gzip");
    let gz = gz.finish().expect("gzip");
    assert_eq!(
        sniff("main.tsv.gz", &gz),
        FileKind::Listing {
            format: ListingFormat::FindTsv
        }
    );
    assert!(matches!(
        sniff("notes.txt", b"hello\nworld\n"),
        FileKind::Unknown { .. }
    ));
}

#[test]
fn listings_read_whole_or_streamed_and_manifest_files_give_the_bundles_verdict() {
    let dir = seed_dir();
    let mut from_bundle = Assembly::new(ListingOptions::default());
    from_bundle
        .add_bundle(
            "bundle.tar.gz",
            std::fs::File::open(dir.join("bundle.tar.gz")).expect("bundle"),
        )
        .expect("bundle reads");
    let expected = verdict_of(from_bundle.finish(None).expect("inputs"));
    assert_eq!(expected.0, "unsafe");

    // The listings read whole (as the CLI reads them), and streamed in pieces (as the page
    // reads a line-format listing).
    let mut files = Assembly::new(ListingOptions::default());
    let mut streamed = Assembly::new(ListingOptions::default());
    for (store, name) in [(Store::Main, "main.tsv"), (Store::Wal, "wal.tsv")] {
        let path = dir.join("listings").join(name);
        files
            .add_listing(
                store,
                name,
                std::fs::File::open(&path).expect("listing"),
                None,
            )
            .expect("listing reads");
        stream_listing(&mut streamed, store, name, 7).expect("listing streams");
    }
    for assembly in [files, streamed] {
        let assembly = with_seed_manifests(assembly);
        assert_eq!(verdict_of(assembly.finish(None).expect("inputs")), expected);
    }
}

/// `assembly` with the seed's manifest files added, each under its object key.
fn with_seed_manifests(mut assembly: Assembly) -> Assembly {
    let main = seed_dir().join("main");
    for manifest in files_under(&main) {
        if manifest.extension().is_some_and(|e| e == "manifest") {
            let key = key_below(&main, &manifest);
            let bytes = std::fs::read(&manifest).expect("manifest");
            assembly
                .add_manifest(&key, Some(&key), &bytes)
                .expect("manifest decodes");
        }
    }
    assembly
}

/// The seed's listing of `store` pushed into `assembly` in pieces of `piece` bytes, as the
/// page streams a file in.
fn stream_listing(
    assembly: &mut Assembly,
    store: Store,
    name: &str,
    piece: usize,
) -> Result<(), slatecheck_core::intake::IntakeError> {
    let bytes = std::fs::read(seed_dir().join("listings").join(name)).expect("listing");
    let mut stream = assembly
        .stream_listing(store, name, &bytes)?
        .expect("a find listing streams");
    for piece in bytes.chunks(piece) {
        assembly.push_listing(&mut stream, piece)?;
    }
    assembly.finish_listing(stream)
}

#[test]
fn a_listing_past_the_object_limit_is_refused_naming_it_and_why() {
    const WHY: &str = "the most this page holds; check a listing this large with the CLI";
    let path = seed_dir().join("listings").join("main.tsv");
    let mut read = Assembly::new(ListingOptions::default());
    read.set_max_objects(2, WHY);
    let refused = read
        .add_listing(
            Store::Main,
            "main.tsv",
            std::fs::File::open(&path).expect("listing"),
            None,
        )
        .expect_err("more than 2 SlateDB objects");
    let mut streamed = Assembly::new(ListingOptions::default());
    streamed.set_max_objects(2, WHY);
    let refused_streaming =
        stream_listing(&mut streamed, Store::Main, "main.tsv", 64).expect_err("more than 2");
    for refused in [refused, refused_streaming] {
        assert_eq!(
            refused.to_string(),
            format!("main.tsv: the listing holds more than 2 SlateDB objects, {WHY}")
        );
    }
    // Within the limit, the same listing reads.
    let mut roomy = Assembly::new(ListingOptions::default());
    roomy.set_max_objects(1_000, WHY);
    stream_listing(&mut roomy, Store::Main, "main.tsv", 64).expect("within the limit");
}

#[test]
fn store_folders_give_the_same_verdict_and_without_the_wal_store_no_safe_one() {
    let dir = seed_dir();
    let folder = |assembly: &mut Assembly, store: Store, name: &str| {
        let root = dir.join(name);
        let mut objects = Vec::new();
        for file in files_under(&root) {
            let key = key_below(&root, &file);
            if key.contains("/manifest/") {
                assembly
                    .add_manifest(&key, Some(&key), &std::fs::read(&file).expect("manifest"))
                    .expect("manifest decodes");
            }
            let size = std::fs::metadata(&file).expect("metadata").len();
            objects.push((key, size, None));
        }
        assembly
            .add_folder_objects(store, name, objects)
            .expect("folder");
    };
    let mut main_only = Assembly::new(ListingOptions::default());
    folder(&mut main_only, Store::Main, "main");
    assert_eq!(
        verdict_of(main_only.finish(None).expect("inputs")).0,
        "inconclusive"
    );

    let mut both = Assembly::new(ListingOptions::default());
    folder(&mut both, Store::Main, "main");
    folder(&mut both, Store::Wal, "wal");
    let (verdict, plans) = verdict_of(both.finish(None).expect("inputs"));
    assert_eq!(verdict, "unsafe");
    assert_eq!(
        plans[0]["predicted_error"],
        "WalUnavailable (NotFound shard/wal/00000000000000000002.sst)"
    );
}

#[test]
fn loose_manifests_find_their_root_by_listed_size_or_need_one() {
    let dir = seed_dir();
    let listed = |assembly: &mut Assembly| {
        let listing = std::fs::File::open(dir.join("listings/main.tsv")).expect("listing");
        assembly
            .add_listing(Store::Main, "main.tsv", listing, None)
            .expect("listing");
    };
    // Binary manifest objects of two roots, given as loose files with clashing names: each
    // matches exactly one listed object by id and size.
    let mut assembly = Assembly::new(ListingOptions::default());
    listed(&mut assembly);
    let mut expected = Vec::new();
    for root in ["shard", "child_ok"] {
        for manifest in files_under(&dir.join("main").join(root).join("manifest")) {
            let name = manifest
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string();
            assembly
                .add_manifest(&name, None, &std::fs::read(&manifest).expect("manifest"))
                .expect("manifest");
            expected.push(format!("{root}/manifest/{name}"));
        }
    }
    let (given, placed) = assembly.finish_placed(None).expect("every root found");
    // Where each file went, in the order given (names clash across roots).
    let placed_keys: Vec<String> = placed.into_iter().map(|(_, key)| key).collect();
    assert_eq!(placed_keys, expected);
    let mut keys: Vec<String> = given.manifests.iter().map(|(key, _)| key.clone()).collect();
    keys.sort();
    expected.sort();
    assert_eq!(keys, expected);

    // slatedb-cli JSON carries no size to match: with two roots listed, the root must be named.
    let json = std::fs::read(dir.join("expected/shard.json")).expect("JSON");
    let with_json = || {
        let mut assembly = Assembly::new(ListingOptions::default());
        listed(&mut assembly);
        assembly
            .add_manifest("shard.json", None, &json)
            .expect("JSON manifests");
        assembly
    };
    let err = with_json().finish(None).expect_err("two roots listed");
    assert!(
        err.to_string()
            .starts_with("shard.json: cannot tell which database root"),
        "{err}"
    );
    let given = with_json().finish(Some("shard")).expect("root given");
    assert!(given
        .manifests
        .iter()
        .all(|(key, _)| key.starts_with("shard/manifest/")));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

    /// Whatever a user drops, recognising and reading it never panics, and failures name it.
    #[test]
    fn any_bytes_are_recognised_or_refused_by_name(
        prefix in proptest::sample::select(vec![
            &b""[..], &[0x1f, 0x8b, 8, 0][..], &[0, 2][..], &[0, 1][..], &b"{\"Contents\": ["[..],
            &b"[{"[..], &b"2026-11-26 10:00:00       4096 "[..],
        ]),
        rest in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
    ) {
        let name = "dropped.bin";
        let bytes = [prefix, rest.as_slice()].concat();
        let mut assembly = Assembly::new(ListingOptions::default());
        let outcome = match sniff(name, &bytes) {
            FileKind::Bundle => assembly.add_bundle(name, bytes.as_slice()).map(|_| ()),
            FileKind::Manifest | FileKind::ManifestJson => {
                assembly.add_manifest(name, None, &bytes).map(|_| ())
            }
            FileKind::Listing { .. } => assembly
                .add_listing(Store::Main, name, bytes.as_slice(), None)
                .map(|_| ()),
            FileKind::Unknown { reason } => {
                proptest::prop_assert!(!reason.is_empty());
                Ok(())
            }
            FileKind::Config => Ok(()),
        };
        if let Err(err) = outcome {
            proptest::prop_assert!(err.to_string().starts_with(name), "{}", err);
            proptest::prop_assert!(!err.to_string().contains('\n'), "{}", err);
        }
    }
}
