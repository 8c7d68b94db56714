//! Line-by-line reading of text listings, with line numbers and one reusable buffer.

use crate::listing::error::ListingError;
use std::io::BufRead;

/// Calls `each(line_number, line)` for every line (without its `\n` or `\r\n`).
pub(super) fn for_each_line<R: BufRead>(
    source: &str,
    mut reader: R,
    mut each: impl FnMut(u64, &str) -> Result<(), ListingError>,
) -> Result<(), ListingError> {
    let mut buffer = Vec::with_capacity(256);
    let mut number = 0u64;
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|err| ListingError::io(source, &err))?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        let mut bytes = buffer.as_slice();
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let line = std::str::from_utf8(bytes)
            .map_err(|_| ListingError::at(source, number, "not UTF-8 text"))?;
        each(number, line)?;
    }
}
