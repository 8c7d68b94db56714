//! `gsutil ls -l [-a] gs://bucket/prefix/**`: `%10s  %s  %s` (size, creation time
//! `YYYY-MM-DDTHH:MM:SSZ`, `gs://bucket/key`; with `-a` the URL ends in `#<generation>` and
//! `  metageneration=N` follows), then the footer `TOTAL: N objects, B bytes (H)`.
//! `gsutil ls -l -r gs://bucket` and `gcloud storage ls -l -r` print the same lines in blocks,
//! one per folder, each under a `gs://bucket/dir/:` header: recursive, so the sub-folder lines
//! inside a block are listed again in their own block. Without `-r` or `**`, folder lines
//! (`gs://bucket/dir/`) stand for objects not listed.

use super::lines::for_each_line;
use crate::listing::builder::{ListingBuilder, RawEntry};
use crate::listing::error::ListingError;
use crate::listing::time;
use crate::listing::warning::ListingWarning;
use std::io::BufRead;

pub(super) fn parse<R: BufRead>(
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let mut listed = 0u64;
    let mut declared: Option<u64> = None;
    let mut directories = 0u64;
    let mut block_headers = 0u64;
    for_each_line(source, reader, |number, line| {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return Ok(());
        }
        if let Some(total) = trimmed.strip_prefix("TOTAL:") {
            let count = total.trim().split(' ').next().and_then(super::size);
            declared =
                Some(count.ok_or_else(|| {
                    ListingError::at(source, number, "unreadable `TOTAL:` footer")
                })?);
            return Ok(());
        }
        if trimmed.starts_with("gs://") && trimmed.ends_with(":") {
            block_headers += 1;
            return Ok(());
        }
        if trimmed.starts_with("gs://") && trimmed.ends_with('/') {
            directories += 1;
            return Ok(());
        }
        let mut fields = trimmed.split_whitespace();
        let (Some(size), Some(stamp), Some(url)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(ListingError::at(
                source,
                number,
                "expected `<size>  <time>  gs://<bucket>/<key>`",
            ));
        };
        let size = super::size(size)
            .ok_or_else(|| ListingError::at(source, number, format!("bad size `{size}`")))?;
        let created = time::rfc3339(stamp)
            .ok_or_else(|| ListingError::at(source, number, format!("bad time `{stamp}`")))?;
        // The URL runs to the double space before `metageneration=` (keys may hold spaces).
        let url_start = trimmed.find("gs://").unwrap_or(0);
        let url_text = trimmed[url_start..]
            .split("  metageneration=")
            .next()
            .unwrap_or(url);
        let (url_text, generation) = match url_text.rsplit_once('#') {
            Some((url, generation))
                if generation.bytes().all(|b| b.is_ascii_digit()) && !generation.is_empty() =>
            {
                (url, Some(generation.to_string()))
            }
            _ => (url_text, None),
        };
        listed += 1;
        builder.push(RawEntry {
            last_modified: Some(created),
            version_id: generation,
            line: Some(number),
            ..RawEntry::new(url_text, size)
        });
        Ok(())
    })?;
    // Under `gs://b/dir/:` block headers (`-r`), folder lines are listed below.
    let signal = format!(
        "{directories} directory lines: not a recursive listing (use `gs://bucket/prefix/**`)"
    );
    let unlisted = if block_headers == 0 { directories } else { 0 };
    super::warn_folder_lines(builder, source, unlisted, signal);
    match declared {
        None if listed > 0 => builder.warn(ListingWarning::MissingFooter {
            source: source.to_string(),
            footer: "TOTAL: N objects".to_string(),
        }),
        Some(declared) if declared != listed => builder.warn(ListingWarning::CountMismatch {
            source: source.to_string(),
            declared,
            read: listed,
        }),
        _ => {}
    }
    Ok(())
}
