//! `<root>/compactions/<id>.compactions` objects, the compactor's own state: a 2-byte
//! big-endian format version (1 or 2), then a `CompactionsV1` FlatBuffer (slatedb 0.18
//! `flatbuffer_types.rs`, `decode_compactions`). Only its compactor epoch is read.
//!
//! A compactor bumps `compactor_epoch` in a manifest and then in this object, which fences any
//! compactor whose epoch is not greater (`compactions_store.rs`, a fenceable object): an epoch
//! here above every listed manifest's shows a manifest written since that is gone.

use super::error::one_line;
use super::flatbuf::{verifier_options, FbCompactionsV1};
use crate::listing::{classify_key, ObjectKey, SlateObject};
use std::collections::BTreeMap;

/// The most bytes read of a `compactions/` object: it holds the recent compactions only.
pub const MAX_COMPACTIONS_BYTES: usize = 64 << 20;

/// The compactor epoch a `compactions/` object records, or why it cannot be read.
pub fn compactor_epoch(bytes: &[u8]) -> Result<u64, String> {
    if bytes.len() > MAX_COMPACTIONS_BYTES {
        return Err(format!(
            "{} bytes, more than the {MAX_COMPACTIONS_BYTES} a compactions object is read up to",
            bytes.len()
        ));
    }
    let [hi, lo, body @ ..] = bytes else {
        return Err(format!(
            "{} byte(s), a compactions object starts with a 2-byte format version",
            bytes.len()
        ));
    };
    let version = u16::from_be_bytes([*hi, *lo]);
    if !matches!(version, 1 | 2) {
        return Err(format!(
            "unsupported compactions format version {version} (supported: 1, 2)"
        ));
    }
    let options = verifier_options(1 << 20, body.len());
    let root = flatbuffers::root_with_opts::<FbCompactionsV1>(&options, body).map_err(|err| {
        format!(
            "malformed format version {version} FlatBuffer: {}",
            one_line(&err.to_string())
        )
    })?;
    Ok(root.compactor_epoch())
}

/// The compactor epoch of each object (key, bytes) that can be read, by key; one that cannot
/// decides nothing, so it is left out.
pub fn readable_epochs<'a>(
    objects: impl IntoIterator<Item = &'a (String, Vec<u8>)>,
) -> Vec<(String, u64)> {
    objects
        .into_iter()
        .filter_map(|(key, bytes)| {
            compactor_epoch(bytes)
                .ok()
                .map(|epoch| (key.clone(), epoch))
        })
        .collect()
}

/// Of the object keys `keys`, each root's newest `compactions/` object (the highest id): the
/// one whose epoch the next compactor is fenced against. By root.
pub fn newest_compactions<'a>(
    keys: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<&'a str, &'a str> {
    let mut newest: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
    for key in keys {
        if let Some(ObjectKey {
            root,
            object: SlateObject::Compactions { id },
            ..
        }) = classify_key(key)
        {
            if newest.get(root).is_none_or(|(newer, _)| id > *newer) {
                newest.insert(root, (id, key));
            }
        }
    }
    newest
        .into_iter()
        .map(|(root, (_, key))| (root, key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{compactor_epoch, newest_compactions};

    #[test]
    fn the_newest_object_of_each_root_is_picked() {
        let keys = [
            "a/compactions/00000000000000000009.compactions",
            "a/compactions/00000000000000000010.compactions",
            "a/manifest/00000000000000000011.manifest",
            "compactions/00000000000000000002.compactions",
            "b/compactions/notanid.compactions",
        ];
        let newest = newest_compactions(keys);
        assert_eq!(
            newest.into_iter().collect::<Vec<_>>(),
            [
                ("", "compactions/00000000000000000002.compactions"),
                ("a", "a/compactions/00000000000000000010.compactions"),
            ]
        );
    }

    /// A `CompactionsV1` with `compactor_epoch` and an empty `recent_compactions`, as
    /// flatbuffers' builder lays it out.
    fn encoded(version: u16, epoch: u64) -> Vec<u8> {
        let mut builder = flatbuffers::FlatBufferBuilder::new();
        let recent =
            builder.create_vector::<flatbuffers::WIPOffset<flatbuffers::UnionWIPOffset>>(&[]);
        let start = builder.start_table();
        builder.push_slot::<u64>(4, epoch, 0);
        builder.push_slot_always(6, recent);
        let table = builder.end_table(start);
        builder.finish_minimal(table);
        let mut bytes = version.to_be_bytes().to_vec();
        bytes.extend_from_slice(builder.finished_data());
        bytes
    }

    #[test]
    fn the_epoch_is_read_from_either_format_version() {
        assert_eq!(compactor_epoch(&encoded(1, 7)), Ok(7));
        assert_eq!(compactor_epoch(&encoded(2, 0)), Ok(0));
        assert_eq!(compactor_epoch(&encoded(2, u64::MAX)), Ok(u64::MAX));
    }

    #[test]
    fn damaged_objects_are_errors_not_epochs() {
        assert!(compactor_epoch(&[]).unwrap_err().contains("0 byte(s)"));
        assert!(compactor_epoch(&encoded(3, 1))
            .unwrap_err()
            .contains("version 3"));
        let mut cut = encoded(2, 5);
        cut.truncate(6);
        assert!(compactor_epoch(&cut).unwrap_err().contains("malformed"));
        for len in 0..encoded(2, 5).len() {
            let _ = compactor_epoch(&encoded(2, 5)[..len]);
        }
    }
}
