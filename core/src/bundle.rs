//! The bundle: one `.tar.gz` file with what a check needs from a store (its SlateDB objects'
//! listing, its WAL store's listing, its manifest objects) and nothing else: the operator's
//! one-file hand-off to a ticket or to the web page. Written by `slatecheck collect`, read by
//! `slatecheck check --bundle` and the page.
//!
//! Layout: `slatecheck-bundle.json` (what was collected, from where), `listings/main.tsv` and
//! `listings/wal.tsv` (`find -printf '%s\t%T@\t%P\n'` format: size, epoch seconds, key), and
//! `manifests/<key>` for every manifest object, `compactions/<key>` for each root's newest
//! `compactions/` object (read for its compactor epoch; readers before it skip the folder),
//! and `sst-objects/main/<key>` / `sst-objects/wal-store/<key>` for the SST objects read for
//! their rows' sequence numbers (WAL objects after each latest manifest's replay point, SSTs it
//! does not know: see [`crate::snapshot::objects_to_read`]; readers before it skip the folder
//! too).
//! Entries are sorted and carry no timestamps, so the same store state gives the same bytes.

use crate::limits::{human_bytes, LimitExceeded, Limits};
use crate::listing::{read_listing, Listing, ListingBuilder, ListingError, ListingOptions};
use crate::manifest::{
    compactor_epoch, decode_for_check, ManifestError, SharedSstViews, MAX_COMPACTIONS_BYTES,
};
use crate::snapshot::RowsError;
use crate::snapshot::{GivenManifests, RowsRead, SnapshotInputs, StoreSide};
use crate::sst::read_sst_rows;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::io::{Read, Write};
use std::rc::Rc;
use thiserror::Error;

/// Version of the bundle layout.
pub const BUNDLE_VERSION: u32 = 1;

const INFO: &str = "slatecheck-bundle.json";
const MAIN_LISTING: &str = "listings/main.tsv";
const WAL_LISTING: &str = "listings/wal.tsv";
const MANIFESTS: &str = "manifests/";
const COMPACTIONS: &str = "compactions/";
const SST_OBJECTS_MAIN: &str = "sst-objects/main/";
const SST_OBJECTS_WAL_STORE: &str = "sst-objects/wal-store/";
/// The longest member name read (a GNU long-name member): object keys are at most 1024 bytes.
const MAX_NAME_BYTES: u64 = 4096;

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
    /// Whether `collect` was given a WAL store. `Some(false)` asserts that the databases keep
    /// their WAL in the main store (as `check --no-wal-store` does); bundles written before
    /// this field existed leave it out, and assert nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_store_given: Option<bool>,
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
    /// It exceeds a [`Limits`] value (a gzip or tar bomb, or a store too big for the limits).
    #[error("{file}: {exceeded}")]
    Limit {
        /// The bundle file.
        file: String,
        /// Which limit, and what exceeded it.
        exceeded: LimitExceeded,
    },
}

/// Decompressed bytes read so far, failing the read once `limit` is passed: a gzip bomb stops
/// after `limit` bytes of work instead of filling memory or spinning for minutes.
/// (The tar reader wraps its source's errors in its own, so the trip is also kept in `tripped`,
/// which the caller still holds.)
struct Bounded<R> {
    inner: R,
    read: u64,
    limit: u64,
    tripped: Rc<Cell<bool>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let over = |this: &Self| {
            this.tripped.set(true);
            Err(std::io::Error::other("bundle-bytes limit exceeded"))
        };
        if self.read > self.limit {
            return over(self);
        }
        let room = (self.limit - self.read + 1).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        if self.read > self.limit {
            return over(self);
        }
        Ok(n)
    }
}

/// Counts the compressed bytes read, so that a damaged archive's error says where.
struct Counted<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
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
    let objects = BundleObjects {
        manifests,
        ..BundleObjects::default()
    };
    write_bundle_objects(out, info, main, wal, &objects)
}

