//! Local-filesystem stores: where scenarios write and where tests look.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// A fixture store on disk: a main object store and, for databases with a separate WAL store,
/// a WAL object store, each a directory used as a `LocalFileSystem` prefix.
#[derive(Clone, Debug)]
pub struct StoreDirs {
    /// The main object store.
    pub main: PathBuf,
    /// The separate WAL object store, if the scenario uses one.
    pub wal: Option<PathBuf>,
}

impl StoreDirs {
    /// `<dir>/main`, and `<dir>/wal` when `with_wal_store`; creates them.
    pub fn create(dir: &Path, with_wal_store: bool) -> Result<Self> {
        let main = dir.join("main");
        std::fs::create_dir_all(&main).with_context(|| format!("creating {}", main.display()))?;
        let wal = if with_wal_store {
            let wal = dir.join("wal");
            std::fs::create_dir_all(&wal).with_context(|| format!("creating {}", wal.display()))?;
            Some(wal)
        } else {
            None
        };
        Ok(Self { main, wal })
    }

    /// The stores of an existing fixture directory (`main/`, and `wal/` if present).
    pub fn open(dir: &Path) -> Self {
        let wal = dir.join("wal");
        Self {
            main: dir.join("main"),
            wal: wal.is_dir().then_some(wal),
        }
    }
}

/// Every database root under a store directory: relative paths (with `/`) of the directories
/// that hold a `manifest/` folder with at least one `.manifest` object.
pub fn db_roots(main: &Path) -> Result<Vec<String>> {
    let mut roots = Vec::new();
    for file in files_under(main)? {
        let relative = relative_key(main, &file);
        if let Some(root) = relative
            .strip_suffix(".manifest")
            .and_then(|stem| stem.rsplit_once("/manifest/"))
            .map(|(root, _)| root.to_string())
        {
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
    }
    roots.sort();
    Ok(roots)
}

/// The manifest objects of one root, sorted by id, as (object key, absolute path).
pub fn manifest_files(main: &Path, root: &str) -> Result<Vec<(String, PathBuf)>> {
    let dir = main.join(root).join("manifest");
    let mut files: Vec<(String, PathBuf)> = files_under(&dir)?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "manifest"))
        .map(|path| (relative_key(main, &path), path))
        .collect();
    files.sort();
    Ok(files)
}

/// All regular files below a directory, recursively, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        if !next.is_dir() {
            continue;
        }
        for entry in
            std::fs::read_dir(&next).with_context(|| format!("listing {}", next.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The object key of a file under a store directory (`/`-separated).
pub fn relative_key(store: &Path, file: &Path) -> String {
    file.strip_prefix(store)
        .unwrap_or(file)
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Copies a directory tree (fixture snapshots between scenario steps).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for file in files_under(from)? {
        let target = to.join(file.strip_prefix(from)?);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&file, &target).with_context(|| format!("copying {}", file.display()))?;
    }
    Ok(())
}

/// Removes every object under `<store>/<root>/wal/` (an operator wiping WAL storage).
pub fn wipe_wal(store: &Path, root: &str) -> Result<()> {
    let dir = store.join(root).join("wal");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("wiping {}", dir.display()))?;
    }
    Ok(())
}

/// Path of a WAL object `<store>/<root>/wal/{id:020}.sst`.
pub fn wal_object(store: &Path, root: &str, id: u64) -> PathBuf {
    store.join(root).join("wal").join(format!("{id:020}.sst"))
}
