//! A store listed in any format reads as the same store. The listings are rendered by an
//! independent implementation of each tool's output (`common/listing_render.rs`, written from
//! the tools' documentation and source), from the committed fixture stores SlateDB wrote and
//! from random object sets; the tools' own documentation samples are read too.

mod common;

use common::listing_render::{self as render, RenderObject, RenderOptions};
use proptest::prelude::*;
use slatecheck_core::listing::{
    read_listing, Listing, ListingBuilder, ListingFormat, ListingOptions,
};
use std::collections::BTreeMap;

/// (format, whether keys are printed from the bucket root, files of the listing).
type Rendered = (ListingFormat, bool, Vec<(String, Vec<u8>)>);

fn one(name: &str, text: String) -> Vec<(String, Vec<u8>)> {
    vec![(name.to_string(), text.into_bytes())]
}

/// Every format's listing of `objects` stored under `opts.prefix` of `opts.bucket`.
fn render_all(objects: &[RenderObject], opts: &RenderOptions) -> Vec<Rendered> {
    vec![
        (
            ListingFormat::AwsS3Ls,
            true,
            one("s3ls.txt", render::aws_s3_ls(objects, opts, true)),
        ),
        (
            ListingFormat::S3ApiJson,
            true,
            one(
                "s3api.json",
                render::s3api_list_objects_v2(objects, opts, None, false),
            ),
        ),
        (
            ListingFormat::S3ApiJson,
            true,
            one(
                "s3api-pages.json",
                render::s3api_list_objects_v2(objects, opts, Some(7), false),
            ),
        ),
        (
            ListingFormat::S3ApiJson,
            true,
            one("contents.json", render::s3api_contents_array(objects, opts)),
        ),
        (
            ListingFormat::S3InventoryManifest,
            true,
            render::s3_inventory(objects, opts, 1_795_683_600_000, true, 3),
        ),
        (
            ListingFormat::GsutilLs,
            true,
            one("gsutil.txt", render::gsutil_ls_l(objects, opts, false)),
        ),
        (
            ListingFormat::GsutilLs,
            true,
            one("gsutil-a.txt", render::gsutil_ls_l(objects, opts, true)),
        ),
        (
            ListingFormat::GcloudJson,
            true,
            one("gcloud.json", render::gcloud_storage_ls_json(objects, opts)),
        ),
        (
            ListingFormat::AzJson,
            true,
            one("az.json", render::az_storage_blob_list(objects, opts)),
        ),
        (
            ListingFormat::RcloneLsjson,
            false,
            one("rclone.json", render::rclone_lsjson(objects, opts)),
        ),
        (
            ListingFormat::RcloneLsl,
            false,
            one("rclone-lsl.txt", render::rclone_lsl(objects, opts)),
        ),
        (
            ListingFormat::S3cmdLs,
            true,
            one("s3cmd.txt", render::s3cmd_ls(objects, opts, false)),
        ),
        (
            ListingFormat::McJson,
            false,
            one("mc.jsonl", render::mc_ls_json(objects, opts)),
        ),
        (
            ListingFormat::FindTsv,
            false,
            one("find.tsv", render::find_printf(objects, opts)),
        ),
        (
            ListingFormat::SizeKey,
            true,
            one("plain.txt", render::size_key(objects, opts)),
        ),
    ]
}

fn read(files: &[(String, Vec<u8>)], prefix: Option<&str>) -> Listing {
    let mut builder = ListingBuilder::new(ListingOptions {
        prefix: prefix.map(str::to_string),
        utc_offset_seconds: Some(0),
        roots: None,
    });
    // The shell may expand an inventory's data files before its manifest: read them last.
    let mut ordered: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(name, _)| name.ends_with("manifest.json"))
        .collect();
    ordered.extend(files.iter().filter(|(name, _)| {
        !name.ends_with("manifest.json") && !name.ends_with("manifest.checksum")
    }));
    for (name, bytes) in ordered {
        read_listing(&mut builder, name, bytes.as_slice(), None)
            .unwrap_or_else(|err| panic!("{err}"));
    }
    builder.finish()
}

