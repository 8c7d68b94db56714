//! Resource limits on untrusted input: a bundle someone attached to a ticket may be a gzip or
//! tar bomb, a manifest may claim millions of SSTs. Each limit is checked before the memory or
//! time it guards is spent, and a refusal names the limit and how to raise it (`--limit
//! NAME=VALUE`, or `[limits]` in `slatecheck.toml`).

use std::fmt;

/// The limits a check reads its inputs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `bundle-bytes`: bytes a bundle may decompress to, all members together.
    pub bundle_bytes: u64,
    /// `bundle-members`: members (files) a bundle may hold.
    pub bundle_members: u64,
    /// `member-bytes`: bytes one bundle member may hold.
    pub member_bytes: u64,
    /// `manifest-bytes`: bytes one manifest file (binary or JSON) may hold.
    pub manifest_bytes: u64,
    /// `manifest-tables`: FlatBuffer tables (SST handles, views, checkpoints, key bounds, …)
    /// one binary manifest may hold, counted as the verifier visits them (a table shared by
    /// many offsets counts once per offset, which is what decoding it would cost).
    pub manifest_tables: u64,
    /// `wal-ids`: WAL ids one database root may span, from the lowest id its manifests or
    /// listings name to the highest. The rules walk WAL ranges id by id, so a manifest (or a
    /// listed key) claiming WAL id 10^18 would otherwise cost time and memory in proportion.
    pub wal_ids: u64,
    /// `sst-read-bytes`: bytes of SST objects a check reads to learn their rows (the WAL
    /// objects after each latest manifest's replay point, lowest ids first, then the compacted
    /// SSTs it does not know), from a live store, a bundle's collection or a folder. Objects
    /// past it are not read, which is no error: what only their rows settle stays open.
    pub sst_read_bytes: u64,
    /// `held-manifests-bytes`: memory the decoded manifests of one check may hold, estimated
    /// from their SST views (each distinct view once, however many manifests name it; see
    /// [`crate::manifest::SharedSstViews::held_bytes`]). A bucket's roots keep every manifest
    /// written since GC last ran, so their number is the store's to choose.
    pub held_manifests_bytes: u64,
}

/// The limits when none is configured. A SlateDB manifest with 100,000 SSTs is about 10 MB
/// and 400,000 tables; a listing of a million objects is about 70 MB of text.
pub const DEFAULT_LIMITS: Limits = Limits {
    bundle_bytes: 4 << 30,
    bundle_members: 1_000_000,
    member_bytes: 1 << 30,
    manifest_bytes: 64 << 20,
    manifest_tables: 4_000_000,
    wal_ids: 10_000_000,
    sst_read_bytes: 256 << 20,
    held_manifests_bytes: 8 << 30,
};

impl Default for Limits {
    fn default() -> Self {
        DEFAULT_LIMITS
    }
}

/// The names of the limits, as `--limit` and `[limits]` take them.
pub const LIMIT_NAMES: [&str; 8] = [
    "bundle-bytes",
    "bundle-members",
    "member-bytes",
    "manifest-bytes",
    "manifest-tables",
    "wal-ids",
    "sst-read-bytes",
    "held-manifests-bytes",
];

/// One line of input longer than this is refused: object keys are at most 1024 bytes in S3,
/// GCS and Azure, so a longer line is not a listing line.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One value of a JSON listing (a listed object, or a field or scalar beside them) longer than
/// this is refused: a listed object is a few hundred bytes, and a few kilobytes with metadata.
pub const MAX_JSON_VALUE_BYTES: usize = 1 << 20;

/// A limit that was exceeded, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitExceeded {
    /// The limit's name (`bundle-bytes`, …).
    pub name: &'static str,
    /// Its value.
    pub limit: u64,
    /// What exceeded it.
    pub what: String,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} exceeds the {} limit of {}; if the input is trusted, raise it with --limit {}=VALUE (or [limits] in slatecheck.toml)",
            self.what,
            self.name,
            show(self.name, self.limit),
            self.name
        )
    }
}

impl std::error::Error for LimitExceeded {}

fn show(name: &str, value: u64) -> String {
    if name.ends_with("-bytes") {
        human_bytes(value)
    } else {
        value.to_string()
    }
}

/// `1.5 KiB`-style sizes, exact below 1 KiB.
pub fn human_bytes(value: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if value < 1024 {
        return format!("{value} B");
    }
    let mut scaled = value as f64 / 1024.0;
    let mut unit = 0;
    while scaled >= 1024.0 && unit + 1 < UNITS.len() {
        scaled /= 1024.0;
        unit += 1;
    }
    let text = format!("{scaled:.1}");
    format!("{} {}", text.trim_end_matches(".0"), UNITS[unit])
}

