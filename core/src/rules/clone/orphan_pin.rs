//! `SDB-CLONE-005` orphan-pin: a never-expiring, unnamed checkpoint no clone claims. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Every checkpoint of a database that looks like a clone's pin (no name, no expiry) is
    /// the `final_checkpoint_id` of some database's `external_dbs`, and that database finished
    /// its creation.
    ///
    /// ## Why it matters
    /// A clone places its pin on the parent before it copies the WAL. A clone that fails there
    /// (a wiped WAL store), or a split abandoned half-way (gadget-inc/silo#241), leaves the pin
    /// behind: the parent can never garbage-collect the manifest and SSTs it pins, and nothing
    /// in the parent says who placed it. Only the set of all roots can tell.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: storage grows forever. Deleting such a pin is safe only once no clone
    /// needs it, which this rule establishes.
    ///
    /// ## Example
    /// `shard` holds checkpoint `3d58eb24…` placed by `child_after_wipe`, whose clone failed
    /// with `WalUnavailable` and stayed `initialized = false`.
    pub static RULE = {
        id: "SDB-CLONE-005",
        name: "orphan-pin",
        family: Clone,
        severity: Warning,
        summary: "a clone's pin on its parent that no finished clone claims",
        scan: scan,
    };
}

/// Findings for the pins on `parent` no finished clone claims. Only meaningful when every root
/// of the store was listed (pins of databases elsewhere cannot be seen).
pub fn check(cx: &RuleContext<'_>, parent: &RootState) -> Vec<Finding> {
    let Some(latest) = parent.latest_given() else {
        return Vec::new();
    };
    let mut claimed: BTreeSet<uuid::Uuid> = BTreeSet::new();
    let mut unfinished: Vec<(String, uuid::Uuid)> = Vec::new();
    for root in cx.roots() {
        let Some(manifest) = root.latest_given() else {
            continue;
        };
        for entry in manifest
            .external_dbs
            .iter()
            .filter(|e| e.path == parent.path)
        {
            if let Some(id) = entry.final_checkpoint_id {
                if manifest.initialized {
                    claimed.insert(id);
                } else {
                    unfinished.push((root.path.clone(), id));
                }
            }
        }
    }
    latest
        .checkpoints
        .iter()
        .filter(|c| c.name.is_none() && c.expire_time.is_none() && !claimed.contains(&c.id))
        .map(|c| {
            let owner = unfinished.iter().find(|(_, id)| *id == c.id).map(|(root, _)| root.clone());
            let message = match &owner {
                Some(root) => format!(
                    "`{}` holds pin {} (manifest {}) for `{root}`, whose clone never finished: it pins the parent's data forever",
                    parent.path, c.id, c.manifest_id
                ),
                None => format!(
                    "`{}` holds never-expiring checkpoint {} (manifest {}) that no listed clone claims: a leaked pin, or a clone outside these inputs",
                    parent.path, c.id, c.manifest_id
                ),
            };
            RULE.finding(
                &parent.path,
                message,
                evidence![("checkpoint_id", c.id), ("manifest_id", c.manifest_id), ("unfinished_clone", owner)],
                "finish the clone (re-run it) or delete the unfinished clone's root, then delete the checkpoint (Admin::delete_checkpoint) if no clone in another store uses it",
                Impact::Advisory,
            )
        })
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        out.extend(check(cx, root));
    }
}
