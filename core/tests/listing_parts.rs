//! A listing file read in parts (split at line ends, each part read apart, then joined in file
//! order, as the CLI does on every core) reads exactly as the file read whole: the same
//! objects with the same lines, the same counts and warnings, the same error at the same line.

mod common;

use common::listing_render::{self as render, RenderObject, RenderOptions};
use proptest::prelude::*;
use slatecheck_core::listing::{
    read_listing, Listing, ListingBuilder, ListingError, ListingFormat, ListingOptions, RunsWanted,
};

fn options() -> ListingOptions {
    ListingOptions {
        utc_offset_seconds: Some(0),
        ..ListingOptions::default()
    }
}

fn whole(format: ListingFormat, text: &[u8]) -> Result<Listing, ListingError> {
    whole_limited(format, text, 1_000)
}

fn whole_limited(format: ListingFormat, text: &[u8], limit: u64) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(options());
    builder.set_max_objects(Some(limit));
    read_listing(&mut builder, "l.txt", text, Some(format))?;
    Ok(builder.finish())
}

/// `text` read in parts starting at the line starts `cuts` (byte offsets).
fn in_parts(format: ListingFormat, text: &[u8], cuts: &[usize]) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(options());
    builder.set_max_objects(Some(1_000));
    let mut starts = vec![0];
    starts.extend_from_slice(cuts);
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let reader = builder.reader();
    let parts: Vec<_> = starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| reader.read_part("l.txt", &text[start..end], format))
        .collect();
    builder.join_parts("l.txt", format, parts)?;
    Ok(builder.finish())
}

/// The line starts of `text` after its first byte, from which cuts are drawn.
fn line_starts(text: &[u8]) -> Vec<usize> {
    text.iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' && i + 1 < text.len())
        .map(|(i, _)| i + 1)
        .collect()
}

