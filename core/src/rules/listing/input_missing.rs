//! `SDB-LIST-003` input-missing: the inputs cannot settle a question the action depends on. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::{Unknown, WalPlacement};

crate::declare_rule! {
    /// ## What it checks
    /// That the inputs can answer every question an action depends on: the listing of the
    /// store that holds an object, the manifest objects the answer reads, the WAL store listing
    /// of a database whose WAL lives there.
    ///
    /// ## Why it matters
    /// An object absent from the inputs is not the same as an object absent from the store.
    /// Reporting it missing would cry wolf; reporting the action safe would promise what the
    /// inputs cannot show. slatecheck says `inconclusive` and names what to provide.
    ///
    /// ## SlateDB error it prevents
    /// Any of them, by refusing to call an action safe on partial evidence. The classic case: a
    /// database with a separate WAL store (`Db::builder(..).with_wal_object_store(..)`), checked
    /// from a main-store listing only, looks as if its WAL were wiped.
    ///
    /// ## Example
    /// `shard`'s latest manifest has WAL range (1, 3] but the main store holds no `shard/wal/`
    /// objects and no `--wal-listing` was given: cloning from its checkpoint is inconclusive.
    pub static RULE = {
        id: "SDB-LIST-003",
        name: "input-missing",
        family: Listing,
        severity: Warning,
        summary: "the inputs cannot settle a question the action depends on",
        scan: scan,
    };
}

/// The inputs cannot answer `question` about `root`, for `why`.
pub fn finding(root: &str, question: &str, why: &Unknown) -> Finding {
    RULE.finding(
        root,
        format!("cannot tell {question}: {why}"),
        evidence![("question", question), ("missing", why)],
        remediation(why),
        Impact::Inconclusive,
    )
}

fn remediation(why: &Unknown) -> String {
    match why {
        Unknown::NoListing { store } if store == "WAL" => "list the WAL store and pass it with --wal-listing".into(),
        Unknown::NoListing { .. } => "list the store and pass it with --listing (or check a live store with --store)".into(),
        Unknown::IncompleteListing { .. } => "list the store again without page limits, then check again".into(),
        Unknown::WalStoreNotListed { .. } => {
            "if the database uses a separate WAL store, pass its listing with --wal-listing; otherwise its WAL objects are gone".into()
        }
        Unknown::ManifestNotProvided { .. } => {
            "copy the manifest objects of the root (aws s3 sync --exclude '*' --include '*/manifest/*') and pass the folder with --manifests".into()
        }
        Unknown::EmptyListing { .. } => "check the store URL (bucket, prefix; --prefix strips where the databases sit), the addressing style (AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true against a path-style endpoint such as MinIO lists buckets, not objects), and that the command that wrote the listing exited 0 (a failed `aws`, `az`, `gsutil` or `rclone` run leaves an empty file); then list again".into(),
        Unknown::UnsupportedManifest { .. } => {
            "check with a slatecheck release that reads this manifest format (the database was written by a newer SlateDB)".into()
        }
        Unknown::DamagedManifest { .. } => {
            "restore the manifest object from an earlier version (object versioning) or a backup; if the file given is a copy, compare it with the store's object first".into()
        }
        Unknown::StaleListing { .. } => "list the store again, after the newest manifest was written".into(),
    }
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        let Some(latest) = root.latest_id else {
            continue;
        };
        let manifest = match root.manifest(latest) {
            Ok(manifest) => manifest,
            Err(why) => {
                out.push(finding(&root.path, "the database's current state", &why));
                continue;
            }
        };
        let pending_wal = !manifest.wal_replay_range().is_empty()
            || manifest.checkpoints.iter().any(|c| {
                root.manifest(c.manifest_id)
                    .is_ok_and(|m| !m.wal_replay_range().is_empty())
            });
        if pending_wal
            && root.wal_placement == WalPlacement::NotListed
            && !cx.keeps_wal_in_main(root)
        {
            out.push(finding(
                &root.path,
                "whether the WAL objects it needs exist",
                &Unknown::WalStoreNotListed {
                    root: root.path.clone(),
                },
            ));
        }
    }
}
