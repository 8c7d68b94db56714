//! Timestamps as listing tools print them.

use super::builder::ListedTime;
use super::object_key::split_at_first;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

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
    LocalTimes::default().read(text, utc_offset_seconds)
}

/// Reads local times as [`local`] does, remembering the last date read: the lines of a listing
/// share few dates, and turning a date into a day count was most of the cost of a time (this
/// runs once per object of an `aws s3 ls` listing).
#[derive(Default)]
pub(crate) struct LocalTimes {
    last_date: Option<([u8; 10], NaiveDate)>,
}

impl LocalTimes {
    pub(crate) fn read(
        &mut self,
        text: &str,
        utc_offset_seconds: Option<i32>,
    ) -> Option<ListedTime> {
        let utc = match self.plain_date_time(text) {
            Some(naive) => naive,
            None => NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()?,
        }
        .and_utc();
        Some(match utc_offset_seconds {
            // Most listings are read with `--tz UTC`: no date arithmetic for them.
            Some(0) => ListedTime::known(utc),
            Some(offset) => ListedTime::known(utc - chrono::Duration::seconds(i64::from(offset))),
            None => ListedTime::assumed_utc(utc),
        })
    }

    /// `YYYY-MM-DD HH:MM:SS` exactly, read without the general parser (the one form `aws s3
    /// ls` prints on every line); anything else, leap seconds included, is left to chrono.
    fn plain_date_time(&mut self, text: &str) -> Option<NaiveDateTime> {
        let b = text.as_bytes();
        if b.len() != 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        let date = match self.last_date {
            Some((last, date)) if b[..10] == last => date,
            _ => {
                if b[4] != b'-' || b[7] != b'-' {
                    return None;
                }
                let date = NaiveDate::from_ymd_opt(
                    i32::try_from(number(0..4)?).ok()?,
                    number(5..7)?,
                    number(8..10)?,
                )?;
                let mut last = [0u8; 10];
                last.copy_from_slice(&b[..10]);
                self.last_date = Some((last, date));
                date
            }
        };
        date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
    }
}

/// `YYYY-MM-DD HH:MM` in UTC (`s3cmd ls`: S3's `LastModified` with its seconds dropped, so
/// up to a minute earlier than the object's time).
pub(crate) fn utc_minutes(text: &str) -> Option<ListedTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .ok()
        .map(|naive| ListedTime::known(naive.and_utc()))
}

/// Seconds since the epoch with an optional fraction (`find -printf %T@`).
#[derive(Default)]
pub(crate) struct EpochTimes {
    /// The day (since the epoch) of the last time read, and its date: lines of one listing
    /// mostly fall on few days, and working out a date from a day number is most of the cost.
    last_day: Option<(i64, NaiveDate)>,
}

impl EpochTimes {
    pub(crate) fn read(&mut self, text: &str) -> Option<ListedTime> {
        let (whole, fraction) = split_at_first(text, b'.').unwrap_or((text, ""));
        let seconds: i64 = whole.parse().ok()?;
        let digits = &fraction.as_bytes()[..fraction.len().min(9)];
        // The first nine digits of the fraction, as nanoseconds; finer digits are not read.
        let mut nanos: u32 = 0;
        for &digit in digits {
            if !digit.is_ascii_digit() {
                return None;
            }
            nanos = nanos * 10 + u32::from(digit - b'0');
        }
        nanos *= 10u32.pow(9 - digits.len() as u32);
        let (day, second) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let date = match self.last_day {
            Some((last, date)) if last == day => date,
            _ => {
                let date = DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?.date_naive();
                self.last_day = Some((day, date));
                date
            }
        };
        let time = NaiveTime::from_num_seconds_from_midnight_opt(second as u32, nanos)?;
        Some(ListedTime::known(date.and_time(time).and_utc()))
    }
}

