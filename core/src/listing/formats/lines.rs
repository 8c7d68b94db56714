//! Line-by-line reading of text listings, with line numbers and one reusable buffer.

use crate::limits::{human_bytes, MAX_LINE_BYTES};
use crate::listing::error::ListingError;
use std::io::{BufRead, Read};

/// Calls `each(line_number, line)` for every line (without its `\n` or `\r\n`). A line longer
/// than [`MAX_LINE_BYTES`] is refused as soon as that much is read: it is no listing line, and
/// reading it whole (a gigabyte of one unbroken line) would only fill memory.
pub(super) fn for_each_line<R: BufRead>(
    source: &str,
    mut reader: R,
    mut each: impl FnMut(u64, &str) -> Result<(), ListingError>,
) -> Result<(), ListingError> {
    let mut buffer = Vec::with_capacity(256);
    let mut number = 0u64;
    loop {
        buffer.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|err| ListingError::io(source, &err))?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        if buffer.len() > MAX_LINE_BYTES && buffer.last() != Some(&b'\n') {
            return Err(ListingError::at(
                source,
                number,
                format!(
                    "a line longer than {}: not a listing line (object keys are at most 1024 bytes)",
                    human_bytes(MAX_LINE_BYTES as u64)
                ),
            ));
        }
        let mut bytes = buffer.as_slice();
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let line = std::str::from_utf8(bytes)
            .map_err(|_| ListingError::at(source, number, "not UTF-8 text"))?;
        each(number, line)?;
    }
}
