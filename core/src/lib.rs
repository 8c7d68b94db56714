//! # slatecheck-core
//!
//! The sans-I/O heart of slatecheck: it turns the bytes of SlateDB manifests (binary format
//! versions 1 and 2, or the JSON that `slatedb-cli` prints) into one normalized, serde-friendly
//! model of a database's state. Later layers (listings, rules, planner, reports) build on it.
//!
//! Nothing here reads files, talks to a network, looks at a clock or spawns threads: callers
//! hand in bytes and get values back, so the same code runs natively and in the browser.
//!
//! ## Example
//!
//! ```
//! use slatecheck_core::manifest::decode_manifest_file;
//!
//! // Not a manifest: two version bytes announcing format 7.
//! let err = decode_manifest_file("db/manifest/00000000000000000001.manifest", &[0, 7], None)
//!     .unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "db/manifest/00000000000000000001.manifest: unsupported manifest format version 7 (supported: 1, 2)"
//! );
//! ```
#![deny(missing_docs)]
#![deny(clippy::disallowed_methods, clippy::disallowed_types)]
#![warn(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bundle;
pub mod check;
pub mod config;
pub mod digest;
pub mod finding;
mod flatbuf_tables;
pub mod intake;
pub mod limits;
pub mod listing;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod printable;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod sst;
