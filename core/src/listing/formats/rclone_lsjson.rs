//! `rclone lsjson -R remote:path`: an array of `{Path, Name, Size, MimeType, ModTime, IsDir, …}`
//! with paths relative to the listed directory. Directories are skipped; without `-R` only the
//! top level is listed, which shows as directories and no objects under them.

use super::json_stream::{stream, JsonListing};
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use serde::Deserialize;
use std::io::BufRead;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    path: String,
    #[serde(default)]
    size: i64,
    mod_time: Option<String>,
    #[serde(default)]
    is_dir: bool,
}

struct Rclone;

impl JsonListing for Rclone {
    type Item = Entry;

    fn item(
        &mut self,
        _array: Option<&str>,
        entry: Entry,
        builder: &mut ListingBuilder,
    ) -> Result<(), String> {
        if entry.is_dir {
            return Ok(());
        }
        let last_modified = time::optional_rfc3339("ModTime", entry.mod_time.as_deref())?;
        // rclone prints -1 when the backend does not know the size.
        let (size, size_exact) = match u64::try_from(entry.size) {
            Ok(size) => (size, true),
            Err(_) => (0, false),
        };
        builder.push(RawEntry {
            size_exact,
            last_modified,
            ..RawEntry::new(entry.path, size)
        });
        Ok(())
    }
}

pub(super) fn parse<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    stream(source, reader, &mut Rclone, builder)
}
