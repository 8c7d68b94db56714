//! Decoding SlateDB manifests into the [`crate::model`]: binary objects in format version 1 or 2
//! (a 2-byte big-endian version, then a FlatBuffer) and the JSON printed by `slatedb-cli`.

mod binary;
mod compactions;
mod error;
mod file_name;
mod flatbuf;
mod json;
mod key_range;
mod shared_views;

pub use binary::{decode_binary, decode_binary_with_limits};
pub use compactions::{
    compactor_epoch, newest_compactions, readable_epochs, MAX_COMPACTIONS_BYTES,
};
pub use error::{ManifestError, ManifestErrorKind};
pub use file_name::manifest_id_from_path;
pub use json::{parse_slatedb_json, to_slatedb_json};
pub use shared_views::SharedSstViews;

use crate::limits::Limits;
use crate::model::{ManifestFile, ManifestId};

/// Decodes one manifest file, binary or JSON, telling them apart by content.
///
/// `path` names the file in errors and, for binary manifests, gives the manifest id
/// (`…/00000000000000000011.manifest` → 11) unless `id` overrides it. JSON input carries its
/// own ids and may hold several manifests (`slatedb-cli list-manifests`); `id` then selects
/// nothing and is only checked against a single manifest's own id.
pub fn decode_manifest_file(
    path: &str,
    bytes: &[u8],
    id: Option<ManifestId>,
) -> Result<Vec<ManifestFile>, ManifestError> {
    decode_manifest_file_with_limits(path, bytes, id, &Limits::default())
}

/// [`decode_manifest_file`] under `limits`: a file larger than `manifest-bytes`, or with more
/// FlatBuffer tables or JSON values than `manifest-tables`, is refused before it is decoded.
pub fn decode_manifest_file_with_limits(
    path: &str,
    bytes: &[u8],
    id: Option<ManifestId>,
    limits: &Limits,
) -> Result<Vec<ManifestFile>, ManifestError> {
    if let Err(exceeded) = limits.check_manifest_bytes("the manifest", bytes.len() as u64) {
        return Err(ManifestError::new(
            path,
            ManifestErrorKind::Limit {
                detail: exceeded.to_string(),
            },
        ));
    }
    if looks_like_json(bytes) {
        json::check_value_count(path, bytes, limits)?;
        let manifests = parse_slatedb_json(path, bytes)?;
        if let (Some(wanted), [single]) = (id, manifests.as_slice()) {
            if single.manifest.id != wanted {
                return Err(ManifestError::new(
                    path,
                    ManifestErrorKind::IdMismatch {
                        given: wanted,
                        recorded: single.manifest.id,
                    },
                ));
            }
        }
        return Ok(manifests);
    }
    let id_from_name = id.or_else(|| manifest_id_from_path(path));
    // Decode before asking for the id, so that a file that is no manifest at all says so.
    let file = decode_binary_with_limits(path, bytes, id_from_name.unwrap_or_default(), limits)?;
    if id_from_name.is_none() {
        return Err(ManifestError::new(path, ManifestErrorKind::NoIdInFileName));
    }
    Ok(vec![file])
}

/// What a check makes of a manifest file.
#[derive(Debug)]
pub enum DecodedForCheck {
    /// Decoded.
    Decoded(Vec<ManifestFile>),
    /// Written in a manifest format newer than this slatecheck reads: what is unsupported, for
    /// a finding that makes the verdict inconclusive (a check cannot judge a database whose
    /// state it cannot read, and should not stop the whole check over it either).
    Unsupported(String),
    /// A binary manifest that SlateDB's own decoder refuses too (`EmptyManifest`,
    /// `InvalidVersion`, `InvalidFlatbuffer`, or content it fails on): what is wrong, for a
    /// finding (`SDB-MAN-009`). The object is damaged in the store, and the check goes on with
    /// the other manifests and roots instead of stopping there.
    Damaged(String),
}

/// Decodes a manifest file for a check: like [`decode_manifest_file_with_limits`], except that
/// a binary manifest of a newer format version (3 to 255: SlateDB numbers its versions from 1)
/// is [`DecodedForCheck::Unsupported`], and one SlateDB cannot decode either (too short for its
/// version, another version, a FlatBuffer that does not verify, inconsistent content) is
/// [`DecodedForCheck::Damaged`] when its name is a manifest object's (`<id>.manifest`). JSON
/// that does not parse, a file not named as a manifest object, and our own limits are still
/// errors: those are input slatecheck was given, not objects of a store.
pub fn decode_for_check(
    path: &str,
    bytes: &[u8],
    id: Option<ManifestId>,
    limits: &Limits,
) -> Result<DecodedForCheck, ManifestError> {
    match decode_manifest_file_with_limits(path, bytes, id, limits) {
        Ok(files) => Ok(DecodedForCheck::Decoded(files)),
        Err(ManifestError {
            kind: ManifestErrorKind::UnsupportedVersion { version },
            ..
        }) if (3..=255).contains(&version) => Ok(DecodedForCheck::Unsupported(format!(
            "manifest format version {version}, newer than this slatecheck reads ({})",
            SUPPORTED_VERSIONS
        ))),
        Err(ManifestError { kind, .. })
            if !looks_like_json(bytes)
                && manifest_id_from_path(path).is_some()
                && matches!(
                    kind,
                    ManifestErrorKind::Empty { .. }
                        | ManifestErrorKind::UnsupportedVersion { .. }
                        | ManifestErrorKind::MalformedFlatbuffer { .. }
                        | ManifestErrorKind::Inconsistent { .. }
                ) =>
        {
            let slatedb_error = match kind {
                ManifestErrorKind::Empty { .. } => "EmptyManifest",
                ManifestErrorKind::UnsupportedVersion { .. } => "InvalidVersion",
                ManifestErrorKind::MalformedFlatbuffer { .. } => "InvalidFlatbuffer",
                _ => "a failure on its content",
            };
            Ok(DecodedForCheck::Damaged(format!(
                "{kind}; SlateDB: {slatedb_error}"
            )))
        }
        Err(err) => Err(err),
    }
}

/// The binary manifest format versions this slatecheck reads, for messages.
pub const SUPPORTED_VERSIONS: &str = "1, 2";

/// A binary manifest starts with the version bytes `00 01` or `00 02`; JSON starts with `{` or
/// `[` after optional whitespace (and maybe a UTF-8 byte-order mark).
pub(crate) fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}
