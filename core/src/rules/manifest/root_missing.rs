//! `SDB-MAN-001` root-missing: no database at a root an action names. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::listing::input_missing;
use crate::rules::wal::id_ranges;
use crate::rules::RuleContext;
use crate::snapshot::Unknown;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// That a root an action names holds a database: at least one `<root>/manifest/*.manifest`
    /// object.
    ///
    /// ## Why it matters
    /// A writer opening a root without a manifest creates a new, empty database there, and
    /// succeeds. That is how shard splits that wrote their children under the parent's prefix
    /// ended up serving empty shards (gadget-inc/silo#377, #384): the check must look at the root
    /// the application will open, not where the operator thinks the data is.
    ///
    /// ## SlateDB error it prevents
    /// `LatestTransactionalObjectVersionMissing` for clones from it and readers of it; a silent,
    /// empty database for a writer. When the root still holds compacted SSTs or WAL objects, its
    /// manifests were deleted: a writer open starts a new database that replays the WAL from
    /// WAL 1 to the first missing object and reads no SST, so it loses every write outside that
    /// (fixture `r-manifests-deleted`: `collected`, whose first WAL objects GC had deleted, lost
    /// `k01`; `whole`, with its WAL from WAL 1 on, lost nothing), or fails with `detected newer
    /// DB client` where the old compactor's state is still there.
    ///
    /// ## Example
    /// `open:shards/child-a` where the clone was created as `parent/child-a`.
    pub static RULE = {
        id: "SDB-MAN-001",
        name: "root-missing",
        family: Manifest,
        severity: Error,
        summary: "no database at a root an action names",
        scan: scan,
    };
}

/// A finding for `root` if it holds no database, or if the inputs cannot tell.
/// `writer` says whether the action opens a writer (which would create an empty database).
pub fn check(cx: &RuleContext<'_>, root: &str, writer: bool) -> Option<Finding> {
    if cx.snapshot.root(root).is_some_and(|state| state.exists()) {
        return None;
    }
    if let Some(why) = cx.main_unknown() {
        return Some(input_missing::finding(
            root,
            &format!("whether a database exists at `{root}`"),
            &why,
        ));
    }
    let known: Vec<&str> = cx
        .roots()
        .filter(|r| r.exists())
        .map(|r| r.path.as_str())
        .collect();
    // Objects only a database writes, with no manifest left: its manifests were deleted. A
    // writer open then starts a new database and replays the WAL from WAL 1 up to the first
    // missing object; what only the SSTs, or the WAL after a gap, hold it does not read.
    let state = cx.snapshot.root(root);
    let ssts = state.map_or(0, |state| state.compacted.len());
    // Where the WAL lives unlisted (a WAL store not given), what it holds is unknown.
    let wal: Result<BTreeSet<u64>, Unknown> = match state {
        Some(state) => cx
            .wal_objects(state)
            .map(|objects| objects.keys().copied().collect()),
        None => Ok(BTreeSet::new()),
    };
    if let (true, Err(why)) = (writer && ssts > 0, &wal) {
        return Some(input_missing::finding(
            root,
            &format!("whether the WAL of `{root}`, whose manifests were deleted ({ssts} compacted SSTs are left), still holds every write a writer open would need"),
            why,
        ));
    }
    let wal = wal.unwrap_or_default();
    let whole_wal = wal.first() == Some(&1) && wal.last().copied() == Some(wal.len() as u64);
    let (message, impact) = if writer && (ssts > 0 || !wal.is_empty()) && !whole_wal {
        (
            format!(
                "no manifest at `{root}`, but {ssts} compacted SSTs and {} WAL objects of a database are listed there (WAL {}): its manifests were deleted, and a writer open starts a new database that replays the WAL from WAL 1 to the first gap and reads none of the SSTs, so every write kept only in them or after the gap is lost",
                wal.len(),
                if wal.is_empty() { "none".to_string() } else { id_ranges(&wal.iter().copied().collect::<Vec<_>>()) }
            ),
            Impact::Unsafe {
                predicted_error: "the database's writes outside its WAL are unreachable: a new database without them (or `detected newer DB client` from the old compactor's state)".into(),
            },
        )
    } else if writer && !wal.is_empty() {
        (
            format!("no manifest at `{root}`, but {ssts} compacted SSTs and WAL 1–{} of a database are listed there: its manifests were deleted; a writer open starts a new database that replays the whole WAL and reads none of the SSTs, which loses nothing only if every write is still in that WAL (never true of a clone's writes inherited from its parent)", wal.len()),
            Impact::Inconclusive,
        )
    } else if writer {
        (
            format!("no database at `{root}`: a writer open creates a new, empty one there"),
            Impact::Inconclusive,
        )
    } else {
        (
            format!("no database at `{root}` (no {root}/manifest/ objects)"),
            Impact::Unsafe {
                predicted_error: "LatestTransactionalObjectVersionMissing".into(),
            },
        )
    };
    Some(RULE.finding(
        root,
        message,
        evidence![("root", root), ("roots_found", known)],
        "check the root path the application uses (clones are siblings of the parent, not nested under its prefix)",
        impact,
    ))
}

/// For a deletion of `root`, which a complete listing shows nothing under: deleting nothing is
/// rarely what was meant, and the clones that read `root`'s SSTs may live where the inputs do
/// not reach; the verdict stays inconclusive until the root is found.
pub fn nothing_to_delete(cx: &RuleContext<'_>, root: &str) -> Finding {
    let known: Vec<&str> = cx
        .roots()
        .filter(|r| r.exists())
        .map(|r| r.path.as_str())
        .collect();
    RULE.finding(
        root,
        format!("nothing is listed under `{root}` (no {root}/manifest/ objects): the deletion would delete nothing, so the inputs are probably not of the store meant"),
        evidence![("root", root), ("roots_found", known)],
        "check the root path and the listing's bucket and prefix (--prefix strips where the databases sit in the bucket)",
        Impact::Inconclusive,
    )
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    // A listing with no database at all is most often a listing of the wrong place.
    let Some(listing) = &cx.snapshot.main_listing else {
        return;
    };
    if cx.roots().any(|root| root.exists()) {
        return;
    }
    if let Some(why @ Unknown::EmptyListing { .. }) = cx.main_unknown() {
        out.push(input_missing::finding(
            "",
            "which databases the store holds",
            &why,
        ));
        return;
    }
    out.push(RULE.finding(
        "",
        format!(
            "no database in the main store listing ({} objects, none under a `<root>/manifest/` folder)",
            listing.total_objects
        ),
        evidence![("objects", listing.total_objects), ("sources", &listing.sources)],
        "check the listing's bucket and prefix (--prefix strips where the databases sit in the bucket)",
        Impact::Inconclusive,
    ));
}