/// Milliseconds since the epoch (S3 Inventory `creationTimestamp`).
pub(crate) fn epoch_millis(text: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(text.trim().parse().ok()?)
}

/// `UTC`, `Z`, `+02:00`, `-0530`, `+2` → seconds east of UTC: the time zone of listings that
/// print local times without one (`aws s3 ls`, `rclone lsl`).
pub fn parse_utc_offset(text: &str) -> Result<i32, String> {
    let bad = || format!("`{text}` is not a UTC offset like `UTC`, `+02:00` or `-0530`");
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return Ok(0);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (hours, minutes) = if digits.len() <= 2 {
        (&digits[..], "0")
    } else {
        digits.split_at(digits.len() - 2)
    };
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    let minutes: i32 = minutes.parse().map_err(|_| bad())?;
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    Ok(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod local_time_tests {
    use super::*;
    use proptest::prelude::*;

    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
            .ok()
            .map(|naive| naive.and_utc())
    }

    proptest! {
        /// The fast path, with the date it remembers from the line before, agrees with chrono
        /// on every `YYYY-MM-DD HH:MM:SS`, valid or not.
        #[test]
        fn plain_times_read_as_chrono_reads_them(
            times in proptest::collection::vec(
                (1999u32..2001, 0u32..14, 0u32..33, 0u32..25, 0u32..61, 0u32..61),
                1..8,
            ),
        ) {
            let mut times_read = LocalTimes::default();
            for (year, month, day, hour, minute, second) in times {
                let text = format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
                let read = times_read.read(&text, None).map(|time| time.at);
                prop_assert_eq!(read, chrono_reads(&text), "{}", text);
            }
        }
    }

    proptest! {
        /// Epoch seconds, read with the day remembered from the line before, are the instant
        /// chrono makes of them, before and after 1970 and past midnight; out of range is none.
        #[test]
        fn epoch_seconds_read_as_chrono_makes_them(
            times in proptest::collection::vec((-200_000i64..200_000, 0u32..1_000_000_000), 1..8),
            far in prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(8_210_298_412_800i64)],
        ) {
            let mut times_read = EpochTimes::default();
            for (seconds, nanos) in times {
                let text = format!("{seconds}.{nanos:09}");
                let read = times_read.read(&text).map(|time| time.at);
                prop_assert_eq!(read, DateTime::from_timestamp(seconds, nanos), "{}", text);
            }
            let text = far.to_string();
            prop_assert_eq!(times_read.read(&text).map(|time| time.at), DateTime::from_timestamp(far, 0));
        }
    }

    #[test]
    fn fractions_offsets_and_leap_seconds() {
        let at = local("2026-12-01 10:00:00.250", Some(3600)).expect("a time");
        assert_eq!(at.at.to_rfc3339(), "2026-12-01T09:00:00.250+00:00");
        assert!(at.zone_known);
        let leap = local("2016-12-31 23:59:60", None).expect("a leap second");
        assert_eq!(Some(leap.at), chrono_reads("2016-12-31 23:59:60"));
        assert!(!leap.zone_known);
        let mut times = LocalTimes::default();
        assert!(times.read("2026-02-28 10:00:00", Some(0)).is_some());
        assert!(times.read("2026-02-29 10:00:00", Some(0)).is_none());
        assert!(times.read("2026-02-28 24:00:00", Some(0)).is_none());
    }
}

#[cfg(test)]
mod offset_tests {
    use super::parse_utc_offset;

    #[test]
    fn offsets_in_the_usual_spellings() {
        assert_eq!(parse_utc_offset("UTC"), Ok(0));
        assert_eq!(parse_utc_offset("+02:00"), Ok(7200));
        assert_eq!(parse_utc_offset("-0530"), Ok(-19_800));
        assert_eq!(parse_utc_offset("+2"), Ok(7200));
        assert!(parse_utc_offset("02:00").is_err());
        assert!(parse_utc_offset("+15").is_err());
    }
}
