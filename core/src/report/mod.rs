//! The report: every plan's verdict and every finding, with the inputs they came from, in one
//! versioned, deterministic model that each renderer turns into text.

mod text;

pub use text::render_text;

use crate::finding::{Finding, Verdict};
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
    pub findings: Vec<Finding>,
    /// The inputs.
    pub inputs: Vec<InputRef>,
}

impl Report {
    /// A report over `plans` (their findings included) and `scan` findings (when no plan).
    pub fn new(
        now: DateTime<Utc>,
        plans: Vec<PlanResult>,
        scan: Vec<Finding>,
        inputs: Vec<InputRef>,
    ) -> Self {
        let verdict = if plans.is_empty() {
            scan.iter()
                .map(Finding::verdict)
                .max()
                .unwrap_or(Verdict::Safe)
        } else {
            plans
                .iter()
                .map(|plan| plan.verdict)
                .max()
                .unwrap_or(Verdict::Safe)
        };
        let mut findings: Vec<Finding> = scan;
        findings.extend(plans.iter().flat_map(|plan| plan.findings.iter().cloned()));
        crate::rules::sort_findings(&mut findings);
        Self {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "slatecheck",
                version: env!("CARGO_PKG_VERSION"),
            },
            verdict,
            now,
            plans,
            findings,
            inputs,
        }
    }

    /// The report as JSON (stable key order, one trailing newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}
