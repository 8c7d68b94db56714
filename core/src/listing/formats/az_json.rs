//! `az storage blob list --container-name C [--prefix P] -o json`: an array of blobs
//! `{name, properties: {contentLength, lastModified, etag, …}, deleted, versionId,
//! isCurrentVersion, snapshot}`. The CLI returns at most 5000 results unless given
//! `--num-results "*"`, and with `--show-next-marker` ends with a `{"nextMarker": …}` entry.

use super::json_stream::{stream_ahead, FlexibleSize, JsonListing, ReadAhead};
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use serde::Deserialize;
use std::io::BufRead;

/// The CLI's default `--num-results`.
const AZ_PAGE: u64 = 5000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Blob {
    name: Option<String>,
    #[serde(default)]
    properties: Properties,
    #[serde(default)]
    deleted: Option<bool>,
    version_id: Option<String>,
    is_current_version: Option<bool>,
    snapshot: Option<String>,
    next_marker: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    #[serde(default)]
    content_length: FlexibleSize,
    last_modified: Option<String>,
    etag: Option<String>,
}

#[derive(Default)]
pub(super) struct Az {
    count: u64,
    next_marker: bool,
}

impl JsonListing for Az {
    type Item<'de> = Blob;
    const BARE_ARRAY_READ_AHEAD: bool = true;

    // A deleted blob removes the one listed before it, which may be in another run.
    fn reads_ahead(blob: &Blob) -> bool {
        blob.deleted != Some(true)
    }

    fn absorb_run(&mut self, run: Self, _array: Option<&str>) {
        self.count += run.count;
        self.next_marker |= run.next_marker;
    }

    fn item(
        &mut self,
        _array: Option<&str>,
        blob: Blob,
        builder: &mut ListingBuilder,
    ) -> Result<(), String> {
        if blob
            .next_marker
            .as_deref()
            .is_some_and(|marker| !marker.is_empty())
        {
            self.next_marker = true;
        }
        let Some(name) = blob.name else {
            return Ok(());
        };
        self.count += 1;
        let last_modified =
            time::optional_rfc3339("lastModified", blob.properties.last_modified.as_deref())?;
        let size = blob
            .properties
            .content_length
            .0
            .ok_or_else(|| format!("blob `{name}` has no contentLength"))?;
        // A snapshot or an older version is not the blob's current state.
        let is_latest = if blob.snapshot.is_some() {
            Some(false)
        } else {
            blob.is_current_version
        };
        builder.push(RawEntry {
            last_modified,
            etag: time::unquoted(blob.properties.etag),
            version_id: blob.version_id,
            is_latest,
            is_delete_marker: blob.deleted == Some(true),
            ..RawEntry::new(name, size)
        });
        Ok(())
    }
}

/// Reads the listing, taking the runs of items `reader` read ahead (see
/// [`super::json_stream::read_run`]).
pub(super) fn parse<R: BufRead + ReadAhead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let mut format = Az::default();
    stream_ahead(source, reader, &mut format, builder)?;
    if format.next_marker {
        builder.warn(ListingWarning::Truncated {
            source: source.to_string(),
            signal: "a nextMarker entry".to_string(),
        });
    } else if format.count > 0 && format.count.is_multiple_of(AZ_PAGE) {
        builder.warn(ListingWarning::PossiblyTruncated {
            source: source.to_string(),
            count: format.count,
            page_size: AZ_PAGE,
        });
    } else if format.count > 0 {
        builder.warn(ListingWarning::Unverifiable {
            source: source.to_string(),
            why: "`az storage blob list` prints its continuation marker on stderr, so `--num-results N` truncation does not show in the JSON".to_string(),
        });
    }
    Ok(())
}
