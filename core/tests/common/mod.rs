//! Access to the committed fixture stores under `fixtures/` (written by the real SlateDB; see
//! `tests/src/engine/scenarios.rs`).

#![allow(dead_code)]

pub mod listing_render;
pub mod mutate;
pub mod plans;
pub mod store;

use std::path::{Path, PathBuf};

/// `fixtures/` at the repository root.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Fixture store directories of one set (`v1` or `v2`).
pub fn fixture_stores(set: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join(set))
        .expect("fixture set exists")
        .map(|entry| entry.expect("readable fixture dir").path())
        .filter(|path| path.join("main").is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// `file`'s path below `dir` with `/` separators: its object key when `dir` is a store root.
pub fn key_below(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir)
        .expect("under dir")
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file below `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every manifest object of a store: (object key relative to the store, bytes).
pub fn manifest_objects(main: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(main)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "manifest"))
        .map(|path| {
            let key = path
                .strip_prefix(main)
                .expect("under the store")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&path).expect("readable manifest");
            (key, bytes)
        })
        .collect()
}
