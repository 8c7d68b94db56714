//! Each listing format on small samples shaped like the tools' output: objects, keys,
//! sizes, times, and the truncation and lossiness signals that must not pass silently.

use slatecheck_core::listing::{
    read_listing, Listing, ListingBuilder, ListingError, ListingFormat, ListingOptions,
    ListingWarning, SlateObject,
};

fn read_with(options: ListingOptions, files: &[(&str, &[u8])]) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(options);
    for (name, bytes) in files {
        read_listing(&mut builder, name, *bytes, None)?;
    }
    Ok(builder.finish())
}

fn read(name: &str, text: &str) -> Listing {
    read_with(ListingOptions::default(), &[(name, text.as_bytes())])
        .unwrap_or_else(|err| panic!("{err}"))
}

fn keys(listing: &Listing) -> Vec<&str> {
    listing.objects.keys().map(String::as_str).collect()
}

fn codes(listing: &Listing) -> Vec<&'static str> {
    listing.warnings.iter().map(ListingWarning::code).collect()
}

const WAL1: &str = "db/wal/00000000000000000001.sst";
const WAL2: &str = "db/wal/00000000000000000002.sst";
const MANIFEST1: &str = "db/manifest/00000000000000000001.manifest";

#[test]
fn aws_s3_ls_recursive_with_summary() {
    let text = format!(
        "2026-11-26 09:00:33          0 {WAL1}\n2026-11-26 09:00:34        287 {WAL2}\n2026-11-26 09:00:35        130 {MANIFEST1}\n2026-11-26 09:00:36         12 db/notes with spaces.txt\n\nTotal Objects: 4\n   Total Size: 429\n"
    );
    let listing = read("s3ls.txt", &text);
    assert_eq!(listing.formats, [ListingFormat::AwsS3Ls]);
    assert_eq!(keys(&listing), [MANIFEST1, WAL1, WAL2]);
    assert_eq!((listing.total_objects, listing.total_bytes), (4, 429));
    assert_eq!(listing.objects[WAL1].size, 0);
    assert_eq!(listing.objects[WAL2].line, Some(2));
    // Local time without a zone: read as UTC and flagged.
    assert_eq!(codes(&listing), ["no-time-zone"]);
    let with_tz = read_with(
        ListingOptions {
            utc_offset_seconds: Some(3600),
            ..Default::default()
        },
        &[("s3ls.txt", text.as_bytes())],
    )
    .unwrap();
    assert!(with_tz.warnings.is_empty());
    assert_eq!(
        with_tz.objects[WAL1].last_modified.unwrap().at.to_rfc3339(),
        "2026-11-26T08:00:33+00:00"
    );
}

#[test]
fn aws_s3_ls_footer_disagreeing_or_prefix_lines_flag_the_listing() {
    let cut =
        format!("2026-11-26 09:00:33          0 {WAL1}\n\nTotal Objects: 3\n   Total Size: 0\n");
    assert!(codes(&read("cut.txt", &cut)).contains(&"count-mismatch"));
    let shallow = "                           PRE db/\n";
    assert!(codes(&read("shallow.txt", shallow)).contains(&"truncated"));
}

#[test]
fn aws_s3_ls_human_readable_sizes_are_lossy() {
    let text =
        format!("2026-11-26 09:00:33    0 Bytes {WAL1}\n2026-11-26 09:00:34    2.9 KiB {WAL2}\n");
    let listing = read("human.txt", &text);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert!(listing.objects[WAL1].size_exact && listing.objects[WAL1].size == 0);
    assert!(!listing.objects[WAL2].size_exact);
    assert!(codes(&listing).contains(&"lossy-sizes"));
}

