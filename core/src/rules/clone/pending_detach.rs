//! `SDB-CLONE-006` pending-detach: a clone no longer reads its parent's SSTs. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::rules::RuleContext;

crate::declare_rule! {
    /// ## What it checks
    /// `external_dbs` entries whose `sst_ids` are empty: the clone has compacted away every
    /// SST it read from that database.
    ///
    /// ## Why it matters
    /// The clone no longer depends on the other database, but its pin there stays until the
    /// clone's own GC runs its detach task, which waits until no active manifest of the clone
    /// (checkpointed ones included, such as the compactor's 15-minute checkpoint) lists those
    /// SSTs. Until then the parent keeps the pinned manifest and its SSTs. An entry whose pin
    /// is already gone is the state a crash between the two detach steps leaves; it is harmless.
    ///
    /// ## SlateDB error it prevents
    /// None: it tells operators that deleting the parent, or its pin, is about to become safe,
    /// and that storage held by the pin will be released by the clone's GC.
    ///
    /// ## Example
    /// `clone.external_dbs[0]` = `{path: parent, sst_ids: [], final_checkpoint_id: a218…}`
    /// after the clone's compactor merged all of parent's SSTs into its own sorted run.
    pub static RULE = {
        id: "SDB-CLONE-006",
        name: "pending-detach",
        family: Clone,
        severity: Note,
        summary: "a clone no longer reads another database's SSTs and will release its pin",
        scan: scan,
    };
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        for entry in latest.external_dbs.iter().filter(|e| e.sst_ids.is_empty()) {
            let pin = entry
                .final_checkpoint_id
                .map_or("(none)".to_string(), |id| id.to_string());
            out.push(RULE.finding(
                &root.path,
                format!(
                    "`{}` no longer reads SSTs of `{}`: its pin {pin} there is released when `{}`'s GC detaches it",
                    root.path, entry.path, root.path
                ),
                evidence![("external_path", &entry.path), ("final_checkpoint_id", entry.final_checkpoint_id)],
                "nothing to do; deleting the pin or the parent is safe for this clone once no checkpoint of it still lists the parent's SSTs",
                Impact::Advisory,
            ));
        }
    }
}
