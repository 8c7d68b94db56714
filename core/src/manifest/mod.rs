//! Decoding SlateDB manifests into the [`crate::model`]: binary objects in format version 1 or 2
//! (a 2-byte big-endian version, then a FlatBuffer) and the JSON printed by `slatedb-cli`.

mod binary;
mod error;
mod file_name;
mod flatbuf;
mod json;
mod key_range;

pub use binary::decode_binary;
pub use error::{ManifestError, ManifestErrorKind};
pub use file_name::manifest_id_from_path;
pub use json::{parse_slatedb_json, to_slatedb_json};

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
    if looks_like_json(bytes) {
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
    let file = decode_binary(path, bytes, id_from_name.unwrap_or_default())?;
    if id_from_name.is_none() {
        return Err(ManifestError::new(path, ManifestErrorKind::NoIdInFileName));
    }
    Ok(vec![file])
}

/// A binary manifest starts with the version bytes `00 01` or `00 02`; JSON starts with `{` or
/// `[` after optional whitespace (and maybe a UTF-8 byte-order mark).
pub(crate) fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}