#[test]
fn s3api_documents_arrays_and_hand_paginated_pages() {
    let page = |keys: &[&str], token: Option<&str>| {
        let contents: Vec<String> = keys
            .iter()
            .map(|k| format!("{{\"Key\": \"{k}\", \"LastModified\": \"2026-11-26T09:00:33+00:00\", \"ETag\": \"\\\"abc\\\"\", \"Size\": 7, \"StorageClass\": \"STANDARD\"}}"))
            .collect();
        let token = token
            .map(|t| format!(",\n    \"NextToken\": \"{t}\""))
            .unwrap_or_default();
        format!(
            "{{\n    \"Contents\": [{}],\n    \"RequestCharged\": null{token}\n}}\n",
            contents.join(",")
        )
    };
    let complete = format!("{}{}", page(&[WAL1], Some("tok")), page(&[WAL2], None));
    let listing = read("pages.json", &complete);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(listing.objects[WAL1].etag.as_deref(), Some("abc"));
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);

    let cut = format!(
        "{}{}",
        page(&[WAL1], Some("tok")),
        page(&[WAL2], Some("tok2"))
    );
    assert_eq!(codes(&read("cut.json", &cut)), ["truncated"]);

    let bare = format!("[{{\"Key\": \"{MANIFEST1}\", \"Size\": 130}}]");
    assert_eq!(keys(&read("bare.json", &bare)), [MANIFEST1]);

    let empty = "{\n    \"RequestCharged\": null\n}\n";
    assert_eq!(
        read("empty.json", &format!("{{\"KeyCount\": 0}}{empty}")).total_objects,
        0
    );
}

#[test]
fn s3api_versions_show_deleted_objects_as_recoverable() {
    let text = format!(
        r#"{{"Versions": [
            {{"Key": "{WAL1}", "VersionId": "v2", "IsLatest": false, "Size": 0, "LastModified": "2026-11-26T09:00:33.000Z"}},
            {{"Key": "{WAL2}", "VersionId": "v3", "IsLatest": true, "Size": 287, "LastModified": "2026-11-26T09:00:34.000Z"}}],
          "DeleteMarkers": [{{"Key": "{WAL1}", "VersionId": "v4", "IsLatest": true, "LastModified": "2026-11-26T10:00:00.000Z"}}]}}"#
    );
    let listing = read("versions.json", &text);
    assert_eq!(keys(&listing), [WAL2]);
    assert_eq!(listing.deleted[WAL1].noncurrent_versions, 1);
    assert_eq!(listing.deleted[WAL1].object, SlateObject::Wal { id: 1 });
}

#[test]
fn gsutil_ls_l_with_footer_generations_and_cuts() {
    let text = format!(
        "         0  2026-11-26T09:00:33Z  gs://bucket/{WAL1}\n       287  2026-11-26T09:00:34Z  gs://bucket/{WAL2}#1764147634000000  metageneration=1\nTOTAL: 2 objects, 287 bytes (287 B)\n"
    );
    let listing = read("gsutil.txt", &text);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(
        listing.objects[WAL2].version_id.as_deref(),
        Some("1764147634000000")
    );
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);
    let without_footer = text.lines().next().unwrap().to_string() + "\n";
    assert_eq!(
        codes(&read("gsutil-cut.txt", &without_footer)),
        ["missing-footer"]
    );
    let wrong_total = text.replace("TOTAL: 2", "TOTAL: 5");
    assert_eq!(
        codes(&read("gsutil-wrong.txt", &wrong_total)),
        ["count-mismatch"]
    );
}

#[test]
fn gcloud_storage_json_in_both_shapes() {
    let wrapped = format!(
        r#"[{{"url": "gs://bucket/{WAL1}", "type": "cloud_object", "metadata": {{"bucket": "bucket", "name": "{WAL1}", "size": "0", "updated": "2026-11-26T09:00:33.123Z", "generation": "1764147633123456"}}}},
            {{"url": "gs://bucket/db/", "type": "prefix"}}]"#
    );
    let listing = read("gcloud.json", &wrapped);
    assert_eq!(keys(&listing), [WAL1]);
    assert_eq!(
        listing.objects[WAL1].version_id.as_deref(),
        Some("1764147633123456")
    );
    let resource = format!(
        r#"[{{"kind": "storage#object", "bucket": "bucket", "name": "{WAL2}", "size": "287", "updated": "2026-11-26T09:00:34Z"}}]"#
    );
    assert_eq!(keys(&read("gcs.json", &resource)), [WAL2]);
}

#[test]
fn az_blob_list_flags_a_page_sized_result() {
    let blob = |name: &str| {
        format!(
            r#"{{"name": "{name}", "properties": {{"contentLength": 7, "lastModified": "2026-11-26T09:00:33+00:00", "etag": "0x8D"}}, "deleted": null}}"#
        )
    };
    let small = format!("[{},{}]", blob(WAL1), blob(WAL2));
    let listing = read("az.json", &small);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    // Its continuation marker goes to stderr: complete only on the user's word.
    assert_eq!(codes(&listing), ["unverifiable"]);
    let page: Vec<String> = (0..5000).map(|i| blob(&format!("other/{i}"))).collect();
    let full_page = format!("[{}]", page.join(","));
    assert_eq!(
        codes(&read("az-5000.json", &full_page)),
        ["possibly-truncated"]
    );
    let marked = format!("[{},{{\"nextMarker\": \"2!abc\"}}]", blob(WAL1));
    assert_eq!(codes(&read("az-marker.json", &marked)), ["truncated"]);
}

