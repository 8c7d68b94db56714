//! Plain `size key` lines (a space or a tab between them), with no times.

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use std::io::BufRead;

pub(super) fn read_lines<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<LineTally, ListingError> {
    let mut tally = LineTally::default();
    tally.lines = for_each_line(source, reader, |number, line| {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        let bad = || ListingError::at(source, number, "expected `<size> <key>`");
        let split = trimmed.find([' ', '\t']).ok_or_else(bad)?;
        let size = super::size(&trimmed[..split]).ok_or_else(bad)?;
        let key = trimmed[split..].trim_start_matches([' ', '\t']);
        if key.is_empty() {
            return Err(bad());
        }
        tally.listed += 1;
        builder.push(RawEntry {
            line: Some(number),
            ..RawEntry::new(key, size)
        });
        Ok(())
    })?;
    Ok(tally)
}
