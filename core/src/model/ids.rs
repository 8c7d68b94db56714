//! Identifier types shared across the model.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use ulid::Ulid;

/// The id of a manifest object: `<root>/manifest/{id:020}.manifest`.
pub type ManifestId = u64;

/// The id of a WAL object: `<root>/wal/{id:020}.sst`.
pub type WalId = u64;

/// The id of a checkpoint (a UUID).
pub type CheckpointId = uuid::Uuid;

/// The id of a compacted SST: `<root>/compacted/{ULID}.sst`.
///
/// SlateDB 0.18 serializes it as the bare ULID string; releases up to 0.15 serialized the
/// `SsTableId::Compacted(ulid)` enum as `{"Compacted": "<ULID>"}`. Both are accepted on input,
/// the 0.18 form is written.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SstId(pub Ulid);

impl SstId {
    /// The object name of this SST inside a `compacted/` folder, e.g. `01J79C21YKR31J2BS1EFXJZ7MR.sst`.
    pub fn file_name(&self) -> String {
        format!("{}.sst", self.0)
    }
}

impl fmt::Display for SstId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for SstId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SstId({})", self.0)
    }
}

impl From<Ulid> for SstId {
    fn from(value: Ulid) -> Self {
        Self(value)
    }
}

impl Serialize for SstId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ulid_string::serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for SstId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        enum Tagged {
            Compacted(#[serde(with = "ulid_string")] Ulid),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum AnyForm {
            Bare(#[serde(with = "ulid_string")] Ulid),
            Tagged(Tagged),
        }
        match AnyForm::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom(
                "expected an SST id: a ULID string or {\"Compacted\": \"<ULID>\"}",
            )
        })? {
            AnyForm::Bare(ulid) | AnyForm::Tagged(Tagged::Compacted(ulid)) => Ok(SstId(ulid)),
        }
    }
}

/// Serde for a ULID as its 26-character Crockford base32 string (the `ulid` crate's own serde
/// support needs its `std` feature, which drags a random-number generator into WASM builds).
pub(crate) mod ulid_string {
    use serde::{de, Deserialize, Deserializer, Serializer};
    use ulid::Ulid;

    pub(crate) fn serialize<S: Serializer>(value: &Ulid, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0u8; ulid::ULID_LEN];
        let text = value.array_to_str(&mut buffer);
        serializer.serialize_str(text)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Ulid, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ulid::from_string(&text)
            .map_err(|err| de::Error::custom(format!("invalid ULID `{text}`: {err:?}")))
    }

    /// The same for `Option<Ulid>` (`null` for `None`).
    pub(crate) mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use ulid::Ulid;

        pub(crate) fn serialize<S: Serializer>(
            value: &Option<Ulid>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::serialize(value, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Ulid>, D::Error> {
            #[derive(Deserialize)]
            struct Wrapped(#[serde(with = "super")] Ulid);
            Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(ulid)| ulid))
        }
    }
}