/// The raw objects a bundle carries beside its listings, each as (key, bytes).
#[derive(Clone, Copy, Debug, Default)]
pub struct BundleObjects<'a> {
    /// Manifest objects.
    pub manifests: &'a [(String, Vec<u8>)],
    /// Each root's newest `compactions/` object.
    pub compactions: &'a [(String, Vec<u8>)],
    /// SST objects read for their rows (see [`crate::snapshot::objects_to_read`]), with the
    /// store they were listed in.
    pub sst_objects: &'a [(StoreSide, String, Vec<u8>)],
}

/// [`write_bundle`], with every kind of raw object a bundle carries.
pub fn write_bundle_objects<W: Write>(
    out: W,
    info: &BundleInfo,
    main: &Listing,
    wal: Option<&Listing>,
    objects: &BundleObjects<'_>,
) -> std::io::Result<W> {
    let mut writer = BundleWriter::new(out, DEFAULT_GZIP_LEVEL, info, main, wal)?;
    let manifests = objects
        .manifests
        .iter()
        .map(|(key, bytes)| (BundleMember::Manifest(key), bytes));
    let compactions = objects
        .compactions
        .iter()
        .map(|(key, bytes)| (BundleMember::Compactions(key), bytes));
    let sst_objects = objects
        .sst_objects
        .iter()
        .map(|(side, key, bytes)| (BundleMember::SstObject(*side, key), bytes));
    let mut members: Vec<(String, &Vec<u8>)> = manifests
        .chain(compactions)
        .chain(sst_objects)
        .map(|(member, bytes)| (member.name(), bytes))
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, bytes) in members {
        writer.add_named(name, bytes)?;
    }
    writer.finish()
}

/// The gzip level bundles are written at unless asked otherwise (flate2's default).
pub const DEFAULT_GZIP_LEVEL: u32 = 6;

/// A raw object a bundle carries, by its key.
#[derive(Clone, Copy, Debug)]
pub enum BundleMember<'a> {
    /// A manifest object.
    Manifest(&'a str),
    /// A root's newest `compactions/` object.
    Compactions(&'a str),
    /// An SST object read for its rows, with the store it was listed in.
    SstObject(StoreSide, &'a str),
}

impl BundleMember<'_> {
    /// Its name in the archive.
    pub fn name(&self) -> String {
        match self {
            Self::Manifest(key) => format!("{MANIFESTS}{key}"),
            Self::Compactions(key) => format!("{COMPACTIONS}{key}"),
            Self::SstObject(StoreSide::Main, key) => format!("{SST_OBJECTS_MAIN}{key}"),
            Self::SstObject(StoreSide::WalStore, key) => format!("{SST_OBJECTS_WAL_STORE}{key}"),
        }
    }
}

/// Writes a bundle object by object, for a writer that cannot hold every object at once
/// (`collect` adds each manifest as it arrives). The objects must come in the order of their
/// names in the archive (`compactions/`, then `manifests/`, then `sst-objects/`, each by key),
/// the order [`write_bundle_objects`] sorts them in, so that the same store state gives the same
/// bytes however it was written; one out of order is refused.
pub struct BundleWriter<W: Write> {
    tar: tar::Builder<flate2::write::GzEncoder<W>>,
    /// The name of the last object added.
    last: Option<String>,
}

impl<W: Write> BundleWriter<W> {
    /// Starts a bundle on `out`, compressed at gzip `level` (0 to 9), with its info and
    /// listings.
    pub fn new(
        out: W,
        level: u32,
        info: &BundleInfo,
        main: &Listing,
        wal: Option<&Listing>,
    ) -> std::io::Result<Self> {
        let gzip = flate2::write::GzEncoder::new(out, flate2::Compression::new(level.min(9)));
        let mut writer = Self {
            tar: tar::Builder::new(gzip),
            last: None,
        };
        writer.tar.mode(tar::HeaderMode::Deterministic);
        let info = serde_json::to_string_pretty(info).unwrap_or_default() + "\n";
        writer.append(INFO, info.as_bytes())?;
        writer.append(MAIN_LISTING, listing_text(main).as_bytes())?;
        if let Some(wal) = wal {
            writer.append(WAL_LISTING, listing_text(wal).as_bytes())?;
        }
        Ok(writer)
    }

    /// Adds one raw object, after every object whose name comes before its own.
    pub fn add(&mut self, member: BundleMember<'_>, bytes: &[u8]) -> std::io::Result<()> {
        self.add_named(member.name(), bytes)
    }

    fn add_named(&mut self, name: String, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(last) = self.last.as_ref().filter(|last| name < **last) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("bundle member `{name}` added after `{last}`: members go in name order"),
            ));
        }
        self.append(&name, bytes)?;
        self.last = Some(name);
        Ok(())
    }

    fn append(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        self.tar.append_data(&mut header, name, bytes)
    }

    /// Ends the archive and the gzip stream; returns `out`.
    pub fn finish(self) -> std::io::Result<W> {
        self.tar.into_inner()?.finish()
    }
}

