//! The fuzz targets' entry points (`fuzz/src/lib.rs`, the same functions libFuzzer calls) run
//! on the committed corpus, on every regression input a fuzzing run found (`fuzz/regressions/`),
//! and on seeds made from the real fixtures: every manifest object SlateDB wrote, every
//! listing and bundle, and each fixture listing rendered in every listing format. So an
//! ordinary `cargo test`, on the stable toolchain, keeps every crash ever found fixed.

mod common;

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod entry;

use common::listing_render::{self as render, RenderObject, RenderOptions};
use slatecheck_core::listing::ListingFormat;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|path| path.is_file() && !path.ends_with("README.md"));
    files.sort();
    files
}

#[test]
fn every_target_has_a_committed_corpus_and_replays_it() {
    for target in entry::TARGETS {
        let corpus = files_in(&fuzz_dir().join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} is empty");
        for file in corpus {
            entry::run(target, &std::fs::read(&file).expect("corpus file"));
        }
    }
}

#[test]
fn every_regression_input_replays() {
    let dir = fuzz_dir().join("regressions");
    for target in entry::TARGETS {
        for file in files_in(&dir.join(target)) {
            entry::run(target, &std::fs::read(&file).expect("regression file"));
        }
    }
    // A regression input filed under a name that is no target would never run.
    for folder in std::fs::read_dir(&dir).expect("fuzz/regressions").flatten() {
        let name = folder.file_name().to_string_lossy().into_owned();
        assert!(
            !folder.path().is_dir() || entry::TARGETS.contains(&name.as_str()),
            "fuzz/regressions/{name} is not a target"
        );
    }
}

/// The fixture seeds `scripts/fuzz` also starts from.
#[test]
fn fixture_seeds_replay_through_every_target() {
    let fixtures = common::fixtures_dir();
    let mut seeds = 0;
    for set in ["v1", "v2"] {
        for store in common::fixture_stores(set) {
            for (_, bytes) in common::manifest_objects(&store.join("main")) {
                entry::run("manifest_binary", &bytes);
                entry::run("detect_format", &bytes);
                seeds += 1;
            }
            for file in common::files_under(&store.join("expected")) {
                entry::run(
                    "manifest_json",
                    &std::fs::read(&file).expect("expected JSON"),
                );
                seeds += 1;
            }
            for file in common::files_under(&store.join("listings")) {
                let bytes = std::fs::read(&file).expect("listing");
                entry::run("detect_format", &bytes);
                entry::run("listing", &with_selector(None, &bytes));
                seeds += 1;
            }
            for file in common::files_under(&store)
                .into_iter()
                .filter(|file| file.extension().is_some_and(|ext| ext == "sst"))
            {
                entry::run("sst_rows", &std::fs::read(&file).expect("SST object"));
                seeds += 1;
            }
            let bundle = store.join("bundle.tar.gz");
            if bundle.is_file() {
                entry::run("bundle", &std::fs::read(&bundle).expect("bundle"));
                seeds += 1;
            }
        }
    }
    assert!(
        seeds > 100,
        "only {seeds} fixture seeds under {}",
        fixtures.display()
    );
}

/// Listing seeds: one fixture's objects in every format, with the selector byte of the format.
#[test]
fn every_listing_format_replays_rendered_fixture_listings() {
    for (format, bytes) in rendered_listing_seeds() {
        entry::run("listing", &with_selector(Some(format), &bytes));
        entry::run("listing", &with_selector(None, &bytes));
        entry::run("detect_format", &bytes);
    }
}

fn with_selector(format: Option<ListingFormat>, bytes: &[u8]) -> Vec<u8> {
    let index = match format {
        Some(format) => ListingFormat::ALL
            .iter()
            .position(|f| *f == format)
            .expect("a format"),
        None => ListingFormat::ALL.len(),
    };
    let mut out = vec![index as u8];
    out.extend_from_slice(bytes);
    out
}

