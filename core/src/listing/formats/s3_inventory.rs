//! Amazon S3 Inventory: a `manifest.json` (`sourceBucket`, `creationTimestamp` in epoch
//! milliseconds, `fileFormat`, `fileSchema` naming the CSV columns, `files[]` naming the data
//! files) and CSV data files, usually gzipped, without a header row and with URL-encoded keys.
//! The manifest must be read first; data files it names but that were not given make the
//! listing incomplete.

use crate::listing::builder::{EntryRef, InventoryPlan, ListingBuilder};
use crate::listing::error::ListingError;
use crate::listing::time;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::io::{BufRead, Read};

/// The `fileSchema` fields AWS documents (storage-inventory.html); a column outside this list
/// gets a [`crate::listing::ListingWarning::UnknownColumn`].
const KNOWN_COLUMNS: &[&str] = &[
    "Bucket",
    "Key",
    "VersionId",
    "IsLatest",
    "IsDeleteMarker",
    "Size",
    "LastModifiedDate",
    "ETag",
    "StorageClass",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "EncryptionStatus",
    "ObjectLockRetainUntilDate",
    "ObjectLockMode",
    "ObjectLockLegalHoldStatus",
    "IntelligentTieringAccessTier",
    "BucketKeyStatus",
    "ChecksumAlgorithm",
    "ObjectAccessControlList",
    "ObjectOwner",
    "LifecycleExpirationDate",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    file_format: Option<String>,
    file_schema: String,
    creation_timestamp: Option<String>,
    #[serde(default)]
    files: Vec<ManifestFile>,
}

#[derive(Deserialize)]
struct ManifestFile {
    key: String,
}

pub(super) fn parse_manifest<R: BufRead>(
    source: &str,
    mut reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    // An inventory manifest names its data files: kilobytes, rarely megabytes.
    const MAX_MANIFEST_JSON: u64 = 64 << 20;
    let mut text = Vec::new();
    (&mut reader)
        .take(MAX_MANIFEST_JSON + 1)
        .read_to_end(&mut text)
        .map_err(|err| ListingError::io(source, &err))?;
    if text.len() as u64 > MAX_MANIFEST_JSON {
        return Err(ListingError::new(
            source,
            None,
            "an S3 Inventory manifest.json larger than 64 MiB: not an inventory manifest",
        ));
    }
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|err| ListingError::json(source, &err))?;
    if let Some(format) = manifest
        .file_format
        .as_deref()
        .filter(|f| !f.eq_ignore_ascii_case("CSV"))
    {
        return Err(ListingError::new(
            source,
            None,
            format!("{format} inventories are not supported; configure the inventory as CSV"),
        ));
    }
    let columns: Vec<String> = manifest
        .file_schema
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    if !columns.iter().any(|c| c == "Key") {
        return Err(ListingError::new(
            source,
            None,
            "the fileSchema has no `Key` column",
        ));
    }
    for column in columns
        .iter()
        .filter(|c| !KNOWN_COLUMNS.contains(&c.as_str()))
    {
        builder.warn(crate::listing::ListingWarning::UnknownColumn {
            source: source.to_string(),
            column: column.clone(),
        });
    }
    if let Some(stamp) = manifest.creation_timestamp.as_deref() {
        let at = time::epoch_millis(stamp).ok_or_else(|| {
            ListingError::new(source, None, format!("bad creationTimestamp `{stamp}`"))
        })?;
        builder.set_listing_time(at);
    }
    let pending: BTreeSet<String> = manifest
        .files
        .iter()
        .map(|file| file_name(&file.key).to_string())
        .collect();
    match &mut builder.inventory {
        Some(plan) => {
            plan.pending_files.extend(pending);
        }
        None => {
            builder.inventory = Some(InventoryPlan {
                manifest_source: source.to_string(),
                columns,
                pending_files: pending,
            });
        }
    }
    Ok(())
}

pub(super) fn parse_data<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let Some(plan) = builder.inventory.as_mut() else {
        return Err(ListingError::new(
            source,
            None,
            "an S3 Inventory data file needs its manifest.json",
        ));
    };
    plan.pending_files.remove(file_name(source));
    let columns = plan.columns.clone();
    let column = |name: &str| columns.iter().position(|c| c == name);
    let (key_at, size_at, modified_at, etag_at) = (
        column("Key"),
        column("Size"),
        column("LastModifiedDate"),
        column("ETag"),
    );
    let (version_at, latest_at, marker_at) = (
        column("VersionId"),
        column("IsLatest"),
        column("IsDeleteMarker"),
    );
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    loop {
        let more = csv.read_record(&mut record).map_err(|err| {
            let line = err.position().map(|p| p.line());
            ListingError::new(source, line, format!("bad CSV: {err}"))
        })?;
        if !more {
            return Ok(());
        }
        let line = record.position().map(|p| p.line());
        let field = |at: Option<usize>| at.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let bad = |what: &str| ListingError::new(source, line, what.to_string());
        let key = url_decode(field(key_at).ok_or_else(|| bad("a row without a key"))?)
            .ok_or_else(|| bad("a key that is not valid URL encoding"))?;
        let (size, size_exact) = match field(size_at) {
            Some(text) => (
                text.parse()
                    .map_err(|_| bad("a size that is not a number"))?,
                true,
            ),
            None => (0, false),
        };
        let last_modified = match field(modified_at) {
            Some(text) => Some(
                time::rfc3339(text).ok_or_else(|| bad("a LastModifiedDate that is not a time"))?,
            ),
            None => None,
        };
        builder.push_ref(EntryRef {
            size_exact,
            last_modified,
            etag: field(etag_at),
            version_id: field(version_at),
            is_latest: field(latest_at).map(|v| v.eq_ignore_ascii_case("true")),
            is_delete_marker: field(marker_at).is_some_and(|v| v.eq_ignore_ascii_case("true")),
            line,
            ..EntryRef::new(&key, size)
        });
    }
}

pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Inventory keys are URL-encoded (`%XX`, and `+` for a space).
fn url_decode(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let bytes = text.as_bytes();
    if memchr::memchr2(b'%', b'+', bytes).is_none() {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok().map(std::borrow::Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::url_decode;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(
            url_decode("db/manifest/00000000000000000001.manifest").as_deref(),
            Some("db/manifest/00000000000000000001.manifest")
        );
        assert_eq!(url_decode("a%2Fb+c%25").as_deref(), Some("a/b c%"));
        assert_eq!(url_decode("bad%2"), None);
    }
}
