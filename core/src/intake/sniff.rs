//! Telling a dropped file's kind from its name and first bytes.

use crate::listing::{detect_format, ListingFormat};
use crate::manifest::{looks_like_json, manifest_id_from_path};
use serde::Serialize;
use std::io::Read;

/// How many leading bytes [`sniff`] wants (less is fine for short files).
pub const SNIFF_WINDOW: usize = 256 * 1024;

/// What a file is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileKind {
    /// A `slatecheck collect` bundle (`.tar.gz`).
    Bundle,
    /// A binary manifest object (format version 1 or 2).
    Manifest,
    /// `slatedb-cli` JSON: one manifest or a list of them.
    ManifestJson,
    /// A `slatecheck.toml` (severity overrides, ignores).
    Config,
    /// An object listing.
    Listing {
        /// Its format.
        format: ListingFormat,
    },
    /// Something else: ignored with a reason.
    Unknown {
        /// Why it is not taken.
        reason: String,
    },
}

/// Tells what `name` is from its first bytes (`head`, up to [`SNIFF_WINDOW`]).
pub fn sniff(name: &str, head: &[u8]) -> FileKind {
    if name.ends_with(".toml") {
        return FileKind::Config;
    }
    if head.starts_with(&crate::listing::GZIP_MAGIC) {
        return if gzipped_tar(head) {
            FileKind::Bundle
        } else {
            listing_kind(name, &gunzip_head(head))
        };
    }
    if matches!(head, [0, 1 | 2, ..]) {
        return FileKind::Manifest;
    }
    if name.ends_with(".manifest") {
        // A manifest object with a damaged header: decoding it says what is wrong.
        return if looks_like_json(head) {
            FileKind::ManifestJson
        } else {
            FileKind::Manifest
        };
    }
    if looks_like_json(head) {
        return match detect_format(head, false) {
            Some(format) if format != ListingFormat::Empty => FileKind::Listing { format },
            _ => FileKind::ManifestJson,
        };
    }
    listing_kind(name, head)
}

fn listing_kind(name: &str, head: &[u8]) -> FileKind {
    match detect_format(head, false) {
        Some(format) => FileKind::Listing { format },
        None if manifest_id_from_path(name).is_some() => FileKind::Manifest,
        None => FileKind::Unknown {
            reason: "neither a manifest, a listing in a known format nor a bundle".to_string(),
        },
    }
}

fn gunzip_head(head: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // A window cut mid-stream ends in an error: what was inflated up to there is what we want.
    let _ = flate2::read::GzDecoder::new(head)
        .take(SNIFF_WINDOW as u64)
        .read_to_end(&mut out);
    out
}

/// A tar archive carries `ustar` at offset 257 of its first header.
fn gzipped_tar(head: &[u8]) -> bool {
    gunzip_head(head).get(257..262) == Some(b"ustar".as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart() {
        assert_eq!(sniff("x", &[0, 2, 9, 9]), FileKind::Manifest);
        assert_eq!(sniff("slatecheck.toml", b"[rules]\n"), FileKind::Config);
        assert_eq!(sniff("x.json", b" {\"id\": 3}"), FileKind::ManifestJson);
        assert_eq!(
            sniff(
                "l.tsv",
                b"12\t1700000000.0\tdb/wal/00000000000000000001.sst\n"
            ),
            FileKind::Listing {
                format: ListingFormat::FindTsv
            }
        );
        assert!(matches!(
            sniff("junk.bin", b"\x7fELF\x02\x01"),
            FileKind::Unknown { .. }
        ));
    }
}
