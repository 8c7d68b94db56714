//! Errors for manifest input that cannot be read. Each names the file it came from and renders
//! as a single line.

use crate::model::ManifestId;
use thiserror::Error;

/// A manifest file that could not be decoded.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{file}: {kind}")]
pub struct ManifestError {
    /// The file (or object key) the bytes came from.
    pub file: String,
    /// What is wrong with it.
    pub kind: ManifestErrorKind,
}

impl ManifestError {
    pub(crate) fn new(file: &str, kind: ManifestErrorKind) -> Self {
        Self {
            file: file.to_string(),
            kind,
        }
    }
}

/// What is wrong with a manifest file. SlateDB's own decoder fails on the same inputs
/// (`EmptyManifest`, `InvalidVersion`, `InvalidFlatbuffer`, or a panic on inconsistent content).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ManifestErrorKind {
    /// Fewer than the two version bytes.
    #[error("empty manifest: {len} byte(s), a manifest starts with a 2-byte format version")]
    Empty {
        /// Bytes present.
        len: usize,
    },
    /// A version other than 1 or 2.
    #[error("unsupported manifest format version {version} (supported: 1, 2)")]
    UnsupportedVersion {
        /// The version read from the first two bytes.
        version: u16,
    },
    /// The FlatBuffer after the version bytes does not verify.
    #[error("malformed format version {version} FlatBuffer: {detail}")]
    MalformedFlatbuffer {
        /// The format version announced.
        version: u16,
        /// The verifier's complaint.
        detail: String,
    },
    /// The FlatBuffer verifies but its content is inconsistent (SlateDB would fail or panic).
    #[error("inconsistent format version {version} manifest: {detail}")]
    Inconsistent {
        /// The format version announced.
        version: u16,
        /// What is inconsistent.
        detail: String,
    },
    /// JSON that is not what `slatedb-cli read-manifest` or `list-manifests` prints.
    #[error("not slatedb-cli manifest JSON at line {line}, column {column}: {detail}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        detail: String,
    },
    /// The manifest id can only come from a file name like `00000000000000000011.manifest`.
    #[error("cannot tell the manifest id: the file name is not `<id>.manifest` (give the id explicitly)")]
    NoIdInFileName,
    /// The file exceeds a [`crate::limits::Limits`] value; `detail` names the limit.
    #[error("{detail}")]
    Limit {
        /// Which limit, what exceeded it and how to raise it.
        detail: String,
    },
    /// The id given does not match the one recorded in the JSON.
    #[error("manifest id {given} was given but the JSON records id {recorded}")]
    IdMismatch {
        /// The id given by the caller.
        given: ManifestId,
        /// The id in the JSON.
        recorded: ManifestId,
    },
}

/// Collapses a multi-line message (the FlatBuffer verifier's error trace) onto one line.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
