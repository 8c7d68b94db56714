//! `SDB-SST-001` sst-missing: an SST the manifest references is missing where SlateDB reads it. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::listing::input_missing;
use crate::rules::sst::owner_of;
use crate::rules::RuleContext;
use crate::snapshot::{Presence, RootState};
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// That every SST the latest manifest references (L0 and sorted runs, every segment)
    /// exists where SlateDB reads it: `<root>/compacted/<ULID>.sst`, or, for an id listed in
    /// one of its `external_dbs`, `<external path>/compacted/<ULID>.sst` (a clone reads its
    /// parent's SSTs in place).
    ///
    /// ## Why it matters
    /// The manifest is the only index of compacted SSTs. A clone's parent running GC after the
    /// clone's pin was deleted, a deleted parent database, or a hand-run cleanup leave the
    /// manifest pointing at nothing. The database still opens; reads of the lost keys fail.
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (Object at location …/compacted/<ULID>.sst not found)`
    /// on `get`/`scan`, not on open.
    ///
    /// ## Example
    /// `clone` reads `parent/compacted/01M8BP2BMWG6JVJJ6JPDBEG4AA.sst`, which the parent's GC
    /// deleted after its checkpoints were deleted.
    pub static RULE = {
        id: "SDB-SST-001",
        name: "sst-missing",
        family: Sst,
        severity: Error,
        summary: "an SST the manifest references is missing where SlateDB reads it",
        scan: scan,
    };
}

/// Checks the SSTs `manifest` (of `root`) references; `subject` names the manifest.
pub fn check(
    cx: &RuleContext<'_>,
    root: &RootState,
    manifest: &Manifest,
    subject: &str,
) -> Vec<Finding> {
    let ids: BTreeSet<_> = manifest.sst_views().map(|view| view.sst.id).collect();
    let mut missing = Vec::new();
    let mut unknown = None;
    for id in ids {
        let owner = owner_of(manifest, root, id);
        let presence = match cx.snapshot.root(owner) {
            Some(owner_root) => {
                owner_root.sst_presence(id, cx.root_main_unknown(owner_root).as_ref())
            }
            None => match cx.main_unknown() {
                Some(why) => Presence::Unknown(why),
                None => Presence::Missing {
                    key: crate::listing::object_key(
                        owner,
                        &crate::listing::SlateObject::Compacted { id },
                    ),
                },
            },
        };
        match presence {
            Presence::Missing { key } => missing.push(key),
            Presence::Unknown(why) => unknown = unknown.or(Some(why)),
            Presence::Present { .. } => {}
        }
    }
    if !missing.is_empty() {
        let first = missing[0].clone();
        return vec![RULE.finding(
            &root.path,
            format!("{subject} of `{}` references {} SST(s) that are missing, e.g. {first}", root.path, missing.len()),
            evidence![("manifest_id", manifest.id), ("missing_keys", missing)],
            "restore the SSTs from versioning or backup; for a clone, restore the parent's pin (final checkpoint) first so its GC stops deleting them",
            Impact::Unsafe { predicted_error: format!("ObjectStoreError(NotFound {first}) on read") },
        )];
    }
    match unknown {
        Some(why) => vec![input_missing::finding(
            &root.path,
            &format!(
                "whether the SSTs {subject} of `{}` references exist",
                root.path
            ),
            &why,
        )],
        None => Vec::new(),
    }
}

/// Checks the SSTs `root`'s latest manifest references.
pub fn check_latest(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Vec<Finding> {
    check(cx, root, latest, &crate::rules::latest_subject(latest))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check_latest(cx, root, latest));
    }
}
