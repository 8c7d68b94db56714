//! One check, start to finish: a snapshot, the planned actions and the options in; a report out.
//! The CLI and the web page both call [`run_check`], so they cannot disagree. Severity
//! overrides, baselines and redaction are applied by the caller (`Report::apply_policy`,
//! `Report::redact`).

use crate::plan::{evaluate, Action, PlanError};
use crate::report::{InputRef, Report};
use crate::rules::{scan_all, CheckOptions, RuleContext};
use crate::snapshot::Snapshot;
use chrono::{DateTime, Utc};

/// What to check, besides the snapshot.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// Planned actions; without any, every rule runs on every root.
    pub plans: Vec<Action>,
    /// Only report scan findings of these roots (all when empty).
    pub roots: Vec<String>,
    /// The time to judge expiry and GC ages at; [`default_now`] when `None`.
    pub now: Option<DateTime<Utc>>,
    /// Rule options.
    pub options: CheckOptions,
    /// The inputs, as the report should name them.
    pub inputs: Vec<InputRef>,
}

/// Evaluates every plan (or scans every rule when there is none) into a report.
pub fn run_check(snapshot: &Snapshot, request: CheckRequest) -> Result<Report, PlanError> {
    let now = request.now.unwrap_or_else(|| default_now(snapshot));
    let cx = RuleContext {
        snapshot,
        now,
        options: &request.options,
    };
    let plans = request
        .plans
        .iter()
        .map(|action| evaluate(&cx, action))
        .collect::<Result<Vec<_>, _>>()?;
    let mut scan = if plans.is_empty() {
        scan_all(&cx)
    } else {
        Vec::new()
    };
    if !request.roots.is_empty() {
        scan.retain(|finding| {
            finding.root.is_empty()
                || request
                    .roots
                    .iter()
                    .any(|root| root.trim_matches('/') == finding.root)
        });
    }
    let mut report = Report::new(now, plans, scan, request.inputs);
    report.describe_store(snapshot);
    Ok(report)
}

/// "Now" when not given: when the listing was taken, else its newest object, else the newest
/// checkpoint; so identical inputs give identical reports.
pub fn default_now(snapshot: &Snapshot) -> DateTime<Utc> {
    let listing = snapshot.main_listing.as_ref();
    listing
        .and_then(|l| l.listing_time.or(l.newest_object_time))
        .or_else(|| snapshot.newest_checkpoint_time())
        .unwrap_or_default()
}