/// What a listing says of the store: every SlateDB object with its size, and the totals.
fn essence(listing: &Listing) -> (BTreeMap<String, u64>, u64, u64) {
    let objects = listing
        .objects
        .iter()
        .map(|(key, object)| (key.clone(), object.size))
        .collect();
    (objects, listing.total_objects, listing.total_bytes)
}

fn check_store(objects: &[RenderObject], prefix: &str) {
    let opts = RenderOptions::new("prod-bucket", prefix);
    let expected: BTreeMap<String, u64> = objects
        .iter()
        .filter(|o| slatecheck_core::listing::classify_key(&o.key).is_some())
        .map(|o| (o.key.clone(), o.size))
        .collect();
    let total_bytes: u64 = objects.iter().map(|o| o.size).sum();
    for (format, from_bucket_root, files) in render_all(objects, &opts) {
        let listing = read(&files, from_bucket_root.then_some(prefix));
        // A listing of nothing may carry no sign of its tool (`[]`, `null`, an empty file).
        if !(objects.is_empty() && listing.formats[0] == ListingFormat::Empty) {
            assert_eq!(listing.formats[0], format, "{}", files[0].0);
        }
        assert_eq!(
            essence(&listing),
            (expected.clone(), objects.len() as u64, total_bytes),
            "{}",
            files[0].0
        );
        // az, rclone lsl and bare s3api arrays cannot show truncation: complete only on the
        // user's word (--listing-complete), which these rendered listings deserve.
        let mut warnings = listing.warnings.clone();
        slatecheck_core::listing::assume_complete(&mut warnings);
        assert!(
            warnings.is_empty(),
            "{}: {:?}",
            files[0].0,
            listing.warnings
        );
    }
}

fn store_objects(dir: &std::path::Path) -> Vec<RenderObject> {
    common::files_under(dir)
        .into_iter()
        .enumerate()
        .map(|(i, path)| {
            let key = common::key_below(dir, &path);
            let size = std::fs::metadata(&path).expect("metadata").len();
            RenderObject::new(
                key,
                size,
                1_795_683_600_000_000_000 + i as i128 * 1_234_567,
                format!("{i:032x}"),
            )
        })
        .collect()
}

#[test]
fn committed_fixture_stores_read_the_same_in_every_format() {
    for set in ["v2", "v1"] {
        for store in common::fixture_stores(set) {
            let objects = store_objects(&store.join("main"));
            check_store(&objects, "");
            check_store(&objects, "team-a/slatedb/");
        }
    }
}

#[test]
fn versioned_listings_show_deleted_objects_as_gone_but_recoverable() {
    let objects =
        store_objects(&common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe/wal"));
    let (deleted, kept): (Vec<_>, Vec<_>) = objects
        .iter()
        .cloned()
        .partition(|o| o.key.starts_with("shard/"));
    assert!(!deleted.is_empty() && !kept.is_empty());
    let opts = RenderOptions::new("wal-bucket", "");
    for (name, text) in [
        (
            "versions.json",
            render::s3api_list_object_versions(&objects, &opts, &deleted),
        ),
        (
            "mc-versions.jsonl",
            render::mc_ls_json_versions(&objects, &opts, &deleted),
        ),
    ] {
        let listing = read(&[(name.to_string(), text.into_bytes())], None);
        let present: Vec<&String> = listing.objects.keys().collect();
        let expected: Vec<&String> = kept.iter().map(|o| &o.key).collect();
        assert_eq!(present, expected, "{name}");
        assert_eq!(listing.deleted.len(), deleted.len(), "{name}");
        assert!(
            listing.deleted.values().all(|d| d.noncurrent_versions >= 1),
            "{name}"
        );
    }
}

#[test]
fn truncated_and_lossy_renderings_are_flagged() {
    let objects = store_objects(&common::fixtures_dir().join("v2/a-checkpoints-clones-gc/main"));
    let opts = RenderOptions::new("b", "");
    let codes = |files: Vec<(String, Vec<u8>)>| -> Vec<&'static str> {
        read(&files, None)
            .warnings
            .iter()
            .map(|w| w.code())
            .collect()
    };
    assert_eq!(
        codes(one(
            "cut.json",
            render::s3api_list_objects_v2(&objects, &opts, Some(5), true)
        )),
        ["truncated"]
    );
    assert!(
        codes(one("human.txt", render::aws_s3_ls_human(&objects, &opts))).contains(&"lossy-sizes")
    );
    let mut inventory = render::s3_inventory(&objects, &opts, 1_795_683_600_000, true, 3);
    // Drop every data file but the first.
    let first_data = inventory
        .iter()
        .position(|(name, _)| name.ends_with(".csv.gz"))
        .expect("data files");
    let mut index = 0;
    inventory.retain(|(name, _)| {
        index += 1;
        !name.ends_with(".csv.gz") || index - 1 == first_data
    });
    assert_eq!(codes(inventory), ["missing-inventory-files"]);
}

