//! The JSON form of manifests: what `slatedb-cli read-manifest` (one object) and
//! `slatedb-cli list-manifests` (an array) print, i.e. serde's serialization of SlateDB's
//! `VersionedManifest`.

use super::error::{ManifestError, ManifestErrorKind};
use crate::limits::{LimitExceeded, Limits};
use crate::model::{Manifest, ManifestFile, ManifestFormat};
use serde_json::Value;

/// Renders a manifest exactly as SlateDB serializes its `VersionedManifest` (same keys, same
/// values, same key order as SlateDB 0.18).
pub fn to_slatedb_json(manifest: &Manifest) -> Value {
    // Serializing plain data into a `Value` cannot fail: every map key is a string.
    serde_json::to_value(manifest).unwrap_or(Value::Null)
}

/// Reads slatedb-cli manifest JSON: one manifest object, an array of them, or several such
/// documents one after another (pages saved by hand). Older CLI releases that print SST ids as
/// `{"Compacted": "<ULID>"}` are accepted too.
pub fn parse_slatedb_json(path: &str, bytes: &[u8]) -> Result<Vec<ManifestFile>, ManifestError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut manifests = Vec::new();
    let mut documents = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    loop {
        let start = documents.byte_offset();
        let document = match documents.next() {
            None => break,
            Some(Ok(document)) => document,
            Some(Err(err)) => {
                return Err(json_error(
                    path,
                    err.line(),
                    err.column(),
                    strip_position(&err),
                ))
            }
        };
        let elements = match document {
            Value::Array(elements) => elements,
            single => vec![single],
        };
        for element in elements {
            let manifest: Manifest = serde_json::from_value(element).map_err(|err| {
                let (line, column) = line_column(bytes, start);
                json_error(
                    path,
                    line,
                    column,
                    format!("in the manifest starting here: {err}"),
                )
            })?;
            manifests.push(ManifestFile {
                format: ManifestFormat::SlatedbCliJson,
                manifest,
            });
        }
    }
    if manifests.is_empty() {
        return Err(json_error(
            path,
            1,
            1,
            "no manifest in the JSON".to_string(),
        ));
    }
    Ok(manifests)
}

/// Refuses JSON with more values than the `manifest-tables` limit before parsing it: a parsed
/// JSON value costs tens of bytes however short its text, so a flat array of millions of `0`s
/// would take gigabytes. Counts the structural bytes (`,`, `[`, `{`) outside strings, about one
/// per value. (Depth needs no limit here: serde_json refuses nesting deeper than 128.)
pub(super) fn check_value_count(
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(), ManifestError> {
    let mut count = 0u64;
    let (mut in_string, mut escaped) = (false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b',' | b'[' | b'{' => count += 1,
            _ => {}
        }
    }
    if count > limits.manifest_tables {
        return Err(ManifestError::new(
            path,
            ManifestErrorKind::Limit {
                detail: LimitExceeded {
                    name: "manifest-tables",
                    limit: limits.manifest_tables,
                    what: format!("the manifest JSON's {count} values"),
                }
                .to_string(),
            },
        ));
    }
    Ok(())
}

fn json_error(path: &str, line: usize, column: usize, detail: String) -> ManifestError {
    ManifestError::new(
        path,
        ManifestErrorKind::Json {
            line,
            column,
            detail,
        },
    )
}

/// serde_json appends " at line L column C" to its messages; the error kind carries them apart.
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_string(),
        None => text,
    }
}

/// 1-based line and column of a byte offset, skipping whitespace before the value.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset
        + bytes
            .get(offset..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}
