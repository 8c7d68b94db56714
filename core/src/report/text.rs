//! The terminal rendering of a report.

use super::escape::subject;
use super::Report;
use std::fmt::Write;

/// Renders `report` for people: the verdict, each plan, then the findings with their
/// evidence and remediation.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "verdict: {}", report.verdict.name());
    for plan in &report.plans {
        let _ = write!(out, "\nplan {}: {}", plan.plan, plan.verdict.name());
        if let Some(error) = &plan.predicted_error {
            let _ = write!(out, " (predicted: {error})");
        }
        let _ = writeln!(out);
        for note in &plan.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        for object in &plan.objects {
            let size = object.size.map(|s| format!(", {s} B")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<8} {} ({}{size})",
                object.status.name(),
                object.key,
                object.role
            );
        }
    }
    if report.findings.is_empty() {
        let _ = writeln!(out, "\nno findings");
    }
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "\n{} {} [{}]: {}",
            finding.severity.name(),
            finding.rule,
            subject(&finding.root),
            finding.message
        );
        for (key, value) in &finding.evidence {
            let _ = writeln!(out, "    {key}: {value}");
        }
        let _ = writeln!(out, "  help: {}", finding.remediation);
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\n{} finding(s) suppressed by the configuration",
            report.suppressed.len()
        );
    }
    out
}
