//! The Markdown rendering: for `$GITHUB_STEP_SUMMARY`, pull requests and tickets.

use super::escape::{markdown as md, rule_name, subject, value_text};
use super::{BaselineState, Report};
use crate::finding::Verdict;
use std::fmt::Write;

/// GitHub's limit for one step summary is 1 MiB; the summary stays this far below it.
pub const MARKDOWN_LIMIT_BYTES: usize = 1024 * 1024 - 64 * 1024;
/// Findings shown in full per rule; the others are counted.
const FINDINGS_SHOWN_PER_RULE: usize = 5;
/// Evidence entries shown per finding.
const EVIDENCE_SHOWN: usize = 12;
/// Characters shown of one evidence value.
const EVIDENCE_VALUE_CHARS: usize = 300;

/// The verdict as a banner word with an emoji that reads without colour.
pub(super) fn banner(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Safe => "✅ SAFE",
        Verdict::Unsafe => "❌ UNSAFE",
        Verdict::Inconclusive => "⚠️ INCONCLUSIVE",
    }
}

/// Renders `report` as GitHub-flavoured Markdown: a verdict banner, the plans, a table of
/// findings per rule, the first findings of each rule with evidence and remediation, and the
/// inputs with their hashes. Beyond [`MARKDOWN_LIMIT_BYTES`] findings are only counted.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let counts = report.rule_counts();
    let _ = writeln!(out, "## slatecheck: {}\n", banner(report.verdict));
    let _ = writeln!(
        out,
        "**Verdict: {}** · {} finding(s) · evaluated at {} · slatecheck {}{}\n",
        report.verdict.name(),
        report.findings.len(),
        report
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        report.tool.version,
        if report.redacted { " · redacted" } else { "" }
    );
    if !report.plans.is_empty() {
        let _ = writeln!(out, "| Plan | Verdict | Predicted error | Rules |");
        let _ = writeln!(out, "|---|---|---|---|");
        for plan in &report.plans {
            let _ = writeln!(
                out,
                "| {} | **{}** | {} | {} |",
                md(&plan.plan),
                plan.verdict.name(),
                md(plan.predicted_error.as_deref().unwrap_or("")),
                plan.rules.join(", ")
            );
        }
        out.push('\n');
    }
    if counts.is_empty() {
        let _ = writeln!(out, "No findings.\n");
    } else {
        let _ = writeln!(out, "### Findings by rule\n");
        let _ = writeln!(out, "| Rule | Name | Severity | Findings |");
        let _ = writeln!(out, "|---|---|---|---:|");
        for (rule, count, severity) in &counts {
            let _ = writeln!(
                out,
                "| {rule} | {} | {} | {count} |",
                rule_name(rule),
                severity.name()
            );
        }
        out.push('\n');
    }
    let mut skipped_for_size = 0usize;
    for (rule, count, _) in &counts {
        let _ = writeln!(out, "### {rule} {}\n", rule_name(rule));
        let of_rule = report.findings.iter().filter(|f| f.rule == *rule);
        for finding in of_rule.take(FINDINGS_SHOWN_PER_RULE) {
            let mut block = String::new();
            let new = match finding.baseline_state {
                Some(BaselineState::New) => " (new)",
                Some(BaselineState::Unchanged) => " (in baseline)",
                None => "",
            };
            let _ = writeln!(
                block,
                "- **{}** {}{new}: {}",
                finding.severity.name(),
                md(subject(&finding.root)),
                md(&finding.message)
            );
            for (key, value) in finding.evidence.iter().take(EVIDENCE_SHOWN) {
                let _ = writeln!(
                    block,
                    "  - {}: {}",
                    md(key),
                    md(&super::escape::clip(
                        &value_text(value),
                        EVIDENCE_VALUE_CHARS
                    ))
                );
            }
            let _ = writeln!(block, "  - *Remediation:* {}", md(&finding.remediation));
            if out.len() + block.len() > MARKDOWN_LIMIT_BYTES - 16 * 1024 {
                skipped_for_size += 1;
                continue;
            }
            out.push_str(&block);
        }
        if *count > FINDINGS_SHOWN_PER_RULE {
            let _ = writeln!(
                out,
                "- … and {} more finding(s) of {rule} (see the full JSON, SARIF or HTML report)",
                count - FINDINGS_SHOWN_PER_RULE
            );
        }
        out.push('\n');
    }
    if skipped_for_size > 0 {
        let _ = writeln!(
            out,
            "{skipped_for_size} finding(s) left out to stay under GitHub's 1 MiB step-summary limit.\n"
        );
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "{} finding(s) suppressed by the configuration.\n",
            report.suppressed.len()
        );
    }
    let _ = writeln!(out, "### Inputs\n");
    let _ = writeln!(out, "| Kind | Input | SHA-256 |");
    let _ = writeln!(out, "|---|---|---|");
    for input in &report.inputs {
        let place = input.path.as_deref().or(input.url.as_deref()).unwrap_or("");
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(&input.kind),
            md(place),
            input.sha256.as_deref().unwrap_or("")
        );
    }
    if out.len() > MARKDOWN_LIMIT_BYTES {
        let mut end = MARKDOWN_LIMIT_BYTES;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push_str("\n\n… (cut at GitHub's step-summary limit)\n");
    }
    out
}
