//! `SDB-MAN-003` delete-in-progress: `<root>/.deleting` is listed. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a root holds the `.deleting` marker `Admin::delete_db` writes before it deletes
    /// everything under the root.
    ///
    /// ## Why it matters
    /// The marker outlives a deletion that crashed or was interrupted: objects may be partly
    /// gone, and the database's pins on its own parents were already removed. Nothing about
    /// the root can be trusted: writers, readers and clones may find a database with holes.
    ///
    /// ## SlateDB error it prevents
    /// `ObjectStoreError(NotFound)` on reads, `ManifestMissing`, `WalUnavailable` on clones;
    /// and reads of parents' SSTs once their GC, no longer pinned, removes them.
    ///
    /// ## Example
    /// `shard-old/.deleting` is listed beside half of `shard-old`'s SSTs.
    pub static RULE = {
        id: "SDB-MAN-003",
        name: "delete-in-progress",
        family: Manifest,
        severity: Error,
        summary: "a database deletion started and did not finish",
        scan: scan,
    };
}

/// A finding when `root` holds the deletion marker.
pub fn check(root: &RootState) -> Option<Finding> {
    if !root.delete_marker {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!("`{}/.deleting` is listed: a deletion of `{}` started and did not finish; its objects may be partly gone", root.path, root.path),
        evidence![("marker", format!("{}/.deleting", root.path)), ("manifests_listed", root.listed_manifests.len())],
        "finish the deletion (Admin::delete_db with confirm) or restore the database from backup; do not open, read or clone it",
        Impact::Unsafe { predicted_error: "ObjectStoreError(NotFound) / ManifestMissing on a partly deleted database".into() },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    out.extend(cx.roots().filter_map(check));
}
