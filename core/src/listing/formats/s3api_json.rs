//! `aws s3api list-objects-v2` and `list-object-versions` JSON: a document with `Contents`
//! (or `Versions` and `DeleteMarkers`), a bare array from `--query 'Contents[]'`, or several
//! page documents concatenated by someone paginating by hand. A continuation token or
//! `IsTruncated: true` on the last document means the listing stops early.

use super::json_etag::JsonEtag;
use super::json_stream::{stream_ahead, FlexibleSize, JsonListing, ReadAhead};
use crate::listing::builder::{EntryRef, ListingBuilder};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::io::BufRead;

/// One object or version; its strings borrow from the listing's bytes unless they hold escapes.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct S3Object<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(default)]
    size: FlexibleSize,
    #[serde(borrow)]
    last_modified: Option<Cow<'a, str>>,
    #[serde(rename = "ETag", borrow)]
    etag: Option<JsonEtag<'a>>,
    #[serde(borrow)]
    version_id: Option<Cow<'a, str>>,
    is_latest: Option<bool>,
}

#[derive(Default)]
pub(super) struct S3Api {
    /// Continuation signals of the document being read, and of the last one finished.
    current: Vec<String>,
    last: Vec<String>,
    /// Objects came in a bare array (`--query 'Contents[]'`), which has no room for a token.
    bare: bool,
}

impl JsonListing for S3Api {
    type Item<'de> = S3Object<'de>;
    const ARRAY_FIELDS: &'static [&'static str] = &["Contents", "Versions", "DeleteMarkers"];
    // An object and a version are read alike; a delete marker is not.
    const ARRAYS_READ_AHEAD: &'static [&'static str] = &["Contents", "Versions"];
    const BARE_ARRAY_READ_AHEAD: bool = true;
    const SCALAR_FIELDS: &'static [&'static str] = &[
        "IsTruncated",
        "NextToken",
        "NextContinuationToken",
        "NextKeyMarker",
        "NextVersionIdMarker",
        "NextMarker",
    ];

    fn item(
        &mut self,
        array: Option<&str>,
        item: S3Object<'_>,
        builder: &mut ListingBuilder,
    ) -> Result<(), String> {
        let last_modified = time::optional_rfc3339("LastModified", item.last_modified.as_deref())?;
        self.bare |= array.is_none();
        let is_delete_marker = array == Some("DeleteMarkers");
        let size = match item.size.0 {
            Some(size) => size,
            None if is_delete_marker => 0,
            None => return Err(format!("object `{}` has no Size", item.key)),
        };
        builder.push_ref(EntryRef {
            last_modified,
            etag: item.etag.as_ref().map(JsonEtag::as_str),
            version_id: item.version_id.as_deref(),
            is_latest: item.is_latest,
            is_delete_marker,
            ..EntryRef::new(&item.key, size)
        });
        Ok(())
    }

    // Of the items, `item` keeps only whether they came in a bare array.
    fn absorb_run(&mut self, _run: Self, array: Option<&str>) {
        self.bare |= array.is_none();
    }

    fn field(&mut self, name: &str, value: Value, _builder: &mut ListingBuilder) {
        let signals = match (&value, name) {
            (Value::Bool(true), "IsTruncated") => true,
            (Value::String(token), _) if name != "IsTruncated" && !token.is_empty() => true,
            _ => false,
        };
        if signals {
            self.current.push(if name == "IsTruncated" {
                "IsTruncated: true".to_string()
            } else {
                format!("{name} present")
            });
        }
    }

    fn end_document(&mut self, _builder: &mut ListingBuilder) {
        self.last = std::mem::take(&mut self.current);
    }
}

/// Reads the listing, taking the runs of items `reader` read ahead (see
/// [`super::json_stream::read_run`]).
pub(super) fn parse<R: BufRead + ReadAhead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let mut format = S3Api::default();
    stream_ahead(source, reader, &mut format, builder)?;
    if !format.last.is_empty() {
        builder.warn(ListingWarning::Truncated {
            source: source.to_string(),
            signal: format!("{} on the last page", format.last.join(", ")),
        });
    }
    if format.bare {
        builder.warn(ListingWarning::Unverifiable {
            source: source.to_string(),
            why: "a bare array, as `--query 'Contents[]'` prints: the query drops NextToken, so `--max-items` truncation does not show".to_string(),
        });
    }
    Ok(())
}
