//! `SDB-WAL-008` wal-uri-mismatch: the manifest's WAL-store flag disagrees with where the WAL objects are. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::ManifestFormat;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// For a database whose latest manifest is format version 1 (the only one that records
    /// `wal_object_store_uri`), given complete listings of both the main and the WAL store:
    /// that the flag agrees with where its WAL objects are. Flagged, its WAL must be in the WAL
    /// store; unflagged, it must not be there only. Clones are where this goes wrong: a
    /// single-source clone inherits its parent's flag and gets its WAL copied inside the same
    /// WAL store (`manifest/mod.rs:717-722`), so a tool or fork that clears the flag on clones
    /// (the "fix" of clearing `wal_object_store_uri` in `init_clone_db`) leaves it unflagged
    /// with its WAL in the WAL store.
    ///
    /// ## Why it matters
    /// The flag is what makes SlateDB before 0.18 insist on a WAL store for the database. If
    /// it is set but the WAL is in the main store, every client configured as the flag demands
    /// reads the WAL from the WAL store, where it is not, and ignores the WAL-only writes. If
    /// it is missing but the WAL is in the WAL store, a client opened without a WAL store is
    /// accepted and silently ignores that WAL (and writes its fence in the main store, which
    /// splits the WAL across stores).
    ///
    /// ## SlateDB error it prevents
    /// Silent loss of WAL-only writes on open; `WalStoreReconfigurationError` for clients that
    /// follow where the WAL really is.
    ///
    /// ## Example
    /// `child_ok` (format version 1) has no `wal_object_store_uri`, and its WAL 2–3 were copied
    /// into the WAL store under `child_ok/wal/`.
    pub static RULE = {
        id: "SDB-WAL-008",
        name: "wal-uri-mismatch",
        family: Wal,
        severity: Warning,
        summary: "the manifest's WAL-store flag disagrees with where the database's WAL objects are",
        scan: scan,
    };
}

/// A finding when `root`'s version-1 flag and its WAL objects' store disagree.
pub fn check(cx: &RuleContext<'_>, root: &RootState) -> Option<Finding> {
    let (format, latest) = root.latest_manifest()?;
    if format != ManifestFormat::V1
        || cx.root_main_unknown(root).is_some()
        || cx.root_wal_unknown(root).is_some()
    {
        return None;
    }
    let flagged = latest.wal_object_store_uri.is_some();
    let in_main: Vec<String> = root.wal_in_main.values().map(|o| o.key.clone()).collect();
    let in_wal_store: Vec<String> = root
        .wal_in_wal_store
        .values()
        .map(|o| o.key.clone())
        .collect();
    let message = if flagged && in_wal_store.is_empty() && !in_main.is_empty() {
        format!(
            "`{}`'s manifest {} records a separate WAL store, but its {} WAL object(s) are all in the main store: clients configured with the WAL store ignore them",
            root.path,
            latest.id,
            in_main.len()
        )
    } else if !flagged && in_main.is_empty() && !in_wal_store.is_empty() {
        format!(
            "`{}`'s manifest {} (format version 1) records no WAL store, but its {} WAL object(s) are in the WAL store: a client opened without the WAL store is accepted and ignores them",
            root.path,
            latest.id,
            in_wal_store.len()
        )
    } else {
        return None;
    };
    let parent_flag = latest.external_dbs.last().and_then(|entry| {
        cx.snapshot
            .root(&entry.path)
            .and_then(RootState::latest_manifest)
            .map(|(_, parent)| parent.wal_object_store_uri.is_some())
    });
    Some(RULE.finding(
        &root.path,
        message,
        evidence![
            ("manifest_id", latest.id),
            ("wal_object_store_uri", &latest.wal_object_store_uri),
            ("parent_flagged", parent_flag),
            ("wal_objects_in_main_store", in_main),
            ("wal_objects_in_wal_store", in_wal_store),
        ],
        "open the database only with the store that really holds its WAL; flush everything to L0 (close with a memtable flush) before changing WAL-store configuration",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    out.extend(cx.roots().filter_map(|root| check(cx, root)));
}