/// The store and key of an `sst-objects/` member.
fn sst_object_member(name: &str) -> Option<(StoreSide, &str)> {
    name.strip_prefix(SST_OBJECTS_MAIN)
        .map(|key| (StoreSide::Main, key))
        .or_else(|| {
            name.strip_prefix(SST_OBJECTS_WAL_STORE)
                .map(|key| (StoreSide::WalStore, key))
        })
}

/// Reads a bundle into a check's inputs, under the default [`Limits`].
pub fn read_bundle<R: Read>(
    file: &str,
    reader: R,
    options: ListingOptions,
) -> Result<(BundleInfo, SnapshotInputs), BundleError> {
    read_bundle_with_limits(file, reader, options, &Limits::default())
}

/// Reads a bundle into a check's inputs. Refuses, before spending the memory or time, a bundle
/// that decompresses past `bundle-bytes`, holds more than `bundle-members` members, or a member
/// larger than `member-bytes` (manifests: `manifest-bytes`). Listings stream from the archive;
/// only manifests are held whole.
pub fn read_bundle_with_limits<R: Read>(
    file: &str,
    reader: R,
    options: ListingOptions,
    limits: &Limits,
) -> Result<(BundleInfo, SnapshotInputs), BundleError> {
    let over = |name: &'static str, limit: u64, what: String| BundleError::Limit {
        file: file.to_string(),
        exceeded: LimitExceeded { name, limit, what },
    };
    let decompressed_over = || {
        over(
            "bundle-bytes",
            limits.bundle_bytes,
            format!(
                "the decompressed archive (more than {})",
                human_bytes(limits.bundle_bytes)
            ),
        )
    };
    let tripped = Rc::new(Cell::new(false));
    let consumed = Rc::new(Cell::new(0u64));
    let archive_error = |err: std::io::Error| {
        if tripped.get() {
            return decompressed_over();
        }
        BundleError::Archive {
            file: file.to_string(),
            // The tar reader quotes header bytes (a member name may hold newlines).
            detail: crate::printable::printable(&format!(
                "{err} (within the first {} bytes)",
                consumed.get()
            )),
        }
    };
    let counted = Counted {
        inner: reader,
        consumed: Rc::clone(&consumed),
    };
    let bounded = Bounded {
        inner: flate2::read::GzDecoder::new(counted),
        read: 0,
        limit: limits.bundle_bytes,
        tripped: Rc::clone(&tripped),
    };
    let mut archive = tar::Archive::new(bounded);
    let mut info: Option<BundleInfo> = None;
    let mut main = None;
    let mut wal = None;
    let mut manifests = GivenManifests::default();
    let mut shared_views = SharedSstViews::default();
    let mut compactor_epochs = Vec::new();
    let mut object_rows = Vec::new();
    let mut sst_bytes = 0u64;
    let mut members = 0u64;
    let mut declared = 0u64;
    // Raw entries: the tar crate would read a GNU long-name member whole, however large, so
    // long names are read here, capped; PAX extensions (slatecheck writes none) are skipped.
    let mut long_name: Option<String> = None;
    for entry in archive.entries().map_err(archive_error)?.raw(true) {
        let mut entry = entry.map_err(archive_error)?;
        members += 1;
        if members > limits.bundle_members {
            return Err(over(
                "bundle-members",
                limits.bundle_members,
                format!("member {members}"),
            ));
        }
        // The header declares the size: refuse a bomb before inflating a byte of it.
        let size = entry.header().size().map_err(archive_error)?;
        declared = declared.saturating_add(size);
        let kind = entry.header().entry_type();
        if kind.is_gnu_longname() {
            if size > MAX_NAME_BYTES {
                return Err(BundleError::Layout {
                    file: file.to_string(),
                    detail: format!(
                        "a member name of {} (at most {MAX_NAME_BYTES} bytes)",
                        human_bytes(size)
                    ),
                });
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(archive_error)?;
            let bytes = bytes.strip_suffix(b"\0").unwrap_or(&bytes);
            long_name = Some(String::from_utf8_lossy(bytes).into_owned());
            continue;
        }
        if kind.is_gnu_longlink()
            || kind.is_pax_local_extensions()
            || kind.is_pax_global_extensions()
        {
            continue;
        }
        let name = match long_name.take() {
            Some(name) => name,
            None => entry
                .path()
                .map_err(archive_error)?
                .to_string_lossy()
                .into_owned(),
        }
        .replace('\\', "/");
        // Member names are untrusted: shown escaped, so an error stays one line.
        let shown = format!("{file}:{}", name.escape_debug());
        if size > limits.member_bytes {
            return Err(over(
                "member-bytes",
                limits.member_bytes,
                format!("member {} ({})", name.escape_debug(), human_bytes(size)),
            ));
        }
        if declared > limits.bundle_bytes {
            return Err(decompressed_over());
        }
        if name == INFO {
            let mut bytes = Vec::new();
            (&mut entry)
                .take(1 << 20)
                .read_to_end(&mut bytes)
                .map_err(archive_error)?;
            info = Some(
                serde_json::from_slice(&bytes).map_err(|err| BundleError::Layout {
                    file: file.to_string(),
                    detail: format!("{INFO}: {err}"),
                })?,
            );
        } else if name == MAIN_LISTING || name == WAL_LISTING {
            let mut builder = ListingBuilder::new(options.clone());
            let read = read_listing(
                &mut builder,
                &shown,
                &mut entry,
                Some(crate::listing::ListingFormat::FindTsv),
            );
            if let Err(err) = read {
                // A listing cut short by the archive's own limit names the limit.
                if tripped.get() {
                    return Err(decompressed_over());
                }
                return Err(err.into());
            }
            let listing = builder.finish();
            if name == MAIN_LISTING {
                main = Some(listing)
            } else {
                wal = Some(listing)
            }
        } else if let Some(key) = name.strip_prefix(MANIFESTS) {
            limits
                .check_manifest_bytes(&format!("manifest {}", name.escape_debug()), size)
                .map_err(|exceeded| BundleError::Limit {
                    file: file.to_string(),
                    exceeded,
                })?;
            let mut bytes = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut bytes).map_err(archive_error)?;
            let decoded = decode_for_check(&shown, &bytes, None, limits)?;
            manifests.push(key.to_string(), decoded, |manifest| {
                shared_views
                    .share_within(&mut manifest.manifest, limits)
                    .map_err(|exceeded| BundleError::Limit {
                        file: file.to_string(),
                        exceeded,
                    })
            })?;
        } else if let Some((side, key)) = sst_object_member(&name) {
            // Read for the rows' sequence numbers, within the budget a live check reads under
            // (past it an object is left unread, as there); one that cannot be decoded says why.
            sst_bytes = sst_bytes.saturating_add(size);
            if sst_bytes > limits.sst_read_bytes {
                continue;
            }
            let mut bytes = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut bytes).map_err(archive_error)?;
            object_rows.push(RowsRead {
                side,
                key: key.to_string(),
                size: bytes.len() as u64,
                rows: read_sst_rows(&bytes).map_err(RowsError::Sst),
            });
        } else if let Some(key) = name.strip_prefix(COMPACTIONS) {
            // Read for the compactor epoch only; one that cannot be read decides nothing.
            if size <= MAX_COMPACTIONS_BYTES as u64 {
                let mut bytes = Vec::with_capacity(size as usize);
                entry.read_to_end(&mut bytes).map_err(archive_error)?;
                if let Ok(epoch) = compactor_epoch(&bytes) {
                    compactor_epochs.push((key.to_string(), epoch));
                }
            }
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
            compactor_epochs,
            object_rows,
            ..SnapshotInputs::default()
        }
        .with_manifests(manifests),
    ))
}