/// The line starts of `text` that `picks` pick, in order, once each.
fn picked_cuts(text: &[u8], picks: &[prop::sample::Index]) -> Vec<usize> {
    let starts = line_starts(text);
    if starts.is_empty() {
        return Vec::new();
    }
    let mut cuts: Vec<usize> = picks
        .iter()
        .map(|pick| starts[pick.index(starts.len())])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

fn object() -> impl Strategy<Value = RenderObject> {
    let key = prop_oneof![
        (0u8..3, 1u64..40).prop_map(|(root, id)| format!("db{root}/wal/{id:020}.sst")),
        (0u8..3, 1u64..10).prop_map(|(root, id)| format!("db{root}/manifest/{id:020}.manifest")),
        (0u8..3, 0u64..5).prop_map(|(root, n)| format!(
            "db{root}/compacted/01ARZ3NDEKTSV4RRFFQ69G5FA{}.sst",
            char::from(b'0' + n as u8)
        )),
        (0u8..3).prop_map(|n| format!("other/file-{n}.txt")),
    ];
    (key, 0u64..5_000, 1_700_000_000i128..1_800_000_000).prop_map(|(key, size, secs)| {
        RenderObject::new(
            key,
            size,
            secs * 1_000_000_000,
            "d41d8cd98f00b204e9800998ecf8427e",
        )
    })
}

/// The formats that read in parts, rendered as their tools print them (keys repeat, so a
/// later line replacing an earlier one across a cut is covered).
fn rendered(objects: &[RenderObject]) -> Vec<(ListingFormat, String)> {
    let opts = RenderOptions::new("bucket", "");
    vec![
        (
            ListingFormat::AwsS3Ls,
            render::aws_s3_ls(objects, &opts, true),
        ),
        (
            ListingFormat::AwsS3Ls,
            render::aws_s3_ls_human(objects, &opts),
        ),
        (ListingFormat::RcloneLsl, render::rclone_lsl(objects, &opts)),
        (
            ListingFormat::S3cmdLs,
            render::s3cmd_ls(objects, &opts, false),
        ),
        (ListingFormat::FindTsv, render::find_printf(objects, &opts)),
        (ListingFormat::SizeKey, render::size_key(objects, &opts)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_file_read_in_parts_reads_as_the_whole_file(
        objects in prop::collection::vec(object(), 1..40),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        folder_lines in 0usize..3,
    ) {
        for (format, mut text) in rendered(&objects) {
            // Folder lines of a listing that was not recursive, and blank lines, anywhere.
            if format == ListingFormat::AwsS3Ls {
                for n in 0..folder_lines {
                    text.insert_str(0, &format!("                           PRE dir{n}/\n\n"));
                }
            }
            let bytes = text.as_bytes();
            let cuts = picked_cuts(bytes, &picks);
            prop_assert_eq!(
                in_parts(format, bytes, &cuts),
                whole(format, bytes),
                "{:?} cut at {:?}:\n{}", format, cuts, text
            );
        }
    }
}

#[test]
fn an_error_in_a_later_part_names_its_line_in_the_file() {
    let text = b"2024-01-01 00:00:00          5 db/wal/00000000000000000001.sst\n\
                 2024-01-01 00:00:00          5 db/wal/00000000000000000002.sst\n\
                 \n\
                 not a listing line\n";
    let cut = line_starts(text)[1];
    let err = in_parts(ListingFormat::AwsS3Ls, text, &[cut]).unwrap_err();
    assert_eq!(err, whole(ListingFormat::AwsS3Ls, text).unwrap_err());
    assert_eq!(err.line, Some(4), "{err}");
}

#[test]
fn a_footer_in_the_last_part_counts_the_lines_of_every_part() {
    let line = "2024-01-01 00:00:00          5 db/wal/00000000000000000001.sst\n";
    let text = format!("{line}{line}{line}\nTotal Objects: 3\n   Total Size: 15\n");
    let cuts: Vec<usize> = line_starts(text.as_bytes());
    let listing = in_parts(ListingFormat::AwsS3Ls, text.as_bytes(), &cuts).unwrap();
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);
    let short = text.replace("Total Objects: 3", "Total Objects: 4");
    let listing = in_parts(ListingFormat::AwsS3Ls, short.as_bytes(), &cuts).unwrap();
    assert_eq!(listing.warnings.len(), 1, "{:?}", listing.warnings);
}

#[test]
fn parts_that_hold_more_than_the_limit_together_are_refused() {
    let text: String = (1..=6)
        .map(|id| format!("2024-01-01 00:00:00          5 db/wal/{id:020}.sst\n"))
        .collect();
    let bytes = text.as_bytes();
    let cut = line_starts(bytes)[2];
    let mut builder = ListingBuilder::new(options());
    builder.set_max_objects(Some(4));
    let reader = builder.reader();
    let parts = [0..cut, cut..bytes.len()]
        .map(|range| reader.read_part("l.txt", &bytes[range], ListingFormat::AwsS3Ls));
    let err = builder
        .join_parts("l.txt", ListingFormat::AwsS3Ls, parts)
        .unwrap_err();
    assert!(err.message.contains("more than 4 SlateDB objects"), "{err}");
}

/// `text` read as the CLI reads a large JSON listing: cut into chunks at the line starts
/// `cuts`, each chunk's run of items read ahead (last chunk first, as threads may finish in
/// any order), then the file read in turn taking the runs.
fn with_runs_ahead(
    format: ListingFormat,
    text: &[u8],
    cuts: &[usize],
    limit: u64,
) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(options());
    builder.set_max_objects(Some(limit));
    let mut starts = vec![0];
    starts.extend_from_slice(cuts);
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let reader = builder.reader();
    let wanted = RunsWanted::default();
    let ranges: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let mut chunks: Vec<_> = ranges
        .iter()
        .rev()
        .map(|&(start, end)| {
            let chunk = &text[start..end];
            Ok((
                chunk,
                reader.read_items_ahead("l.txt", chunk, format, &wanted),
            ))
        })
        .collect();
    chunks.reverse();
    builder.join_items_ahead("l.txt", format, chunks, &wanted)?;
    Ok(builder.finish())
}

/// Damage that a JSON listing may carry, anywhere: a byte dropped or replaced, the file cut
/// short, an item that is no object, a size that is no size.
fn damaged(text: &str, damage: u8, at: prop::sample::Index) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = at
        .index(bytes.len().max(1))
        .min(bytes.len().saturating_sub(1));
    match damage {
        0 => {}
        1 => {
            bytes.remove(at);
        }
        2 => bytes[at] = b'"',
        3 => bytes.truncate(at),
        4 => bytes[at] = b'\n',
        _ => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let nth = text.match_indices("\"Size\": ").nth(at % 7).map(|(i, _)| i);
            return match nth {
                Some(i) => format!("{}\"Size\": \"x\", \"Was\": {}", &text[..i], &text[i + 8..]),
                None => text,
            };
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn a_json_file_read_with_runs_ahead_reads_as_the_whole_file(
        objects in prop::collection::vec(object(), 1..40),
        deleted in prop::collection::vec(object(), 0..3),
        shape in 0u8..7,
        page_size in 1usize..12,
        damage in 0u8..7,
        at in any::<prop::sample::Index>(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
        // Often about as many SlateDB objects as the listing holds.
        limit in prop_oneof![Just(1_000u64), 1u64..40],
    ) {
        let opts = RenderOptions::new("bucket", "");
        let (format, text) = match shape {
            0 => (ListingFormat::S3ApiJson, render::s3api_list_objects_v2(&objects, &opts, None, false)),
            // Several page documents, the last one maybe truncated.
            1 => (ListingFormat::S3ApiJson, render::s3api_list_objects_v2(&objects, &opts, Some(page_size), page_size % 2 == 0)),
            2 => (ListingFormat::S3ApiJson, render::s3api_contents_array(&objects, &opts)),
            3 => (ListingFormat::S3ApiJson, render::s3api_list_object_versions(&objects, &opts, &deleted)),
            4 => (ListingFormat::GcloudJson, render::gcloud_storage_ls_json(&objects, &opts)),
            5 => (ListingFormat::AzJson, render::az_storage_blob_list(&objects, &opts)),
            // Sometimes with a directory nothing is listed under (not recursive).
            _ => (ListingFormat::RcloneLsjson, render::rclone_lsjson(&objects, &opts).replacen(
                "[\n",
                if page_size % 2 == 0 {
                    "[\n{\"Path\":\"lonely\",\"Name\":\"lonely\",\"Size\":-1,\"ModTime\":\"2024-01-01T00:00:00Z\",\"IsDir\":true},\n"
                } else {
                    "[\n"
                },
                1,
            )),
        };
        let text = damaged(&text, damage, at);
        let bytes = text.as_bytes();
        let cuts = picked_cuts(bytes, &picks);
        prop_assert_eq!(
            with_runs_ahead(format, bytes, &cuts, limit),
            whole_limited(format, bytes, limit),
            "{:?} cut at {:?}:\n{}", format, cuts, text
        );
    }
}

#[test]
fn runs_ahead_are_taken_where_the_read_arrives_at_them() {
    let item = |n: u32| {
        format!(
            "        {{\n            \"Key\": \"db/wal/{n:020}.sst\",\n            \"LastModified\": \"2024-01-01T00:00:00+00:00\",\n            \"Size\": 5,\n            \"Tags\": [\n                {{\n                    \"Key\": \"t\",\n                    \"Size\": 1\n                }}\n            ]\n        }}"
        )
    };
    let items: Vec<String> = (1..=8).map(item).collect();
    let text = format!(
        "{{\n    \"Contents\": [\n{}\n    ]\n}}\n",
        items.join(",\n")
    );
    let bytes = text.as_bytes();
    // A cut before an object nested in an item (`Tags`), and one before an item.
    let nested = text.match_indices("                {").nth(2).unwrap().0;
    let item_start = text
        .match_indices("        {\n            \"Key\": \"db")
        .nth(5)
        .unwrap()
        .0;
    let builder = ListingBuilder::new(options());
    let wanted = RunsWanted::default();
    let ahead = builder.read_items_ahead(
        "l.json",
        &bytes[nested..],
        ListingFormat::S3ApiJson,
        &wanted,
    );
    let runs = format!("{ahead:?}");
    // A run of the nested object, then one from the next item on.
    assert!(runs.starts_with("ItemsAhead { runs: [(16, "), "{runs}");
    assert_eq!(runs.matches("), (").count(), 1, "{runs}");
    let listing = with_runs_ahead(
        ListingFormat::S3ApiJson,
        bytes,
        &[nested, item_start],
        1_000,
    )
    .unwrap();
    assert_eq!(listing, whole(ListingFormat::S3ApiJson, bytes).unwrap());
    assert_eq!(listing.total_objects, 8);
}

#[test]
fn a_paged_listing_has_a_run_a_page_each_from_its_first_object() {
    let objects: Vec<RenderObject> = (1..=9u64)
        .map(|id| {
            RenderObject::new(
                format!("db/wal/{id:020}.sst"),
                id,
                1_700_000_000_000_000_000,
                "d41d8cd98f00b204e9800998ecf8427e",
            )
        })
        .collect();
    let opts = RenderOptions::new("bucket", "");
    let text = render::s3api_list_objects_v2(&objects, &opts, Some(3), false);
    let ahead = ListingBuilder::new(options()).read_items_ahead(
        "l.txt",
        text.as_bytes(),
        ListingFormat::S3ApiJson,
        &RunsWanted::default(),
    );
    // `ItemsAhead { runs: [(first, end), …] }`: each run starts at an object, not at the `{`
    // of the page document around it.
    let runs = format!("{ahead:?}");
    let firsts: Vec<usize> = runs
        .split('(')
        .skip(1)
        .map(|run| run.split(',').next().unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(firsts.len(), 3, "{runs}");
    for first in firsts {
        let object = text[first..].trim_start_matches(['{', ' ', '\n']);
        assert!(
            object.starts_with("\"Key\""),
            "{runs}: {}",
            &text[first..first + 40]
        );
    }
    let listing = with_runs_ahead(ListingFormat::S3ApiJson, text.as_bytes(), &[], 1_000).unwrap();
    assert_eq!(
        listing,
        whole(ListingFormat::S3ApiJson, text.as_bytes()).unwrap()
    );
}

#[test]
fn runs_read_ahead_and_not_taken_count_against_no_limit() {
    // The second chunk starts inside an object's own array of 5,000 objects that look like
    // listed ones: its first run is those, which the read in turn never arrives at (it reads
    // the object whole), and its second run the 4,200 listed objects after it, which the read
    // takes. Had the dropped run counted against the limit (threads count in batches of 4,096),
    // the taken one would be refused although the listing fits.
    let object = |id: u64| format!("\"Key\": \"db/wal/{id:020}.sst\", \"Size\": {id}");
    let parts: Vec<String> = (10_000..15_000)
        .map(|id| format!("                {{{}}}", object(id)))
        .collect();
    let listed: Vec<String> = (6..4_206)
        .map(|id| format!("        {{{}}}", object(id)))
        .collect();
    let text = format!(
        "{{\n    \"Contents\": [\n        {{\n            {},\n            \"Parts\": [\n{}\n            ]\n        }},\n{}\n    ]\n}}\n",
        object(5),
        parts.join(",\n"),
        listed.join(",\n")
    );
    let bytes = text.as_bytes();
    let cut = text.find("                {").expect("a nested object");
    for limit in [4_201, 4_200] {
        let ahead = with_runs_ahead(ListingFormat::S3ApiJson, bytes, &[cut], limit);
        assert_eq!(ahead, whole_limited(ListingFormat::S3ApiJson, bytes, limit));
        assert_eq!(ahead.is_ok(), limit == 4_201, "limit {limit}");
    }
}

#[test]
fn formats_that_do_not_read_in_parts_say_so() {
    let builder = ListingBuilder::new(options());
    assert!(!ListingFormat::S3ApiJson.reads_in_parts());
    let err = builder
        .read_part("l.json", &b"{}"[..], ListingFormat::S3ApiJson)
        .unwrap_err();
    assert!(err.message.contains("cannot be read in parts"), "{err}");
}

/// The files of an S3 Inventory delivery, manifest first, read one after the other or with
/// the data files read apart and joined in order.
fn inventory(files: &[(String, Vec<u8>)], apart: bool) -> Result<Listing, ListingError> {
    let mut builder = ListingBuilder::new(options());
    builder.set_max_objects(Some(1_000));
    let manifest = files.iter().filter(|(name, _)| name.ends_with(".json"));
    let data: Vec<_> = files
        .iter()
        .filter(|(name, _)| name.contains(".csv"))
        .collect();
    for (name, bytes) in manifest {
        read_listing(&mut builder, name, bytes.as_slice(), None)?;
    }
    if apart {
        assert!(data.iter().all(|(name, _)| builder.reads_apart(name)));
        let reader = builder.reader();
        let read: Vec<_> = data
            .iter()
            .rev()
            .map(|(name, bytes)| reader.read_file_apart(name, bytes.as_slice()))
            .collect();
        for file in read.into_iter().rev() {
            builder.join_file(file?)?;
        }
    } else {
        for (name, bytes) in data {
            read_listing(&mut builder, name, bytes.as_slice(), None)?;
        }
    }
    Ok(builder.finish())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn inventory_data_files_read_apart_read_as_one_after_the_other(
        objects in prop::collection::vec(object(), 1..40),
        files in 1usize..5,
        gzip in any::<bool>(),
        dropped in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let opts = RenderOptions::new("bucket", "");
        let mut delivery = render::s3_inventory(&objects, &opts, 1_795_683_600_000, gzip, files);
        // A data file the manifest names may be missing: both reads must warn the same.
        if let Some(index) = dropped {
            let data: Vec<usize> = (0..delivery.len())
                .filter(|&i| delivery[i].0.contains(".csv"))
                .collect();
            if data.len() > 1 {
                delivery.remove(data[index.index(data.len())]);
            }
        }
        prop_assert_eq!(inventory(&delivery, true), inventory(&delivery, false));
    }
}

#[test]
fn only_unversioned_inventory_data_files_are_read_apart() {
    let objects = [RenderObject::new(
        "db/wal/00000000000000000001.sst",
        5,
        1_700_000_000_000_000_000,
        "d41d8cd98f00b204e9800998ecf8427e",
    )];
    let opts = RenderOptions::new("bucket", "");
    let delivery = render::s3_inventory(&objects, &opts, 1_795_683_600_000, true, 1);
    let mut builder = ListingBuilder::new(options());
    let find = |suffix: &str| delivery.iter().find(|(name, _)| name.ends_with(suffix));
    let (manifest, data) = (find(".json").unwrap(), find(".csv.gz").unwrap());
    assert!(!builder.reads_apart(&data.0), "no manifest read yet");
    read_listing(&mut builder, &manifest.0, manifest.1.as_slice(), None).unwrap();
    assert!(builder.reads_apart(&data.0));
    assert!(!builder.reads_apart("some/other.csv.gz"));
    // A versioned inventory's delete marker in one file removes an object of another.
    let versioned = String::from_utf8(manifest.1.clone()).unwrap().replace(
        "Bucket, Key,",
        "Bucket, Key, VersionId, IsLatest, IsDeleteMarker,",
    );
    assert!(versioned.contains("IsLatest"), "{versioned}");
    let mut builder = ListingBuilder::new(options());
    read_listing(&mut builder, &manifest.0, versioned.as_bytes(), None).unwrap();
    assert!(!builder.reads_apart(&data.0));
    let err = builder
        .read_file_apart(&data.0, data.1.as_slice())
        .unwrap_err();
    assert!(err.message.contains("read apart"), "{err}");
}
