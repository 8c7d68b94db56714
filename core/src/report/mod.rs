//! The report: every plan's verdict and every finding, with the inputs they came from, in one
//! versioned, deterministic model that each renderer turns into text.
//!
//! A report is built in steps, each a pure function of its inputs:
//! [`Report::new`] (verdicts and findings), [`Report::describe_store`] (per-root WAL facts and the
//! listing lines each finding's evidence comes from), [`Report::apply_policy`] (severity
//! overrides, ignores and a baseline from `slatecheck.toml`), and [`Report::redact`] (store names
//! replaced by placeholders). Every renderer reads only the finished model, so all formats agree.

mod escape;
mod fingerprint;
mod github;
mod html;
mod junit;
mod markdown;
mod policy;
mod redact;
mod sarif;
mod store_facts;
mod text;
mod wal_picture;

pub use fingerprint::fingerprint;
pub use github::{render_github, GITHUB_ANNOTATIONS_PER_LEVEL};
pub use html::{render_html, render_html_with_json};
pub use junit::render_junit;
pub use markdown::{render_markdown, MARKDOWN_LIMIT_BYTES};
pub use policy::{Baseline, BaselineError};
pub use sarif::render_sarif;
pub use store_facts::{CheckpointFacts, RootFacts, SourceLocation, WalObjectFacts, WalStatus};
pub use text::render_text;
pub use wal_picture::{wal_picture, WAL_PICTURE_CSS};

use crate::finding::{Finding, Severity, Verdict};
use crate::plan::PlanResult;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Version of the JSON report schema: bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One input of a check, identified so a report can be re-verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputRef {
    /// `listing`, `wal-listing`, `manifests`, `store`, `wal-store` or `bundle`.
    pub kind: String,
    /// A file or directory path, for local inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A store URL, for live stores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// SHA-256 of a file's bytes (of every file, in path order, for a directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// The tool that wrote a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `slatecheck`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// Whether a finding was already in the baseline report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline: it counts towards the exit code.
    New,
    /// In the baseline: reported, but it does not fail the run.
    Unchanged,
}

/// A finding as reported: the rule's conclusion plus what the report adds to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportFinding {
    /// The finding (its keys are the finding's own keys in the JSON).
    #[serde(flatten)]
    pub finding: Finding,
    /// A stable hash of rule, root and evidence: the same problem has the same fingerprint in
    /// every run (see [`fingerprint`]).
    pub fingerprint: String,
    /// Where the evidence came from: listing or manifest files, lines and object keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<SourceLocation>,
    /// Set when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
}

impl std::ops::Deref for ReportFinding {
    type Target = Finding;

    fn deref(&self) -> &Finding {
        &self.finding
    }
}

/// A finding left out of the report by `slatecheck.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    /// The rule.
    pub rule: &'static str,
    /// The root.
    pub root: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Why: the ignore entry's reason, or `rule set to off`.
    pub reason: String,
    /// Where in the configuration (`slatecheck.toml:12`).
    pub source: String,
}

/// A check's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Who wrote it.
    pub tool: Tool,
    /// The worst verdict over all plans, or over all findings when no plan was given.
    pub verdict: Verdict,
    /// The time the check was evaluated at (expiry and GC ages are measured against it).
    pub now: DateTime<Utc>,
    /// Each planned action.
    pub plans: Vec<PlanResult>,
    /// Every finding, worst first.
    pub findings: Vec<ReportFinding>,
    /// The inputs.
    pub inputs: Vec<InputRef>,
    /// Each database root's WAL facts (what the HTML picture draws).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roots: Vec<RootFacts>,
    /// Findings the configuration left out, with the reasons.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// Set when the report was redacted (store names replaced by placeholders).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

/// The lowest severity that fails a run (`--fail-level`, `fail-level` in `slatecheck.toml`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailLevel {
    /// Only the verdict decides: unsafe fails, inconclusive is inconclusive.
    #[default]
    Error,
    /// Also any new warning (or error) finding fails the run.
    Warning,
    /// Also any new finding fails the run.
    Note,
    /// Nothing fails the run (report only).
    None,
}

impl FailLevel {
    /// Parses `error`, `warning`, `note` or `none`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "error" => FailLevel::Error,
            "warning" => FailLevel::Warning,
            "note" => FailLevel::Note,
            "none" => FailLevel::None,
            _ => return None,
        })
    }
}