/// The objects of the seed fixture's main store, rendered in each format's tool output.
fn rendered_listing_seeds() -> Vec<(ListingFormat, Vec<u8>)> {
    let store = common::fixtures_dir().join("v2/b-seed-wal-store-split-after-wipe/main");
    let objects: Vec<RenderObject> = common::files_under(&store)
        .iter()
        .enumerate()
        .map(|(i, file)| {
            RenderObject::new(
                common::key_below(&store, file),
                std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
                1_795_683_600_000_000_000 + i as i128 * 1_000_000_000,
                format!("{i:032x}"),
            )
        })
        .collect();
    let opts = RenderOptions::new("prod-bucket", "");
    let inventory = render::s3_inventory(&objects, &opts, 1_795_683_600_000, false, 1);
    let inventory_data = inventory
        .iter()
        .find(|(name, _)| name.ends_with(".csv"))
        .map(|(_, bytes)| bytes.clone())
        .unwrap_or_default();
    vec![
        (
            ListingFormat::AwsS3Ls,
            render::aws_s3_ls(&objects, &opts, true).into_bytes(),
        ),
        (
            ListingFormat::S3ApiJson,
            render::s3api_list_objects_v2(&objects, &opts, Some(3), true).into_bytes(),
        ),
        (ListingFormat::S3InventoryCsv, inventory_data),
        (
            ListingFormat::GsutilLs,
            render::gsutil_ls_l(&objects, &opts, false).into_bytes(),
        ),
        (
            ListingFormat::GcloudJson,
            render::gcloud_storage_ls_json(&objects, &opts).into_bytes(),
        ),
        (
            ListingFormat::AzJson,
            render::az_storage_blob_list(&objects, &opts).into_bytes(),
        ),
        (
            ListingFormat::RcloneLsjson,
            render::rclone_lsjson(&objects, &opts).into_bytes(),
        ),
        (
            ListingFormat::RcloneLsl,
            render::rclone_lsl(&objects, &opts).into_bytes(),
        ),
        (
            ListingFormat::S3cmdLs,
            render::s3cmd_ls(&objects, &opts, false).into_bytes(),
        ),
        (
            ListingFormat::McJson,
            render::mc_ls_json(&objects, &opts).into_bytes(),
        ),
        (
            ListingFormat::FindTsv,
            render::find_printf(&objects, &opts).into_bytes(),
        ),
        (
            ListingFormat::SizeKey,
            render::size_key(&objects, &opts).into_bytes(),
        ),
    ]
}

/// Writes the committed corpus (`fuzz/corpus/<target>/`): small seeds, a few per target. Run
/// it again only to refresh them: `cargo test -p slatecheck-core --test fuzz_corpus -- --ignored`.
#[test]
#[ignore = "writes fuzz/corpus; run by hand to refresh the committed seeds"]
fn write_committed_corpus() {
    let corpus = fuzz_dir().join("corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).expect("corpus folder");
        std::fs::write(dir.join(name), bytes).expect("corpus file");
    };
    let fixtures = common::fixtures_dir();
    for (set, fixture, id) in [
        (
            "v1",
            "b-seed-wal-store-split-after-wipe",
            "shard/manifest/00000000000000000006.manifest",
        ),
        (
            "v2",
            "b-seed-wal-store-split-after-wipe",
            "shard/manifest/00000000000000000006.manifest",
        ),
        ("v2", "e-segmented", ""),
    ] {
        let main = fixtures.join(set).join(fixture).join("main");
        let objects = common::manifest_objects(&main);
        let Some((key, bytes)) = objects
            .iter()
            .find(|(key, _)| id.is_empty() || key == id)
            .or(objects.last())
        else {
            continue;
        };
        let name = format!("{set}-{fixture}-{}", key.replace('/', "_"));
        write("manifest_binary", &name, bytes);
        write("detect_format", &name, bytes);
    }
    let expected = fixtures.join("v2/b-seed-wal-store-split-after-wipe/expected/shard.json");
    write(
        "manifest_json",
        "v2-seed-shard.json",
        &std::fs::read(expected).expect("JSON"),
    );
    for (format, bytes) in rendered_listing_seeds() {
        write(
            "listing",
            format.name(),
            &with_selector(Some(format), &bytes),
        );
        if let Some(selector) = entry::JSON_READ_AHEAD.iter().position(|f| *f == format) {
            // The format's selector, and a chunk every second line end.
            let mut seed = vec![selector as u8, 1];
            seed.extend_from_slice(&bytes);
            write("json_runs_ahead", format.name(), &seed);
        }
        write("detect_format", &format!("{}.txt", format.name()), &bytes);
    }
    write(
        "bundle",
        "v2-seed-after-wipe.tar.gz",
        &std::fs::read(fixtures.join("v2/b-seed-wal-store-split-after-wipe/bundle.tar.gz"))
            .expect("bundle"),
    );
    for key in [
        "v2/m-size-frozen-wal-deleted-before-delete/main/db/wal/00000000000000000003.sst",
        "v1/d3-wal-hole-first/main/db/wal/00000000000000000004.sst",
        "v2/c-final-checkpoint-deleted-pinned/main/parent/compacted/01M8BWEE3GBN5DP4KTZCN5ZS3Y.sst",
    ] {
        let name = key
            .replacen('/', "_", 1)
            .replace("/main/", "-")
            .replace('/', "_");
        write(
            "sst_rows",
            &name,
            &std::fs::read(fixtures.join(key)).expect("SST object"),
        );
    }
    write(
        "config",
        "full.toml",
        b"fail-level = \"warning\"\n\n[rules]\nSDB-WAL-006 = \"off\"\n\n[limits]\nbundle-bytes = \"8GiB\"\n\n[[ignore]]\nkey = \"shard/wal/00000000000000000003.sst\"\nreason = \"restored\"\n",
    );
    for (name, plan) in [
        ("clone", "clone:shard@split"),
        ("split", "split:shard@split=a,b"),
        (
            "top",
            "delete-checkpoint:/@f0f53d3d-29dd-44e1-85e7-89ada7f8696e",
        ),
    ] {
        write("plan", name, plan.as_bytes());
    }
}
