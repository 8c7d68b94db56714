//! `slatecheck`: the command-line face of slatecheck.
#![warn(clippy::unwrap_used)]

mod cli;
mod commands;
mod exit;
mod hash_thread;
mod listing_parts;
mod store;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Manifest(args) => commands::manifest::run(&args),
        cli::Command::Listing(args) => commands::listing::run(&args),
        cli::Command::Check(args) => commands::check::run(&args),
        cli::Command::Collect(args) => commands::collect::run(&args),
        cli::Command::Rules => commands::rules::list(),
        cli::Command::Explain { rule } => commands::rules::explain(&rule),
    };
    exit::finish(result)
}
