//! `slatecheck.toml`: per-rule severity overrides, ignored objects and checkpoints (each with a
//! reason), and the fail level. Parsed here, without I/O, so the CLI and the web page share it.
//!
//! ```toml
//! fail-level = "warning"          # error (default) | warning | note | none
//!
//! [rules]
//! SDB-WAL-002 = "off"             # error | warning | note | off; ids or names
//! SDB-CKPT-003 = "error"
//!
//! [[ignore]]
//! key = "shard/wal/00000000000000000003.sst"
//! reason = "fence left by the 2026-11 migration, INC-4211"
//!
//! [[ignore]]
//! rule = "SDB-CKPT-002"
//! checkpoint = "nightly"          # a checkpoint id or name
//! reason = "expires on purpose"
//! ```

use crate::finding::Severity;
use crate::limits::Limits;
use crate::report::FailLevel;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The configuration file's usual name, looked for in the current directory.
pub const CONFIG_FILE_NAME: &str = "slatecheck.toml";

/// A severity override.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    /// Report the rule's findings at this severity.
    Severity(Severity),
    /// Do not report the rule's findings.
    Off,
}

/// What an ignore entry matches: every field given must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ignore {
    /// A rule id.
    pub rule: Option<String>,
    /// A database root.
    pub root: Option<String>,
    /// An object key named in the finding's evidence.
    pub key: Option<String>,
    /// A checkpoint id or name named in the finding's evidence.
    pub checkpoint: Option<String>,
    /// A finding fingerprint.
    pub fingerprint: Option<String>,
    /// Why it is ignored (required).
    pub reason: String,
    /// `file:line` of the entry.
    pub source: String,
}

/// A parsed `slatecheck.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The lowest severity that fails the run.
    pub fail_level: Option<FailLevel>,
    /// Per-rule overrides, by rule id, with the `file:line` they were set at.
    pub rules: BTreeMap<&'static str, (RuleLevel, String)>,
    /// Ignore entries.
    pub ignores: Vec<Ignore>,
    /// Resource limits on the inputs (`[limits]`: `bundle-bytes = "8GiB"`, …); the defaults
    /// where not set. `--limit` overrides them.
    pub limits: Limits,
}

/// A configuration that cannot be used: `file:line: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong (one line).
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_level: Option<toml::Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawIgnore>>,
    #[serde(default)]
    limits: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: Option<String>,
    root: Option<String>,
    key: Option<String>,
    checkpoint: Option<String>,
    fingerprint: Option<String>,
    reason: Option<String>,
}

