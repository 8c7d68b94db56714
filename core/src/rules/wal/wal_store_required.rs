//! `SDB-WAL-005` wal-store-required: the database keeps its WAL in a separate WAL store: every client needs it. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;
use crate::snapshot::{RootState, WalPlacement};

crate::declare_rule! {
    /// ## What it checks
    /// Whether a database keeps its WAL in a separate WAL object store: its format-version-1
    /// manifest records `wal_object_store_uri`, or its WAL objects are in the WAL store listing.
    ///
    /// ## Why it matters
    /// Every `Db`, `DbReader`, `Admin` and clone of it must be configured with that WAL store.
    /// Releases that write format version 1 refuse to open it without one; SlateDB 0.18 no
    /// longer records the flag, so an open without the WAL store succeeds and silently ignores
    /// the WAL. Clones inherit the need: their WAL is copied inside the same WAL store.
    ///
    /// ## SlateDB error it prevents
    /// `WalStoreReconfigurationError` ("wal store reconfiguration unsupported", releases before
    /// 0.18), or the silent loss of WAL-only writes on 0.18 (they return once reopened with the
    /// WAL store, unless a writer wrote a fence into the main store meanwhile).
    ///
    /// ## Example
    /// `child_ok`, cloned from a WAL-store parent, opened with `Db::builder("child_ok", main)`
    /// and no `.with_wal_object_store(..)`.
    pub static RULE = {
        id: "SDB-WAL-005",
        name: "wal-store-required",
        family: Wal,
        severity: Note,
        summary: "the database keeps its WAL in a separate WAL store: every client needs it",
        scan: scan,
    };
}

/// A note for a root whose WAL lives in a separate store.
pub fn check(root: &RootState) -> Option<Finding> {
    let WalPlacement::WalStore { flagged } = root.wal_placement else {
        return None;
    };
    let stray: Vec<String> = root.wal_in_main.values().map(|o| o.key.clone()).collect();
    let mut message = format!(
        "`{}` keeps its WAL in a separate WAL store ({}): open it, read it, checkpoint and clone it only with that WAL store configured",
        root.path,
        if flagged { "recorded in its manifest" } else { "its WAL objects are in the WAL store listing" }
    );
    if !stray.is_empty() {
        message.push_str(&format!(
            "; {} WAL object(s) in the main store show it was opened without it",
            stray.len()
        ));
    }
    Some(RULE.finding(
        &root.path,
        message,
        evidence![("recorded_in_manifest", flagged), ("wal_objects_in_main_store", stray)],
        "pass the WAL store to every builder (`with_wal_object_store`), and to slatecheck (--wal-listing / --wal-store)",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    out.extend(cx.roots().filter_map(check));
}
