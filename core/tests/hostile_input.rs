//! Inputs made to hurt, and inputs from a newer SlateDB: each is refused quickly with the limit
//! it hit named, or judged `inconclusive` naming what is unsupported; none exhausts memory.

mod common;

use common::store::{inputs, made_at};
use slatecheck_core::bundle::{read_bundle, read_bundle_with_limits, BundleError};
use slatecheck_core::check::{run_check, CheckRequest};
use slatecheck_core::finding::Verdict;
use slatecheck_core::intake::Assembly;
use slatecheck_core::limits::{Limits, MAX_JSON_VALUE_BYTES, MAX_LINE_BYTES};
use slatecheck_core::listing::{read_listing, ListingBuilder, ListingOptions, ListingWarning};
use slatecheck_core::manifest::{
    decode_for_check, decode_manifest_file, decode_manifest_file_with_limits, DecodedForCheck,
};
use slatecheck_core::snapshot::{Snapshot, SnapshotInputs};
use std::io::Write;
use std::time::{Duration, Instant};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// A tar header for member `name` declaring `size` bytes.
fn tar_header(name: &str, size: u64) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path(name).expect("a short name");
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    header.as_bytes().to_vec()
}

/// A tar archive of `members`, each padded to 512 bytes, with the two end blocks.
fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in members {
        out.extend(tar_header(name, bytes.len() as u64));
        out.extend_from_slice(bytes);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend([0u8; 1024]);
    out
}

const INFO: &[u8] =
    br#"{"bundle_version":1,"created_by":"test","store":"s3://b/","wal_store":null}"#;

fn refusal(bytes: &[u8], limits: &Limits) -> String {
    match read_bundle_with_limits("bomb.tar.gz", bytes, ListingOptions::default(), limits) {
        Err(err @ BundleError::Limit { .. }) => err.to_string(),
        Err(other) => panic!("refused, but not for a limit: {other}"),
        Ok(_) => panic!("the bundle was read"),
    }
}

/// The issue's bomb: a member whose header says 4 GiB (of zeros) is refused from the header,
/// before a byte of it is inflated, in well under a second (it took 44 s and 8.2 GiB before).
#[test]
fn a_bundle_member_of_4_gib_is_refused_from_its_header() {
    let mut archive = tar_header("listings/main.tsv", 4 << 30);
    archive.extend(vec![0u8; 1 << 20]); // the start of the zeros; the rest never gets read
    let bomb = gzip(&archive);
    let started = Instant::now();
    let err = match read_bundle("bomb.tar.gz", bomb.as_slice(), ListingOptions::default()) {
        Err(err) => err.to_string(),
        Ok(_) => panic!("the bomb was read"),
    };
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.starts_with("bomb.tar.gz: member listings/main.tsv (4 GiB)"),
        "{err}"
    );
    assert!(err.contains("member-bytes limit of 1 GiB"), "{err}");
    assert!(err.contains("--limit member-bytes=VALUE"), "{err}");
}

#[test]
fn a_bundle_that_inflates_past_bundle_bytes_is_cut_off() {
    let zeros = vec![b'0'; 300 << 10];
    let archive = tar_of(&[
        ("slatecheck-bundle.json", INFO),
        ("a.bin", &zeros),
        ("b.bin", &zeros),
        ("c.bin", &zeros),
    ]);
    let limits = Limits {
        bundle_bytes: 512 << 10,
        ..Limits::default()
    };
    let err = refusal(&gzip(&archive), &limits);
    assert!(err.contains("bundle-bytes limit of 512 KiB"), "{err}");
    // Within the limit the same archive reads.
    let roomy = Limits {
        bundle_bytes: 2 << 20,
        ..Limits::default()
    };
    read_bundle_with_limits(
        "ok.tar.gz",
        gzip(&archive).as_slice(),
        ListingOptions::default(),
        &roomy,
    )
    .expect("reads within the limit");
}

#[test]
fn a_bundle_of_too_many_members_is_refused() {
    let names: Vec<String> = (0..20).map(|i| format!("junk/{i}")).collect();
    let mut members: Vec<(&str, &[u8])> = vec![("slatecheck-bundle.json", INFO)];
    members.extend(names.iter().map(|n| (n.as_str(), b"x".as_slice())));
    let limits = Limits {
        bundle_members: 10,
        ..Limits::default()
    };
    let err = refusal(&gzip(&tar_of(&members)), &limits);
    assert!(
        err.contains("member 11 exceeds the bundle-members limit of 10"),
        "{err}"
    );
}