#[test]
fn documentation_samples_are_read_as_their_tool_wrote_them() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/listings");
    // (file, format, objects currently present, warnings). The versions sample's only key
    // has a delete marker as its latest version.
    let cases: [(&str, ListingFormat, u64, &[&str]); 7] = [
        (
            "aws-s3-ls-docs.txt",
            ListingFormat::AwsS3Ls,
            10,
            &["no-time-zone"],
        ),
        (
            "aws-s3-ls-human-summarize-docs.txt",
            ListingFormat::AwsS3Ls,
            10,
            &["lossy-sizes", "no-time-zone"],
        ),
        (
            "aws-s3-ls-prefixes-docs.txt",
            ListingFormat::AwsS3Ls,
            1,
            &["truncated", "no-time-zone"],
        ),
        (
            "s3api-list-objects-v2-docs.json",
            ListingFormat::S3ApiJson,
            4,
            &[],
        ),
        (
            "s3api-list-object-versions-docs.json",
            ListingFormat::S3ApiJson,
            0,
            &[],
        ),
        ("gsutil-ls-l-docs.txt", ListingFormat::GsutilLs, 3, &[]),
        (
            "rclone-lsl-docs.txt",
            ListingFormat::RcloneLsl,
            4,
            &["no-time-zone", "unverifiable"],
        ),
    ];
    for (file, format, objects, warnings) in cases {
        let bytes = std::fs::read(data.join(file)).expect("sample");
        let mut builder = ListingBuilder::new(ListingOptions::default());
        let read_as = read_listing(&mut builder, file, bytes.as_slice(), None)
            .unwrap_or_else(|err| panic!("{err}"));
        let listing = builder.finish();
        assert_eq!(read_as, format, "{file}");
        let mut codes: Vec<&str> = listing.warnings.iter().map(|w| w.code()).collect();
        codes.sort();
        let mut expected = warnings.to_vec();
        expected.sort();
        assert_eq!(codes, expected, "{file}");
        assert_eq!(listing.total_objects, objects, "{file}");
    }
}

fn key_strategy() -> impl Strategy<Value = String> {
    let root = prop_oneof![
        Just("db".to_string()),
        Just("shards/a".to_string()),
        Just("x".to_string())
    ];
    let slate = (root, 0u64..40, 0usize..4).prop_map(|(root, id, kind)| match kind {
        0 => format!("{root}/manifest/{id:020}.manifest"),
        1 => format!("{root}/wal/{id:020}.sst"),
        2 => format!(
            "{root}/compacted/01M8BHXZXR1894EB9XV200V{:03}.sst",
            id + 100
        ),
        _ => format!("{root}/gc/manifest.boundary"),
    });
    let other = "[a-z]{1,8}(/[a-z0-9_.-]{1,12}){0,3}".prop_map(|s| s.to_string());
    prop_oneof![3 => slate, 1 => other]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_store_reads_the_same_in_every_format(
        entries in proptest::collection::btree_map(key_strategy(), (0u64..5_000_000, 0i64..2_000_000_000), 0..40),
        prefix in prop_oneof![Just(String::new()), Just("pre/".to_string()), Just("a/b/".to_string())],
    ) {
        let objects: Vec<RenderObject> = entries
            .iter()
            .enumerate()
            .map(|(i, (key, (size, secs)))| RenderObject::new(key.clone(), *size, i128::from(*secs) * 1_000_000_000 + i as i128 * 1_000_017, format!("{:032x}", i * 7919)))
            .collect();
        check_store(&objects, &prefix);
    }
}
