//! Criterion micro-benchmarks of the hot paths, on a synthetic store (`cargo bench -p
//! slatecheck-bench`): the manifest decoder on one 7,000-SST manifest, each listing parser on
//! the same 100,000-object listing, and the rule scan (snapshot and every rule) over it.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use slatecheck_bench::render::{write_store, Format};
use slatecheck_bench::store::{root_content, Shape};
use slatecheck_core::check::{run_check, CheckRequest};
use slatecheck_core::listing::{read_listing, Listing, ListingBuilder, ListingOptions};
use slatecheck_core::manifest::decode_manifest_file;
use slatecheck_core::snapshot::{Snapshot, SnapshotInputs};
use std::path::{Path, PathBuf};

fn shape() -> Shape {
    Shape::for_objects(100_000, 1)
}

fn options() -> ListingOptions {
    ListingOptions {
        utc_offset_seconds: Some(0),
        ..ListingOptions::default()
    }
}

/// The listing files of `format` as (name, bytes), the inventory's manifest.json first.
fn files(out: &Path, format: Format) -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = vec![format.path(out)];
    if format == Format::Inventory {
        let mut data: Vec<PathBuf> = std::fs::read_dir(out.join("inventory/data"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .collect();
        data.sort();
        paths.extend(data);
    }
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_default();
            (path.display().to_string(), bytes)
        })
        .collect()
}

fn read(files: &[(String, Vec<u8>)]) -> Listing {
    let mut builder = ListingBuilder::new(options());
    for (name, bytes) in files {
        let format = read_listing(&mut builder, name, bytes.as_slice(), None);
        assert!(format.is_ok(), "{name}: {format:?}");
    }
    builder.finish()
}

fn manifest_decoder(c: &mut Criterion) {
    let content = root_content(&shape(), 0);
    let Some((key, bytes)) = content.manifests.last() else {
        return;
    };
    let mut group = c.benchmark_group("manifest decoder");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("format version 2, 7,000 SSTs", |b| {
        b.iter(|| decode_manifest_file(key, bytes, None).map(|m| m.len()))
    });
    group.finish();
}

fn listing_parsers(c: &mut Criterion) {
    let out = std::env::temp_dir().join(format!("slatecheck-micro-{}", std::process::id()));
    if write_store(&shape(), &Format::ALL, &out).is_err() {
        return;
    }
    let mut group = c.benchmark_group("listing parsers");
    group.sample_size(10);
    for format in Format::ALL {
        let files = files(&out, format);
        group.throughput(Throughput::Elements(shape().objects()));
        group.bench_with_input(
            BenchmarkId::from_parameter(format.name()),
            &files,
            |b, files| b.iter(|| read(files).total_objects),
        );
    }
    group.finish();
    let files = files(&out, Format::FindTsv);
    let manifests: Vec<(String, _)> = (0..shape().manifest_roots)
        .flat_map(|index| root_content(&shape(), index).manifests)
        .filter_map(|(key, bytes)| {
            decode_manifest_file(&key, &bytes, None)
                .ok()
                .map(|mut m| (key, m.remove(0)))
        })
        .collect();
    std::fs::remove_dir_all(&out).ok();
    let listing = read(&files);
    let mut group = c.benchmark_group("rule scan");
    group.sample_size(10);
    group.throughput(Throughput::Elements(listing.objects.len() as u64));
    group.bench_function("snapshot and every rule, 100k objects", |b| {
        b.iter(|| {
            let snapshot = Snapshot::build(SnapshotInputs {
                main: Some(listing.clone()),
                wal: None,
                manifests: manifests.clone(),
                ..SnapshotInputs::default()
            });
            run_check(&snapshot, CheckRequest::default()).map(|r| r.findings.len())
        })
    });
    group.finish();
}

criterion_group!(benches, manifest_decoder, listing_parsers);
criterion_main!(benches);
