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