impl Limits {
    /// The value of limit `name`.
    pub fn get(&self, name: &str) -> Option<u64> {
        Some(match name {
            "bundle-bytes" => self.bundle_bytes,
            "bundle-members" => self.bundle_members,
            "member-bytes" => self.member_bytes,
            "manifest-bytes" => self.manifest_bytes,
            "manifest-tables" => self.manifest_tables,
            "wal-ids" => self.wal_ids,
            "sst-read-bytes" => self.sst_read_bytes,
            "held-manifests-bytes" => self.held_manifests_bytes,
            _ => return None,
        })
    }

    /// Sets limit `name` from text: a count, or for `*-bytes` a size such as `512MiB`, `4GiB`,
    /// `100MB` or plain bytes.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let parsed = if name.ends_with("-bytes") {
            parse_size(value)
        } else {
            value.trim().replace('_', "").parse::<u64>().ok()
        }
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            format!(
                "limit `{name}`: `{value}` is not a positive {}",
                if name.ends_with("-bytes") {
                    "size (e.g. 512MiB, 4GiB, 1000000)"
                } else {
                    "whole number"
                }
            )
        })?;
        let slot = match name {
            "bundle-bytes" => &mut self.bundle_bytes,
            "bundle-members" => &mut self.bundle_members,
            "member-bytes" => &mut self.member_bytes,
            "manifest-bytes" => &mut self.manifest_bytes,
            "manifest-tables" => &mut self.manifest_tables,
            "wal-ids" => &mut self.wal_ids,
            "sst-read-bytes" => &mut self.sst_read_bytes,
            "held-manifests-bytes" => &mut self.held_manifests_bytes,
            _ => {
                return Err(format!(
                    "unknown limit `{name}` (known: {})",
                    LIMIT_NAMES.join(", ")
                ))
            }
        };
        *slot = parsed;
        Ok(())
    }

    /// Parses `NAME=VALUE`, as `--limit` takes it.
    pub fn set_assignment(&mut self, text: &str) -> Result<(), String> {
        let (name, value) = text.split_once('=').ok_or_else(|| {
            format!(
                "limit `{text}` is not NAME=VALUE (names: {})",
                LIMIT_NAMES.join(", ")
            )
        })?;
        self.set(name.trim(), value)
    }

    /// An error when `size` bytes of `what` exceed the `manifest-bytes` limit.
    pub fn check_manifest_bytes(&self, what: &str, size: u64) -> Result<(), LimitExceeded> {
        if size > self.manifest_bytes {
            return Err(LimitExceeded {
                name: "manifest-bytes",
                limit: self.manifest_bytes,
                what: format!("{what} ({})", human_bytes(size)),
            });
        }
        Ok(())
    }

    /// An error when the decoded manifests' estimated `held` bytes exceed the
    /// `held-manifests-bytes` limit.
    pub fn check_held_manifests(&self, held: u64) -> Result<(), LimitExceeded> {
        if held > self.held_manifests_bytes {
            return Err(LimitExceeded {
                name: "held-manifests-bytes",
                limit: self.held_manifests_bytes,
                what: format!(
                    "the memory of the manifests' SST views (about {} so far)",
                    human_bytes(held)
                ),
            });
        }
        Ok(())
    }
}

/// `512MiB`, `4 GiB`, `100MB`, `1k`, `123`: bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim().replace('_', "");
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = number * scale as f64;
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("4 GiB"), Some(4 << 30));
        assert_eq!(parse_size("100MB"), Some(100_000_000));
        assert_eq!(parse_size("1_000"), Some(1000));
        assert_eq!(parse_size("1.5KiB"), Some(1536));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5 parsecs"), None);
    }

    #[test]
    fn limits_are_set_by_name_and_refused_when_unknown_or_bad() {
        let mut limits = Limits::default();
        limits.set_assignment("bundle-bytes=8GiB").unwrap();
        limits.set_assignment("manifest-tables=10").unwrap();
        assert_eq!(limits.bundle_bytes, 8 << 30);
        assert_eq!(limits.get("manifest-tables"), Some(10));
        for name in LIMIT_NAMES {
            assert!(limits.get(name).is_some(), "{name}");
        }
        assert!(limits
            .set_assignment("bundle-size=1")
            .unwrap_err()
            .contains("known: bundle-bytes"));
        assert!(limits.set_assignment("bundle-members=-3").is_err());
        assert!(limits.set_assignment("member-bytes=0").is_err());
        assert!(limits.set_assignment("member-bytes").is_err());
    }

    #[test]
    fn an_exceeded_limit_names_itself_and_how_to_raise_it() {
        let err = Limits::default()
            .check_manifest_bytes("db/manifest/1.manifest", 100 << 20)
            .unwrap_err()
            .to_string();
        assert!(err.contains("db/manifest/1.manifest (100 MiB)"), "{err}");
        assert!(err.contains("manifest-bytes limit of 64 MiB"), "{err}");
        assert!(err.contains("--limit manifest-bytes=VALUE"), "{err}");
        assert_eq!(human_bytes(4 << 30), "4 GiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(12), "12 B");
    }
}
