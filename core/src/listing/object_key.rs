//! What a key in a store is to SlateDB: which database root it belongs to and which kind of
//! object it is (`<root>/manifest/{id:020}.manifest`, `<root>/wal/{id:020}.sst`,
//! `<root>/compacted/{ULID}.sst`, …).

use crate::model::{ManifestId, SstId, WalId};
use serde::Serialize;
use ulid::Ulid;

/// A SlateDB object recognised from its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlateObject {
    /// `<root>/manifest/<id>.manifest`.
    Manifest {
        /// The manifest id.
        id: ManifestId,
    },
    /// `<root>/wal/<id>.sst`, in the main or the WAL store.
    Wal {
        /// The WAL id.
        id: WalId,
    },
    /// `<root>/compacted/<ULID>.sst`.
    Compacted {
        /// The SST id.
        id: SstId,
    },
    /// `<root>/compactions/<id>.compactions`: compactor state.
    Compactions {
        /// The compactions file id.
        id: u64,
    },
    /// `<root>/gc/<name>.boundary`: a GC boundary file.
    GcBoundary {
        /// `manifest` or `compactions`.
        name: String,
    },
    /// `<root>/.deleting`: an `Admin::delete_db` is in progress.
    DeleteMarker,
    /// Any other object inside a SlateDB folder (`manifest/`, `wal/`, `compacted/`,
    /// `compactions/`, `gc/`) that SlateDB would skip as an unknown file.
    Unexpected {
        /// The folder it sits in.
        folder: String,
    },
}

/// A key split into the database root it belongs to and the SlateDB object it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectKey<'a> {
    /// The database root (the path given to `Db::builder`), without a trailing `/`; may be empty.
    pub root: &'a str,
    /// The object.
    pub object: SlateObject,
}

/// Classifies a store-relative key; `None` for keys outside any SlateDB folder.
///
/// ```
/// use slatecheck_core::listing::{classify_key, SlateObject};
/// let key = classify_key("shards/a/wal/00000000000000000003.sst").unwrap();
/// assert_eq!((key.root, key.object), ("shards/a", SlateObject::Wal { id: 3 }));
/// assert!(classify_key("shards/a/README.md").is_none());
/// ```
pub fn classify_key(key: &str) -> Option<ObjectKey<'_>> {
    if let Some(root) = key.strip_suffix(".deleting") {
        if root.is_empty() || root.ends_with('/') {
            return Some(ObjectKey {
                root: root.trim_end_matches('/'),
                object: SlateObject::DeleteMarker,
            });
        }
    }
    let (dir, file) = split_at_last_slash(key)?;
    let (root, folder) = match split_at_last_slash(dir) {
        Some((root, folder)) => (root, folder),
        None => ("", dir),
    };
    let object = match folder {
        "manifest" => file
            .strip_suffix(".manifest")
            .and_then(decimal)
            .map(|id| SlateObject::Manifest { id }),
        "wal" => file
            .strip_suffix(".sst")
            .and_then(decimal)
            .map(|id| SlateObject::Wal { id }),
        "compacted" => file
            .strip_suffix(".sst")
            .and_then(|stem| Ulid::from_string(stem).ok())
            .map(|ulid| SlateObject::Compacted { id: SstId(ulid) }),
        "compactions" => file
            .strip_suffix(".compactions")
            .and_then(decimal)
            .map(|id| SlateObject::Compactions { id }),
        "gc" => file
            .strip_suffix(".boundary")
            .map(|name| SlateObject::GcBoundary {
                name: name.to_string(),
            }),
        _ => return None,
    };
    Some(ObjectKey {
        root,
        object: object.unwrap_or_else(|| SlateObject::Unexpected {
            folder: folder.to_string(),
        }),
    })
}

/// `key` split at its last `/`, found with memchr's search: this runs three times for every
/// object of a listing, and `str::rsplit_once` was a tenth of reading one.
pub(crate) fn split_at_last_slash(key: &str) -> Option<(&str, &str)> {
    let at = memchr::memrchr(b'/', key.as_bytes())?;
    Some((&key[..at], &key[at + 1..]))
}

fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The key of an object, as SlateDB names it, under a root.
pub fn object_key(root: &str, object: &SlateObject) -> String {
    let join = |rest: String| {
        if root.is_empty() {
            rest
        } else {
            format!("{root}/{rest}")
        }
    };
    match object {
        SlateObject::Manifest { id } => join(format!("manifest/{id:020}.manifest")),
        SlateObject::Wal { id } => join(format!("wal/{id:020}.sst")),
        SlateObject::Compacted { id } => join(format!("compacted/{}", id.file_name())),
        SlateObject::Compactions { id } => join(format!("compactions/{id:020}.compactions")),
        SlateObject::GcBoundary { name } => join(format!("gc/{name}.boundary")),
        SlateObject::DeleteMarker => join(".deleting".to_string()),
        SlateObject::Unexpected { folder } => join(format!("{folder}/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_slatedb_object_kind() {
        let cases = [
            (
                "db/manifest/00000000000000000011.manifest",
                "db",
                SlateObject::Manifest { id: 11 },
            ),
            (
                "a/b/wal/00000000000000000001.sst",
                "a/b",
                SlateObject::Wal { id: 1 },
            ),
            (
                "wal/00000000000000000002.sst",
                "",
                SlateObject::Wal { id: 2 },
            ),
            (
                "p/compacted/01M8BHXZXR1894EB9XV200VQ3G.sst",
                "p",
                SlateObject::Compacted {
                    id: SstId(Ulid::from_string("01M8BHXZXR1894EB9XV200VQ3G").unwrap()),
                },
            ),
            (
                "p/compactions/00000000000000000009.compactions",
                "p",
                SlateObject::Compactions { id: 9 },
            ),
            (
                "p/gc/manifest.boundary",
                "p",
                SlateObject::GcBoundary {
                    name: "manifest".into(),
                },
            ),
            ("p/.deleting", "p", SlateObject::DeleteMarker),
            (
                "p/compacted/not-a-ulid.sst",
                "p",
                SlateObject::Unexpected {
                    folder: "compacted".into(),
                },
            ),
            (
                "p/manifest/latest",
                "p",
                SlateObject::Unexpected {
                    folder: "manifest".into(),
                },
            ),
        ];
        for (key, root, object) in cases {
            let parsed = classify_key(key).unwrap_or_else(|| panic!("{key} not recognised"));
            assert_eq!((parsed.root, &parsed.object), (root, &object), "{key}");
            if !matches!(object, SlateObject::Unexpected { .. }) {
                assert_eq!(object_key(root, &object), key);
            }
        }
    }

    #[test]
    fn ignores_keys_outside_slatedb_folders() {
        for key in [
            "README",
            "p/data/x.sst",
            "p/mywal/00000000000000000001.sst",
            "x.deleting",
        ] {
            assert!(classify_key(key).is_none(), "{key}");
        }
    }
}
