//! Findings and verdicts: what the rules and the planner conclude.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// How serious a finding is by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Note,
    /// Worth attention; not itself a failure.
    Warning,
    /// SlateDB will fail or lose data.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The answer to "is it safe?".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing the inputs show makes it fail.
    Safe,
    /// The inputs cannot settle it; the finding names what is missing.
    Inconclusive,
    /// It will fail or lose data.
    Unsafe,
}

impl Verdict {
    /// Lower-case name, as printed and as `data-testid="verdict"` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Unsafe => "unsafe",
        }
    }
}

/// What a finding does to a verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Impact {
    /// The action fails or loses data, with this SlateDB error (or behaviour).
    Unsafe {
        /// The SlateDB error or behaviour predicted.
        predicted_error: String,
    },
    /// The inputs cannot settle the question.
    Inconclusive,
    /// Advice only: the verdict is unchanged.
    Advisory,
}

impl Impact {
    /// The verdict this impact forces.
    pub fn verdict(&self) -> Verdict {
        match self {
            Impact::Unsafe { .. } => Verdict::Unsafe,
            Impact::Inconclusive => Verdict::Inconclusive,
            Impact::Advisory => Verdict::Safe,
        }
    }
}

/// One conclusion of one rule about one database root.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id (`SDB-WAL-001`).
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The database root concerned.
    pub root: String,
    /// What is wrong, with the ids involved.
    pub message: String,
    /// The facts behind it: manifest ids, checkpoint ids, object keys, WAL id ranges.
    pub evidence: BTreeMap<String, Value>,
    /// What to do about it.
    pub remediation: String,
    /// What it does to a verdict.
    #[serde(skip)]
    pub impact: Impact,
}

impl Finding {
    /// The verdict this finding forces on an action it concerns.
    pub fn verdict(&self) -> Verdict {
        self.impact.verdict()
    }
}

/// Evidence builder: `evidence![("manifest_id", 6), ("missing", vec![2, 3])]`.
#[macro_export]
macro_rules! evidence {
    ($(($key:expr, $value:expr)),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = ::std::collections::BTreeMap::<String, ::serde_json::Value>::new();
        $( map.insert($key.to_string(), ::serde_json::json!($value)); )*
        map
    }};
}
