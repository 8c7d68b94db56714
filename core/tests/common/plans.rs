//! Evaluating a plan on a fixture snapshot and checking its verdict.

use chrono::{DateTime, Utc};
use slatecheck_core::finding::{Finding, Severity, Verdict};
use slatecheck_core::plan::{evaluate, Action, PlanResult};
use slatecheck_core::rules::{CheckOptions, RuleContext};
use slatecheck_core::snapshot::Snapshot;

/// Evaluates the plan `text` with `options` at `now`.
pub fn evaluate_at(
    snapshot: &Snapshot,
    options: &CheckOptions,
    now: DateTime<Utc>,
    text: &str,
) -> PlanResult {
    let action: Action = text.parse().expect("plan parses");
    evaluate(
        &RuleContext {
            snapshot,
            now,
            options,
        },
        &action,
    )
    .expect("plan evaluates")
}

/// `result` has `verdict`, and `rule` (when given) among the rules that fired.
pub fn assert_verdict(result: &PlanResult, verdict: Verdict, rule: Option<&str>) {
    assert_eq!(
        result.verdict, verdict,
        "{}: {:#?}",
        result.plan, result.findings
    );
    if let Some(rule) = rule {
        assert!(
            result.rules.contains(&rule),
            "{}: expected {rule} in {:?}",
            result.plan,
            result.rules
        );
    }
}

/// `finding` is a warning whose message says each of `texts`.
pub fn assert_warning_says(finding: &Finding, texts: &[&str]) {
    assert_eq!(finding.severity, Severity::Warning, "{}", finding.message);
    for text in texts {
        assert!(
            finding.message.contains(text),
            "{} does not say `{text}`: {}",
            finding.rule,
            finding.message
        );
    }
}

/// The first finding of `rule` in `result` (the test fails without one).
pub fn finding<'a>(result: &'a PlanResult, rule: &str) -> &'a Finding {
    result
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("{}: no {rule} in {:#?}", result.plan, result.findings))
}
