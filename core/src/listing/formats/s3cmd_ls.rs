//! `s3cmd ls -r s3://bucket[/prefix]` (and `s3cmd la`): `%(timestamp)16s %(size)s  %(uri)s`,
//! as s3cmd 2.x's `subcmd_bucket_list` prints it. The timestamp is the object's
//! `LastModified` formatted `YYYY-MM-DD HH:MM` in UTC (seconds dropped); the size is `%12d`,
//! or `%5d` plus a `K`/`M`/`G`/`T` suffix with `-H` (integer division by 1024 while above 2048,
//! so rounded down). `-l` adds the ETag and the storage class, `--list-md5` the ETag, between
//! size and URI. Without `-r`, common prefixes print as `DIR` lines (objects not listed); a
//! key ending in `/` prints `DIROBJ` instead of its size (a folder placeholder, not read).
//! `--limit N` cut-offs are warned about on stderr only, so the output cannot show truncation.

use super::lines::for_each_line;
use super::LineTally;
use crate::listing::builder::{EntryRef, ListingBuilder};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use std::io::BufRead;

const EXPECTED: &str = "expected `YYYY-MM-DD HH:MM <size>  s3://<bucket>/<key>`";

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
        match read_line(line).ok_or_else(|| ListingError::at(source, number, EXPECTED))? {
            Line::Directory => tally.folder_lines += 1,
            Line::FolderObject => {}
            Line::Bucket => {
                return Err(ListingError::at(
                    source,
                    number,
                    "this is `s3cmd ls` of buckets, not of objects; list a bucket with `s3cmd ls -r s3://BUCKET`",
                ))
            }
            Line::Object(entry) => {
                tally.listed += 1;
                builder.push_ref(EntryRef {
                    line: Some(number),
                    ..entry
                });
            }
        }
        Ok(())
    })?;
    Ok(tally)
}

pub(super) fn finish(source: &str, builder: &mut ListingBuilder, tally: LineTally) {
    let signal = format!("{} `DIR` lines: not listed with -r", tally.folder_lines);
    super::warn_folder_lines(builder, source, tally.folder_lines, signal);
    if tally.listed > 0 {
        builder.warn(ListingWarning::Unverifiable {
            source: source.to_string(),
            why: "`s3cmd ls --limit` says it stopped early on stderr only".to_string(),
        });
    }
}

enum Line<'a> {
    Object(EntryRef<'a>),
    /// A common prefix (`DIR`): what is under it was not listed.
    Directory,
    /// A key ending in `/` (`DIROBJ`).
    FolderObject,
    /// `s3cmd ls` without a bucket: `YYYY-MM-DD HH:MM  s3://bucket`.
    Bucket,
}

/// Whether `line` is an `s3cmd ls` line (for format detection).
pub(crate) fn is_s3cmd_line(line: &str) -> bool {
    read_line(line).is_some()
}

fn read_line(line: &str) -> Option<Line<'_>> {
    let url_at = line.find("s3://")?;
    let (head, url) = (&line[..url_at], &line[url_at..]);
    let mut fields = head.split_whitespace();
    let first = fields.next()?;
    if first == "DIR" {
        return fields.next().is_none().then_some(Line::Directory);
    }
    let modified = time::utc_minutes(head.get(..16)?)?;
    if !head[16..].starts_with(' ') {
        return None;
    }
    let _clock = fields.next()?;
    let Some(size_text) = fields.next() else {
        return (!url["s3://".len()..].contains('/')).then_some(Line::Bucket);
    };
    // `-l` / `--list-md5`: the ETag and the storage class before the URI, neither with spaces.
    if fields.count() > 2 {
        return None;
    }
    if size_text == "DIROBJ" {
        return Some(Line::FolderObject);
    }
    let (size, size_exact) = size(size_text)?;
    let key = url.trim_end();
    (key.len() > "s3://".len()).then(|| {
        Line::Object(EntryRef {
            size_exact,
            last_modified: Some(modified),
            ..EntryRef::new(key, size)
        })
    })
}

/// `554`, or with `-H` `2K` (at least 2 KiB, less than 3): the size and whether it is exact.
fn size(text: &str) -> Option<(u64, bool)> {
    let shift = match text.as_bytes().last()? {
        b'K' => 10,
        b'M' => 20,
        b'G' => 30,
        b'T' => 40,
        _ => 0,
    };
    let digits = if shift == 0 {
        text
    } else {
        &text[..text.len() - 1]
    };
    let value = super::size(digits)?;
    Some((value.checked_mul(1u64 << shift)?, shift == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(line: &str) -> Option<(String, u64, bool)> {
        match read_line(line)? {
            Line::Object(entry) => Some((entry.key.to_string(), entry.size, entry.size_exact)),
            _ => None,
        }
    }

    #[test]
    fn reads_each_form_s3cmd_prints() {
        let plain =
            "2026-12-02 02:43          554  s3://b/db/manifest/00000000000000000001.manifest";
        assert_eq!(
            object(plain),
            Some((
                "s3://b/db/manifest/00000000000000000001.manifest".into(),
                554,
                true
            ))
        );
        let human = "2026-12-02 02:43     2K  s3://b/db/wal/00000000000000000002.sst";
        assert_eq!(
            object(human),
            Some(("s3://b/db/wal/00000000000000000002.sst".into(), 2048, false))
        );
        let small_human = "2026-12-02 02:43   404   s3://b/a b.sst";
        assert_eq!(
            object(small_human),
            Some(("s3://b/a b.sst".into(), 404, true))
        );
        let long = "2026-12-02 02:43          554  2f1e0c1f9d2ab3c4d5e6f708192a3b4c     STANDARD     s3://b/db/x";
        assert_eq!(object(long), Some(("s3://b/db/x".into(), 554, true)));
        assert!(matches!(
            read_line("                          DIR  s3://b/db/"),
            Some(Line::Directory)
        ));
        assert!(matches!(
            read_line("2026-12-02 02:43       DIROBJ  s3://b/db/"),
            Some(Line::FolderObject)
        ));
        assert!(matches!(
            read_line("2026-12-02 02:43  s3://b"),
            Some(Line::Bucket)
        ));
    }

    #[test]
    fn refuses_what_s3cmd_does_not_print() {
        for line in [
            "2026-12-02 02:43:10          554  s3://b/k",
            "2026-12-02 02:43          5x4  s3://b/k",
            "2026-12-02 02:43          554  s3://",
            "2026-12-02 02:43          554  b/k",
            "2026-13-02 02:43          554  s3://b/k",
            "2026-12-02 02:43    1 2 3 4  s3://b/k",
            "   DIR  extra s3://b/d/",
        ] {
            assert!(read_line(line).is_none(), "{line}");
        }
    }
}
