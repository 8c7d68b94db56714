//! `SDB-CLONE-001` external-pin-missing: a clone's pin on the database it reads SSTs from is gone or expires. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::{ExternalDb, Manifest};
use crate::rules::listing::input_missing;
use crate::rules::RuleContext;
use crate::snapshot::{RootState, Unknown};

crate::declare_rule! {
    /// ## What it checks
    /// For every `external_dbs` entry of a clone that still reads SSTs of another database
    /// (non-empty `sst_ids`): the other database's latest manifest still holds the clone's
    /// `final_checkpoint_id`, and that checkpoint never expires.
    ///
    /// ## Why it matters
    /// The final checkpoint is what stops the parent's GC from deleting the SSTs the clone
    /// reads; clones create it with no expiry. Deleting it (`Admin::delete_checkpoint`, a
    /// cleanup of "unnamed" checkpoints), giving it a lifetime (`refresh_checkpoint`), or
    /// deleting the parent database leaves the clone's data to the parent's next GC pass.
    ///
    /// ## SlateDB error it prevents
    /// `Data error: object store error (… not found)` on the clone's reads once the parent's
    /// GC has run; `CloneIncorrectFinalCheckpoint` when the clone command is re-run;
    /// `CheckpointMissing` at once on a clone *of the clone*, which writes a pin of its own on
    /// that database with the gone one as its source.
    ///
    /// ## Example
    /// `clone.external_dbs[0]` names parent checkpoint `f0f53d3d…`, and `parent`'s latest
    /// manifest no longer lists it.
    pub static RULE = {
        id: "SDB-CLONE-001",
        name: "external-pin-missing",
        family: Clone,
        severity: Error,
        summary: "a clone's pin on the database it reads SSTs from is gone or expires",
        scan: scan,
    };
}

/// Checks the pin of one external database of `root`'s `manifest`.
pub fn check_entry(cx: &RuleContext<'_>, root: &RootState, entry: &ExternalDb) -> Option<Finding> {
    entry_finding(cx, root, entry, false)
}

/// [`check_entry`], for a clone of `root` when `cloning`.
fn entry_finding(
    cx: &RuleContext<'_>,
    root: &RootState,
    entry: &ExternalDb,
    cloning: bool,
) -> Option<Finding> {
    if entry.sst_ids.is_empty() {
        return None;
    }
    let evidence = evidence![
        ("external_path", &entry.path),
        ("final_checkpoint_id", entry.final_checkpoint_id),
        ("source_checkpoint_id", entry.source_checkpoint_id),
        ("sst_ids", entry.sst_ids.len()),
    ];
    let remediation = "recreate the pin on the parent: a never-expiring checkpoint with the clone's final_checkpoint_id is not creatable by id, so create one with source = the clone's source checkpoint and keep it, and stop GC on the parent until then";
    let unsafe_impact = Impact::Unsafe {
        predicted_error: format!(
            "the parent's GC deletes SSTs of `{}`, then ObjectStoreError(NotFound) on read",
            root.path
        ),
    };
    let Some(parent) = cx.snapshot.root(&entry.path) else {
        return match cx.main_unknown() {
            Some(why) => Some(input_missing::finding(
                &root.path,
                &format!(
                    "whether `{}` still pins the SSTs of `{}`",
                    entry.path, root.path
                ),
                &why,
            )),
            None => Some(RULE.finding(
                &root.path,
                format!(
                    "`{}` reads {} SSTs of `{}`, which no longer exists",
                    root.path,
                    entry.sst_ids.len(),
                    entry.path
                ),
                evidence,
                remediation,
                unsafe_impact,
            )),
        };
    };
    let parent_latest = match parent.latest_id.map(|id| parent.manifest(id)) {
        Some(Ok(manifest)) => manifest,
        Some(Err(why)) => {
            return Some(input_missing::finding(
                &root.path,
                &format!(
                    "whether `{}` still pins the SSTs of `{}`",
                    entry.path, root.path
                ),
                &why,
            ))
        }
        None => {
            return Some(input_missing::finding(
                &root.path,
                "the parent's checkpoints",
                &Unknown::NoListing {
                    store: "main".into(),
                },
            ))
        }
    };
    let pin = entry
        .final_checkpoint_id
        .and_then(|id| parent_latest.checkpoints.iter().find(|c| c.id == id));
    match pin {
        None => {
            let mut message = format!(
                "`{}` reads {} SSTs of `{}`, but `{}`'s latest manifest ({}) no longer holds the clone's pin {}",
                root.path,
                entry.sst_ids.len(),
                entry.path,
                entry.path,
                parent_latest.id,
                entry.final_checkpoint_id.map_or("(none recorded)".to_string(), |id| id.to_string())
            );
            let impact = match entry.final_checkpoint_id {
                Some(pin) if cloning => {
                    message.push_str(&format!(
                        "; a clone of `{}` fails now: it writes its own pin on `{}` with this one as its source",
                        root.path, entry.path
                    ));
                    Impact::Unsafe {
                        predicted_error: format!("CheckpointMissing({pin})"),
                    }
                }
                _ => unsafe_impact,
            };
            Some(RULE.finding(&root.path, message, evidence, remediation, impact))
        }
        Some(pin) if pin.expire_time.is_some() => Some(RULE.finding(
            &root.path,
            format!(
                "`{}`'s pin {} on `{}` expires at {}: after that, the parent's GC may delete SSTs the clone reads",
                root.path,
                pin.id,
                entry.path,
                pin.expire_time.map(|t| t.to_rfc3339()).unwrap_or_default()
            ),
            evidence,
            "make the pin permanent again: Admin::refresh_checkpoint(id, None) on the parent",
            unsafe_impact,
        )),
        Some(_) => None,
    }
}

/// Checks every external database of `manifest`.
pub fn check(cx: &RuleContext<'_>, root: &RootState, manifest: &Manifest) -> Vec<Finding> {
    manifest
        .external_dbs
        .iter()
        .filter_map(|entry| check_entry(cx, root, entry))
        .collect()
}

/// [`check`] for a clone of `root` from `manifest`: a pin that is gone fails the clone itself.
/// The clone carries every entry on, and writes its own pin on that database with the gone
/// one as its source, which `write_checkpoint` cannot find (slatedb 0.18 `manifest/mod.rs`
/// `Manifest::cloned`; `clone.rs`, "Ensure all external databases contain the final
/// checkpoint").
pub fn check_before_clone(
    cx: &RuleContext<'_>,
    root: &RootState,
    manifest: &Manifest,
) -> Vec<Finding> {
    manifest
        .external_dbs
        .iter()
        .filter_map(|entry| entry_finding(cx, root, entry, true))
        .collect()
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
