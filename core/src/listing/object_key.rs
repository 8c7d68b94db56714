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
    /// Whether the file name is spelled as SlateDB writes it (ids in 20 digits, ULIDs in upper
    /// case); SlateDB reads other spellings too, and a report then shows the name as listed.
    pub spelled_as_slatedb: bool,
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
                spelled_as_slatedb: true,
            });
        }
    }
    let (dir, file) = split_at_last_slash(key)?;
    let (root, folder) = match split_at_last_slash(dir) {
        Some((root, folder)) => (root, folder),
        None => ("", dir),
    };
    // SlateDB writes ids in 20 digits.
    let id_of = |stem: &str| decimal(stem).map(|id| (id, stem.len() == 20));
    let (object, spelled_as_slatedb) = match folder {
        "manifest" => file
            .strip_suffix(".manifest")
            .and_then(id_of)
            .map(|(id, spelled)| (SlateObject::Manifest { id }, spelled)),
        "wal" => file
            .strip_suffix(".sst")
            .and_then(id_of)
            .map(|(id, spelled)| (SlateObject::Wal { id }, spelled)),
        "compacted" => file
            .strip_suffix(".sst")
            .and_then(sst_ulid)
            .map(|(ulid, spelled)| (SlateObject::Compacted { id: SstId(ulid) }, spelled)),
        "compactions" => file
            .strip_suffix(".compactions")
            .and_then(id_of)
            .map(|(id, spelled)| (SlateObject::Compactions { id }, spelled)),
        "gc" => file.strip_suffix(".boundary").map(|name| {
            let name = name.to_string();
            (SlateObject::GcBoundary { name }, true)
        }),
        _ => return None,
    }
    .unwrap_or_else(|| {
        let folder = folder.to_string();
        (SlateObject::Unexpected { folder }, true)
    });
    Some(ObjectKey {
        root,
        object,
        spelled_as_slatedb,
    })
}

/// The ULID a compacted SST's file stem names, and whether it is spelled as SlateDB writes it
/// (26 upper-case Crockford base-32 characters, decoded here in one pass since every SST of a
/// listing goes through this); other spellings SlateDB accepts are left to the `ulid` crate.
fn sst_ulid(stem: &str) -> Option<(Ulid, bool)> {
    const INVALID: u8 = u8::MAX;
    const CROCKFORD_UPPER: [u8; 256] = {
        let mut table = [INVALID; 256];
        let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let mut i = 0;
        while i < alphabet.len() {
            table[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        table
    };
    let bytes = stem.as_bytes();
    // 26 characters hold 130 bits: a ULID's first one is at most `7`.
    if bytes.len() == 26 && CROCKFORD_UPPER[usize::from(bytes[0])] <= 7 {
        let value = bytes.iter().try_fold(0u128, |value, &b| {
            let digit = CROCKFORD_UPPER[usize::from(b)];
            (digit != INVALID).then(|| value << 5 | u128::from(digit))
        });
        if let Some(value) = value {
            return Some((Ulid(value), true));
        }
    }
    Ulid::from_string(stem).ok().map(|ulid| (ulid, false))
}

/// `key` split at its last `/`, found with memchr's search: this runs twice for every object
/// of a listing, and `str::rsplit_once` was a tenth of reading one.
pub(crate) fn split_at_last_slash(key: &str) -> Option<(&str, &str)> {
    let at = memchr::memrchr(b'/', key.as_bytes())?;
    Some((&key[..at], &key[at + 1..]))
}

/// `text` before and after the first `byte`, found with memchr's search (listing columns and
/// fields are cut with this on every line, where `str::split_once` was slower).
pub(crate) fn split_at_first(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = memchr::memchr(byte, text.as_bytes())?;
    Some((&text[..at], &text[at + 1..]))
}

/// Digits only (no sign), as a u64; `None` when empty or too large.
pub(crate) fn decimal(text: &str) -> Option<u64> {
    // Nineteen digits cannot overflow a u64: plain arithmetic for them, checked only past
    // them (in WASM a checked multiply is a call to a 128-bit multiply, for every digit).
    let (head, tail) = text.as_bytes().split_at(text.len().min(19));
    if head.is_empty() {
        return None;
    }
    let digit = |b: u8| Some(u64::from(b.checked_sub(b'0').filter(|d| *d <= 9)?));
    let value = head
        .iter()
        .try_fold(0u64, |value, &b| Some(value * 10 + digit(b)?))?;
    tail.iter().try_fold(value, |value, &b| {
        value.checked_mul(10)?.checked_add(digit(b)?)
    })
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
    use proptest::prelude::*;

    proptest! {
        /// Ids and sizes read as Rust reads unsigned decimals, to the last digit before a
        /// u64 overflows; a sign, a space or any other byte is no decimal.
        #[test]
        fn decimals_read_as_rust_parses_them(text in "[0-9]{0,24}|[0-9]{0,5}[+ a/-][0-9]{0,5}") {
            let expected = text.parse::<u64>().ok().filter(|_| !text.starts_with('+'));
            prop_assert_eq!(decimal(&text), expected, "{}", text);
        }
    }

    #[test]
    fn decimals_at_the_edge_of_u64() {
        assert_eq!(decimal("18446744073709551615"), Some(u64::MAX));
        assert_eq!(decimal("18446744073709551616"), None);
        assert_eq!(decimal("99999999999999999999"), None);
        assert_eq!(decimal("00000000000000000000000042"), Some(42));
        assert_eq!(decimal(""), None);
    }

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
    fn spellings_slatedb_does_not_write_are_marked() {
        for (key, spelled) in [
            ("p/wal/00000000000000000003.sst", true),
            ("p/wal/3.sst", false),
            ("p/manifest/000000000000000000001.manifest", false),
            ("p/compacted/01HZX3M8ZK3N4V2Q7W9Y6T5R4S.sst", true),
            ("p/compacted/01hzx3m8zk3n4v2q7w9y6t5r4s.sst", false),
            ("p/.deleting", true),
        ] {
            let classified = classify_key(key).unwrap_or_else(|| panic!("{key} not recognised"));
            assert_eq!(classified.spelled_as_slatedb, spelled, "{key}");
        }
        assert_eq!(decimal("18446744073709551615"), Some(u64::MAX));
        assert_eq!(decimal("18446744073709551616"), None);
        assert_eq!(decimal("+1"), None);
    }

    proptest::proptest! {
        /// The one-pass decoder reads every ULID as the `ulid` crate does, and any 26
        /// characters it accepts as SlateDB's spelling the crate reads to the same value.
        #[test]
        fn compacted_sst_names_decode_as_the_ulid_crate_does(
            value: u128,
            text in "[0-9A-Za-z]{24,27}",
        ) {
            let name = Ulid(value).to_string();
            proptest::prop_assert_eq!(sst_ulid(&name), Some((Ulid(value), true)));
            let lower = name.to_lowercase();
            proptest::prop_assert_eq!(sst_ulid(&lower), Some((Ulid(value), lower == name)));
            match sst_ulid(&text) {
                Some((ulid, _)) => proptest::prop_assert_eq!(Ulid::from_string(&text).ok(), Some(ulid)),
                None => proptest::prop_assert!(Ulid::from_string(&text).is_err()),
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
