//! `aws s3 ls s3://bucket/prefix --recursive [--summarize] [--human-readable]`:
//! `YYYY-MM-DD HH:MM:SS` (the machine's local time, no zone), the size right-aligned in 10
//! columns, a space, then the key from the bucket root (which may contain spaces). Without
//! `--recursive` it prints `PRE prefix/` lines and no objects under them.

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{EntryRef, ListingBuilder};
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
        let entry = object_line(line, offset).ok_or_else(|| {
            ListingError::at(
                source,
                number,
                "expected `YYYY-MM-DD HH:MM:SS <size> <key>`",
            )
        })?;
        tally.listed += 1;
        builder.push_ref(EntryRef {
            line: Some(number),
            ..entry
        });
        Ok(())
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

fn object_line(line: &str, offset: Option<i32>) -> Option<EntryRef<'_>> {
    let stamp = line.get(..19)?;
    let rest = line.get(19..)?.trim_start();
    let last_modified = time::local(stamp, offset)?;
    let (size_text, rest) = rest.split_once(' ')?;
    // `--human-readable` prints `2.9 MiB`, `10 Bytes`: a number, a unit, then the key.
    let unit = rest.split_once(' ');
    let (size, exact, key) = match unit {
        Some((unit, key)) if human_unit(unit).is_some() && !size_text.is_empty() => {
            let factor = human_unit(unit)?;
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

fn human_unit(unit: &str) -> Option<u64> {
    Some(match unit {
        "Bytes" | "Byte" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "PiB" => 1 << 50,
        _ => return None,
    })
}
