//! `mc ls --json -r [--versions] alias/bucket/prefix`: one JSON object per line,
//! `{status, type, lastModified, size, key, etag, url, versionId, versionOrdinal,
//! isDeleteMarker, storageClass}`, keys relative to the listed prefix; with `--versions` each
//! key's versions follow each other, newest first. An `"error"` status line means part of the
//! listing failed.

use super::json_stream::{stream, FlexibleSize, JsonListing};
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use serde::Deserialize;
use serde_json::Value;
use std::io::BufRead;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    last_modified: Option<String>,
    #[serde(default)]
    size: FlexibleSize,
    key: Option<String>,
    etag: Option<String>,
    version_id: Option<String>,
    is_latest: Option<bool>,
    #[serde(default)]
    is_delete_marker: bool,
    error: Option<Value>,
}

#[derive(Default)]
struct Mc {
    errors: Vec<String>,
    /// The key of the previous object line: `--versions` prints each key's versions together,
    /// newest first (`versionOrdinal` counts up from the oldest).
    previous_key: Option<String>,
}

impl JsonListing for Mc {
    type Item<'de> = Line;
    const OBJECT_IS_ITEM: bool = true;

    fn item(
        &mut self,
        _array: Option<&str>,
        line: Line,
        builder: &mut ListingBuilder,
    ) -> Result<(), String> {
        if line
            .status
            .as_deref()
            .is_some_and(|status| status != "success")
        {
            let detail = line
                .error
                .map(|error| error.to_string())
                .unwrap_or_else(|| "error status".to_string());
            self.errors.push(detail);
            return Ok(());
        }
        if line.kind.as_deref() == Some("folder") {
            return Ok(());
        }
        let key = line.key.ok_or("an object line without `key`")?;
        let last_modified = time::optional_rfc3339("lastModified", line.last_modified.as_deref())?;
        let size = match line.size.0 {
            Some(size) => size,
            None if line.is_delete_marker => 0,
            None => return Err(format!("object `{key}` has no size")),
        };
        let repeated = self.previous_key.as_deref() == Some(key.as_str());
        let is_latest = line
            .is_latest
            .or(line.version_id.as_ref().map(|_| !repeated));
        self.previous_key = Some(key.clone());
        builder.push(RawEntry {
            last_modified,
            etag: time::unquoted(line.etag),
            version_id: line.version_id,
            is_latest,
            is_delete_marker: line.is_delete_marker,
            ..RawEntry::new(key, size)
        });
        Ok(())
    }
}

pub(super) fn parse<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let mut format = Mc::default();
    stream(source, reader, &mut format, builder)?;
    if let Some(first) = format.errors.first() {
        builder.warn(ListingWarning::Truncated {
            source: source.to_string(),
            signal: format!("{} error line(s), first: {first}", format.errors.len()),
        });
    }
    Ok(())
}
