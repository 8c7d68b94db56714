//! `SDB-CLONE-002` clone-incomplete: a clone's creation did not finish (initialized = false). See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// That a database's latest manifest is `initialized`. Only a clone whose creation did not
    /// finish (its WAL copy failed, or the process died) is not.
    ///
    /// ## Why it matters
    /// An unfinished clone has the parent's LSM state but maybe not its WAL, and no checkpoint
    /// can be taken of it. Writers open it anyway and it stays uninitialized forever, while
    /// the pin it already placed on its parent keeps the parent's SSTs alive.
    ///
    /// ## SlateDB error it prevents
    /// `InvalidDBState` when cloning from it, creating a checkpoint on it, or opening a
    /// `DbReader` on it.
    ///
    /// ## Example
    /// `child_after_wipe/manifest/…01.manifest` has `initialized: false` after a clone that
    /// failed with `WalUnavailable`.
    pub static RULE = {
        id: "SDB-CLONE-002",
        name: "clone-incomplete",
        family: Clone,
        severity: Error,
        summary: "a clone's creation did not finish (initialized = false)",
        scan: scan,
    };
}

/// A finding when `latest` is not initialized.
pub fn check(root: &RootState, latest: &Manifest) -> Option<Finding> {
    if latest.initialized {
        return None;
    }
    let sources: Vec<String> = latest
        .external_dbs
        .iter()
        .map(|db| db.path.clone())
        .collect();
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}` is an unfinished clone (manifest {} has initialized = false){}",
            root.path,
            latest.id,
            if sources.is_empty() { String::new() } else { format!(" of {}", sources.join(", ")) }
        ),
        evidence![("manifest_id", latest.id), ("external_paths", sources)],
        "re-run the same clone command once its cause is fixed (clone creation resumes), or delete the root and the checkpoint it left on its parent",
        Impact::Unsafe { predicted_error: "InvalidDBState".into() },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(root, latest));
    }
}
