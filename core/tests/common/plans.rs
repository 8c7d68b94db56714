//! Evaluating a plan on a fixture snapshot and checking its verdict.

use chrono::{DateTime, Utc};
use slatecheck_core::finding::{Finding, Verdict};
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

/// The first finding of `rule` in `result` (the test fails without one).
pub fn finding<'a>(result: &'a PlanResult, rule: &str) -> &'a Finding {
    result
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("{}: no {rule} in {:#?}", result.plan, result.findings))
}