#[test]
fn a_manifest_member_over_manifest_bytes_is_refused_before_it_is_read() {
    let big = vec![0u8; 70 << 20];
    let mut archive = tar_header(
        "manifests/db/manifest/00000000000000000001.manifest",
        big.len() as u64,
    );
    archive.extend(&big[..1024]);
    let err = refusal(&gzip(&archive), &Limits::default());
    assert!(err.contains("manifest-bytes limit of 64 MiB"), "{err}");
}

/// Member names are untrusted text: an error naming one stays on one line.
#[test]
fn a_member_name_with_a_newline_is_shown_escaped() {
    let name = "manifests/db/manifest/00000000000000000001.manifest\nINJECTED";
    let archive = tar_of(&[("slatecheck-bundle.json", INFO), (name, &[0x7fu8, 9, 9])]);
    let err = read_bundle(
        "b.tar.gz",
        gzip(&archive).as_slice(),
        ListingOptions::default(),
    )
    .expect_err("refused")
    .to_string();
    assert!(!err.contains('\n'), "{err:?}");
    assert!(err.contains("\\nINJECTED"), "{err}");
}

fn a_real_manifest() -> (String, Vec<u8>) {
    let main = common::fixtures_dir().join("v2/a-checkpoints-clones-gc/main");
    common::manifest_objects(&main)
        .into_iter()
        .max_by_key(|(_, bytes)| bytes.len())
        .expect("manifests")
}

#[test]
fn a_manifest_with_more_tables_than_the_limit_is_refused() {
    let (key, bytes) = a_real_manifest();
    decode_manifest_file(&key, &bytes, None).expect("reads under the default limits");
    let limits = Limits {
        manifest_tables: 3,
        ..Limits::default()
    };
    let err = decode_manifest_file_with_limits(&key, &bytes, None, &limits)
        .expect_err("refused")
        .to_string();
    assert!(err.starts_with(&key), "{err}");
    assert!(
        err.contains("exceeds the manifest-tables limit of 3"),
        "{err}"
    );
}

/// Manifests dropped on the page one by one: past `held-manifests-bytes` (their SST views,
/// each distinct view counted once) the next is refused naming the file and the limit; the
/// same manifest again costs only its pointers.
#[test]
fn the_manifests_the_page_holds_are_bounded() {
    let (key, bytes) = a_real_manifest();
    let mut roomy = Assembly::new(ListingOptions::default());
    for _ in 0..3 {
        roomy.add_manifest(&key, Some(&key), &bytes).expect("held");
    }
    let mut tight = Assembly::new(ListingOptions::default());
    tight.set_limits(Limits {
        held_manifests_bytes: 1024,
        ..Limits::default()
    });
    let err = tight
        .add_manifest(&key, Some(&key), &bytes)
        .expect_err("refused")
        .to_string();
    assert!(err.starts_with(&key), "{err}");
    assert!(
        err.contains("exceeds the held-manifests-bytes limit of 1 KiB"),
        "{err}"
    );
}

/// Millions of SST ids as JSON: refused by counting, before serde_json builds a value for each.
#[test]
fn a_json_manifest_of_millions_of_values_is_refused_before_parsing() {
    let mut json = String::from("{\"l0\": [");
    json.push_str(&"0,".repeat(5_000_000));
    json.push_str("0]}");
    let started = Instant::now();
    let err = decode_manifest_file("huge.json", json.as_bytes(), None)
        .expect_err("refused")
        .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.contains("exceeds the manifest-tables limit of 4000000"),
        "{err}"
    );
}

#[test]
fn deeply_nested_json_is_refused_in_one_line() {
    let json = "[".repeat(100_000) + &"]".repeat(100_000);
    let err = decode_manifest_file("deep.json", json.as_bytes(), None)
        .expect_err("refused")
        .to_string();
    assert!(err.starts_with("deep.json: "), "{err}");
    assert!(err.contains("recursion limit"), "{err}");
    assert!(!err.contains('\n'));
}

