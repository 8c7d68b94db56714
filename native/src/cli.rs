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
    /// Check a store and, with --plan, planned actions: the verdict (safe, unsafe,
    /// inconclusive), the rules that fired with their evidence, and what to do.
    Check(Box<CheckArgs>),
    /// Collect a store's listings and manifest objects (nothing else) into one bundle file,
    /// which `check --bundle` and the web page take as their only input.
    Collect(CollectArgs),
    /// List the rules.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule id (SDB-WAL-001) or name (wal-range-missing).
        rule: String,
    },
}

/// How missing WAL objects at the start of a clone's range are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WalPolicyArg {
    /// Upstream SlateDB: every WAL object in the range must exist.
    Upstream,
    /// The seed fork: leading missing WAL objects are skipped; a hole after a copied one fails.
    SkipLeadingMissing,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A listing of the main store (any format `slatecheck listing` reads); repeatable, read as
    /// one listing.
    #[arg(long = "listing", value_name = "FILE")]
    pub listings: Vec<PathBuf>,

    /// A listing of the separate WAL store; repeatable.
    #[arg(long = "wal-listing", value_name = "FILE")]
    pub wal_listings: Vec<PathBuf>,

    /// A live store to check instead of listing files: a directory, file:///dir, memory://,
    /// s3://bucket[/prefix], gs://bucket[/prefix] or az://container[/prefix] (credentials from
    /// the usual AWS_*, GOOGLE_*, AZURE_* environment variables). It is listed and its
    /// manifest objects are fetched.
    #[arg(long, value_name = "URL|DIR", conflicts_with_all = ["listings", "manifests"])]
    pub store: Option<String>,

    /// A bundle made by `slatecheck collect`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["listings", "manifests", "store", "wal_listings"])]
    pub bundle: Option<PathBuf>,

    /// A bundle `slatecheck collect` made earlier, before a wipe or a deletion: the rows of the
    /// WAL objects it holds settle what those objects held once they are gone (whether they
    /// held acknowledged writes not in L0). Only its objects' rows are used.
    #[arg(long, value_name = "FILE")]
    pub earlier_bundle: Option<PathBuf>,

    /// The separate WAL store of a live store.
    #[arg(
        long,
        value_name = "URL|DIR",
        requires = "store",
        conflicts_with = "wal_listings"
    )]
    pub wal_store: Option<String>,

    /// A folder holding copies of manifest objects under their object keys
    /// (`<root>/manifest/<id>.manifest`), e.g. made with
    /// `aws s3 sync s3://bucket/ DIR --exclude '*' --include '*/manifest/*'`.
    #[arg(long, value_name = "DIR")]
    pub manifests: Option<PathBuf>,

    /// Only these database roots (default: every root found); repeatable.
    #[arg(long = "root", value_name = "ROOT")]
    pub roots: Vec<String>,

    /// A planned action: clone:ROOT@CHECKPOINT, clone:ROOT, open:ROOT, read:ROOT,
    /// wipe-wal:ROOT, delete-checkpoint:ROOT@ID, delete-root:ROOT; repeatable.
    #[arg(long = "plan", value_name = "PLAN")]
    pub plans: Vec<slatecheck_core::plan::Action>,

    /// The time to judge expiry and GC ages at (RFC 3339). Default: the listing's time (S3
    /// Inventory), else its newest object's time, else the newest checkpoint's creation time.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,

    /// GC's min_age (SlateDB's default: 300s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "300s")]
    pub min_age: chrono::Duration,

    /// How long the action may take: checkpoints expiring sooner are flagged.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1h")]
    pub expiry_margin: chrono::Duration,

    /// Clone WAL policy.
    #[arg(long, value_enum, default_value_t = WalPolicyArg::Upstream)]
    pub wal_policy: WalPolicyArg,

    /// State that GC runs in the background against these databases (an open writer, or a
    /// standalone collector): checkpoints that expired, or expire within --expiry-margin, are
    /// then unsafe to clone from (without it, a warning with the deadline).
    #[arg(long)]
    pub gc_running: bool,

    /// State that every writer of these databases has stopped with `Db::close()` and its
    /// default memtable flush (none crashed, none closed with a WAL flush only, none is
    /// running): WAL objects with data before the newest L0's `next_wal_sst_id`, which may
    /// otherwise hold writes made after a size-triggered freeze, then hold only rows of L0.
    /// `--writers-closed=ROOT,...` states it of those database roots only (as plans name
    /// them; repeatable). Evidence in the store that a writer did not close so wins over it.
    /// It says nothing about a clone no writer has opened on: its WAL is what its source's
    /// writer had not flushed when the checkpoint was taken.
    #[arg(long, value_name = "ROOT,...", num_args = 0..=1, require_equals = true, value_delimiter = ',', default_missing_value = EVERY_ROOT)]
    pub writers_closed: Vec<String>,

    /// State that the last writer of each of these databases stopped with
    /// `close_with_options` and a WAL flush only, or none (it did not crash, was not killed,
    /// is not running): a closing writer records its WAL position in one last manifest write,
    /// so nothing was written after the WAL the latest manifest records; unlike
    /// --writers-closed, its last writes may be in the WAL alone. Settles a deletion that took
    /// the end of the recorded WAL (`SDB-WAL-009`). `=ROOT,...` states it of those database
    /// roots only (repeatable).
    #[arg(long, value_name = "ROOT,...", num_args = 0..=1, require_equals = true, value_delimiter = ',', default_missing_value = EVERY_ROOT)]
    pub writers_closed_wal_only: Vec<String>,

    #[command(flatten)]
    pub reading: ListingReading,

    /// Report format: text, json, markdown, html, sarif, junit or github; `FORMAT=FILE` writes
    /// that format to FILE. Repeatable, so one run can write several reports (at most one
    /// without `=FILE`, which goes to stdout or --output). Default: text.
    #[arg(long = "format", value_name = "FORMAT[=FILE]", value_parser = parse_format_target)]
    pub formats: Vec<FormatTarget>,

    /// Write the report to FILE instead of stdout (for the one format without `=FILE`).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The configuration file (default: ./slatecheck.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The lowest severity that fails the run: error (default: only the verdict decides),
    /// warning, note, or none (never fail). Overrides `fail-level` in the configuration.
    #[arg(long, value_name = "LEVEL", value_parser = parse_fail_level)]
    pub fail_level: Option<slatecheck_core::report::FailLevel>,

    /// A previous JSON report: its findings (by fingerprint) are reported as unchanged and do
    /// not fail the run; only new findings count for the exit code.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// Replace database roots, bucket names, store prefixes and input paths by placeholders
    /// (root-1, bucket-1, prefix-1, input-1) in every format, for reports that leave the team.
    #[arg(long)]
    pub redact: bool,

    /// A resource limit on the inputs, NAME=VALUE: bundle-bytes (decompressed, default 4GiB),
    /// bundle-members (1000000), member-bytes (1GiB), manifest-bytes (64MiB), manifest-tables
    /// (4000000), wal-ids (10000000 in one root), sst-read-bytes (256MiB of SSTs read for their
    /// rows), held-manifests-bytes (8GiB of decoded manifests). Repeatable; overrides `[limits]`
    /// in the configuration.
    #[arg(long = "limit", value_name = "NAME=VALUE", value_parser = parse_limit)]
    pub limits: Vec<String>,

    /// Assert that the databases keep their WAL in the main store (no separate WAL store):
    /// WAL objects the main store listing does not show are then missing, not perhaps in an
    /// unlisted WAL store. A bundle that `collect` made without --wal-store asserts the same.
    #[arg(long, conflicts_with_all = ["wal_store", "wal_listings"])]
    pub no_wal_store: bool,
}

