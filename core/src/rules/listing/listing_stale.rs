//! `SDB-LIST-002` listing-stale: the listing is older than the manifests given. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;

crate::declare_rule! {
    /// ## What it checks
    /// That the listing is not older than the manifests given with it: no manifest object
    /// given has a higher id than the newest manifest the listing shows for that root.
    ///
    /// ## Why it matters
    /// A database keeps writing after its listing was taken. Objects the newer manifests
    /// reference (new SSTs, new WAL objects, new checkpoints' manifests) cannot be in an older
    /// listing, and would be reported missing.
    ///
    /// ## SlateDB error it prevents
    /// None directly: it keeps verdicts built on the stale listing `inconclusive`.
    ///
    /// ## Example
    /// The listing shows `parent/manifest/…11.manifest` as newest, and `…12.manifest` was copied
    /// afterwards.
    pub static RULE = {
        id: "SDB-LIST-002",
        name: "listing-stale",
        family: Listing,
        severity: Warning,
        summary: "the listing is older than the manifests given",
        scan: scan,
    };
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    if cx.snapshot.main_listing.is_none() {
        return;
    }
    for root in cx.roots() {
        let given = root.manifests.keys().next_back().copied();
        let listed = root.listed_manifests.keys().next_back().copied();
        if let (Some(given), listed) = (given, listed) {
            if listed.is_none_or(|listed| given > listed) {
                out.push(RULE.finding(
                    &root.path,
                    format!(
                        "manifest {given} of `{}` was given but the listing shows {}: it was taken before that manifest was written",
                        root.path,
                        listed.map_or("no manifests".to_string(), |id| format!("manifests up to {id}"))
                    ),
                    evidence![("manifest_given", given), ("newest_listed", listed)],
                    "list the store again after copying the manifests, or copy the manifests the listing shows",
                    Impact::Inconclusive,
                ));
            }
        }
    }
}