impl Config {
    /// Parses the text of a configuration file named `file` (the name is only used in errors).
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let line_of = |offset: usize| {
            let end = offset.min(text.len());
            text.as_bytes()[..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        };
        let error = |offset: usize, message: String| ConfigError {
            file: file.to_string(),
            line: line_of(offset),
            message: crate::printable::printable(&message),
        };
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |span| span.start);
            error(offset, err.message().replace('\n', " ").trim().to_string())
        })?;
        let mut config = Config::default();
        if let Some(level) = raw.fail_level {
            config.fail_level = Some(FailLevel::parse(level.get_ref()).ok_or_else(|| {
                error(
                    level.span().start,
                    format!(
                        "fail-level `{}` is not one of error, warning, note, none",
                        level.get_ref()
                    ),
                )
            })?);
        }
        for (rule, level) in raw.rules {
            let Some(found) = crate::rules::find_rule(rule.get_ref()) else {
                return Err(error(
                    rule.span().start,
                    format!("unknown rule `{}` (see `slatecheck rules`)", rule.get_ref()),
                ));
            };
            let parsed = match level.get_ref().as_str() {
                "error" => RuleLevel::Severity(Severity::Error),
                "warning" => RuleLevel::Severity(Severity::Warning),
                "note" => RuleLevel::Severity(Severity::Note),
                "off" => RuleLevel::Off,
                other => {
                    return Err(error(
                        level.span().start,
                        format!(
                            "level `{other}` of rule {} is not one of error, warning, note, off",
                            found.id
                        ),
                    ))
                }
            };
            let source = format!("{file}:{}", line_of(rule.span().start));
            config.rules.insert(found.id, (parsed, source));
        }
        for (name, value) in raw.limits {
            let text = match value.get_ref() {
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::String(text) => text.clone(),
                _ => {
                    return Err(error(
                        value.span().start,
                        format!(
                            "limit `{}` takes a number or a size like \"4GiB\"",
                            name.get_ref()
                        ),
                    ))
                }
            };
            config
                .limits
                .set(name.get_ref(), &text)
                .map_err(|message| error(name.span().start, message))?;
        }
        for entry in raw.ignore {
            let start = entry.span().start;
            let raw = entry.into_inner();
            let reason = raw
                .reason
                .filter(|reason| !reason.trim().is_empty())
                .ok_or_else(|| {
                    error(
                        start,
                        "ignore entry has no `reason`: say why it is safe to ignore".into(),
                    )
                })?;
            if raw.key.is_none() && raw.checkpoint.is_none() && raw.fingerprint.is_none() {
                return Err(error(
                    start,
                    "ignore entry names no `key`, `checkpoint` or `fingerprint`; to silence a whole rule set it to \"off\" under [rules]".into(),
                ));
            }
            let rule = match raw.rule {
                Some(rule) => Some(
                    crate::rules::find_rule(&rule)
                        .map(|found| found.id.to_string())
                        .ok_or_else(|| {
                            error(start, format!("unknown rule `{rule}` in ignore entry"))
                        })?,
                ),
                None => None,
            };
            config.ignores.push(Ignore {
                rule,
                root: raw.root.map(|root| root.trim_matches('/').to_string()),
                key: raw.key,
                checkpoint: raw.checkpoint,
                fingerprint: raw.fingerprint,
                reason,
                source: format!("{file}:{}", line_of(start)),
            });
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let config = Config::parse(
            "slatecheck.toml",
            "fail-level = \"warning\"\n[rules]\nSDB-WAL-002 = \"off\"\nwal-range-missing = \"warning\"\n\n[[ignore]]\nkey = \"db/wal/1.sst\"\nreason = \"known\"\n",
        )
        .unwrap();
        assert_eq!(config.fail_level, Some(FailLevel::Warning));
        assert_eq!(config.rules["SDB-WAL-002"].0, RuleLevel::Off);
        assert_eq!(
            config.rules["SDB-WAL-001"],
            (
                RuleLevel::Severity(Severity::Warning),
                "slatecheck.toml:4".into()
            )
        );
        assert_eq!(config.ignores[0].source, "slatecheck.toml:6");
    }

    #[test]
    fn limits_are_configured_and_refused_with_their_line() {
        let config = Config::parse(
            "slatecheck.toml",
            "[limits]\nbundle-bytes = \"8GiB\"\nbundle-members = 20\n",
        )
        .unwrap();
        assert_eq!(config.limits.bundle_bytes, 8 << 30);
        assert_eq!(config.limits.bundle_members, 20);
        assert_eq!(config.limits.member_bytes, Limits::default().member_bytes);
        let unknown = Config::parse("ci.toml", "[limits]\n\nbundle-size = 1\n").unwrap_err();
        assert_eq!(unknown.line, 3);
        assert!(
            unknown.message.contains("unknown limit `bundle-size`"),
            "{unknown}"
        );
        let bad = Config::parse("ci.toml", "[limits]\nmember-bytes = true\n").unwrap_err();
        assert_eq!(bad.line, 2);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let missing_reason =
            Config::parse("ci.toml", "\n\n[[ignore]]\nkey = \"a/b\"\n").unwrap_err();
        assert_eq!(missing_reason.line, 3);
        assert!(missing_reason
            .to_string()
            .starts_with("ci.toml:3: ignore entry has no `reason`"));
        let bad_level = Config::parse("ci.toml", "[rules]\nSDB-WAL-001 = \"loud\"\n").unwrap_err();
        assert_eq!(bad_level.line, 2);
        let unknown = Config::parse("ci.toml", "fail_level = 1\n").unwrap_err();
        assert_eq!(unknown.line, 1);
        assert!(!unknown.to_string().contains('\n'));
        // Found by the `config` fuzz target: a value quoted into the message broke its line.
        let multi_line = Config::parse("ci.toml", "fail-level = \"warni\\ng\"\n").unwrap_err();
        assert_eq!(
            multi_line.to_string(),
            "ci.toml:1: fail-level `warni\\ng` is not one of error, warning, note, none"
        );
    }
}