#[test]
fn rclone_lsjson_and_lsl() {
    let json = format!(
        r#"[
{{"Path":"db","Name":"db","Size":-1,"MimeType":"inode/directory","ModTime":"2026-11-26T09:00:33.000000000Z","IsDir":true}},
{{"Path":"{WAL1}","Name":"00000000000000000001.sst","Size":0,"MimeType":"application/octet-stream","ModTime":"2026-11-26T10:00:33.094773668+01:00","IsDir":false}}
]"#
    );
    let listing = read("rclone.json", &json);
    assert_eq!(keys(&listing), [WAL1]);
    assert_eq!(
        listing.objects[WAL1].last_modified.unwrap().at.to_rfc3339(),
        "2026-11-26T09:00:33.094773668+00:00"
    );
    let lsl = format!("        0 2026-11-26 09:00:33.094773668 {WAL1}\n      287 2026-11-26 09:00:34.000000000 {WAL2}\n");
    let listing = read("rclone-lsl.txt", &lsl);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(codes(&listing), ["unverifiable", "no-time-zone"]);
}

#[test]
fn s3cmd_ls_recursive_human_and_not_recursive() {
    let text = format!("2026-11-26 09:00            0  s3://bucket/{WAL1}\n2026-11-26 09:01          287  s3://bucket/{WAL2}\n");
    let listing = read("s3cmd.txt", &text);
    assert_eq!(listing.formats, [ListingFormat::S3cmdLs]);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(
        listing.objects[WAL2].last_modified.unwrap().at.to_rfc3339(),
        "2026-11-26T09:01:00+00:00"
    );
    assert_eq!(codes(&listing), ["unverifiable"]);
    let human = format!("2026-11-26 09:00     0   s3://bucket/{WAL1}\n2026-11-26 09:01     3M  s3://bucket/{WAL2}\n");
    let listing = read("s3cmd-h.txt", &human);
    assert_eq!(listing.objects[WAL2].size, 3 << 20);
    assert!(!listing.objects[WAL2].size_exact);
    let mut codes_h = codes(&listing);
    codes_h.sort();
    assert_eq!(codes_h, ["lossy-sizes", "unverifiable"]);
    let folders = "                          DIR  s3://bucket/db/\n";
    assert_eq!(codes(&read("s3cmd-dirs.txt", folders)), ["truncated"]);
    let buckets = "2026-11-26 09:00  s3://bucket\n";
    let err = read_with(
        ListingOptions::default(),
        &[("buckets.txt", buckets.as_bytes())],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("buckets.txt:1") && err.contains("s3cmd ls -r s3://BUCKET"),
        "{err}"
    );
}

#[test]
fn mc_ls_json_lines_and_errors() {
    let text = format!(
        "{{\"status\":\"success\",\"type\":\"folder\",\"lastModified\":\"2026-11-26T09:00:33Z\",\"size\":0,\"key\":\"db/\",\"etag\":\"\",\"url\":\"http://127.0.0.1:9000/bucket/\"}}\n{{\"status\":\"success\",\"type\":\"file\",\"lastModified\":\"2026-11-26T09:00:33.5+01:00\",\"size\":0,\"key\":\"{WAL1}\",\"etag\":\"d41d8cd98f00b204e9800998ecf8427e\",\"url\":\"http://127.0.0.1:9000/bucket/\",\"versionOrdinal\":1,\"storageClass\":\"STANDARD\"}}\n"
    );
    let listing = read("mc.jsonl", &text);
    assert_eq!(keys(&listing), [WAL1]);
    let failed = text + "{\"status\":\"error\",\"error\":{\"message\":\"Access Denied.\"}}\n";
    assert_eq!(codes(&read("mc-err.jsonl", &failed)), ["truncated"]);
}

#[test]
fn find_printf_short_and_long_forms() {
    let short = format!("0\t1795683633.0947736680\t{WAL1}\n287\t1795683634\t{WAL2}\n");
    let listing = read("find.tsv", &short);
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(
        listing.objects[WAL1]
            .last_modified
            .unwrap()
            .at
            .timestamp_subsec_nanos(),
        94_773_668
    );
    let long = format!("2\t2026-11-26T09:00:33.0947736680Z\t1795683633.0947736680\t{WAL1}\n");
    assert_eq!(keys(&read("find-long.tsv", &long)), [WAL1]);
}

