//! `SDB-CLONE-009` external-root-absent: a database a clone reads from is not in the clone's main store. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{ExternalDb, Manifest};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// For every `external_dbs` entry of a database in a complete main store listing: that the
    /// listing also holds the external database (a manifest under its path). When it does not,
    /// the rule tells apart what the listing can: leftovers under the path (SSTs, WAL objects,
    /// a `.deleting` marker) mean the parent was deleted, partly or during an interrupted
    /// `Admin::delete_db`; nothing at all means it was deleted entirely or lives in another
    /// bucket or prefix, which SlateDB does not support.
    ///
    /// ## Why it matters
    /// Clone creation, reads through `external_dbs` and detach all open the external path in
    /// the clone's own main object store (`clone.rs:224-241`, `detach_gc.rs:117-126`,
    /// `paths.rs:95-99`): a parent in another bucket is, to SlateDB, a deleted parent. Reads
    /// of its SSTs fail (`SDB-CLONE-001` and `SDB-SST-001` report that), and even an entry
    /// that no longer reads anything cannot be detached, because detach GC cannot load the
    /// parent's manifest. Listings of different buckets cannot be checked as parent and child.
    ///
    /// ## SlateDB error it prevents
    /// `ObjectStoreError(NotFound)` on reads of the parent's SSTs; detach GC logs
    /// `LatestTransactionalObjectVersionMissing` and keeps the entry forever.
    ///
    /// ## Example
    /// `clone.external_dbs[0].path` is `parent`, and the listing of the store holding `clone`
    /// has nothing under `parent/`.
    pub static RULE = {
        id: "SDB-CLONE-009",
        name: "external-root-absent",
        family: Clone,
        severity: Warning,
        summary: "a database a clone reads from is absent from the clone's main store",
        scan: scan,
    };
}

/// What the listing shows under an absent database's path.
fn leftovers(parent: Option<&RootState>) -> Vec<String> {
    let Some(parent) = parent else {
        return Vec::new();
    };
    let mut keys: Vec<String> = parent
        .compacted
        .values()
        .chain(parent.wal_in_main.values())
        .map(|listed| listed.key.clone())
        .collect();
    if parent.delete_marker {
        keys.insert(0, format!("{}/.deleting", parent.path));
    }
    keys
}

/// Checks one external database entry of `root`'s latest manifest.
pub fn check_entry(cx: &RuleContext<'_>, root: &RootState, entry: &ExternalDb) -> Option<Finding> {
    // Absence needs a complete listing, and one that shows the clone itself.
    if cx.main_unknown().is_some() || root.listed_manifests.is_empty() {
        return None;
    }
    let parent = cx.snapshot.root(&entry.path);
    if parent.is_some_and(RootState::exists) {
        return None;
    }
    let left = leftovers(parent);
    let cause = if !left.is_empty() {
        format!(
            "it was deleted ({} object(s) remain under it{})",
            left.len(),
            if parent.is_some_and(|p| p.delete_marker) {
                ", with an interrupted Admin::delete_db's marker"
            } else {
                ""
            }
        )
    } else if entry.path.contains("://") {
        "its path names another object store, which SlateDB does not support: it reads external databases from the clone's own main store".to_string()
    } else {
        "it was deleted entirely, or it lives in another bucket or prefix: SlateDB reads external databases only from the clone's own main store".to_string()
    };
    let reads = !entry.sst_ids.is_empty();
    let mut finding = RULE.finding(
        &root.path,
        format!(
            "`{}` {} `{}`, which has no manifest in this main store: {cause}",
            root.path,
            if reads { format!("reads {} SST(s) of", entry.sst_ids.len()) } else { "is still attached to".to_string() },
            entry.path
        ),
        evidence![
            ("external_path", &entry.path),
            ("sst_ids", entry.sst_ids.len()),
            ("final_checkpoint_id", entry.final_checkpoint_id),
            ("leftover_keys", left),
        ],
        if reads {
            "restore the parent into this main store at the same path (from versioning or backup), with the clone's pin; if it lives in another bucket, copy it here: SlateDB cannot read across stores"
        } else {
            "nothing reads from it any more; the entry stays until the parent's manifest is back, which only keeps detach from finishing"
        },
        Impact::Advisory,
    );
    if !reads {
        finding.severity = Severity::Note;
    }
    Some(finding)
}

/// Checks every external database of `latest`.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Vec<Finding> {
    latest
        .external_dbs
        .iter()
        .filter_map(|entry| check_entry(cx, root, entry))
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
