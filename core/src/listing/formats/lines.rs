//! Line-by-line reading of text listings, with line numbers: lines are found with `memchr` in
//! the reader's own buffer and handed over in place; only a line split across two buffer
//! fills is copied.

use crate::limits::{human_bytes, MAX_LINE_BYTES};
use crate::listing::error::ListingError;
use std::io::{BufRead, ErrorKind};

/// Calls `each(line_number, line)` for every line (without its `\n` or `\r\n`) and returns
/// how many lines there were. A line longer than [`MAX_LINE_BYTES`] is refused as soon as that
/// much is read: it is no listing line, and reading it whole (a gigabyte of one unbroken line)
/// would only fill memory.
pub(super) fn for_each_line<R: BufRead>(
    source: &str,
    mut reader: R,
    mut each: impl FnMut(u64, &str) -> Result<(), ListingError>,
) -> Result<u64, ListingError> {
    let mut carry: Vec<u8> = Vec::new();
    let mut number = 0u64;
    let too_long = |number: u64| {
        ListingError::at(
            source,
            number,
            format!(
                "a line longer than {}: not a listing line (object keys are at most 1024 bytes)",
                human_bytes(MAX_LINE_BYTES as u64)
            ),
        )
    };
    let mut emit = |number: u64, line: &str| each(number, line.strip_suffix('\r').unwrap_or(line));
    // A line as text: refused when too long, then when not UTF-8.
    fn text<'b>(
        source: &str,
        number: u64,
        bytes: &'b [u8],
        too_long: impl Fn(u64) -> ListingError,
    ) -> Result<&'b str, ListingError> {
        if bytes.len() > MAX_LINE_BYTES {
            return Err(too_long(number));
        }
        std::str::from_utf8(bytes).map_err(|_| ListingError::at(source, number, "not UTF-8 text"))
    }
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(ListingError::io(source, &err)),
        };
        if chunk.is_empty() {
            break;
        }
        let filled = chunk.len();
        let mut start = 0;
        if !carry.is_empty() {
            match memchr::memchr(b'\n', chunk) {
                Some(end) => {
                    carry.extend_from_slice(&chunk[..end]);
                    number += 1;
                    emit(number, text(source, number, &carry, too_long)?)?;
                    carry.clear();
                    start = end + 1;
                }
                None => {
                    carry.extend_from_slice(chunk);
                    if carry.len() > MAX_LINE_BYTES {
                        return Err(too_long(number + 1));
                    }
                    reader.consume(filled);
                    continue;
                }
            }
        }
        // The complete lines of this fill are checked to be UTF-8 at once, and cut at their
        // newlines (ASCII, so always between characters); only when the check fails is each
        // line checked on its own, to name the one that is not UTF-8.
        if let Some(last) = memchr::memrchr(b'\n', &chunk[start..]) {
            let lines = &chunk[start..start + last + 1];
            let checked = std::str::from_utf8(lines).ok();
            let mut at = 0;
            for end in memchr::memchr_iter(b'\n', lines) {
                number += 1;
                let line = match checked {
                    Some(checked) if end - at <= MAX_LINE_BYTES => &checked[at..end],
                    _ => text(source, number, &lines[at..end], too_long)?,
                };
                emit(number, line)?;
                at = end + 1;
            }
            start += last + 1;
        }
        // A line read so far only in part; `start` moved past every complete one.
        carry.extend_from_slice(&chunk[start..]);
        if carry.len() > MAX_LINE_BYTES {
            return Err(too_long(number + 1));
        }
        reader.consume(filled);
    }
    if !carry.is_empty() {
        number += 1;
        emit(number, text(source, number, &carry, too_long)?)?;
    }
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8], capacity: usize) -> Vec<(u64, String)> {
        let mut seen = Vec::new();
        let reader = std::io::BufReader::with_capacity(capacity, text);
        for_each_line("t", reader, |n, line| {
            seen.push((n, line.to_string()));
            Ok(())
        })
        .unwrap();
        seen
    }

    #[test]
    fn lines_split_across_buffer_fills_read_whole() {
        let text = b"first\r\n\nsecond line\nlast";
        let expected: Vec<(u64, String)> = vec![
            (1, "first".into()),
            (2, String::new()),
            (3, "second line".into()),
            (4, "last".into()),
        ];
        for capacity in [1, 2, 3, 5, 8, 64] {
            assert_eq!(lines(text, capacity), expected, "capacity {capacity}");
        }
        assert_eq!(lines(b"a\n", 1), [(1, "a".to_string())]);
        assert!(lines(b"", 4).is_empty());
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let reader = std::io::BufReader::with_capacity(2, &b"ok\n\xff\n"[..]);
        let err = for_each_line("t", reader, |_, _| Ok(())).unwrap_err();
        assert!(err.to_string().contains('2'), "{err}");
        // In the middle of a buffer fill checked at once, after lines already handed over.
        let text = b"one\ntwo \xc3\xa9\nthree \xc3\nfour\n";
        for capacity in [3, 64] {
            let mut seen = Vec::new();
            let reader = std::io::BufReader::with_capacity(capacity, &text[..]);
            let err = for_each_line("t", reader, |n, line| {
                seen.push((n, line.to_string()));
                Ok(())
            })
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "t:3: not UTF-8 text",
                "capacity {capacity}"
            );
            assert_eq!(seen, [(1, "one".into()), (2, "two é".into())]);
        }
    }
}
