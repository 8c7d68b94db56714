//! `rclone lsjson -R remote:path`: an array of `{Path, Name, Size, MimeType, ModTime, IsDir, …}`
//! with paths relative to the listed directory. With `-R` every directory entry is followed by
//! what it holds; without `-R`, or with `--max-depth`, directories show with nothing listed
//! under them, which counts as truncation.

use super::json_stream::{stream_ahead, JsonListing, ReadAhead};
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::io::BufRead;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Entry {
    path: String,
    #[serde(default)]
    size: i64,
    mod_time: Option<String>,
    #[serde(default)]
    is_dir: bool,
}

/// Directory entries, and the directories some listed object lies under: as many as the
/// listing's folders, not its objects.
#[derive(Default)]
pub(super) struct Rclone {
    directories: BTreeSet<String>,
    covered: BTreeSet<String>,
}

impl JsonListing for Rclone {
    type Item<'de> = Entry;
    const BARE_ARRAY_READ_AHEAD: bool = true;

    fn absorb_run(&mut self, run: Self, _array: Option<&str>) {
        self.directories.extend(run.directories);
        self.covered.extend(run.covered);
    }

    fn item(
        &mut self,
        _array: Option<&str>,
        entry: Entry,
        builder: &mut ListingBuilder,
    ) -> Result<(), String> {
        if entry.is_dir {
            self.directories
                .insert(entry.path.trim_end_matches('/').to_string());
            return Ok(());
        }
        let mut parent = entry.path.as_str();
        while let Some((up, _)) = parent.rsplit_once('/') {
            if !self.covered.insert(up.to_string()) {
                break;
            }
            parent = up;
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

/// Reads the listing, taking the runs of items `reader` read ahead (see
/// [`super::json_stream::read_run`]).
pub(super) fn parse<R: BufRead + ReadAhead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let mut format = Rclone::default();
    stream_ahead(source, reader, &mut format, builder)?;
    let empty = format.directories.difference(&format.covered).count();
    if empty > 0 {
        builder.warn(ListingWarning::Truncated {
            source: source.to_string(),
            signal: format!(
                "{empty} directory entries with nothing listed under them: not a recursive listing (use `rclone lsjson -R` without --max-depth)"
            ),
        });
    }
    Ok(())
}
