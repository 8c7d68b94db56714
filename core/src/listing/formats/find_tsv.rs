//! GNU find with tab-separated fields: `find DIR -type f -printf '%s\t%T@\t%P\n'` (size, epoch
//! seconds with a fraction, path relative to DIR). The longer form with an ISO time before the
//! epoch (`'%s\t%TY-%Tm-%TdT%TH:%TM:%TSZ\t%T@\t%P\n'`) is accepted too; the epoch is used, as
//! `%T…Z` prints local time with a literal `Z`.

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{EntryRef, ListingBuilder};
use crate::listing::error::ListingError;
use crate::listing::time;
use std::io::BufRead;

pub(super) fn read_lines<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<LineTally, ListingError> {
    let mut tally = LineTally::default();
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
        let mut columns = line.splitn(3, '\t');
        let (Some(size), Some(mut epoch), Some(mut path)) =
            (columns.next(), columns.next(), columns.next())
        else {
            return Err(bad());
        };
        // The long form has an ISO time before the epoch.
        if epoch.contains('T') {
            (epoch, path) = path.split_once('\t').ok_or_else(bad)?;
        }
        let size = super::size(size).ok_or_else(bad)?;
        let modified = time::epoch_seconds(epoch).ok_or_else(bad)?;
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
