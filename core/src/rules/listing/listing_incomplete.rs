//! `SDB-LIST-001` listing-incomplete: a listing may be truncated, or its sizes or times are imprecise. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a listing says of itself that it may not show the whole store: a truncation
    /// signal (`IsTruncated`, `NextToken`, a `nextMarker` entry, `PRE` lines of a non-recursive
    /// `aws s3 ls`), an `az` result count that is a whole number of 5000-result pages, a footer
    /// that disagrees with the lines read, missing S3 Inventory data files; or that its sizes
    /// or times are imprecise (human-readable sizes, times without a time zone).
    ///
    /// ## Why it matters
    /// A truncated listing makes present objects look missing, and checks built on it would
    /// report false data loss (the failure class behind neondatabase/neon#8344). Rounded sizes
    /// hide the zero-byte WAL fences that clones must copy; zone-less times shift GC ages.
    ///
    /// ## SlateDB error it prevents
    /// None directly: it keeps every verdict that depends on the listing `inconclusive`.
    ///
    /// ## Example
    /// `aws s3api list-objects-v2 --max-items 1000` output ends with `"NextToken": "…"`.
    pub static RULE = {
        id: "SDB-LIST-001",
        name: "listing-incomplete",
        family: Listing,
        severity: Warning,
        summary: "a listing may be truncated, or its sizes or times are imprecise",
        scan: scan,
    };
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (store, listing) in [
        ("main", &cx.snapshot.main_listing),
        ("WAL", &cx.snapshot.wal_listing),
    ] {
        for warning in listing.iter().flat_map(|listing| &listing.warnings) {
            out.push(RULE.finding(
                "",
                format!("{store} store listing: {}", warning.message()),
                evidence![("store", store), ("warning", warning.code()), ("detail", warning)],
                "export the listing again in full, with exact sizes and time zones, and check again",
                Impact::Inconclusive,
            ));
        }
    }
}
