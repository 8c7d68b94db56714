//! The parts of the JSON report the page shows (the report's own schema, read back). The
//! worker reads them out of the report and sends only them: the whole report (tens of MB for
//! a large store, mostly each root's WAL objects) travels as a download.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReportView {
    pub verdict: String,
    pub now: String,
    pub plans: Vec<PlanView>,
    pub findings: Vec<FindingView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PlanView {
    pub plan: String,
    pub verdict: String,
    pub predicted_error: Option<String>,
    pub objects: Vec<ObjectView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ObjectView {
    pub key: String,
    pub role: String,
    pub status: String,
    pub size: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FindingView {
    pub rule: String,
    pub severity: String,
    pub root: String,
    pub message: String,
    pub evidence: BTreeMap<String, Value>,
    pub remediation: String,
}

impl ReportView {
    /// Findings grouped by rule, in the report's order (worst first).
    pub fn by_rule(&self) -> Vec<(String, Vec<FindingView>)> {
        let mut groups: Vec<(String, Vec<FindingView>)> = Vec::new();
        for finding in &self.findings {
            match groups.iter_mut().find(|(rule, _)| *rule == finding.rule) {
                Some((_, list)) => list.push(finding.clone()),
                None => groups.push((finding.rule.clone(), vec![finding.clone()])),
            }
        }
        groups
    }
}
