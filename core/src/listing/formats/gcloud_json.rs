//! `gcloud storage ls --json -r gs://bucket/prefix`: an array of entries
//! `{url, type, metadata: {<GCS object resource>}}`; the GCS JSON object resource itself
//! (`{name, bucket, size: "<uint64 as string>", updated, timeCreated, generation, etag}`) is
//! accepted too, alone or in such an array. Prefix (directory) entries are skipped.

use super::json_stream::{stream_ahead, FlexibleSize, JsonListing, ReadAhead};
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::io::BufRead;

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectResource {
    name: Option<String>,
    #[serde(default)]
    size: FlexibleSize,
    updated: Option<String>,
    time_created: Option<String>,
    generation: Option<serde_json::Value>,
    etag: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Entry {
    url: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    metadata: Option<ObjectResource>,
    #[serde(flatten)]
    resource: ObjectResource,
}

/// Prefix (folder) entries, and the folders some listed object lies under: with `-r` every
/// prefix is followed by its objects; without it prefixes stand for objects not listed.
#[derive(Default)]
pub(super) struct Gcloud {
    prefixes: BTreeSet<String>,
    covered: BTreeSet<String>,
}

impl JsonListing for Gcloud {
    type Item<'de> = Entry;
    const OBJECT_IS_ITEM: bool = true;
    const BARE_ARRAY_READ_AHEAD: bool = true;

    fn absorb_run(&mut self, run: Self, _array: Option<&str>) {
        self.prefixes.extend(run.prefixes);
        self.covered.extend(run.covered);
    }

    fn item(
        &mut self,
        _array: Option<&str>,
        entry: Entry,
        builder: &mut ListingBuilder,
    ) -> Result<(), String> {
        if entry
            .kind
            .as_deref()
            .is_some_and(|kind| kind.contains("prefix"))
        {
            if let Some(url) = entry.url {
                self.prefixes.insert(url.trim_end_matches('/').to_string());
            }
            return Ok(());
        }
        let resource = entry.metadata.unwrap_or(entry.resource);
        let key = entry
            .url
            .or(resource.name)
            .ok_or("an entry without `url` or `name`")?;
        if key.ends_with('/') && resource.size.0.is_none() {
            return Ok(());
        }
        let size = resource
            .size
            .0
            .ok_or_else(|| format!("`{key}` has no size"))?;
        let stamp = resource.updated.or(resource.time_created);
        let last_modified = time::optional_rfc3339("time", stamp.as_deref())?;
        let generation = resource
            .generation
            .map(|g| g.as_str().map_or_else(|| g.to_string(), str::to_string));
        let key = match key.rsplit_once('#') {
            Some((url, suffix))
                if key.starts_with("gs://") && suffix.bytes().all(|b| b.is_ascii_digit()) =>
            {
                url.to_string()
            }
            _ => key,
        };
        let mut parent = key.as_str();
        while let Some((up, _)) = parent.rsplit_once('/') {
            if !self.covered.insert(up.to_string()) {
                break;
            }
            parent = up;
        }
        builder.push(RawEntry {
            last_modified,
            etag: resource.etag,
            version_id: generation,
            ..RawEntry::new(key, size)
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
    let mut format = Gcloud::default();
    stream_ahead(source, reader, &mut format, builder)?;
    let empty = format.prefixes.difference(&format.covered).count();
    if empty > 0 {
        builder.warn(ListingWarning::Truncated {
            source: source.to_string(),
            signal: format!(
                "{empty} prefix entries with nothing listed under them: not a recursive listing (use `gcloud storage ls --json -r`)"
            ),
        });
    }
    Ok(())
}
