//! Listings stream: memory follows the SlateDB objects kept, not the bytes read. A counting
//! allocator measures the peak heap while tens of megabytes of listing flow through.

// A counting global allocator is the one place tests need `unsafe`.
#![allow(unsafe_code)]

use slatecheck_core::listing::{read_listing, ListingBuilder, ListingOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A listing produced on the fly: `header`, then `count` items rendered by `item`, joined by
/// `separator`, then `footer`; handed out in small, irregular chunks.
struct Generated<F: FnMut(usize) -> String> {
    item: F,
    count: usize,
    next: usize,
    separator: &'static str,
    pending: Vec<u8>,
    footer: Option<&'static str>,
    bytes: usize,
}

impl<F: FnMut(usize) -> String> Generated<F> {
    fn new(
        header: &str,
        count: usize,
        separator: &'static str,
        footer: &'static str,
        item: F,
    ) -> Self {
        Self {
            item,
            count,
            next: 0,
            separator,
            pending: header.as_bytes().to_vec(),
            footer: Some(footer),
            bytes: 0,
        }
    }
}

impl<F: FnMut(usize) -> String> Read for Generated<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.is_empty() {
            if self.next < self.count {
                let sep = if self.next == 0 { "" } else { self.separator };
                self.pending = format!("{sep}{}", (self.item)(self.next)).into_bytes();
                self.next += 1;
            } else if let Some(footer) = self.footer.take() {
                self.pending = footer.as_bytes().to_vec();
            } else {
                return Ok(0);
            }
        }
        // Irregular chunk sizes cross every line and token boundary.
        let n = buf.len().min(self.pending.len()).min(1 + self.bytes % 4093);
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.bytes += n;
        Ok(n)
    }
}

/// One key in `every` is a SlateDB WAL object; the rest are other data in the bucket.
fn key(i: usize, every: usize) -> String {
    if i.is_multiple_of(every) {
        format!("db/wal/{:020}.sst", i / every + 1)
    } else {
        format!("warehouse/part-{i:09}/data-file-with-a-long-name.parquet")
    }
}

/// The allocator counts every thread: measurements take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn measure(source: &str, reader: impl Read) -> (usize, usize, u64) {
    let _turn = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let mut builder = ListingBuilder::new(ListingOptions::default());
    read_listing(&mut builder, source, reader, None).expect("listing reads");
    let listing = builder.finish();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    println!(
        "{source}: peak heap {peak} bytes, {} objects, {} kept",
        listing.total_objects,
        listing.objects.len()
    );
    (peak, listing.objects.len(), listing.total_objects)
}

const OBJECTS: usize = 400_000;
const EVERY: usize = 1000;
const PEAK_LIMIT: usize = 4 << 20;

#[test]
fn a_large_aws_s3_ls_listing_streams_in_bounded_memory() {
    let reader = Generated::new("", OBJECTS, "", "", |i| {
        format!("2026-11-26 09:00:33 {:>10} {}\n", i % 5000, key(i, EVERY))
    });
    let (peak, kept, total) = measure("big.txt", reader);
    assert_eq!((kept, total), (OBJECTS / EVERY, OBJECTS as u64));
    assert!(
        peak < PEAK_LIMIT,
        "peak heap {peak} bytes for ~28 MB of listing"
    );
}

#[test]
fn a_large_single_s3api_document_streams_in_bounded_memory() {
    let reader = Generated::new(
        "{\n    \"Contents\": [\n",
        OBJECTS,
        ",\n",
        "\n    ],\n    \"RequestCharged\": null\n}\n",
        |i| {
            format!(
            "        {{\"Key\": \"{}\", \"LastModified\": \"2026-11-26T09:00:33+00:00\", \"ETag\": \"\\\"d41d8cd98f00b204e9800998ecf8427e\\\"\", \"Size\": {}, \"StorageClass\": \"STANDARD\"}}",
            key(i, EVERY),
            i % 5000
        )
        },
    );
    let (peak, kept, total) = measure("big.json", reader);
    assert_eq!((kept, total), (OBJECTS / EVERY, OBJECTS as u64));
    assert!(
        peak < PEAK_LIMIT,
        "peak heap {peak} bytes for ~70 MB of JSON"
    );
}
