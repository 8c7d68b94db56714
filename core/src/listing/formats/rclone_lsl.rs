//! `rclone lsl remote:path`: `%9d %s %s` (size, local modification time
//! `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` without a zone, path relative to the listed directory).

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use std::io::BufRead;

pub(super) fn read_lines<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<LineTally, ListingError> {
    let offset = builder.options().utc_offset_seconds;
    let mut tally = LineTally::default();
    tally.lines = for_each_line(source, reader, |number, line| {
        if line.trim().is_empty() {
            return Ok(());
        }
        let bad = || {
            ListingError::at(
                source,
                number,
                "expected `<size> YYYY-MM-DD HH:MM:SS.nnnnnnnnn <path>`",
            )
        };
        let rest = line.trim_start();
        let (size, rest) = rest.split_once(' ').ok_or_else(bad)?;
        let size = super::size(size).ok_or_else(bad)?;
        let (date, rest) = rest.split_once(' ').ok_or_else(bad)?;
        let (clock, path) = rest.split_once(' ').ok_or_else(bad)?;
        let modified = time::local(&format!("{date} {clock}"), offset).ok_or_else(bad)?;
        if path.is_empty() {
            return Err(bad());
        }
        tally.listed += 1;
        builder.push(RawEntry {
            last_modified: Some(modified),
            line: Some(number),
            ..RawEntry::new(path, size)
        });
        Ok(())
    })?;
    Ok(tally)
}

pub(super) fn finish(source: &str, builder: &mut ListingBuilder, tally: LineTally) {
    if tally.listed > 0 {
        builder.warn(ListingWarning::Unverifiable {
            source: source.to_string(),
            why: "`rclone lsl` prints no footer and `--max-depth` leaves no trace of the folders it did not enter".to_string(),
        });
    }
}
