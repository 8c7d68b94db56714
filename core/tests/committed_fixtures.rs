//! The decoder against the committed fixtures: every manifest object SlateDB 0.18 (format
//! version 2) and 0.15 (format version 1, and 2 for a segmented database) wrote, compared with
//! SlateDB's own JSON for it, saved beside the store by the generator. Needs no SlateDB build.

mod common;

use common::{fixture_stores, manifest_objects};
use serde_json::Value;
use slatecheck_core::manifest::{decode_manifest_file, parse_slatedb_json, to_slatedb_json};
use slatecheck_core::model::{Manifest, ManifestFormat};
use std::collections::BTreeMap;
use std::path::Path;

/// SlateDB's JSON for every manifest of every root of a fixture store, keyed by object key.
fn expected_json(store: &Path) -> BTreeMap<String, Value> {
    let mut expected = BTreeMap::new();
    for file in common::files_under(&store.join("expected")) {
        let root = file
            .file_stem()
            .expect("expected/<root>.json")
            .to_string_lossy()
            .replace("__", "/");
        let manifests: Vec<Value> =
            serde_json::from_slice(&std::fs::read(&file).expect("readable")).expect("valid JSON");
        for manifest in manifests {
            let id = manifest["id"].as_u64().expect("id");
            expected.insert(format!("{root}/manifest/{id:020}.manifest"), manifest);
        }
    }
    expected
}

fn decode(key: &str, bytes: &[u8]) -> (ManifestFormat, Manifest) {
    let mut files = decode_manifest_file(key, bytes, None).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(files.len(), 1);
    let file = files.remove(0);
    (file.format, file.manifest)
}

#[test]
fn slatedb_018_manifests_print_exactly_as_slatedb_018_serializes_them() {
    let mut compared = 0;
    for store in fixture_stores("v2") {
        let expected = expected_json(&store);
        for (key, bytes) in manifest_objects(&store.join("main")) {
            let (format, manifest) = decode(&key, &bytes);
            assert_eq!(
                format,
                ManifestFormat::V2,
                "{key}: SlateDB 0.18 writes format version 2"
            );
            let theirs = expected
                .get(&key)
                .unwrap_or_else(|| panic!("{}: no expected JSON for {key}", store.display()));
            assert_eq!(
                &to_slatedb_json(&manifest),
                theirs,
                "{}: {key}",
                store.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 100, "only {compared} manifests compared");
}

#[test]
fn slatedb_015_manifests_decode_to_what_slatedb_015_printed() {
    let (mut v1, mut v2) = (0, 0);
    for store in fixture_stores("v1") {
        let expected = expected_json(&store);
        for (key, bytes) in manifest_objects(&store.join("main")) {
            let (format, manifest) = decode(&key, &bytes);
            match format {
                ManifestFormat::V1 => v1 += 1,
                ManifestFormat::V2 => v2 += 1,
                ManifestFormat::SlatedbCliJson => unreachable!("binary input"),
            }
            // 0.15 printed SST ids as `{"Compacted": ..}`; reading its JSON normalizes that.
            let theirs = expected
                .get(&key)
                .unwrap_or_else(|| panic!("no expected JSON for {key}"));
            let text = serde_json::to_vec(theirs).expect("serializable");
            let parsed = parse_slatedb_json(&key, &text).unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(parsed[0].manifest, manifest, "{}: {key}", store.display());
        }
    }
    assert!(v1 >= 90, "only {v1} format version 1 manifests");
    assert!(
        v2 >= 1,
        "the segmented database writes format version 2 even on 0.15"
    );
}

#[test]
fn the_wal_store_flag_survives_only_in_format_version_1() {
    let flag_of = |set: &str| {
        let store = common::fixtures_dir()
            .join(set)
            .join("b-seed-wal-store-split/main");
        let key = "shard/manifest/00000000000000000001.manifest";
        let bytes = std::fs::read(store.join(key)).expect("seed fixture");
        decode(key, &bytes).1.wal_object_store_uri
    };
    assert_eq!(
        flag_of("v1"),
        Some(String::new()),
        "0.15 records `Some(\"\")` for a WAL-store database"
    );
    assert_eq!(flag_of("v2"), None, "0.18 has nowhere to record it");
}

#[test]
fn slatedb_cli_json_reads_back_into_the_same_model() {
    for store in fixture_stores("v2") {
        for (key, bytes) in manifest_objects(&store.join("main")) {
            let (_, manifest) = decode(&key, &bytes);
            let json = serde_json::to_vec(&to_slatedb_json(&manifest)).expect("serializable");
            let files = decode_manifest_file("read-manifest.json", &json, None)
                .expect("own JSON reads back");
            assert_eq!(files[0].format, ManifestFormat::SlatedbCliJson);
            assert_eq!(files[0].manifest, manifest, "{key}");
        }
    }
}

#[test]
fn list_manifests_json_yields_every_manifest_in_order() {
    let store = common::fixtures_dir().join("v2/a-checkpoints-clones-gc/expected/parent.json");
    let bytes = std::fs::read(store).expect("expected JSON");
    let files = decode_manifest_file("list-manifests.json", &bytes, None).expect("array reads");
    let ids: Vec<u64> = files.iter().map(|file| file.manifest.id).collect();
    assert!(ids.len() >= 3, "{ids:?}");
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
}
