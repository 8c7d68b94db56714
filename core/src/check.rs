//! One check, start to finish: a snapshot, the planned actions and the options in; a report out.
//! The CLI and the web page both call [`run_check`], so they cannot disagree. Severity
//! overrides, baselines and redaction are applied by the caller (`Report::apply_policy`,
//! `Report::redact`).

use crate::limits::{LimitExceeded, Limits};
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
    /// The limits the inputs were read under (`wal-ids` bounds what the rules walk).
    pub limits: Limits,
}

/// Why a check gives no report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// A plan that cannot be evaluated as written.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The inputs claim more than the limits allow.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// A statement names a database root the inputs do not show: about a mistyped root, it
    /// would silently state nothing.
    #[error("{statement} names `{root}`, which is not a database root the inputs show ({found} root(s) found)")]
    UnknownStatedRoot {
        /// The statement, as the CLI spells it (`--writers-closed`).
        statement: &'static str,
        /// The root named, printable.
        root: String,
        /// How many roots the inputs show.
        found: usize,
    },
}

/// Refuses a `--writers-closed=ROOT` (or `--writers-closed-wal-only=ROOT`) that names no root
/// of the inputs.
fn check_stated_roots(snapshot: &Snapshot, options: &CheckOptions) -> Result<(), CheckError> {
    let statements = [
        ("--writers-closed", &options.writers_closed_roots),
        (
            "--writers-closed-wal-only",
            &options.writers_closed_wal_only_roots,
        ),
    ];
    for (statement, roots) in statements {
        if let Some(root) = roots.iter().find(|root| snapshot.root(root).is_none()) {
            return Err(CheckError::UnknownStatedRoot {
                statement,
                root: crate::printable::printable(root),
                found: snapshot.roots.len(),
            });
        }
    }
    Ok(())
}

/// Refuses roots whose WAL ids span more than the `wal-ids` limit, before any rule walks them.
fn check_wal_spans(snapshot: &Snapshot, limits: &Limits) -> Result<(), LimitExceeded> {
    for root in snapshot.roots.values() {
        let Some((low, high)) = root.wal_id_span() else {
            continue;
        };
        let span = high.saturating_sub(low).saturating_add(1);
        if span > limits.wal_ids {
            let name = crate::plan::shown_root(&root.path);
            return Err(LimitExceeded {
                name: "wal-ids",
                limit: limits.wal_ids,
                what: format!(
                    "database `{name}`: its manifests and listings name WAL ids from {low} to {high} ({span} ids), which"
                ),
            });
        }
    }
    Ok(())
}

/// Evaluates every plan (or scans every rule when there is none) into a report.
pub fn run_check(snapshot: &Snapshot, request: CheckRequest) -> Result<Report, CheckError> {
    check_wal_spans(snapshot, &request.limits)?;
    check_stated_roots(snapshot, &request.options)?;
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
