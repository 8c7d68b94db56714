//! No listing input may panic the parsers: samples of every format, with bytes flipped, cut,
//! inserted or overwritten, end in a listing or in a one-line error naming the file.

mod common;

use common::mutate::{apply, mutation, Mutation};
use proptest::prelude::*;
use slatecheck_core::listing::{
    detect_format, read_listing, ListingBuilder, ListingFormat, ListingOptions, DETECTION_WINDOW,
};

const NAME: &str = "listing.txt";

const SAMPLES: &[&str] = &[
    "2026-11-26 09:00:33          0 db/wal/00000000000000000001.sst\n2026-11-26 09:00:34        287 db/manifest/00000000000000000002.manifest\n\nTotal Objects: 2\n   Total Size: 287\n",
    "{\"Contents\": [{\"Key\": \"db/wal/00000000000000000001.sst\", \"LastModified\": \"2026-11-26T09:00:33+00:00\", \"ETag\": \"\\\"a\\\"\", \"Size\": 0}], \"NextToken\": \"x\"}\n{\"Versions\": [{\"Key\": \"db/x\", \"IsLatest\": false, \"Size\": 1}], \"DeleteMarkers\": [{\"Key\": \"db/x\", \"IsLatest\": true}]}",
    // Quotes, brackets and commas inside a key, behind escapes.
    "{\"Contents\": [{\"Key\": \"db/q\\\"{,}]\\\\\", \"Size\": 2}, {\"Key\": \"db/\\u00e9\", \"Size\": 3}]}",
    "         0  2026-11-26T09:00:33Z  gs://b/db/wal/00000000000000000001.sst#17  metageneration=1\nTOTAL: 1 objects, 0 bytes (0 B)\n",
    "[{\"url\": \"gs://b/db/wal/00000000000000000001.sst\", \"type\": \"cloud_object\", \"metadata\": {\"name\": \"db/wal/00000000000000000001.sst\", \"size\": \"0\", \"updated\": \"2026-11-26T09:00:33Z\"}}]",
    "[{\"name\": \"db/wal/00000000000000000001.sst\", \"properties\": {\"contentLength\": 0, \"lastModified\": \"2026-11-26T09:00:33+00:00\"}}, {\"nextMarker\": \"m\"}]",
    "[{\"Path\":\"db/wal/00000000000000000001.sst\",\"Name\":\"x\",\"Size\":0,\"ModTime\":\"2026-11-26T09:00:33Z\",\"IsDir\":false}]",
    "        0 2026-11-26 09:00:33.094773668 db/wal/00000000000000000001.sst\n",
    "{\"status\":\"success\",\"type\":\"file\",\"lastModified\":\"2026-11-26T09:00:33Z\",\"size\":0,\"key\":\"db/wal/00000000000000000001.sst\",\"versionOrdinal\":1}\n{\"status\":\"error\",\"error\":{\"message\":\"x\"}}\n",
    "0\t1795683633.0947736680\tdb/wal/00000000000000000001.sst\n2\t2026-11-26T09:00:33Z\t1795683633\tdb/manifest/00000000000000000001.manifest\n",
    "0 db/wal/00000000000000000001.sst\n287\tdb/manifest/00000000000000000001.manifest\n",
    "{\"sourceBucket\": \"b\", \"creationTimestamp\": \"1795683600000\", \"fileFormat\": \"CSV\", \"fileSchema\": \"Bucket, Key, Size, LastModifiedDate, ETag, IsLatest, IsDeleteMarker\", \"files\": [{\"key\": \"d/a.csv\"}]}",
];

fn check(bytes: &[u8]) {
    let mut builder = ListingBuilder::new(ListingOptions::default());
    if let Err(err) = read_listing(&mut builder, NAME, bytes, None) {
        let text = err.to_string();
        assert!(
            text.starts_with(NAME),
            "error does not name the file: {text}"
        );
        assert!(!text.contains('\n'), "error is not one line: {text:?}");
    } else {
        // A manifest.json may be followed by (damaged) CSV data.
        let _ = read_listing(&mut builder, "a.csv", &b"\"b\",\"db%2Fwal%2F00000000000000000001.sst\",\"0\",\"2026-11-26T09:00:33Z\",\"e\",\"true\",\"false\"\n"[..], None);
        let _ = builder.finish();
    }
}

/// A reader that hands over at most `chunk` bytes per read.
struct Trickle<'a> {
    bytes: &'a [u8],
    chunk: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.len().min(self.chunk).min(buf.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// What reading `bytes` as `format` gives, the bytes handed over `chunk` at a time after the
/// first [`DETECTION_WINDOW`] (which the reader takes whole): the listing or the error.
fn outcome(format: ListingFormat, bytes: &[u8], chunk: usize) -> String {
    let mut builder = ListingBuilder::new(ListingOptions::default());
    match read_listing(&mut builder, NAME, Trickle { bytes, chunk }, Some(format)) {
        Ok(format) => format!("{format:?} {:?}", builder.finish()),
        Err(err) => err.to_string(),
    }
}

#[test]
fn every_sample_reads_cleanly_before_damage() {
    for sample in SAMPLES {
        let mut builder = ListingBuilder::new(ListingOptions::default());
        read_listing(&mut builder, NAME, sample.as_bytes(), None)
            .unwrap_or_else(|err| panic!("{err}"));
    }
}

/// The sample `sample` picks, with `mutations` applied.
fn damaged(sample: prop::sample::Index, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = SAMPLES[sample.index(SAMPLES.len())].as_bytes().to_vec();
    for mutation in mutations {
        apply(&mut bytes, mutation);
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn damaged_samples_never_panic(
        sample in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        check(&damaged(sample, &mutations));
    }

    #[test]
    fn random_text_never_panics(text in "[ -~\t\n]{0,300}") {
        check(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The parsers carry what they are inside of (a line, a JSON string, an escape, nesting)
    /// from one read to the next: a listing handed over a few bytes at a time reads, or fails,
    /// exactly as it does in one piece.
    #[test]
    fn listings_read_the_same_however_the_bytes_arrive(
        sample in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 0..3),
        chunk in 1usize..17,
    ) {
        let bytes = damaged(sample, &mutations);
        let Some(format) = detect_format(&bytes, false) else {
            return Ok(());
        };
        // Blank lines fill the window the reader takes whole, so the sample comes in chunks.
        let mut padded = vec![b'\n'; DETECTION_WINDOW];
        padded.extend_from_slice(&bytes);
        prop_assert_eq!(
            outcome(format, &padded, chunk),
            outcome(format, &padded, usize::MAX)
        );
    }
}
