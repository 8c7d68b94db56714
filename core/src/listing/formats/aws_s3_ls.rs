//! `aws s3 ls s3://bucket/prefix --recursive [--summarize] [--human-readable]`:
//! `YYYY-MM-DD HH:MM:SS` (the machine's local time, no zone), the size right-aligned in 10
//! columns, a space, then the key from the bucket root (which may contain spaces). Without
//! `--recursive` it prints `PRE prefix/` lines and no objects under them.

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{EntryRef, ListingBuilder};
use crate::listing::error::ListingError;
use crate::listing::time::LocalTimes;
use crate::listing::warning::ListingWarning;
use std::io::BufRead;

pub(super) fn read_lines<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<LineTally, ListingError> {
    let offset = builder.options().utc_offset_seconds;
    let mut times = LocalTimes::default();
    let mut tally = LineTally::default();
    tally.lines = for_each_line(source, reader, |number, line| {
        // Object lines start with their date: read as one first, the other kinds only when not.
        let object = line
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_digit)
            .then(|| object_line(line, offset, &mut times))
            .flatten();
        if let Some(entry) = object {
            tally.listed += 1;
            builder.push_ref(EntryRef {
                line: Some(number),
                ..entry
            });
            return Ok(());
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("Total Size:") {
            return Ok(());
        }
        if let Some(count) = trimmed.strip_prefix("Total Objects:") {
            tally.declared = Some(count.trim().parse().map_err(|_| {
                ListingError::at(source, number, "unreadable `Total Objects` footer")
            })?);
            return Ok(());
        }
        if trimmed.starts_with("PRE ") {
            tally.folder_lines += 1;
            return Ok(());
        }
        Err(ListingError::at(
            source,
            number,
            "expected `YYYY-MM-DD HH:MM:SS <size> <key>`",
        ))
    })?;
    Ok(tally)
}

pub(super) fn finish(source: &str, builder: &mut ListingBuilder, tally: LineTally) {
    let signal = format!(
        "{} `PRE` lines: not listed with --recursive",
        tally.folder_lines
    );
    super::warn_folder_lines(builder, source, tally.folder_lines, signal);
    if let Some(declared) = tally.declared.filter(|&d| d != tally.listed) {
        builder.warn(ListingWarning::CountMismatch {
            source: source.to_string(),
            declared,
            read: tally.listed,
        });
    }
}

fn object_line<'l>(
    line: &'l str,
    offset: Option<i32>,
    times: &mut LocalTimes,
) -> Option<EntryRef<'l>> {
    let stamp = line.get(..19)?;
    // Byte-wise: the columns are padded with ASCII spaces, and a char-wise search per line
    // was a tenth of reading a large listing.
    let rest = line.get(19..)?.trim_ascii_start();
    let last_modified = times.read(stamp, offset)?;
    let space = rest.bytes().position(|byte| byte == b' ')?;
    let (size_text, rest) = (&rest[..space], &rest[space + 1..]);
    // `--human-readable` prints `2.9 MiB`, `10 Bytes`: a number, a unit, then the key.
    let (size, exact, key) = match human_unit(rest) {
        Some((factor, key)) if !size_text.is_empty() => {
            let value: f64 = size_text.parse().ok()?;
            (
                ((value * factor as f64).round()) as u64,
                factor == 1 && !size_text.contains('.'),
                key,
            )
        }
        _ => (super::size(size_text)?, true, rest),
    };
    if key.is_empty() {
        return None;
    }
    Some(EntryRef {
        size_exact: exact,
        last_modified: Some(last_modified),
        ..EntryRef::new(key, size)
    })
}

/// The unit `--human-readable` prints after the size, as a factor, and the key after it.
fn human_unit(rest: &str) -> Option<(u64, &str)> {
    // Most lines have no unit: one byte tells, without looking further into the key.
    if !matches!(
        rest.as_bytes().first(),
        Some(b'B' | b'K' | b'M' | b'G' | b'T' | b'P')
    ) {
        return None;
    }
    const UNITS: [(&str, u64); 7] = [
        ("Bytes ", 1),
        ("Byte ", 1),
        ("KiB ", 1 << 10),
        ("MiB ", 1 << 20),
        ("GiB ", 1 << 30),
        ("TiB ", 1 << 40),
        ("PiB ", 1 << 50),
    ];
    UNITS
        .iter()
        .find_map(|&(unit, factor)| Some((factor, rest.strip_prefix(unit)?)))
}
