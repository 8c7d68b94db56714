//! The SARIF 2.1.0 rendering, for GitHub code scanning and other SARIF viewers.

use super::{BaselineState, Report, SourceLocation};
use crate::finding::Severity;
use crate::rules::RULES;
use serde_json::{json, Value};

/// The `partialFingerprints` key slatecheck's fingerprints are filed under.
pub const FINGERPRINT_KEY: &str = "slatecheck/v1";

/// Renders `report` as a SARIF 2.1.0 log with one run: one `reportingDescriptor` per rule of
/// the catalogue (help text from the rule's documentation), one result per finding at its
/// severity, physical locations at the listing file (and line) the evidence came from, the
/// object keys as logical locations, and the fingerprint as `partialFingerprints`.
pub fn render_sarif(report: &Report) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.doc, "markdown": rule.doc },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": { "tags": [format!("{:?}", rule.family).to_lowercase()] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let mut result = json!({
                "ruleId": finding.rule,
                "level": level(finding.severity),
                "message": { "text": format!("{} Remediation: {}", finding.message, finding.remediation) },
                "locations": finding.locations.iter().map(location).collect::<Vec<_>>(),
                "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint },
                "properties": {
                    "root": finding.root,
                    "verdict": finding.verdict().name(),
                    "evidence": finding.evidence,
                    "remediation": finding.remediation,
                },
            });
            if let Some(index) = RULES.iter().position(|rule| rule.id == finding.rule) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(state) = finding.baseline_state {
                result["baselineState"] = json!(match state {
                    BaselineState::New => "new",
                    BaselineState::Unchanged => "unchanged",
                });
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "automationDetails": { "id": "slatecheck/" },
            "invocations": [{
                "executionSuccessful": true,
                "endTimeUtc": report.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }],
            "properties": {
                "verdict": report.verdict.name(),
                "plans": report.plans.iter().map(|p| json!({"plan": p.plan, "verdict": p.verdict.name()})).collect::<Vec<_>>(),
            },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn location(place: &SourceLocation) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": file_uri(&place.file) } });
    // A line inside a bundle member is not a line of the bundle file.
    if let (Some(line), None) = (place.line, &place.member) {
        if line >= 1 {
            physical["region"] = json!({ "startLine": line });
        }
    }
    let mut location = json!({ "physicalLocation": physical });
    let mut description = Vec::new();
    if let Some(member) = &place.member {
        description.push(format!("in {member}"));
    }
    if let Some(key) = &place.key {
        location["logicalLocations"] = json!([{
            "name": key.rsplit('/').next().unwrap_or(key),
            "fullyQualifiedName": key,
            "kind": "resource",
        }]);
        description.push(format!("object {key}"));
    }
    if !description.is_empty() {
        location["message"] = json!({ "text": description.join(", ") });
    }
    location
}

/// A file path as a URI reference: relative paths stay relative, absolute ones become
/// `file://` URIs, URLs (`s3://…`) are kept; other characters are percent-encoded.
fn file_uri(path: &str) -> String {
    if path.contains("://") {
        return path.to_string();
    }
    let path = path.replace('\\', "/");
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte))
            }
            // A colon in a relative reference's first segment would read as a scheme.
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_or_file_urls() {
        assert_eq!(file_uri("listings/main.tsv"), "listings/main.tsv");
        assert_eq!(file_uri("/tmp/a b.tsv"), "file:///tmp/a%20b.tsv");
        assert_eq!(file_uri("c:x"), "c%3Ax");
        assert_eq!(file_uri("s3://bucket/db"), "s3://bucket/db");
    }
}
