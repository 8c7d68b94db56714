//! One parser per listing format. Each streams its input into a [`ListingBuilder`].

mod aws_s3_ls;
mod az_json;
mod find_tsv;
mod gcloud_json;
mod gsutil_ls;
mod json_stream;
mod lines;
mod mc_json;
mod rclone_lsjson;
mod rclone_lsl;
mod s3_inventory;
mod s3api_json;
mod s3cmd_ls;
mod size_key;

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

pub(super) fn parse<R: BufRead>(
    format: ListingFormat,
    source: &str,
    reader: R,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    match format {
        ListingFormat::AwsS3Ls => aws_s3_ls::parse(source, reader, builder),
        ListingFormat::S3ApiJson => s3api_json::parse(source, reader, builder),
        ListingFormat::S3InventoryManifest => s3_inventory::parse_manifest(source, reader, builder),
        ListingFormat::S3InventoryCsv => s3_inventory::parse_data(source, reader, builder),
        ListingFormat::GsutilLs => gsutil_ls::parse(source, reader, builder),
        ListingFormat::GcloudJson => gcloud_json::parse(source, reader, builder),
        ListingFormat::AzJson => az_json::parse(source, reader, builder),
        ListingFormat::RcloneLsjson => rclone_lsjson::parse(source, reader, builder),
        ListingFormat::RcloneLsl => rclone_lsl::parse(source, reader, builder),
        ListingFormat::S3cmdLs => s3cmd_ls::parse(source, reader, builder),
        ListingFormat::McJson => mc_json::parse(source, reader, builder),
        ListingFormat::FindTsv => find_tsv::parse(source, reader, builder),
        ListingFormat::SizeKey => size_key::parse(source, reader, builder),
        // Whitespace only; a forced format other than this one parses its own way.
        ListingFormat::Empty => Ok(()),
    }
}

/// Parses a decimal size.
fn size(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
