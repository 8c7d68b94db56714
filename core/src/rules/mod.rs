//! The rule catalogue: one invariant of SlateDB per rule, one rule per file, grouped by family.
//!
//! Each rule file declares its metadata with [`crate::declare_rule!`] (whose doc comment, in the
//! sections *What it checks*, *Why it matters*, *SlateDB error it prevents* and *Example*, is
//! what `slatecheck explain` prints), a predicate the planner calls for the subject of an action,
//! and a `scan` that applies the predicate to every subject of a snapshot.

mod context;
mod registry;

pub mod checkpoint;
pub mod clone;
pub mod gc;
pub mod listing;
pub mod manifest;
pub mod sst;
pub mod wal;

pub use context::{CheckOptions, RuleContext, WalPolicy};
pub use registry::{find_rule, scan_all, sort_findings, RULES};

use crate::finding::{Finding, Impact, Severity};
use std::collections::BTreeMap;

/// Rule families, which are also the middle part of rule ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Manifests and database roots (`SDB-MAN-*`).
    Manifest,
    /// Checkpoints (`SDB-CKPT-*`).
    Checkpoint,
    /// WAL objects (`SDB-WAL-*`).
    Wal,
    /// Compacted SSTs (`SDB-SST-*`).
    Sst,
    /// Clones and their parents (`SDB-CLONE-*`).
    Clone,
    /// Garbage collection (`SDB-GC-*`).
    Gc,
    /// The listings themselves (`SDB-LIST-*`).
    Listing,
}

/// A rule: its identity, documentation and scan.
pub struct Rule {
    /// Stable id, e.g. `SDB-WAL-001`.
    pub id: &'static str,
    /// Stable kebab-case name, e.g. `wal-range-missing`.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// Default severity.
    pub severity: Severity,
    /// One line: what it checks.
    pub summary: &'static str,
    /// The documentation: the rule's doc comment.
    pub doc: &'static str,
    /// Applies the rule to every subject of a snapshot.
    pub scan: fn(&RuleContext<'_>, &mut Vec<Finding>),
}

impl Rule {
    /// A finding of this rule about `root`.
    pub fn finding(
        &self,
        root: &str,
        message: String,
        evidence: BTreeMap<String, serde_json::Value>,
        remediation: impl Into<String>,
        impact: Impact,
    ) -> Finding {
        Finding {
            rule: self.id,
            severity: self.severity,
            root: root.to_string(),
            message,
            evidence,
            remediation: remediation.into(),
            impact,
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish()
    }
}

/// Declares a rule: `declare_rule! { /// docs… pub static NAME = { id, name, family, severity, summary, scan } }`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $static:ident = {
            id: $id:literal,
            name: $name:literal,
            family: $family:ident,
            severity: $severity:ident,
            summary: $summary:literal,
            scan: $scan:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $static: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            name: $name,
            family: $crate::rules::Family::$family,
            severity: $crate::finding::Severity::$severity,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            scan: $scan,
        };
    };
}

/// How a finding about a database's latest manifest names it.
pub(crate) fn latest_subject(latest: &crate::model::Manifest) -> String {
    format!("the latest manifest ({})", latest.id)
}