#[test]
fn a_huge_string_is_refused_by_manifest_bytes() {
    let json = format!(
        "{{\"id\": 1, \"wal_object_store_uri\": \"{}\"}}",
        "a".repeat(65 << 20)
    );
    let err = decode_manifest_file("long.json", json.as_bytes(), None)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("exceeds the manifest-bytes limit of 64 MiB"),
        "{err}"
    );
}

#[test]
fn a_listing_line_longer_than_the_limit_is_refused_with_its_number() {
    let mut text = b"12 db/wal/00000000000000000001.sst\n".to_vec();
    text.extend(b"13 ");
    text.extend(std::iter::repeat_n(b'a', MAX_LINE_BYTES + 10));
    text.extend(b"\n");
    let mut builder = ListingBuilder::new(ListingOptions::default());
    let err = read_listing(&mut builder, "long.txt", text.as_slice(), None)
        .expect_err("refused")
        .to_string();
    assert!(
        err.starts_with("long.txt:2: a line longer than 1 MiB"),
        "{err}"
    );
}

/// A newer SlateDB's manifest: the check goes on, and says what it cannot read.
#[test]
fn a_newer_manifest_format_makes_the_verdict_inconclusive_naming_it() {
    let fixture = common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe");
    let mut given = inputs(&fixture, true);
    let now = made_at(&Snapshot::build(inputs(&fixture, true)));
    // The latest manifest of `shard`, as a SlateDB writing format version 3 would leave it.
    let latest = given
        .manifests
        .iter()
        .filter(|(key, _)| key.starts_with("shard/manifest/"))
        .map(|(key, _)| key.clone())
        .max()
        .expect("shard manifests");
    given.manifests.retain(|(key, _)| *key != latest);
    let what = match decode_for_check(&latest, &[0, 3, 1, 2, 3, 4], None, &Limits::default()) {
        Ok(DecodedForCheck::Unsupported(what)) => what,
        other => panic!("not unsupported: {other:?}"),
    };
    assert_eq!(
        what,
        "manifest format version 3, newer than this slatecheck reads (1, 2)"
    );
    given.unsupported_manifests.push((latest.clone(), what));
    let snapshot = Snapshot::build(given);
    let report = run_check(
        &snapshot,
        CheckRequest {
            plans: vec!["clone:shard@split".parse().expect("plan")],
            now: Some(now),
            ..CheckRequest::default()
        },
    )
    .expect("evaluates");
    assert_eq!(
        report.verdict,
        Verdict::Inconclusive,
        "{}",
        report.to_json()
    );
    let json = report.to_json();
    assert!(
        json.contains("manifest format version 3, newer than this slatecheck reads"),
        "{json}"
    );
    // A damaged header is no newer SlateDB: SlateDB refuses it too (`SDB-MAN-009`).
    match decode_for_check(&latest, &[0x7f, 0x45, 1, 2], None, &Limits::default()) {
        Ok(DecodedForCheck::Damaged(what)) => assert!(what.contains("InvalidVersion"), "{what}"),
        other => panic!("not damaged: {other:?}"),
    }
}

