//! One parser per listing format. Each streams its input into a [`ListingBuilder`].

mod aws_s3_ls;
mod az_json;
mod find_tsv;
mod gcloud_json;
mod gsutil_ls;
mod json_etag;
mod json_stream;
mod lines;
mod mc_json;
mod rclone_lsjson;
mod rclone_lsl;
mod s3_inventory;
mod s3api_json;
mod s3cmd_ls;
mod size_key;

use json_stream::NothingAhead;
pub(super) use json_stream::{ReadAhead, Run, RunRead};
pub(super) use s3_inventory::file_name;
pub(super) use s3cmd_ls::is_s3cmd_line;

use super::builder::ListingBuilder;
use super::detect::ListingFormat;
use super::error::ListingError;
use super::warning::ListingWarning;
use std::io::BufRead;

/// A listing that was not recursive: `count` folder lines (`PRE`, `DIR`, `gs://b/dir/`) stand
/// for objects that were not listed.
fn warn_folder_lines(builder: &mut ListingBuilder, source: &str, count: u64, signal: String) {
    if count > 0 {
        builder.warn(ListingWarning::Truncated {
            source: source.to_string(),
            signal,
        });
    }
}

/// What a line format counts while it reads. Summed over the parts of a file read in parts
/// (see [`read_lines`]), it gives the end-of-input checks the same counts as one read of the
/// whole file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineTally {
    /// Lines read, blank ones included: where the next part's line numbers start.
    pub lines: u64,
    /// Object lines.
    pub listed: u64,
    /// The object count the last footer read declares.
    pub declared: Option<u64>,
    /// Folder lines (`PRE`, `DIR`): objects under them were not listed.
    pub folder_lines: u64,
}

impl LineTally {
    /// This part's counts followed by those of the part after it.
    pub(crate) fn then(self, later: LineTally) -> LineTally {
        LineTally {
            lines: self.lines + later.lines,
            listed: self.listed + later.listed,
            declared: later.declared.or(self.declared),
            folder_lines: self.folder_lines + later.folder_lines,
        }
    }
}

/// Reads one part of a line-format file: see [`read_lines`].
type LineReader =
    fn(&str, &mut dyn BufRead, &mut ListingBuilder) -> Result<LineTally, ListingError>;

/// The formats with one object per line and nothing carried from line to line but a
/// [`LineTally`]: a file of them can be split at any line end and its parts read apart.
fn line_reader(format: ListingFormat) -> Option<LineReader> {
    Some(match format {
        ListingFormat::AwsS3Ls => |s, r, b| aws_s3_ls::read_lines(s, r, b),
        ListingFormat::RcloneLsl => |s, r, b| rclone_lsl::read_lines(s, r, b),
        ListingFormat::S3cmdLs => |s, r, b| s3cmd_ls::read_lines(s, r, b),
        ListingFormat::FindTsv => |s, r, b| find_tsv::read_lines(s, r, b),
        ListingFormat::SizeKey => |s, r, b| size_key::read_lines(s, r, b),
        _ => return None,
    })
}

/// Whether a file of `format` can be read in parts split at line ends.
pub(crate) fn reads_in_parts(format: ListingFormat) -> bool {
    line_reader(format).is_some()
}

/// Reads the lines of a format that [`reads_in_parts`] (a whole file or one part of it,
/// numbering its lines from 1), without the end-of-input checks; `None` for other formats.
pub(crate) fn read_lines<R: BufRead>(
    format: ListingFormat,
    source: &str,
    mut reader: R,
    builder: &mut ListingBuilder,
) -> Option<Result<LineTally, ListingError>> {
    line_reader(format).map(|read| read(source, &mut reader, builder))
}

/// The end-of-input checks of a line format, over the whole file's tally.
pub(crate) fn finish_lines(
    format: ListingFormat,
    source: &str,
    builder: &mut ListingBuilder,
    tally: LineTally,
) {
    match format {
        ListingFormat::AwsS3Ls => aws_s3_ls::finish(source, builder, tally),
        ListingFormat::RcloneLsl => rclone_lsl::finish(source, builder, tally),
        ListingFormat::S3cmdLs => s3cmd_ls::finish(source, builder, tally),
        _ => {}
    }
}

/// Whether runs of a file's items can be read ahead, chunk by chunk, apart from the read of
/// the whole file, which takes them where it arrives at them (see [`read_run`]).
pub(crate) fn reads_runs_ahead(format: ListingFormat) -> bool {
    matches!(
        format,
        ListingFormat::S3ApiJson
            | ListingFormat::GcloudJson
            | ListingFormat::AzJson
            | ListingFormat::RcloneLsjson
    )
}

/// Reads ahead the run of items of `chunk`, a piece of a file of `format` that starts at a
/// line start, into `builder`; `None` when the chunk has none or the format reads no runs
/// ahead.
pub(crate) fn read_run(
    format: ListingFormat,
    chunk: &[u8],
    builder: &mut ListingBuilder,
) -> Option<RunRead> {
    match format {
        ListingFormat::S3ApiJson => json_stream::read_run::<s3api_json::S3Api>(chunk, builder),
        ListingFormat::GcloudJson => json_stream::read_run::<gcloud_json::Gcloud>(chunk, builder),
        ListingFormat::AzJson => json_stream::read_run::<az_json::Az>(chunk, builder),
        ListingFormat::RcloneLsjson => {
            json_stream::read_run::<rclone_lsjson::Rclone>(chunk, builder)
        }
        _ => None,
    }
}

/// [`parse`], taking the runs `reader` read ahead where the format reads runs ahead.
pub(super) fn parse_ahead<R: BufRead + ReadAhead>(
    format: ListingFormat,
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    match format {
        ListingFormat::S3ApiJson => s3api_json::parse(source, reader, builder),
        ListingFormat::GcloudJson => gcloud_json::parse(source, reader, builder),
        ListingFormat::AzJson => az_json::parse(source, reader, builder),
        ListingFormat::RcloneLsjson => rclone_lsjson::parse(source, reader, builder),
        _ => parse(format, source, reader, builder),
    }
}

pub(super) fn parse<R: BufRead>(
    format: ListingFormat,
    source: &str,
    mut reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    if let Some(read) = line_reader(format) {
        let tally = read(source, &mut reader, builder)?;
        finish_lines(format, source, builder, tally);
        return Ok(());
    }
    match format {
        // Read above.
        ListingFormat::AwsS3Ls
        | ListingFormat::RcloneLsl
        | ListingFormat::S3cmdLs
        | ListingFormat::FindTsv
        | ListingFormat::SizeKey => Ok(()),
        ListingFormat::S3ApiJson => s3api_json::parse(source, NothingAhead(reader), builder),
        ListingFormat::S3InventoryManifest => s3_inventory::parse_manifest(source, reader, builder),
        ListingFormat::S3InventoryCsv => s3_inventory::parse_data(source, reader, builder),
        ListingFormat::GsutilLs => gsutil_ls::parse(source, reader, builder),
        ListingFormat::GcloudJson => gcloud_json::parse(source, NothingAhead(reader), builder),
        ListingFormat::AzJson => az_json::parse(source, NothingAhead(reader), builder),
        ListingFormat::RcloneLsjson => rclone_lsjson::parse(source, NothingAhead(reader), builder),
        ListingFormat::McJson => mc_json::parse(source, reader, builder),
        // Whitespace only; a forced format other than this one parses its own way.
        ListingFormat::Empty => Ok(()),
    }
}

/// Parses a decimal size: digits only.
fn size(text: &str) -> Option<u64> {
    crate::listing::object_key::decimal(text)
}
