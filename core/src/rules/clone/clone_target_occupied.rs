//! `SDB-CLONE-003` clone-target-occupied: the target root of a clone already holds another database. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Before a clone into a root: that the root holds no database, or holds a clone of the
    /// same source (which SlateDB treats as the same clone: an initialized one is left as it is,
    /// an unfinished one is resumed).
    ///
    /// ## Why it matters
    /// Clone creation starts by loading the target's manifest. A database of another origin
    /// there is not overwritten: the clone command fails, or, for a writer that opens the
    /// "clone" afterwards, serves the old data.
    ///
    /// ## SlateDB error it prevents
    /// `CloneExternalDbMissing` / `CloneIncorrectExternalDbCheckpoint`.
    ///
    /// ## Example
    /// `clone:parent@cp` into `child`, where `child` already is a clone of `other`.
    pub static RULE = {
        id: "SDB-CLONE-003",
        name: "clone-target-occupied",
        family: Clone,
        severity: Error,
        summary: "the target root of a clone already holds another database",
        scan: scan,
    };
}

/// Checks target `child` for a clone of `parent`.
pub fn check(child: &RootState, parent: &str) -> Option<Finding> {
    let latest = child.latest_id?;
    let manifest = child.manifest(latest).ok()?;
    if manifest.external_dbs.iter().any(|db| db.path == parent) {
        return None;
    }
    Some(RULE.finding(
        &child.path,
        format!(
            "`{}` already holds a database (manifest {latest}) that is not a clone of `{parent}`",
            child.path
        ),
        evidence![("manifest_id", latest), ("expected_source", parent)],
        "clone into an empty root, or delete the old database first",
        Impact::Unsafe {
            predicted_error: "CloneExternalDbMissing".into(),
        },
    ))
}

fn scan(_cx: &RuleContext<'_>, _out: &mut Vec<Finding>) {
    // Only meaningful for a planned clone: see the planner.
}