/// A damaged manifest object: the check goes on. The latest one stops every open, read and
/// clone of its root (unsafe); an older one that no checkpoint pins is a warning; JSON that
/// does not parse is still bad input (a file someone made, not an object of the store).
#[test]
fn a_damaged_manifest_is_judged_and_the_check_goes_on() {
    let fixture = common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe");
    let now = made_at(&Snapshot::build(inputs(&fixture, true)));
    let keys: Vec<String> = {
        let given = inputs(&fixture, true);
        let mut keys: Vec<String> = (given.manifests.iter())
            .map(|(key, _)| key.clone())
            .filter(|key| key.starts_with("shard/manifest/"))
            .collect();
        keys.sort();
        keys
    };
    let judge = |damaged: &str, plan: Option<&str>| {
        let mut given = inputs(&fixture, true);
        given.manifests.retain(|(key, _)| key != damaged);
        let bytes = std::fs::read(fixture.join("main").join(damaged)).expect("manifest");
        for cut in [0, 1, 2, bytes.len() / 3, bytes.len() - 1] {
            let decoded = decode_for_check(damaged, &bytes[..cut], None, &Limits::default());
            assert!(
                matches!(decoded, Ok(DecodedForCheck::Damaged(_))),
                "cut at {cut}: {decoded:?}"
            );
        }
        let Ok(DecodedForCheck::Damaged(what)) =
            decode_for_check(damaged, &bytes[..bytes.len() / 2], None, &Limits::default())
        else {
            panic!("a manifest cut in half is damaged");
        };
        given.damaged_manifests.push((damaged.to_string(), what));
        run_check(
            &Snapshot::build(given),
            CheckRequest {
                plans: plan.map(|p| p.parse().expect("plan")).into_iter().collect(),
                now: Some(now),
                ..CheckRequest::default()
            },
        )
        .expect("evaluates")
    };
    let latest = keys.last().expect("a latest manifest");
    for plan in ["read:shard", "open:shard", "clone:shard"] {
        let report = judge(latest, Some(plan));
        assert_eq!(
            report.verdict,
            Verdict::Unsafe,
            "{plan}: {}",
            report.to_json()
        );
        assert!(report.to_json().contains("SDB-MAN-009"), "{plan}");
    }
    // `Admin::delete_db` reads it before it deletes anything, and fails; what GC or a wipe
    // would do to a database whose state cannot be read stays undecided.
    assert_eq!(
        judge(latest, Some("delete-root:shard")).verdict,
        Verdict::Unsafe
    );
    for plan in ["gc:shard", "wipe-wal:shard"] {
        assert_eq!(
            judge(latest, Some(plan)).verdict,
            Verdict::Inconclusive,
            "{plan}"
        );
    }
    // The first manifest: nothing reads it any more.
    assert_ne!(judge(&keys[0], Some("read:shard")).verdict, Verdict::Unsafe);
    let report = judge(&keys[0], None);
    let damaged = report
        .findings
        .iter()
        .find(|f| f.rule == "SDB-MAN-009")
        .expect("the damage is reported");
    assert_eq!(
        damaged.severity,
        slatecheck_core::finding::Severity::Warning
    );
    assert_ne!(report.verdict, Verdict::Unsafe, "{}", report.to_json());
    assert!(decode_for_check(latest, b"{\"id\": ", None, &Limits::default()).is_err());
}

/// An object a newer SlateDB might write, in a SlateDB folder: every verdict on the root is
/// inconclusive, naming it.
#[test]
fn an_unknown_object_kind_under_a_root_makes_the_verdict_inconclusive() {
    let fixture = common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe");
    let now = made_at(&Snapshot::build(inputs(&fixture, true)));
    let plan = "clone:shard@split";
    let verdict = |given: SnapshotInputs| {
        run_check(
            &Snapshot::build(given),
            CheckRequest {
                plans: vec![plan.parse().expect("plan")],
                now: Some(now),
                ..CheckRequest::default()
            },
        )
        .expect("evaluates")
    };
    assert_eq!(verdict(inputs(&fixture, true)).verdict, Verdict::Safe);
    let mut given = inputs(&fixture, true);
    common::store::relist_main(
        &mut given,
        |_| true,
        &[("shard/compacted/01JD3Q8W1Y5N9X7T2R4B6C8E0G.blob", 4096)],
    );
    let report = verdict(given);
    assert_eq!(
        report.verdict,
        Verdict::Inconclusive,
        "{}",
        report.to_json()
    );
    let json = report.to_json();
    assert!(json.contains("SDB-LIST-004"), "{json}");
    assert!(
        json.contains("shard/compacted/01JD3Q8W1Y5N9X7T2R4B6C8E0G.blob"),
        "{json}"
    );
}

/// An S3 Inventory column outside AWS's list: a warning naming it, and no `safe` verdict.
#[test]
fn an_unknown_inventory_column_is_named_and_keeps_verdicts_inconclusive() {
    let manifest = br#"{"sourceBucket":"b","fileFormat":"CSV","fileSchema":"Bucket, Key, Size, ObjectVersionState","creationTimestamp":"1795683600000","files":[{"key":"inv/data/a.csv"}]}"#;
    let data = b"\"b\",\"db/manifest/00000000000000000001.manifest\",\"100\",\"x\"\n";
    let mut builder = ListingBuilder::new(ListingOptions::default());
    read_listing(&mut builder, "manifest.json", manifest.as_slice(), None).expect("manifest");
    read_listing(&mut builder, "a.csv", data.as_slice(), None).expect("data");
    let listing = builder.finish();
    let warning = listing
        .warnings
        .iter()
        .find(|w| matches!(w, ListingWarning::UnknownColumn { .. }))
        .expect("an unknown-column warning");
    assert!(
        warning.message().contains("column `ObjectVersionState`"),
        "{}",
        warning.message()
    );
    assert!(listing.may_be_incomplete());
    let report = run_check(
        &Snapshot::build(SnapshotInputs {
            main: Some(listing),
            ..SnapshotInputs::default()
        }),
        CheckRequest {
            plans: vec!["read:db".parse().expect("plan")],
            ..CheckRequest::default()
        },
    )
    .expect("evaluates");
    assert_eq!(
        report.verdict,
        Verdict::Inconclusive,
        "{}",
        report.to_json()
    );
}

