//! `SDB-LIST-004` unrecognized-objects: objects in a root's SlateDB folders that this slatecheck
//! cannot name. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

/// How many keys a finding names (the count covers the rest).
const KEYS_SHOWN: usize = 10;

crate::declare_rule! {
    /// ## What it checks
    /// That every object in a database root's SlateDB folders (`manifest/`, `wal/`,
    /// `compacted/`, `compactions/`, `gc/`) is one this slatecheck knows: a manifest
    /// `<id:020>.manifest`, a WAL object `<id:020>.sst`, a compacted SST `<ULID>.sst`, a
    /// compactions file or a GC boundary.
    ///
    /// ## Why it matters
    /// SlateDB 0.18 skips such a file with a warning (`WalStore::list_wal_ssts` in
    /// `wal/slatedb/store.rs`: "unexpected file found in WAL directory"), and so could
    /// slatecheck; but a file SlateDB 0.18 cannot name is most often one a newer SlateDB wrote,
    /// in a layout whose meaning this slatecheck does not know (a new object kind, a new id
    /// scheme). Judging the database as if the file were not there could call safe what a newer
    /// SlateDB would not. So every verdict about the root is `inconclusive`, naming the files.
    ///
    /// ## SlateDB error it prevents
    /// None of SlateDB 0.18's: it keeps verdicts on a database written by a newer or unknown
    /// writer `inconclusive` instead of guessing.
    ///
    /// ## Example
    /// `shard/compacted/01JD3Q8W1Y5N9X7T2R4B6C8E0G.sst.v3` sits beside `shard`'s SSTs.
    pub static RULE = {
        id: "SDB-LIST-004",
        name: "unrecognized-objects",
        family: Listing,
        severity: Warning,
        summary: "objects in a root's SlateDB folders are of a kind this slatecheck does not know",
        scan: scan,
    };
}

/// A finding when `root`'s SlateDB folders hold objects of unknown kinds.
pub fn check(root: &RootState) -> Option<Finding> {
    if root.unrecognized.is_empty() {
        return None;
    }
    let shown: Vec<&str> = root
        .unrecognized
        .iter()
        .take(KEYS_SHOWN)
        .map(String::as_str)
        .collect();
    let more = root.unrecognized.len() - shown.len();
    Some(RULE.finding(
        &root.path,
        format!(
            "`{}` holds {} object(s) of a kind this slatecheck does not know in its SlateDB folders: {}{}; a newer SlateDB may have written them, so its state cannot be judged",
            root.path,
            root.unrecognized.len(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ),
        evidence![("unrecognized_objects", root.unrecognized.len()), ("keys", shown)],
        "check with a slatecheck release that knows the SlateDB version that wrote the database; if the objects are leftovers of another tool, move them out of the SlateDB folders",
        Impact::Inconclusive,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    out.extend(cx.roots().filter_map(check));
}