/// `--limit NAME=VALUE`, checked as it is parsed.
fn parse_limit(text: &str) -> Result<String, String> {
    slatecheck_core::limits::Limits::default().set_assignment(text)?;
    Ok(text.to_string())
}

/// A report format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For people at a terminal.
    Text,
    /// For programs (the schema is in the README).
    Json,
    /// For pull requests, tickets and `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One self-contained page for tickets.
    Html,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions annotations (and the Markdown summary into `$GITHUB_STEP_SUMMARY`).
    Github,
}

/// `--format FORMAT[=FILE]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatTarget {
    pub format: ReportFormat,
    pub file: Option<PathBuf>,
}

fn parse_format_target(text: &str) -> Result<FormatTarget, String> {
    use clap::ValueEnum;
    let (name, file) = match text.split_once('=') {
        Some((name, file)) if !file.is_empty() => (name, Some(PathBuf::from(file))),
        Some((name, _)) => return Err(format!("`{name}=` names no file")),
        None => (text, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        format!("`{name}` is not a format: text, json, markdown, html, sarif, junit or github")
    })?;
    Ok(FormatTarget { format, file })
}

fn parse_fail_level(text: &str) -> Result<slatecheck_core::report::FailLevel, String> {
    slatecheck_core::report::FailLevel::parse(text)
        .ok_or_else(|| format!("`{text}` is not a fail level: error, warning, note or none"))
}

fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|time| time.to_utc())
        .map_err(|err| format!("`{text}` is not an RFC 3339 time like 2026-11-26T10:00:00Z: {err}"))
}

/// `300s`, `5m`, `1h`, `2d`, `90` (seconds).
fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let bad = || format!("`{text}` is not a duration like 300s, 5m, 1h or 2d");
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let value: i64 = digits.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    value
        .checked_mul(seconds)
        .map(chrono::Duration::seconds)
        .ok_or_else(bad)
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

    #[command(flatten)]
    pub reading: ListingReading,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The store: a directory, file:///dir, s3://bucket[/prefix], gs://bucket[/prefix] or
    /// az://container[/prefix].
    #[arg(value_name = "STORE_URL")]
    pub store: String,

    /// Its separate WAL store, if the databases use one. Without it, the bundle records that
    /// the databases keep their WAL in the main store, and `check --bundle` judges missing WAL
    /// objects as missing (as `check --no-wal-store` does).
    #[arg(long, value_name = "URL|DIR")]
    pub wal_store: Option<String>,

    /// The bundle to write (a .tar.gz).
    #[arg(short, long, value_name = "BUNDLE")]
    pub output: PathBuf,

    /// How hard to compress the bundle, 0 (not at all) to 9 (smallest). A bucket's manifests
    /// repeat each other, and compressing them is most of a large collection's time: 1 takes
    /// a quarter of the default's time for a bundle about a tenth larger.
    #[arg(long, value_name = "0-9", default_value_t = slatecheck_core::bundle::DEFAULT_GZIP_LEVEL, value_parser = clap::value_parser!(u32).range(0..=9))]
    pub gzip_level: u32,

    /// A resource limit on what is fetched, NAME=VALUE: manifest-bytes (64MiB),
    /// manifest-tables (4000000), held-manifests-bytes (8GiB), sst-read-bytes (256MiB). Repeatable.
    #[arg(long = "limit", value_name = "NAME=VALUE", value_parser = parse_limit)]
    pub limits: Vec<String>,
}

/// What a bare `--writers-closed` stands for: every database root.
pub const EVERY_ROOT: &str = "*";

/// How listing files are read.
#[derive(Debug, Args)]
pub struct ListingReading {
    /// Where the store root sits in the listed bucket (e.g. `prod/dbs/`); stripped from keys.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,

    /// The time zone of times listed without one (`aws s3 ls`, `rclone lsl`): `UTC`, `+02:00`.
    #[arg(long, value_name = "OFFSET", value_parser = slatecheck_core::listing::parse_utc_offset)]
    pub tz: Option<i32>,

    /// The most SlateDB objects to hold in memory (about 64 bytes each); a listing with more
    /// is refused (exit 2) naming this limit. Default: what 3/4 of the available memory holds.
    #[arg(long, value_name = "N")]
    pub max_objects: Option<u64>,

    /// The listing files are complete: the commands that wrote them listed everything and
    /// exited 0. Needed for formats that cannot show truncation (`az storage blob list`,
    /// `s3api … --query 'Contents[]'`, `rclone lsl`); other signs of truncation still count.
    #[arg(long)]
    pub listing_complete: bool,
}

impl ListingReading {
    pub fn listing_options(&self) -> slatecheck_core::listing::ListingOptions {
        slatecheck_core::listing::ListingOptions {
            prefix: self.prefix.clone(),
            utc_offset_seconds: self.tz,
            roots: None,
        }
    }

    /// The object budget: `--max-objects`, else what 3/4 of the available memory holds.
    pub fn max_objects(&self) -> Option<u64> {
        self.max_objects.or_else(available_memory_objects)
    }
}

/// Bytes a held SlateDB object takes, with the tables' slack: the default budget's unit.
const BYTES_PER_OBJECT: u64 = 64;

/// How many objects 3/4 of `MemAvailable` (Linux) holds; `None` where it cannot be read.
fn available_memory_objects() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024 / 4 * 3 / BYTES_PER_OBJECT)
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