/// The tar crate would read a GNU long-name member whole into memory; the reader caps it.
#[test]
fn a_long_name_member_of_gigabytes_is_refused() {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::GNULongName);
    header.set_path("././@LongLink").expect("name");
    header.set_size(2 << 30);
    header.set_mode(0o644);
    header.set_cksum();
    let mut archive = header.as_bytes().to_vec();
    archive.extend(vec![b'a'; 1 << 20]);
    let started = Instant::now();
    let err = read_bundle(
        "names.tar.gz",
        gzip(&archive).as_slice(),
        ListingOptions::default(),
    )
    .expect_err("refused")
    .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("a member name of 2 GiB"), "{err}");
}

/// Keys longer than a tar header's 100 bytes (GNU long names) still read back.
#[test]
fn a_bundle_with_long_keys_reads_back() {
    let fixture = common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe");
    let given = inputs(&fixture, true);
    let root = format!("{}/shard", "deep/".repeat(30));
    let (key, bytes) = common::manifest_objects(&fixture.join("main"))
        .into_iter()
        .find(|(key, _)| key.starts_with("shard/manifest/"))
        .expect("a manifest");
    let long_key = format!("{}/{}", root.trim_end_matches("/shard"), key);
    let info = slatecheck_core::bundle::BundleInfo {
        bundle_version: slatecheck_core::bundle::BUNDLE_VERSION,
        created_by: "test".into(),
        store: "s3://b/".into(),
        wal_store: None,
        wal_store_given: Some(false),
    };
    let listing = given.main.expect("listing");
    let written = slatecheck_core::bundle::write_bundle(
        Vec::new(),
        &info,
        &listing,
        None,
        &[(long_key.clone(), bytes)],
    )
    .expect("written");
    let (_, read) =
        read_bundle("long.tar.gz", written.as_slice(), ListingOptions::default()).expect("reads");
    assert_eq!(read.manifests.len(), 1);
    assert_eq!(read.manifests[0].0, long_key);
}

/// A manifest claiming a WAL range of nearly every id (found by the `bundle` fuzz target: the
/// rules walked it id by id until the allocation overflowed) is refused with the `wal-ids`
/// limit named, before any rule runs; the real store checks as before.
#[test]
fn a_manifest_claiming_billions_of_wal_ids_is_refused_with_the_limit_named() {
    let fixture = common::fixtures_dir().join("v2/b-seed-wal-store-split-before-wipe");
    let request = || CheckRequest {
        plans: vec!["clone:shard@split".parse().expect("plan")],
        ..CheckRequest::default()
    };
    let real = Snapshot::build(inputs(&fixture, true));
    assert!(run_check(&real, request()).is_ok());
    let mut given = inputs(&fixture, true);
    common::store::edit_manifests(&mut given, "shard", |_, manifest| {
        manifest.next_wal_sst_id = u64::MAX;
    });
    let started = Instant::now();
    let err = run_check(&Snapshot::build(given), request())
        .expect_err("refused")
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        err.starts_with("database `shard`: its manifests and listings name WAL ids from ")
            && err.contains("exceeds the wal-ids limit of 10000000")
            && err.contains("--limit wal-ids=VALUE")
            && !err.contains('\n'),
        "{err}"
    );
}

fn json_listing_error(name: &str, json: &str) -> String {
    let mut builder = ListingBuilder::new(ListingOptions::default());
    let err = read_listing(&mut builder, name, json.as_bytes(), None)
        .expect_err("refused")
        .to_string();
    assert!(!err.contains('\n'), "{err}");
    err
}