#[test]
fn size_key_lines_and_prefix_stripping() {
    let text = format!("0 prod/{WAL1}\n287\tprod/{WAL2}\n5 elsewhere/x\n");
    let listing = read_with(
        ListingOptions {
            prefix: Some("prod".into()),
            ..Default::default()
        },
        &[("plain.txt", text.as_bytes())],
    )
    .unwrap();
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(listing.outside_prefix, 1);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn inventory_manifest(files: &[&str]) -> String {
    let files: Vec<String> = files
        .iter()
        .map(|f| {
            format!(r#"{{"key": "inv/bucket/cfg/data/{f}", "size": 100, "MD5checksum": "00"}}"#)
        })
        .collect();
    format!(
        r#"{{"sourceBucket": "bucket", "destinationBucket": "arn:aws:s3:::dest", "version": "2016-11-30", "creationTimestamp": "1795683600000", "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass", "files": [{}]}}"#,
        files.join(",")
    )
}

#[test]
fn s3_inventory_manifest_with_gzipped_csv() {
    let csv = format!(
        "\"bucket\",\"{}\",\"0\",\"2026-11-26T09:00:33.000Z\",\"d41d8cd98f00b204e9800998ecf8427e\",\"STANDARD\"\n\"bucket\",\"db%2Fwal%2F00000000000000000002.sst\",\"287\",\"2026-11-26T09:00:34.000Z\",\"abc\",\"STANDARD\"\n",
        WAL1
    );
    let data = gzip(csv.as_bytes());
    let manifest = inventory_manifest(&["part-1.csv.gz"]);
    let listing = read_with(
        ListingOptions::default(),
        &[
            ("manifest.json", manifest.as_bytes()),
            ("data/part-1.csv.gz", &data),
        ],
    )
    .unwrap();
    assert_eq!(
        listing.formats,
        [
            ListingFormat::S3InventoryManifest,
            ListingFormat::S3InventoryCsv
        ]
    );
    assert_eq!(keys(&listing), [WAL1, WAL2]);
    assert_eq!(
        listing.listing_time.unwrap().to_rfc3339(),
        "2026-11-26T09:00:00+00:00"
    );
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);
}

#[test]
fn s3_inventory_data_files_must_all_be_there_and_need_their_manifest() {
    let csv =
        format!("\"bucket\",\"{WAL1}\",\"0\",\"2026-11-26T09:00:33.000Z\",\"x\",\"STANDARD\"\n");
    let manifest = inventory_manifest(&["part-1.csv", "part-2.csv"]);
    let listing = read_with(
        ListingOptions::default(),
        &[
            ("manifest.json", manifest.as_bytes()),
            ("part-1.csv", csv.as_bytes()),
        ],
    )
    .unwrap();
    assert_eq!(codes(&listing), ["missing-inventory-files"]);
    let err = read_with(
        ListingOptions::default(),
        &[("data/part-1.csv", csv.as_bytes())],
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("data/part-1.csv: "), "{err}");
}

#[test]
fn bad_input_names_the_file_and_line() {
    let err = read_with(
        ListingOptions::default(),
        &[(
            "s3ls.txt",
            b"2026-11-26 09:00:33          0 db/x\ngarbage here\n",
        )],
    )
    .unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().starts_with("s3ls.txt:2: "), "{err}");
    let err = read_with(
        ListingOptions::default(),
        &[("what.bin", b"\x00\x01\x02 hello")],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("tried aws-s3-ls, s3api-json"),
        "{err}"
    );
    let err = read_with(
        ListingOptions::default(),
        &[(
            "cut.json",
            b"{\"Contents\": [{\"Key\": \"a\", \"Size\": 1}, {\"Key\"",
        )],
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("cut.json:1: invalid JSON"),
        "{err}"
    );
    // An item the format refuses, whole in the reader's buffer (read in place): the line the
    // item starts on, as for one copied out.
    let err = read_with(
        ListingOptions::default(),
        &[(
            "nosize.json",
            b"{\"Contents\": [\n  {\"Key\": \"a\", \"Size\": 1},\n  {\n    \"Key\": \"b\"\n  }\n]}\n",
        )],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "nosize.json:3: invalid JSON: object `b` has no Size"
    );
}
