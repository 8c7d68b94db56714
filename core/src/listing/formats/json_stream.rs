//! Streaming JSON listings: one or more top-level documents (concatenated pages, NDJSON),
//! each an array of items or an object whose array fields hold the items. Items are handed to
//! the format one by one, so a single document with millions of entries is never held whole.

use crate::listing::builder::ListingBuilder;
use crate::listing::error::ListingError;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use std::fmt;
use std::io::BufRead;

/// What a JSON listing format needs from the stream.
pub(super) trait JsonListing {
    /// One listed object as the format prints it.
    type Item: DeserializeOwned;
    /// Fields of a top-level object whose arrays hold items (`Contents`, `Versions`, …).
    const ARRAY_FIELDS: &'static [&'static str] = &[];
    /// Fields of a top-level object to hand to [`JsonListing::field`] (small values only).
    const SCALAR_FIELDS: &'static [&'static str] = &[];
    /// Whether a top-level object is itself an item (NDJSON formats).
    const OBJECT_IS_ITEM: bool = false;

    /// One item; `array` names the field it came from, if any.
    fn item(
        &mut self,
        array: Option<&str>,
        item: Self::Item,
        builder: &mut ListingBuilder,
    ) -> Result<(), String>;
    /// One of [`JsonListing::SCALAR_FIELDS`] of a top-level object.
    fn field(&mut self, _name: &str, _value: Value, _builder: &mut ListingBuilder) {}
    /// The end of one top-level document.
    fn end_document(&mut self, _builder: &mut ListingBuilder) {}
}

/// Reads every top-level document of `reader` into `format`.
pub(super) fn stream<R: BufRead, F: JsonListing>(
    source: &str,
    mut reader: R,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    loop {
        if at_end(&mut reader).map_err(|err| ListingError::io(source, &err))? {
            return Ok(());
        }
        let mut deserializer = serde_json::Deserializer::from_reader(&mut reader);
        Document {
            format: &mut *format,
            builder: &mut *builder,
        }
        .deserialize(&mut deserializer)
        .map_err(|err| ListingError::json(source, &err))?;
        format.end_document(builder);
    }
}

/// Skips whitespace (and a byte-order mark); `true` at the end of the input.
fn at_end<R: BufRead>(reader: &mut R) -> std::io::Result<bool> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(true);
        }
        let skip = if buffer.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            buffer
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count()
        };
        if skip == 0 {
            return Ok(false);
        }
        reader.consume(skip);
    }
}

struct Document<'a, F> {
    format: &'a mut F,
    builder: &'a mut ListingBuilder,
}

impl<'de, F: JsonListing> DeserializeSeed<'de> for Document<'_, F> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: JsonListing> Visitor<'de> for Document<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array or object of listed objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Items {
            format: self.format,
            builder: self.builder,
            array: None,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if F::OBJECT_IS_ITEM {
            let item = F::Item::deserialize(de::value::MapAccessDeserializer::new(map))?;
            return self
                .format
                .item(None, item, self.builder)
                .map_err(de::Error::custom);
        }
        while let Some(name) = map.next_key::<String>()? {
            if let Some(array) = F::ARRAY_FIELDS.iter().find(|field| **field == name) {
                map.next_value_seed(Items {
                    format: &mut *self.format,
                    builder: &mut *self.builder,
                    array: Some(array),
                })?;
            } else if F::SCALAR_FIELDS.contains(&name.as_str()) {
                let value: Value = map.next_value()?;
                self.format.field(&name, value, self.builder);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Items<'a, F> {
    format: &'a mut F,
    builder: &'a mut ListingBuilder,
    array: Option<&'static str>,
}

impl<'de, F: JsonListing> DeserializeSeed<'de> for Items<'_, F> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: JsonListing> Visitor<'de> for Items<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of listed objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(()) // `"Contents": null`
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<F::Item>()? {
            self.format
                .item(self.array, item, self.builder)
                .map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

use serde::Deserialize as _;

/// A size printed as a number or as a decimal string (GCS JSON prints uint64 as strings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct FlexibleSize(pub Option<u64>);

impl<'de> serde::Deserialize<'de> for FlexibleSize {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u64),
            Text(String),
            Other(IgnoredAny),
        }
        Ok(FlexibleSize(
            match Option::<Either>::deserialize(deserializer)? {
                Some(Either::Number(n)) => Some(n),
                Some(Either::Other(_)) | None => None,
                Some(Either::Text(text)) => Some(
                    text.trim()
                        .parse()
                        .map_err(|_| de::Error::custom(format!("bad size `{text}`")))?,
                ),
            },
        ))
    }
}
