//! `SDB-MAN-004` manifest-boundary-ahead: GC's manifest boundary is at or past the latest manifest. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// That `<root>/gc/manifest.boundary` is below the latest manifest id. The listing does not
    /// show the file's content, but SlateDB writes the boundary as ASCII decimal, so its size
    /// is its number of digits: a boundary of `d > 1` digits is at least `10^(d-1)`. The rule fires
    /// only when that lower bound already exceeds the highest manifest id of a complete
    /// listing, i.e. when the boundary is proven to be ahead.
    ///
    /// ## Why it matters
    /// Manifest GC advances the boundary to the highest manifest id it deletes, and SlateDB
    /// refuses to create a manifest id at or below the boundary (it protects against a late
    /// writer re-creating a deleted version). GC never deletes the latest manifest, so a
    /// boundary at or past it means manifests were removed or restored behind SlateDB's back
    /// (an older backup restored over a live `gc/` folder, a hand-run cleanup). Every manifest
    /// write then fails: the writer's epoch bump on open, checkpoints, the checkpoint a clone
    /// writes on its parent, GC's own checkpoint expiry.
    ///
    /// ## SlateDB error it prevents
    /// `TransactionalObjectVersionExists` on the next manifest write
    /// (`slatedb-txn-obj/src/object_store.rs:256-280`).
    ///
    /// ## Example
    /// `parent/gc/manifest.boundary` is 2 bytes (at least `10`) and the highest manifest listed
    /// is `parent/manifest/00000000000000000008.manifest`.
    pub static RULE = {
        id: "SDB-MAN-004",
        name: "manifest-boundary-ahead",
        family: Manifest,
        severity: Error,
        summary: "GC's manifest boundary is at or past the latest manifest: no manifest can be written",
        scan: scan,
    };
}

/// The smallest number `digits` ASCII decimal digits can spell (SlateDB writes no leading
/// zeros; a single digit may be `0`).
fn smallest_with_digits(digits: u64) -> Option<u64> {
    match digits {
        0 => None,
        1 => Some(0),
        _ => 10u64.checked_pow(u32::try_from(digits - 1).ok()?),
    }
}

/// A finding when `root`'s manifest boundary is proven to be at or past its latest manifest.
pub fn check(cx: &RuleContext<'_>, root: &RootState) -> Option<Finding> {
    let boundary = root.manifest_boundary.as_ref()?;
    // Only a complete, current listing proves there is no higher manifest id.
    if cx.root_main_unknown(root).is_some() {
        return None;
    }
    let latest = root.latest_id?;
    let at_least = smallest_with_digits(boundary.size)?;
    if at_least <= latest {
        return None;
    }
    let next = latest.saturating_add(1);
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}`'s GC manifest boundary is at least {at_least} ({} digits) but its latest manifest is {latest}: SlateDB refuses to write manifest {next}, so no writer, checkpoint or clone of it can proceed",
            root.path, boundary.size
        ),
        evidence![
            ("boundary_key", &boundary.key),
            ("boundary_size", boundary.size),
            ("boundary_at_least", at_least),
            ("latest_manifest_id", latest),
        ],
        "find the manifests that were removed or rolled back (object versioning, backups) and restore them; if the rollback was intended, rewrite gc/manifest.boundary to an id below the latest manifest before any client writes",
        Impact::Unsafe {
            predicted_error: format!(
                "TransactionalObjectVersionExists writing manifest {next} of `{}`",
                root.path
            ),
        },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    out.extend(cx.roots().filter_map(|root| check(cx, root)));
}

#[cfg(test)]
mod tests {
    use super::smallest_with_digits;

    #[test]
    fn digits_bound_the_boundary_from_below() {
        assert_eq!(smallest_with_digits(0), None);
        assert_eq!(smallest_with_digits(1), Some(0));
        assert_eq!(smallest_with_digits(2), Some(10));
        assert_eq!(smallest_with_digits(20), Some(10_000_000_000_000_000_000));
        assert_eq!(smallest_with_digits(21), None);
    }
}
