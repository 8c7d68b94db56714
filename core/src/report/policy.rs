//! What `slatecheck.toml` and a baseline do to a report.
//!
//! * A rule set to `off`, and a finding matched by an `[[ignore]]` entry, is removed from the
//!   plans and the report (listed under `suppressed` with the reason) and no longer counts for
//!   any verdict.
//! * A severity override changes the finding's severity. Raising a rule to `error` makes its
//!   advisory findings unsafe; lowering an `error` rule to `warning` or `note` makes its unsafe
//!   findings advisory. Inconclusive findings stay inconclusive (they say an input is missing,
//!   which no severity changes). Plan verdicts, predicted errors and the report's verdict are
//!   recomputed from what is left.
//! * A baseline marks each finding `new` or `unchanged` by fingerprint; only new findings count
//!   for the exit code ([`Report::gate`]), the verdict is not changed.

use super::{fingerprint, BaselineState, Report, Suppressed};
use crate::config::{Config, Ignore, RuleLevel};
use crate::finding::{Finding, Impact, Severity, Verdict};
use serde_json::Value;
use std::collections::BTreeSet;

/// The fingerprints of a previous report's findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Fingerprints.
    pub fingerprints: BTreeSet<String>,
}

/// A baseline file that is not a slatecheck JSON report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: not a slatecheck JSON report: {detail}")]
pub struct BaselineError {
    /// The file name as given.
    pub file: String,
    /// What is wrong.
    pub detail: String,
}

impl Baseline {
    /// Reads the findings' fingerprints from a JSON report (`slatecheck check --format json`).
    /// Reports without fingerprints have them computed from rule, root and evidence.
    pub fn from_json(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let bad = |detail: String| BaselineError {
            file: file.to_string(),
            detail,
        };
        let value: Value = serde_json::from_str(text).map_err(|err| bad(err.to_string()))?;
        let findings = value
            .get("findings")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no `findings` array".into()))?;
        let mut fingerprints = BTreeSet::new();
        for finding in findings {
            if let Some(print) = finding.get("fingerprint").and_then(Value::as_str) {
                fingerprints.insert(print.to_string());
                continue;
            }
            let text_of = |key: &str| finding.get(key).and_then(Value::as_str).unwrap_or("");
            let evidence = finding
                .get("evidence")
                .and_then(Value::as_object)
                .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            fingerprints.insert(super::fingerprint::fingerprint_of(
                text_of("rule"),
                text_of("root"),
                &evidence,
            ));
        }
        Ok(Baseline { fingerprints })
    }
}

impl Report {
    /// Applies a configuration and, if given, a baseline (see the module documentation).
    pub fn apply_policy(&mut self, config: &Config, baseline: Option<&Baseline>) {
        let mut suppressed: Vec<Suppressed> = Vec::new();
        for plan in &mut self.plans {
            let findings = std::mem::take(&mut plan.findings);
            plan.findings = apply_to(findings, config, &mut suppressed);
            plan.verdict = plan
                .findings
                .iter()
                .map(Finding::verdict)
                .max()
                .unwrap_or(Verdict::Safe);
            plan.predicted_error = plan.findings.iter().find_map(|f| match &f.impact {
                Impact::Unsafe { predicted_error } => Some(predicted_error.clone()),
                _ => None,
            });
            let rules: BTreeSet<&'static str> = plan.findings.iter().map(|f| f.rule).collect();
            plan.rules = rules.into_iter().collect();
        }
        let scan = if self.plans.is_empty() {
            let findings = self.findings.iter().map(|f| f.finding.clone()).collect();
            apply_to(findings, config, &mut suppressed)
        } else {
            Vec::new()
        };
        self.collect_findings(scan);
        suppressed.sort_by(|a, b| {
            (a.rule, &a.root, &a.fingerprint).cmp(&(b.rule, &b.root, &b.fingerprint))
        });
        suppressed.dedup();
        self.suppressed = suppressed;
        if let Some(baseline) = baseline {
            for finding in &mut self.findings {
                finding.baseline_state =
                    Some(if baseline.fingerprints.contains(&finding.fingerprint) {
                        BaselineState::Unchanged
                    } else {
                        BaselineState::New
                    });
            }
        }
    }
}

fn apply_to(
    findings: Vec<Finding>,
    config: &Config,
    suppressed: &mut Vec<Suppressed>,
) -> Vec<Finding> {
    let mut kept = Vec::new();
    for mut finding in findings {
        let print = fingerprint(&finding);
        let level = config.rules.get(finding.rule);
        if let Some((RuleLevel::Off, source)) = level {
            suppressed.push(Suppressed {
                rule: finding.rule,
                root: finding.root.clone(),
                fingerprint: print,
                reason: "rule set to off".into(),
                source: source.clone(),
            });
            continue;
        }
        if let Some(ignore) = config
            .ignores
            .iter()
            .find(|ignore| matches(ignore, &finding, &print))
        {
            suppressed.push(Suppressed {
                rule: finding.rule,
                root: finding.root.clone(),
                fingerprint: print,
                reason: ignore.reason.clone(),
                source: ignore.source.clone(),
            });
            continue;
        }
        if let Some((RuleLevel::Severity(severity), source)) = level {
            let before = finding.severity;
            finding.severity = *severity;
            finding.impact = match (&finding.impact, before, *severity) {
                (Impact::Advisory, b, Severity::Error) if b < Severity::Error => Impact::Unsafe {
                    predicted_error: format!("{} raised to error by {source}", finding.rule),
                },
                (Impact::Unsafe { .. }, Severity::Error, s) if s < Severity::Error => {
                    Impact::Advisory
                }
                (impact, _, _) => impact.clone(),
            };
        }
        kept.push(finding);
    }
    crate::rules::sort_findings(&mut kept);
    kept
}

fn matches(ignore: &Ignore, finding: &Finding, print: &str) -> bool {
    let mentions = |wanted: &str| {
        finding
            .evidence
            .values()
            .any(|value| value_mentions(value, wanted))
    };
    ignore
        .rule
        .as_deref()
        .is_none_or(|rule| rule == finding.rule)
        && ignore
            .root
            .as_deref()
            .is_none_or(|root| root == finding.root)
        && ignore.key.as_deref().is_none_or(&mentions)
        && ignore.checkpoint.as_deref().is_none_or(&mentions)
        && ignore
            .fingerprint
            .as_deref()
            .is_none_or(|wanted| wanted == print)
}

/// Whether `value` is, or contains, the string `wanted`.
fn value_mentions(value: &Value, wanted: &str) -> bool {
    match value {
        Value::String(text) => text == wanted,
        Value::Array(items) => items.iter().any(|item| value_mentions(item, wanted)),
        Value::Object(map) => map.values().any(|item| value_mentions(item, wanted)),
        _ => false,
    }
}
