//! The HTML rendering: one self-contained file for tickets, readable from disk. Inline CSS
//! only, no scripts, no external requests (its Content-Security-Policy forbids them), and the
//! JSON report embedded in a `<script type="application/json">` data block.

use super::escape::{markup, rule_name, subject, value_text};
use super::{wal_picture, BaselineState, Report, WAL_PICTURE_CSS};
use std::fmt::Write;

const PAGE_CSS: &str = "\
body{font:14px/1.5 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#111}\
h1{font-size:1.5em;margin:0}\
.banner{padding:1em 1.2em;border-radius:6px;margin-bottom:1.5em;border:2px solid}\
.banner.safe{background:#e8f5e9;border-color:#2e7d32}\
.banner.unsafe{background:#ffebee;border-color:#c62828}\
.banner.inconclusive{background:#fff8e1;border-color:#f9a825}\
.verdict{font-weight:700;text-transform:uppercase}\
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}\
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\
th{background:#f5f5f5}\
.sev-error{color:#c62828;font-weight:600}.sev-warning{color:#b26a00;font-weight:600}.sev-note{color:#555}\
dl{margin:.2em 0;display:grid;grid-template-columns:max-content 1fr;gap:0 .8em}\
dt{color:#555}dd{margin:0;word-break:break-all;font-family:ui-monospace,monospace;font-size:12px}\
.remediation{margin-top:.3em}\
code{font-family:ui-monospace,monospace}\
footer{color:#666;font-size:12px;margin-top:2em}";

/// The page's Content-Security-Policy: nothing may load; inline styles and data: images only.
pub const HTML_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Renders `report` as one self-contained HTML page: the verdict (`data-testid="verdict"`),
/// the plans, the findings (one row each, `data-rule="<rule id>"`), each root's WAL picture,
/// the inputs with their hashes, and the JSON report.
pub fn render_html(report: &Report) -> String {
    render_html_with_json(report, &report.to_json())
}

/// [`render_html`] embedding `json`, the report's JSON already rendered ([`Report::to_json`]):
/// a front end that renders both (the page does) serializes a large report once.
pub fn render_html_with_json(report: &Report, json: &str) -> String {
    let mut out = String::new();
    let verdict = report.verdict.name();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"{HTML_CSP}\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>slatecheck: {verdict}</title><style>{PAGE_CSS}{WAL_PICTURE_CSS}</style></head><body>\n"
    );
    let _ = writeln!(
        out,
        "<header class=\"banner {verdict}\"><h1>slatecheck: <span class=\"verdict\" data-testid=\"verdict\">{verdict}</span></h1>\
<p>{} plan(s) · {} finding(s) · evaluated at {} · slatecheck {}{}</p></header>",
        report.plans.len(),
        report.findings.len(),
        report.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        markup(report.tool.version),
        if report.redacted { " · redacted" } else { "" }
    );
    plans(&mut out, report);
    findings(&mut out, report);
    if !report.roots.is_empty() {
        out.push_str("<section><h2>WAL id lines</h2>\n");
        for root in &report.roots {
            out.push_str(&wal_picture(root));
            out.push('\n');
        }
        out.push_str("</section>\n");
    }
    inputs(&mut out, report);
    let _ = write!(
        out,
        "<footer>The full JSON report is embedded in this file (element <code>#report-json</code>).</footer>\n\
<script type=\"application/json\" id=\"report-json\">{}</script>\n</body></html>\n",
        json_for_script(json)
    );
    out
}

/// JSON made safe inside a `<script>` element: `<`, `>` and `&` as JSON `\u` escapes (only
/// possible inside strings, so the JSON means the same), so `</script>` and `<!--` cannot occur.
fn json_for_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn plans(out: &mut String, report: &Report) {
    if report.plans.is_empty() {
        return;
    }
    out.push_str("<section><h2>Plans</h2><table><thead><tr><th>Plan</th><th>Verdict</th><th>Predicted error</th><th>Objects</th></tr></thead><tbody>\n");
    for plan in &report.plans {
        let objects: String = plan
            .objects
            .iter()
            .map(|object| {
                format!(
                    "<div><code>{}</code> {} ({})</div>",
                    markup(&object.key),
                    object.status.name(),
                    markup(&object.role)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr data-plan-verdict=\"{0}\"><td><code>{1}</code></td><td class=\"verdict-cell\">{0}</td><td>{2}</td><td>{objects}</td></tr>",
            plan.verdict.name(),
            markup(&plan.plan),
            markup(plan.predicted_error.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn findings(out: &mut String, report: &Report) {
    out.push_str("<section><h2>Findings</h2>");
    let counts = report.rule_counts();
    if counts.is_empty() {
        out.push_str("<p>No findings.</p></section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>Rule</th><th>Name</th><th>Severity</th><th>Findings</th></tr></thead><tbody>");
    for (rule, count, severity) in &counts {
        let _ = write!(
            out,
            "<tr><td>{rule}</td><td>{}</td><td class=\"sev-{1}\">{1}</td><td>{count}</td></tr>",
            markup(rule_name(rule)),
            severity.name()
        );
    }
    out.push_str("</tbody></table>\n<table><thead><tr><th>Rule</th><th>Severity</th><th>Root</th><th>Finding</th></tr></thead><tbody>\n");
    for finding in &report.findings {
        let evidence: String = finding
            .evidence
            .iter()
            .map(|(key, value)| {
                format!(
                    "<dt>{}</dt><dd>{}</dd>",
                    markup(key),
                    markup(&value_text(value))
                )
            })
            .collect();
        let baseline = match finding.baseline_state {
            Some(BaselineState::New) => " <em>(new)</em>",
            Some(BaselineState::Unchanged) => " <em>(in baseline)</em>",
            None => "",
        };
        let _ = writeln!(
            out,
            "<tr data-rule=\"{0}\" data-fingerprint=\"{1}\"><td>{0}</td><td class=\"sev-{2}\">{2}</td><td><code>{3}</code></td>\
<td>{4}{baseline}<dl>{evidence}</dl><div class=\"remediation\"><strong>Remediation:</strong> {5}</div></td></tr>",
            markup(finding.rule),
            markup(&finding.fingerprint),
            finding.severity.name(),
            markup(subject(&finding.root)),
            markup(&finding.message),
            markup(&finding.remediation)
        );
    }
    out.push_str("</tbody></table>");
    if !report.suppressed.is_empty() {
        let _ = write!(
            out,
            "<p>{} finding(s) suppressed by the configuration.</p>",
            report.suppressed.len()
        );
    }
    out.push_str("</section>\n");
}

fn inputs(out: &mut String, report: &Report) {
    out.push_str("<section><h2>Inputs</h2><table><thead><tr><th>Kind</th><th>Input</th><th>SHA-256</th></tr></thead><tbody>\n");
    for input in &report.inputs {
        let place = input.path.as_deref().or(input.url.as_deref()).unwrap_or("");
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            markup(&input.kind),
            markup(place),
            markup(input.sha256.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Verdict;

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let escaped = json_for_script(r#"{"message":"</script><script>alert(1)</script>"}"#);
        assert!(!escaped.contains("</script"));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["message"], "</script><script>alert(1)</script>");
    }

    #[test]
    fn the_verdict_element_holds_exactly_the_verdict_name() {
        let report = Report::new(
            chrono::DateTime::default(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        let html = render_html(&report);
        assert!(html.contains("data-testid=\"verdict\">safe</span>"));
        assert_eq!(Verdict::Safe.name(), "safe");
    }
}
