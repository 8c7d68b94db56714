//! Growing the worker's WASM memory in one step before a large read. Left alone, the allocator
//! (dlmalloc) grows the memory a little at a time as a listing's tables grow, and the engine
//! pays for every growth: in node's profile of reading a 1M-object listing, the allocator's
//! growth and garbage collection were a third of the time (0.8 s; 0.5 s with the memory grown
//! first). A block allocated and freed stays the allocator's (WASM memory never shrinks), and
//! the tables are carved out of it.

/// The most SlateDB objects a store's listings may hold in the page: a browser tab's WASM
/// memory ends at 4 GiB, and the tables, the snapshot, the check and the report's downloads
/// (JSON and HTML of every root's objects) must all fit in it. A 20M-object `aws s3 ls`
/// listing (18M SlateDB objects, 1.7 GB) read, checked and downloaded in headless Chromium
/// (10 s to read, 37 s to the downloads); more is refused with an error naming this limit
/// instead of the tab running out of memory.
pub const MAX_LISTED_OBJECTS: u64 = 20_000_000;

/// The end of that error.
pub const MAX_LISTED_OBJECTS_WHY: &str = "the most the page holds (a browser tab's WebAssembly memory ends at 4 GiB); check a listing this large with the slatecheck CLI, which holds what the machine's memory holds";

/// The most memory the decoded manifests may take in the page (the `held-manifests-bytes`
/// limit, estimated from their SST views): what a configuration dropped beside them asks for,
/// up to this, so that the listing's tables still fit in the 4 GiB beside them.
pub const MAX_HELD_MANIFESTS_BYTES: u64 = 1 << 30;

/// How much to reserve per byte of listing: a line-format listing's tables take about half its
/// size; a JSON listing's less (the block is then partly unused, but only reserved once).
const RESERVE_PER_LISTING_BYTE: f64 = 0.5;

/// Smaller listings read fast enough as they are.
const MIN_LISTING_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// At most this much at once: WASM32 memory ends at 4 GiB.
const MAX_RESERVE_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// Grows the memory by about what the tables of a listing of `listing_bytes` bytes will take.
pub fn reserve_for_listing(listing_bytes: f64) {
    if listing_bytes < MIN_LISTING_BYTES {
        return;
    }
    let bytes = (listing_bytes * RESERVE_PER_LISTING_BYTE).min(MAX_RESERVE_BYTES) as usize;
    let mut block: Vec<u8> = Vec::new();
    // An allocation that fails is only a read that grows the memory as it goes.
    if block.try_reserve_exact(bytes).is_ok() {
        // Kept from being optimized away: only its allocation matters.
        std::hint::black_box(&mut block);
    }
}
