//! Comparing slatecheck's decoding of manifest objects with SlateDB's own reading.

use crate::store::{db_roots, manifest_files, StoreDirs};
use anyhow::{Context, Result};
use serde_json::Value;
use slatecheck_core::manifest::{decode_manifest_file, to_slatedb_json};
use slatecheck_core::model::ManifestFormat;
use std::collections::BTreeMap;

/// What a comparison covered.
#[derive(Debug, Default)]
pub struct Coverage {
    /// Manifests compared, per binary format.
    pub manifests_by_format: BTreeMap<String, usize>,
    /// Differences found, one line each.
    pub mismatches: Vec<String>,
}

impl Coverage {
    /// Total manifests compared.
    pub fn manifests(&self) -> usize {
        self.manifests_by_format.values().sum()
    }
}

/// Decodes every manifest object of every root of a fixture store with slatecheck and compares
/// each, as JSON values, with what `expected(root)` says SlateDB serializes for that root.
pub async fn compare_store<F, Fut>(
    dirs: &StoreDirs,
    mut expected: F,
    coverage: &mut Coverage,
) -> Result<()>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Value>>>,
{
    for root in db_roots(&dirs.main)? {
        let slatedb: BTreeMap<u64, Value> = expected(root.clone())
            .await?
            .into_iter()
            .map(|manifest| (manifest["id"].as_u64().unwrap_or(u64::MAX), manifest))
            .collect();
        for (key, path) in manifest_files(&dirs.main, &root)? {
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let decoded = decode_manifest_file(&key, &bytes, None)?;
            let [file] = decoded.as_slice() else {
                coverage
                    .mismatches
                    .push(format!("{key}: decoded {} manifests", decoded.len()));
                continue;
            };
            let format = match file.format {
                ManifestFormat::V1 => "v1",
                ManifestFormat::V2 => "v2",
                ManifestFormat::SlatedbCliJson => "json",
            };
            *coverage
                .manifests_by_format
                .entry(format.to_string())
                .or_default() += 1;
            let ours = to_slatedb_json(&file.manifest);
            match slatedb.get(&file.manifest.id) {
                None => coverage.mismatches.push(format!(
                    "{}: {key}: SlateDB did not list manifest {}",
                    dirs.main.display(),
                    file.manifest.id
                )),
                Some(theirs) if theirs != &ours => coverage.mismatches.push(format!(
                    "{}: {key}: {}",
                    dirs.main.display(),
                    first_difference(theirs, &ours, "")
                )),
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The path and values of the first place two JSON values differ.
pub fn first_difference(expected: &Value, actual: &Value, path: &str) -> String {
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                let (x, y) = (a.get(key), b.get(key));
                if x != y {
                    return match (x, y) {
                        (Some(x), Some(y)) => first_difference(x, y, &format!("{path}.{key}")),
                        _ => format!("{path}.{key}: slatedb {x:?}, slatecheck {y:?}"),
                    };
                }
            }
            format!("{path}: equal")
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                if x != y {
                    return first_difference(x, y, &format!("{path}[{index}]"));
                }
            }
            format!("{path}: equal")
        }
        _ => format!("{path}: slatedb {expected}, slatecheck {actual}"),
    }
}
