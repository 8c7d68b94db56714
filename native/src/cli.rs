//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Tells SlateDB operators, before they act, whether cloning from a checkpoint, reopening,
/// wiping WAL storage, deleting a checkpoint or letting GC run is safe.
///
/// Exit codes: 0 success (safe), 1 unsafe, 2 usage error or unreadable input, 3 inconclusive.
#[derive(Debug, Parser)]
#[command(name = "slatecheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode SlateDB manifest files (binary format version 1 or 2, or slatedb-cli JSON) and
    /// print them as JSON with the keys and values SlateDB's own `read-manifest` prints.
    Manifest(ManifestArgs),
    /// Read object-store listings (aws, gcloud/gsutil, az, rclone, mc, S3 Inventory, find, or
    /// `size key` lines; format detected, gzip accepted) and summarize them: format, objects,
    /// bytes, SlateDB roots found, listing time, and anything that makes the listing
    /// incomplete or imprecise. Several files are read as one listing of one store.
    Listing(ListingArgs),
}

/// Output format of summaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// For programs.
    Json,
}

#[derive(Debug, Args)]
pub struct ListingArgs {
    /// Listing files: e.g. `aws s3 ls --recursive` output, `aws s3api list-objects-v2` JSON, an
    /// S3 Inventory manifest.json with its CSV(.gz) data files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Read the files as this format instead of detecting it.
    #[arg(long, value_name = "FORMAT")]
    pub listing_format: Option<slatecheck_core::listing::ListingFormat>,

    /// Where the store root sits in the listed bucket (e.g. `prod/dbs/`); stripped from keys.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,

    /// The time zone of times listed without one (`aws s3 ls`, `rclone lsl`): `UTC`, `+02:00`.
    #[arg(long, value_name = "OFFSET", value_parser = parse_utc_offset)]
    pub tz: Option<i32>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// `UTC`, `Z`, `+02:00`, `-0530`, `+2` → seconds east of UTC.
fn parse_utc_offset(text: &str) -> Result<i32, String> {
    let bad = || format!("`{text}` is not a UTC offset like `UTC`, `+02:00` or `-0530`");
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return Ok(0);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (hours, minutes) = if digits.len() <= 2 { (&digits[..], "0") } else { digits.split_at(digits.len() - 2) };
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    let minutes: i32 = minutes.parse().map_err(|_| bad())?;
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    Ok(sign * (hours * 3600 + minutes * 60))
}

#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Manifest files: `<id>.manifest` objects copied from a store, or JSON saved from
    /// `slatedb-cli read-manifest` / `list-manifests`. Several files print a JSON array.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The manifest id, for a binary file whose name is not `<id>.manifest`.
    #[arg(long, value_name = "ID")]
    pub id: Option<u64>,

    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
}
