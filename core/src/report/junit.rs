//! The JUnit XML rendering: one test case per rule and root, so "0 failures" attests that
//! every rule was checked on every root.

use super::escape::{markup, subject, value_text};
use super::{BaselineState, Report, ReportFinding};
use crate::finding::Severity;
use crate::rules::RULES;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Renders `report` as JUnit XML: a test case `RULE[root=ROOT]` per rule of the catalogue and
/// root of the store (and `store` for store-wide findings). Its error and warning findings that
/// are not in the baseline make it fail, with the detail in the failure's body (GitLab ignores
/// the `message` attribute); notes and baseline findings go to `system-out`.
/// With plans, only the rules the plans ran can fail; the other cases pass trivially.
pub fn render_junit(report: &Report) -> String {
    let mut subjects: BTreeSet<&str> = report.roots.iter().map(|r| r.root.as_str()).collect();
    subjects.extend(report.findings.iter().map(|f| f.root.as_str()));
    subjects.insert("");
    let mut cases = String::new();
    let (mut tests, mut failures) = (0usize, 0usize);
    for rule in RULES {
        for root in &subjects {
            let found: Vec<&ReportFinding> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule.id && f.root == *root)
                .collect();
            let failing: Vec<&&ReportFinding> = found
                .iter()
                .filter(|f| {
                    f.severity >= Severity::Warning
                        && f.baseline_state != Some(BaselineState::Unchanged)
                })
                .collect();
            tests += 1;
            let _ = write!(
                cases,
                "    <testcase classname=\"slatecheck.{}\" name=\"{}[root={}]\" time=\"0\"",
                markup(rule.id),
                markup(rule.id),
                markup(subject(root))
            );
            if found.is_empty() {
                cases.push_str("/>\n");
                continue;
            }
            cases.push_str(">\n");
            if let Some(worst) = failing.first() {
                failures += 1;
                let body: String = failing.iter().map(|f| detail(f)).collect();
                let _ = writeln!(
                    cases,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    worst.severity.name(),
                    markup(&worst.message),
                    markup(&body)
                );
            }
            let passing: String = found
                .iter()
                .filter(|f| !failing.iter().any(|g| std::ptr::eq(**g, **f)))
                .map(|f| detail(f))
                .collect();
            if !passing.is_empty() {
                let _ = writeln!(cases, "      <system-out>{}</system-out>", markup(&passing));
            }
            cases.push_str("    </testcase>\n");
        }
    }
    let name = if report.plans.is_empty() {
        "slatecheck".to_string()
    } else {
        format!(
            "slatecheck {}",
            report
                .plans
                .iter()
                .map(|p| p.plan.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    let timestamp = report.now.format("%Y-%m-%dT%H:%M:%S");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<testsuites name=\"slatecheck\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n\
  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" timestamp=\"{timestamp}\">\n\
    <properties><property name=\"verdict\" value=\"{}\"/></properties>\n\
{cases}  </testsuite>\n</testsuites>\n",
        markup(&name),
        report.verdict.name()
    )
}

/// A finding as plain text: severity, message, evidence, remediation.
fn detail(finding: &ReportFinding) -> String {
    let mut text = format!("{}: {}\n", finding.severity.name(), finding.message);
    for (key, value) in &finding.evidence {
        let _ = writeln!(text, "  {key}: {}", value_text(value));
    }
    let _ = writeln!(text, "  remediation: {}", finding.remediation);
    text
}
