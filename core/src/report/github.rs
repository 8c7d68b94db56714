//! GitHub Actions workflow commands: an annotation per finding, within GitHub's caps.

use super::escape::subject;
use super::{BaselineState, Report, SourceLocation};
use crate::finding::Severity;
use std::fmt::Write;

/// GitHub shows at most this many annotations of each level (error, warning, notice) per step.
pub const GITHUB_ANNOTATIONS_PER_LEVEL: usize = 10;

/// Renders `report` as workflow commands (`::error file=…,line=…,title=…::message`): the first
/// [`GITHUB_ANNOTATIONS_PER_LEVEL`] findings of each level that are not in the baseline, worst
/// first, and a notice counting the rest. The Markdown summary for `$GITHUB_STEP_SUMMARY` is
/// [`super::render_markdown`]; writing it there is the caller's job.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut left_out = 0usize;
    for finding in &report.findings {
        if finding.baseline_state == Some(BaselineState::Unchanged) {
            continue;
        }
        let (command, slot) = match finding.severity {
            Severity::Error => ("error", 0),
            Severity::Warning => ("warning", 1),
            Severity::Note => ("notice", 2),
        };
        // Keep one notice slot for the count of what was left out.
        let cap = GITHUB_ANNOTATIONS_PER_LEVEL - usize::from(slot == 2);
        if shown[slot] >= cap {
            left_out += 1;
            continue;
        }
        shown[slot] += 1;
        let mut properties = Vec::new();
        if let Some(place) = finding.locations.first() {
            properties.extend(file_and_line(place));
        }
        properties.push(format!(
            "title={}",
            property(&format!(
                "{} {} ({})",
                finding.rule,
                super::escape::rule_name(finding.rule),
                subject(&finding.root)
            ))
        ));
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            data(&format!(
                "{}\nRemediation: {}",
                finding.message, finding.remediation
            ))
        );
    }
    let _ = writeln!(
        out,
        "::notice title={}::{}",
        property(&format!("slatecheck verdict: {}", report.verdict.name())),
        data(&format!(
            "{} finding(s){}; see the step summary or the SARIF/HTML report for all of them",
            report.findings.len(),
            if left_out > 0 {
                format!(", {left_out} not annotated (GitHub shows {GITHUB_ANNOTATIONS_PER_LEVEL} per level and step)")
            } else {
                String::new()
            }
        ))
    );
    out
}

fn file_and_line(place: &SourceLocation) -> Vec<String> {
    let mut properties = vec![format!("file={}", property(&place.file))];
    if let (Some(line), None) = (place.line, &place.member) {
        properties.push(format!("line={line}"));
    }
    properties
}

/// A command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command property's value: as [`data`], plus `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(data("50%\r\nok: a, b"), "50%25%0D%0Aok: a, b");
        assert_eq!(property("50%\nok: a, b"), "50%25%0Aok%3A a%2C b");
    }
}
