//! Timestamps as listing tools print them.

use super::builder::ListedTime;
use chrono::{DateTime, NaiveDateTime, Utc};

/// RFC 3339 / ISO 8601 with an explicit zone (`Z` or `±hh:mm`), any fractional precision.
pub(crate) fn rfc3339(text: &str) -> Option<ListedTime> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|at| ListedTime::known(at.with_timezone(&Utc)))
}

/// An optional RFC 3339 field of a JSON listing; an unreadable time is an error naming `field`.
pub(crate) fn optional_rfc3339(
    field: &str,
    text: Option<&str>,
) -> Result<Option<ListedTime>, String> {
    text.map(|text| rfc3339(text).ok_or_else(|| format!("bad {field} `{text}`")))
        .transpose()
}

/// An ETag as listings print it, without its quotes.
pub(crate) fn unquoted(etag: Option<String>) -> Option<String> {
    etag.map(|etag| etag.trim_matches('"').to_string())
}

/// `YYYY-MM-DD HH:MM:SS[.fraction]` in the machine's local time: no zone is printed, so the
/// offset comes from the user (`--tz`) or UTC is assumed and the time marked as uncertain.
pub(crate) fn local(text: &str, utc_offset_seconds: Option<i32>) -> Option<ListedTime> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    let utc = naive.and_utc();
    Some(match utc_offset_seconds {
        Some(offset) => ListedTime::known(utc - chrono::Duration::seconds(i64::from(offset))),
        None => ListedTime::assumed_utc(utc),
    })
}

/// Seconds since the epoch with an optional fraction (`find -printf %T@`).
pub(crate) fn epoch_seconds(text: &str) -> Option<ListedTime> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let seconds: i64 = whole.parse().ok()?;
    let digits = &fraction[..fraction.len().min(9)];
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: u32 = if digits.is_empty() {
        0
    } else {
        format!("{digits:0<9}").parse().ok()?
    };
    DateTime::from_timestamp(seconds, nanos).map(ListedTime::known)
}

/// Milliseconds since the epoch (S3 Inventory `creationTimestamp`).
pub(crate) fn epoch_millis(text: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(text.trim().parse().ok()?)
}
