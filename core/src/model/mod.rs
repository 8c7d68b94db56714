//! The normalized model of SlateDB state that every decoder produces and every later layer reads.
//!
//! The manifest types mirror the JSON that SlateDB itself serializes for a `VersionedManifest`
//! (what `slatedb-cli read-manifest` prints), field for field, so that `serde` gives both the
//! slatedb-compatible JSON output and the JSON input reader. Provenance that SlateDB's JSON does
//! not carry (which binary format version a manifest came from, the V2 SST table) lives beside
//! it in [`ManifestFile`].

mod ids;
mod manifest;

pub use ids::{CheckpointId, ManifestId, SstId, WalId};
pub use manifest::{
    Checkpoint, CompressionCodec, ExternalDb, FilterFormat, KeyBound, KeyRange, LsmTree, Manifest,
    ManifestFile, ManifestFormat, Segment, SortedRun, SstHandle, SstInfo, SstType, SstView,
};