#[test]
fn a_json_listing_value_longer_than_the_limit_is_refused_with_its_line() {
    let json = format!(
        "{{\n  \"Contents\": [\n    {{\"Key\": \"db/x\", \"Size\": 1}},\n    {{\"Key\": \"{}\", \"Size\": 1}}\n  ]\n}}\n",
        "a".repeat(MAX_JSON_VALUE_BYTES)
    );
    let err = json_listing_error("long.json", &json);
    assert!(
        err.starts_with("long.json:4: a JSON value longer than 1 MiB"),
        "{err}"
    );
}

#[test]
fn a_skipped_json_field_is_still_checked() {
    // Fields the listing does not need are walked, not parsed whole: nesting is bounded and
    // what is not JSON is refused, with its line.
    let deep = format!(
        "{{\"Contents\": [],\n\"Owner\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = json_listing_error("deep.json", &deep);
    assert!(
        err.starts_with("deep.json:2: invalid JSON: nested deeper than 128"),
        "{err}"
    );
    let err = json_listing_error(
        "bad.json",
        "{\"Contents\": [],\n\"Owner\": {\"Name\":\n tru}}",
    );
    assert!(err.starts_with("bad.json:3: invalid JSON"), "{err}");
    let err = json_listing_error(
        "comma.json",
        "{\"Contents\": [{\"Key\": \"db/x\", \"Size\": 1},\n]}",
    );
    assert!(err.starts_with("comma.json:2: invalid JSON"), "{err}");
}

/// Manifests and listings naming the largest ids there are (WAL ids, manifest ids, writer and
/// compactor epochs at or near `u64::MAX`), as a crafted or corrupted store can: every plan
/// and the scan of every rule answer, with no overflow and no walk over 2^64 epochs.
#[test]
fn ids_and_epochs_at_the_top_of_u64_are_judged_without_overflow() {
    const TOP: u64 = u64::MAX;
    let (_, bytes) = a_real_manifest();
    let base = decode_manifest_file("db/manifest/00000000000000000001.manifest", &bytes, None)
        .expect("decodes")
        .remove(0);
    let file = |id: u64, after: u64, next: u64, epoch: u64| {
        let mut file = base.clone();
        file.manifest.id = id;
        file.manifest.replay_after_wal_id = after;
        file.manifest.next_wal_sst_id = next;
        file.manifest.writer_epoch = epoch;
        file.manifest.compactor_epoch = epoch;
        file
    };
    let manifests = vec![
        (
            "db/manifest/00000000000000000004.manifest".to_string(),
            file(4, TOP - 6, TOP, TOP),
        ),
        (
            format!("top/manifest/{:020}.manifest", TOP - 1),
            file(TOP - 1, TOP - 2, TOP, 3),
        ),
        (
            format!("top/manifest/{TOP:020}.manifest"),
            file(TOP, TOP, TOP, TOP),
        ),
    ];
    let mut lines = String::new();
    for (key, _) in &manifests {
        lines.push_str(&format!("100 {key}\n"));
    }
    for id in [TOP - 4, TOP - 3, TOP - 2, TOP - 1, TOP] {
        lines.push_str(&format!("{} db/wal/{id:020}.sst\n", (id % 2) * 50));
        lines.push_str(&format!("0 top/wal/{id:020}.sst\n"));
    }
    let mut builder = ListingBuilder::new(ListingOptions::default());
    read_listing(&mut builder, "main.txt", lines.as_bytes(), None).expect("listing reads");
    let snapshot = Snapshot::build(SnapshotInputs {
        main: Some(builder.finish()),
        manifests,
        ..SnapshotInputs::default()
    });
    let started = Instant::now();
    let mut plans: Vec<&str> = Vec::new();
    for root in ["db", "top"] {
        for action in ["open", "read", "clone", "wipe-wal", "gc", "delete-root"] {
            plans.push(Box::leak(format!("{action}:{root}").into_boxed_str()));
        }
    }
    for plan in plans
        .iter()
        .map(|p| vec![p.parse().expect("plan")])
        .chain([vec![]])
    {
        let options = slatecheck_core::rules::CheckOptions {
            no_wal_store: true,
            ..Default::default()
        };
        run_check(
            &snapshot,
            CheckRequest {
                plans: plan,
                now: Some(chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000)),
                options,
                ..CheckRequest::default()
            },
        )
        .expect("evaluates");
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
