//! Bundles: what `slatecheck collect` writes reads back as the same check inputs.

mod common;

use slatecheck_core::bundle::{
    read_bundle, write_bundle, BundleInfo, BundleMember, BundleWriter, DEFAULT_GZIP_LEVEL,
};
use slatecheck_core::finding::Verdict;
use slatecheck_core::listing::{Listing, ListingOptions};
use slatecheck_core::plan::{evaluate, Action};
use slatecheck_core::snapshot::Snapshot;

fn seed_bundle() -> Vec<u8> {
    std::fs::read(common::fixtures_dir().join("v2/b-seed-wal-store-split-after-wipe/bundle.tar.gz"))
        .expect("committed bundle")
}

#[test]
fn the_committed_seed_bundle_gives_the_seed_verdict() {
    let (info, inputs) = read_bundle(
        "seed.tar.gz",
        seed_bundle().as_slice(),
        ListingOptions::default(),
    )
    .expect("bundle reads");
    assert!(info.wal_store.is_some());
    assert!(inputs.main.is_some() && inputs.wal.is_some());
    let snapshot = Snapshot::build(inputs);
    let action: Action = "clone:shard@split".parse().expect("plan");
    let result =
        common::store::with_context(&snapshot, |cx| evaluate(cx, &action)).expect("evaluates");
    assert_eq!(result.verdict, Verdict::Unsafe);
    assert_eq!(result.rules, ["SDB-WAL-001"]);
}

/// Manifest objects as stored: (key, bytes).
type ManifestObjects = Vec<(String, Vec<u8>)>;

/// What the committed seed bundle holds: its info, its main and WAL listings, and the manifest
/// objects of the fixture it was written from.
fn seed_contents() -> (BundleInfo, Listing, Option<Listing>, ManifestObjects) {
    let (info, inputs) = read_bundle(
        "seed.tar.gz",
        seed_bundle().as_slice(),
        ListingOptions::default(),
    )
    .expect("bundle reads");
    let store = common::fixtures_dir().join("v2/b-seed-wal-store-split-after-wipe/main");
    let manifests = common::manifest_objects(&store);
    let main = inputs.main.expect("main listing");
    (info, main, inputs.wal, manifests)
}

#[test]
fn a_bundle_round_trips_byte_for_byte() {
    let (info, main, wal, manifests) = seed_contents();
    let again = write_bundle(Vec::new(), &info, &main, wal.as_ref(), &manifests).expect("writes");
    assert_eq!(again, seed_bundle());
}

/// Written object by object, as `collect` writes it, the bundle has the same bytes; an object
/// out of name order is refused, since the bytes would then depend on the order of arrival.
#[test]
fn a_bundle_written_object_by_object_is_the_same_bundle() {
    let (info, main, wal, manifests) = seed_contents();
    let start = || {
        BundleWriter::new(Vec::new(), DEFAULT_GZIP_LEVEL, &info, &main, wal.as_ref())
            .expect("starts")
    };
    let mut writer = start();
    for (key, bytes) in &manifests {
        writer
            .add(BundleMember::Manifest(key), bytes)
            .expect("in order");
    }
    assert_eq!(writer.finish().expect("ends"), seed_bundle());

    let mut writer = start();
    let (last, first) = (manifests.last().expect("a manifest"), &manifests[0]);
    writer
        .add(BundleMember::Manifest(&last.0), &last.1)
        .expect("first object");
    let refused = writer
        .add(BundleMember::Manifest(&first.0), &first.1)
        .expect_err("out of order");
    assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    let mut writer = start();
    writer
        .add(
            BundleMember::SstObject(slatecheck_core::snapshot::StoreSide::Main, "a"),
            b"",
        )
        .expect("first object");
    assert!(
        writer.add(BundleMember::Compactions("a"), b"").is_err(),
        "compactions/ come before sst-objects/"
    );
}

#[test]
fn damaged_or_foreign_archives_are_clear_errors() {
    let garbage = read_bundle("x.tar.gz", &b"not a bundle"[..], ListingOptions::default())
        .expect_err("garbage");
    assert!(
        garbage
            .to_string()
            .starts_with("x.tar.gz: not a slatecheck bundle"),
        "{garbage}"
    );
    let mut cut = seed_bundle();
    cut.truncate(cut.len() / 2);
    let err = read_bundle("cut.tar.gz", cut.as_slice(), ListingOptions::default())
        .expect_err("truncated");
    assert!(err.to_string().starts_with("cut.tar.gz"), "{err}");
    let empty = write_bundle(
        Vec::new(),
        &BundleInfo {
            bundle_version: 99,
            created_by: "future".into(),
            store: "s".into(),
            wal_store: None,
            wal_store_given: None,
        },
        &Default::default(),
        None,
        &[],
    )
    .expect("writes");
    let err = read_bundle("future.tar.gz", empty.as_slice(), ListingOptions::default())
        .expect_err("version");
    assert!(
        err.to_string()
            .contains("bundle version 99 is not supported"),
        "{err}"
    );
}

/// SST objects a bundle carries (`sst-objects/`) are read for their rows, within the
/// `sst-read-bytes` budget a live check reads under: past it they are left unread, not an
/// error; a damaged one reads as an error naming why.
#[test]
fn bundled_sst_objects_are_read_within_the_budget() {
    use slatecheck_core::bundle::{read_bundle_with_limits, write_bundle_objects, BundleObjects};
    use slatecheck_core::limits::Limits;
    use slatecheck_core::snapshot::StoreSide;
    let (info, inputs) = read_bundle(
        "seed.tar.gz",
        seed_bundle().as_slice(),
        ListingOptions::default(),
    )
    .expect("bundle reads");
    let wal = common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe/wal");
    let key = "shard/wal/00000000000000000002.sst";
    let bytes = std::fs::read(wal.join(key)).expect("fixture WAL object");
    let mut damaged = bytes.clone();
    damaged[0] ^= 1;
    let objects = [
        (StoreSide::WalStore, key.to_string(), bytes.clone()),
        (StoreSide::Main, key.to_string(), damaged),
    ];
    let bundle = write_bundle_objects(
        Vec::new(),
        &info,
        inputs.main.as_ref().expect("main listing"),
        inputs.wal.as_ref(),
        &BundleObjects {
            sst_objects: &objects,
            ..BundleObjects::default()
        },
    )
    .expect("writes");
    let read = |sst_read_bytes: u64| {
        let limits = Limits {
            sst_read_bytes,
            ..Limits::default()
        };
        read_bundle_with_limits(
            "rows.tar.gz",
            bundle.as_slice(),
            ListingOptions::default(),
            &limits,
        )
        .expect("bundle reads")
        .1
        .object_rows
    };
    let all = read(Limits::default().sst_read_bytes);
    assert_eq!(all.len(), 2);
    let good = all
        .iter()
        .find(|r| r.side == StoreSide::WalStore)
        .expect("read");
    assert_eq!(good.size, bytes.len() as u64);
    assert!(
        good.rows.as_ref().is_ok_and(|rows| rows.rows > 0),
        "{good:?}"
    );
    let bad = all
        .iter()
        .find(|r| r.side == StoreSide::Main)
        .expect("read");
    assert!(
        bad.rows
            .as_ref()
            .is_err_and(|why| why.to_string().contains("checksum")),
        "{bad:?}"
    );
    // The members are in name order (`main/` before `wal-store/`): a budget of one object's
    // size reads only the first.
    let one = read(bytes.len() as u64);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].side, StoreSide::Main);
    assert!(read(0).is_empty());
}
