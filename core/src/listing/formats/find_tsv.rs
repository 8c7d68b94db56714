//! GNU find with tab-separated fields: `find DIR -type f -printf '%s\t%T@\t%P\n'` (size, epoch
//! seconds with a fraction, path relative to DIR). The longer form with an ISO time before the
//! epoch (`'%s\t%TY-%Tm-%TdT%TH:%TM:%TSZ\t%T@\t%P\n'`) is accepted too; the epoch is used, as
//! `%T…Z` prints local time with a literal `Z`.

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{EntryRef, ListingBuilder};
use crate::listing::error::ListingError;
use crate::listing::object_key::split_at_first;
use crate::listing::time;
use std::io::BufRead;

pub(super) fn read_lines<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<LineTally, ListingError> {
    let mut tally = LineTally::default();
    let mut times = time::EpochTimes::default();
    tally.lines = for_each_line(source, reader, |number, line| {
        if line.trim().is_empty() {
            return Ok(());
        }
        let bad = || {
            ListingError::at(
                source,
                number,
                "expected `<size>\\t<epoch seconds>\\t<path>`",
            )
        };
        // Columns cut with memchr's search: `str::splitn` was a sixth of reading these lines.
        let (size, rest) = split_at_first(line, b'\t').ok_or_else(bad)?;
        let (mut epoch, mut path) = split_at_first(rest, b'\t').ok_or_else(bad)?;
        // The long form has an ISO time before the epoch.
        if memchr::memchr(b'T', epoch.as_bytes()).is_some() {
            (epoch, path) = split_at_first(path, b'\t').ok_or_else(bad)?;
        }
        let size = super::size(size).ok_or_else(bad)?;
        let modified = times.read(epoch).ok_or_else(bad)?;
        let path = path.strip_prefix("./").unwrap_or(path);
        if path.is_empty() {
            return Err(bad());
        }
        tally.listed += 1;
        builder.push_ref(EntryRef {
            last_modified: Some(modified),
            line: Some(number),
            ..EntryRef::new(path, size)
        });
        Ok(())
    })?;
    Ok(tally)
}
