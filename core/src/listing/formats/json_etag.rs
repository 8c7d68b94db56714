//! An ETag field of a JSON listing, read without allocating when its only escapes are its
//! quotes. S3 prints ETags with their quotes escaped (`"ETag": "\"0219…\""`), and serde_json
//! unescapes such a string into a scratch buffer that a fresh deserializer (one per listed
//! object) allocates anew each time: about a tenth of the CPU of reading an s3api listing
//! (10M objects: 12.4 -> 11.3 s). This takes the string's raw text instead and strips the
//! escaped quotes itself; any other escape is decoded by serde_json as before.

use serde::de::{self, Deserializer, Unexpected};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// An ETag without its surrounding quotes, as `str::trim_matches('"')` leaves it.
pub(super) struct JsonEtag<'a>(Cow<'a, str>);

impl JsonEtag<'_> {
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for JsonEtag<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?.get();
        if let Some(text) = plain_text(raw) {
            return Ok(Self(Cow::Borrowed(text.trim_matches('"'))));
        }
        // Escapes other than quotes, or no string at all: refused in the words a string field
        // uses.
        match serde_json::from_str::<Value>(raw).map_err(de::Error::custom)? {
            Value::String(text) => Ok(Self(Cow::Owned(text.trim_matches('"').to_string()))),
            other => Err(de::Error::invalid_type(unexpected(&other), &"a string")),
        }
    }
}

/// The text of JSON string `raw` when its only escapes are `\"` at its ends.
fn plain_text(raw: &str) -> Option<&str> {
    let mut text = raw.strip_prefix('"')?.strip_suffix('"')?;
    while let Some(rest) = text.strip_prefix("\\\"") {
        text = rest;
    }
    while let Some(rest) = text.strip_suffix("\\\"") {
        text = rest;
    }
    (!text.contains('\\')).then_some(text)
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(flag) => Unexpected::Bool(*flag),
        Value::Number(number) => match (number.as_u64(), number.as_i64()) {
            (Some(unsigned), _) => Unexpected::Unsigned(unsigned),
            (_, Some(signed)) => Unexpected::Signed(signed),
            _ => Unexpected::Float(number.as_f64().unwrap_or_default()),
        },
        Value::String(text) => Unexpected::Str(text),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Option<String>, String> {
        #[derive(Deserialize)]
        struct Item<'a> {
            #[serde(rename = "ETag", borrow)]
            etag: Option<JsonEtag<'a>>,
        }
        serde_json::from_str::<Item<'_>>(json)
            .map(|item| item.etag.map(|etag| etag.as_str().to_string()))
            .map_err(|err| err.to_string())
    }

    #[test]
    fn reads_etags_as_trimming_the_decoded_string_does() {
        let md5 = "0219bd2e179f2d619f34b4512be3530d";
        let cases = [
            (format!(r#"{{"ETag": "\"{md5}\""}}"#), Some(md5)),
            (format!(r#"{{"ETag": "{md5}"}}"#), Some(md5)),
            (r#"{"ETag": "\"abc-12\""}"#.into(), Some("abc-12")),
            (r#"{"ETag": "\"\"\"x\u00e9\""}"#.into(), Some("xé")),
            (r#"{"ETag": "\"a\"b\""}"#.into(), Some(r#"a"b"#)),
            (r#"{"ETag": "\\\"x"}"#.into(), Some(r#"\"x"#)),
            (r#"{"ETag": "\"\""}"#.into(), Some("")),
            (r#"{"ETag": null}"#.into(), None),
            ("{}".into(), None),
        ];
        for (json, expected) in cases {
            assert_eq!(read(&json), Ok(expected.map(str::to_string)), "{json}");
        }
    }

    #[test]
    fn refuses_what_a_string_field_refuses() {
        for (json, expected) in [
            (
                r#"{"ETag": 5}"#,
                "invalid type: integer `5`, expected a string",
            ),
            (
                r#"{"ETag": -5}"#,
                "invalid type: integer `-5`, expected a string",
            ),
            (
                r#"{"ETag": true}"#,
                "invalid type: boolean `true`, expected a string",
            ),
            (
                r#"{"ETag": [1]}"#,
                "invalid type: sequence, expected a string",
            ),
            (r#"{"ETag": "\q"}"#, "invalid escape"),
        ] {
            let error = read(json).unwrap_err();
            assert!(error.starts_with(expected), "{json}: {error}");
        }
    }
}
