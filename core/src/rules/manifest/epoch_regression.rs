//! `SDB-MAN-005` epoch-regression: a writer or compactor epoch goes back between manifest versions. See [`RULE`].

use super::successions;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// That `writer_epoch` and `compactor_epoch` never decrease from one manifest version of a
    /// database to the next (over the versions given, in id order). A clone starts from its
    /// parent's epochs and checkpointed versions carry the epochs of their time: both are
    /// consistent with this and not flagged; steps out of an unfinished clone's first manifest
    /// are not judged.
    ///
    /// ## Why it matters
    /// Every writer (compactor) open writes a new manifest with the epoch bumped by one, and
    /// every later manifest write checks the writer's epoch against the stored one: that is
    /// SlateDB's fencing. SlateDB never lowers an epoch, so a decrease means manifests were
    /// rolled back or rewritten from outside. A writer still running with the higher epoch
    /// then hits an epoch check it cannot pass, and the next writer to open gets an epoch an
    /// earlier writer already held, which defeats fencing between them.
    ///
    /// ## SlateDB error it prevents
    /// No error at open; a running writer's next manifest write fails its epoch check (`Fenced`,
    /// or a panic when its local epoch is above the stored one, `slatedb-txn-obj/src/lib.rs:402-412`),
    /// and two writers may share one epoch.
    ///
    /// ## Example
    /// `parent` manifest 8 has `writer_epoch` 2 and manifest 13 has `writer_epoch` 1.
    pub static RULE = {
        id: "SDB-MAN-005",
        name: "epoch-regression",
        family: Manifest,
        severity: Warning,
        summary: "a writer or compactor epoch goes back between manifest versions",
        scan: scan,
    };
}

fn regression(
    root: &RootState,
    earlier: &Manifest,
    later: &Manifest,
    which: &str,
    before: u64,
    after: u64,
) -> Option<Finding> {
    (after < before).then(|| {
        RULE.finding(
            &root.path,
            format!(
                "`{}`'s {which} goes back from {before} (manifest {}) to {after} (manifest {}): SlateDB only ever raises it, so manifests were rolled back or rewritten",
                root.path, earlier.id, later.id
            ),
            evidence![
                ("epoch", which),
                ("earlier_manifest_id", earlier.id),
                ("earlier_epoch", before),
                ("later_manifest_id", later.id),
                ("later_epoch", after),
            ],
            "stop every writer and compactor of the database, find out which manifest versions were restored or rewritten, and restore the newest ones before reopening",
            Impact::Advisory,
        )
    })
}

/// The epoch regressions between consecutive manifests of `root`.
pub fn check(root: &RootState) -> Vec<Finding> {
    successions(root)
        .into_iter()
        .flat_map(|(earlier, later)| {
            [
                regression(
                    root,
                    earlier,
                    later,
                    "writer_epoch",
                    earlier.writer_epoch,
                    later.writer_epoch,
                ),
                regression(
                    root,
                    earlier,
                    later,
                    "compactor_epoch",
                    earlier.compactor_epoch,
                    later.compactor_epoch,
                ),
            ]
        })
        .flatten()
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        out.extend(check(root));
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::model::{Manifest, ManifestFile, ManifestFormat};
    use crate::snapshot::{Snapshot, SnapshotInputs};

    fn version(id: u64, initialized: bool, writer_epoch: u64) -> (String, ManifestFile) {
        let manifest = Manifest {
            initialized,
            writer_epoch,
            ..Manifest::blank(id)
        };
        (
            format!("db/manifest/{id:020}.manifest"),
            ManifestFile {
                format: ManifestFormat::V2,
                manifest,
            },
        )
    }

    #[test]
    fn steps_out_of_an_unfinished_clone_are_not_judged() {
        let snapshot = Snapshot::build(SnapshotInputs {
            manifests: vec![
                version(1, false, 5),
                version(2, true, 2),
                version(3, true, 1),
            ],
            ..SnapshotInputs::default()
        });
        let root = snapshot.root("db").expect("root");
        let findings = check(root);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].evidence["earlier_manifest_id"], 2);
    }
}
