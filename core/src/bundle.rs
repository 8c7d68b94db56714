//! The bundle: one `.tar.gz` file with what a check needs from a store (its SlateDB objects'
//! listing, its WAL store's listing, its manifest objects) and nothing else: the operator's
//! one-file hand-off to a ticket or to the web page. Written by `slatecheck collect`, read by
//! `slatecheck check --bundle` and the page.
//!
//! Layout: `slatecheck-bundle.json` (what was collected, from where), `listings/main.tsv` and
//! `listings/wal.tsv` (`find -printf '%s\t%T@\t%P\n'` format: size, epoch seconds, key), and
//! `manifests/<key>` for every manifest object. Entries are sorted and carry no timestamps, so
//! the same store state gives the same bytes.

use crate::listing::{read_listing, Listing, ListingBuilder, ListingError, ListingOptions};
use crate::manifest::{decode_manifest_file, ManifestError};
use crate::snapshot::SnapshotInputs;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use thiserror::Error;

/// Version of the bundle layout.
pub const BUNDLE_VERSION: u32 = 1;

const INFO: &str = "slatecheck-bundle.json";
const MAIN_LISTING: &str = "listings/main.tsv";
const WAL_LISTING: &str = "listings/wal.tsv";
const MANIFESTS: &str = "manifests/";

/// What a bundle says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleInfo {
    /// [`BUNDLE_VERSION`].
    pub bundle_version: u32,
    /// The tool and version that wrote it.
    pub created_by: String,
    /// The main store it was collected from.
    pub store: String,
    /// The separate WAL store, if any.
    pub wal_store: Option<String>,
}

/// A bundle that cannot be read.
#[derive(Debug, Error)]
pub enum BundleError {
    /// Not a gzipped tar archive, or a damaged one.
    #[error("{file}: not a slatecheck bundle (.tar.gz): {detail}")]
    Archive {
        /// The bundle file.
        file: String,
        /// What failed.
        detail: String,
    },
    /// The archive lacks `slatecheck-bundle.json`, or it is of an unknown version.
    #[error("{file}: {detail}")]
    Layout {
        /// The bundle file.
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// A listing inside it cannot be read.
    #[error(transparent)]
    Listing(#[from] ListingError),
    /// A manifest inside it cannot be decoded.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

/// One listing as bundle text (SlateDB objects only).
fn listing_text(listing: &Listing) -> String {
    let mut out = String::new();
    for (key, object) in listing.objects.sorted() {
        let (seconds, nanos) = object.last_modified.map_or((0, 0), |time| {
            (time.at.timestamp(), time.at.timestamp_subsec_nanos())
        });
        out.push_str(&format!("{}\t{seconds}.{nanos:09}0\t{key}\n", object.size));
    }
    out
}

/// Writes a bundle to `out`: the info, the listings, and the raw manifest objects.
pub fn write_bundle<W: Write>(
    out: W,
    info: &BundleInfo,
    main: &Listing,
    wal: Option<&Listing>,
    manifests: &[(String, Vec<u8>)],
) -> std::io::Result<W> {
    let gzip = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut add = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes)
    };
    add(
        INFO,
        (serde_json::to_string_pretty(info).unwrap_or_default() + "\n").as_bytes(),
    )?;
    add(MAIN_LISTING, listing_text(main).as_bytes())?;
    if let Some(wal) = wal {
        add(WAL_LISTING, listing_text(wal).as_bytes())?;
    }
    let mut sorted: Vec<&(String, Vec<u8>)> = manifests.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, bytes) in sorted {
        add(&format!("{MANIFESTS}{key}"), bytes)?;
    }
    tar.into_inner()?.finish()
}

/// Reads a bundle into a check's inputs.
pub fn read_bundle<R: Read>(
    file: &str,
    reader: R,
    options: ListingOptions,
) -> Result<(BundleInfo, SnapshotInputs), BundleError> {
    let archive_error = |err: std::io::Error| BundleError::Archive {
        file: file.to_string(),
        detail: err.to_string(),
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    let mut info: Option<BundleInfo> = None;
    let mut main = None;
    let mut wal = None;
    let mut manifests = Vec::new();
    for entry in archive.entries().map_err(archive_error)? {
        let mut entry = entry.map_err(archive_error)?;
        let name = entry
            .path()
            .map_err(archive_error)?
            .to_string_lossy()
            .replace('\\', "/");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(archive_error)?;
        let shown = format!("{file}:{name}");
        if name == INFO {
            info = Some(
                serde_json::from_slice(&bytes).map_err(|err| BundleError::Layout {
                    file: file.to_string(),
                    detail: format!("{INFO}: {err}"),
                })?,
            );
        } else if name == MAIN_LISTING || name == WAL_LISTING {
            let mut builder = ListingBuilder::new(options.clone());
            read_listing(
                &mut builder,
                &shown,
                bytes.as_slice(),
                Some(crate::listing::ListingFormat::FindTsv),
            )?;
            let listing = builder.finish();
            if name == MAIN_LISTING {
                main = Some(listing)
            } else {
                wal = Some(listing)
            }
        } else if let Some(key) = name.strip_prefix(MANIFESTS) {
            let mut decoded = decode_manifest_file(&shown, &bytes, None)?;
            manifests.push((key.to_string(), decoded.remove(0)));
        }
    }
    let info = info.ok_or_else(|| BundleError::Layout {
        file: file.to_string(),
        detail: format!("no {INFO}: not a slatecheck bundle"),
    })?;
    if info.bundle_version != BUNDLE_VERSION {
        return Err(BundleError::Layout {
            file: file.to_string(),
            detail: format!(
                "bundle version {} is not supported (this slatecheck reads {BUNDLE_VERSION})",
                info.bundle_version
            ),
        });
    }
    Ok((
        info,
        SnapshotInputs {
            main,
            wal,
            manifests,
        },
    ))
}