impl Report {
    /// A report over `plans` (their findings included) and `scan` findings (when no plan).
    pub fn new(
        now: DateTime<Utc>,
        plans: Vec<PlanResult>,
        scan: Vec<Finding>,
        inputs: Vec<InputRef>,
    ) -> Self {
        let mut report = Self {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "slatecheck",
                version: env!("CARGO_PKG_VERSION"),
            },
            verdict: Verdict::Safe,
            now,
            plans,
            findings: Vec::new(),
            inputs,
            roots: Vec::new(),
            suppressed: Vec::new(),
            redacted: false,
        };
        report.collect_findings(scan);
        report
    }

    /// Rebuilds `findings` from the plans' findings (or `scan` when there is no plan) and the
    /// verdict from them.
    fn collect_findings(&mut self, scan: Vec<Finding>) {
        let previous = std::mem::take(&mut self.findings);
        let mut findings: Vec<Finding> = scan;
        findings.extend(
            self.plans
                .iter()
                .flat_map(|plan| plan.findings.iter().cloned()),
        );
        crate::rules::sort_findings(&mut findings);
        // Two plans can report the same problem (same rule, root and evidence), each weighed
        // for its own verdict: the report shows it once, at its most severe (sorted first).
        let mut seen = std::collections::BTreeSet::new();
        self.findings = findings
            .into_iter()
            .map(|finding| (fingerprint(&finding), finding))
            .filter(|(fingerprint, _)| seen.insert(fingerprint.clone()))
            .map(|(fingerprint, finding)| {
                let kept = previous.iter().find(|old| old.fingerprint == fingerprint);
                ReportFinding {
                    locations: kept.map(|old| old.locations.clone()).unwrap_or_default(),
                    baseline_state: kept.and_then(|old| old.baseline_state),
                    fingerprint,
                    finding,
                }
            })
            .collect();
        self.verdict = if self.plans.is_empty() {
            self.findings
                .iter()
                .map(|f| f.verdict())
                .max()
                .unwrap_or(Verdict::Safe)
        } else {
            self.plans
                .iter()
                .map(|plan| plan.verdict)
                .max()
                .unwrap_or(Verdict::Safe)
        };
    }

    /// The report as JSON (stable key order, one trailing newline).
    pub fn to_json(&self) -> String {
        let mut bytes = Vec::new();
        // Writing into memory cannot fail, and serde_json writes UTF-8.
        let _ = self.write_json(&mut bytes);
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// [`Report::to_json`], written to `out` as it is serialized: a scan of a bucket-scale
    /// listing reports every WAL object of a thousand roots, hundreds of megabytes of JSON
    /// that need not be held whole.
    pub fn write_json<W: std::io::Write + ?Sized>(&self, out: &mut W) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }

    /// What decides the exit code: the verdict over the findings that are not in the baseline,
    /// raised to unsafe by any such finding at or above `fail_level` (warning, note), or safe
    /// whatever was found with `FailLevel::None`.
    pub fn gate(&self, fail_level: FailLevel) -> Verdict {
        let counted = || {
            self.findings
                .iter()
                .filter(|f| f.baseline_state != Some(BaselineState::Unchanged))
        };
        let baseline_given = self.findings.iter().any(|f| f.baseline_state.is_some());
        let verdict = if baseline_given || self.plans.is_empty() {
            counted()
                .map(|f| f.verdict())
                .max()
                .unwrap_or(Verdict::Safe)
        } else {
            self.verdict
        };
        let floor = match fail_level {
            FailLevel::None => return Verdict::Safe,
            FailLevel::Error => return verdict,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Note => Severity::Note,
        };
        if counted().any(|f| f.severity >= floor) {
            Verdict::Unsafe
        } else {
            verdict
        }
    }

    /// Findings per rule, in report order: (rule, count, worst severity).
    pub fn rule_counts(&self) -> Vec<(&'static str, usize, Severity)> {
        let mut counts: Vec<(&'static str, usize, Severity)> = Vec::new();
        for finding in &self.findings {
            match counts.iter_mut().find(|(rule, _, _)| *rule == finding.rule) {
                Some((_, count, severity)) => {
                    *count += 1;
                    *severity = (*severity).max(finding.severity);
                }
                None => counts.push((finding.rule, 1, finding.severity)),
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Impact;

    fn finding(rule: &'static str, severity: Severity, impact: Impact) -> Finding {
        Finding {
            rule,
            severity,
            root: "db".into(),
            message: format!("{rule} fired"),
            evidence: Default::default(),
            remediation: "fix it".into(),
            impact,
        }
    }

    #[test]
    fn the_gate_follows_fail_level_and_baseline() {
        let mut report = Report::new(
            DateTime::default(),
            Vec::new(),
            vec![finding("SDB-WAL-002", Severity::Warning, Impact::Advisory)],
            Vec::new(),
        );
        assert_eq!(report.verdict, Verdict::Safe);
        assert_eq!(report.gate(FailLevel::Error), Verdict::Safe);
        assert_eq!(report.gate(FailLevel::Warning), Verdict::Unsafe);
        assert_eq!(report.gate(FailLevel::Note), Verdict::Unsafe);
        report.findings[0].baseline_state = Some(BaselineState::Unchanged);
        assert_eq!(report.gate(FailLevel::Note), Verdict::Safe);
    }

    #[test]
    fn a_problem_two_plans_report_is_shown_once_at_its_most_severe() {
        let unsafe_copy = finding(
            "SDB-CLONE-001",
            Severity::Error,
            Impact::Unsafe {
                predicted_error: "x".into(),
            },
        );
        let advice = Finding {
            severity: Severity::Warning,
            impact: Impact::Advisory,
            ..unsafe_copy.clone()
        };
        let plan = |name: &str, verdict, finding: &Finding| PlanResult {
            plan: name.into(),
            verdict,
            predicted_error: None,
            objects: Vec::new(),
            rules: vec![finding.rule],
            notes: Vec::new(),
            findings: vec![finding.clone()],
        };
        let report = Report::new(
            DateTime::default(),
            vec![
                plan("read:db", Verdict::Safe, &advice),
                plan("clone:db", Verdict::Unsafe, &unsafe_copy),
            ],
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].finding.severity, Severity::Error);
        assert_eq!(report.verdict, Verdict::Unsafe);
    }

    #[test]
    fn fail_level_none_never_fails() {
        let report = Report::new(
            DateTime::default(),
            Vec::new(),
            vec![finding(
                "SDB-WAL-001",
                Severity::Error,
                Impact::Unsafe {
                    predicted_error: "x".into(),
                },
            )],
            Vec::new(),
        );
        assert_eq!(report.gate(FailLevel::Error), Verdict::Unsafe);
        assert_eq!(report.gate(FailLevel::None), Verdict::Safe);
    }
}
