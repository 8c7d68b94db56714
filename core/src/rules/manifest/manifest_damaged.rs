//! `SDB-MAN-009` manifest-damaged: a manifest object SlateDB must read does not decode. See
//! [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::model::{Checkpoint, ManifestId};
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// Whether a manifest object given (`--store`, `--manifests`, a bundle) is damaged in a way
    /// SlateDB's own decoder refuses too: fewer than the two version bytes, a version that is
    /// neither 1 nor 2 nor a newer SlateDB's (3 to 255: those are `inconclusive`, as this
    /// slatecheck cannot read them), a FlatBuffer that does not verify (cut short, bytes
    /// flipped), or content SlateDB fails on. The latest manifest of a root is read by every
    /// writer open, reader and clone of it, and by `Admin::delete_db`; a checkpoint's manifest by every clone from that checkpoint; older
    /// manifests by nothing that reads the database.
    ///
    /// ## Why it matters
    /// SlateDB reads the latest manifest first (`manifest/store.rs`, `read_latest_manifest`)
    /// and decodes it with the FlatBuffer verifier (`flatbuffer_types.rs`); a clone from a
    /// checkpoint reads the checkpoint's manifest the same way (`clone.rs`). A damaged one
    /// stops the database: no writer, reader or clone gets past it, and a writer cannot write
    /// the next manifest over it, so the database stays stopped until the object is restored.
    /// The rest of the check goes on: the other roots, and what the other manifests show.
    ///
    /// ## SlateDB error it prevents
    /// `EmptyManifest`, `InvalidVersion` or `InvalidFlatbuffer` ("data error") on `Db::open`,
    /// `DbReader::open`, `Admin`'s reads and `create_clone`; `Admin::delete_db` fails with it
    /// before it writes its `.deleting` marker (`admin.rs`), so nothing is deleted.
    ///
    /// ## Example
    /// `shard-7/manifest/00000000000000000042.manifest`, the latest, was restored from an
    /// interrupted copy and holds its first 600 of 1,288 bytes: `open:shard-7`, `read:shard-7`
    /// and `clone:shard-7` are unsafe; restore the object from an earlier version first.
    pub static RULE = {
        id: "SDB-MAN-009",
        name: "manifest-damaged",
        family: Manifest,
        severity: Error,
        summary: "a manifest object SlateDB must read does not decode",
        scan: scan,
    };
}

/// What to do about a damaged manifest object.
const RESTORE: &str = "restore the manifest object from an earlier version (object versioning) or a backup before anything opens, reads or clones the database; if the file given is a copy, compare it with the store's object first";

/// When the latest manifest of `root` is damaged: every writer open, reader and clone of the
/// root fails on it, and so does `Admin::delete_db`, before it deletes anything.
pub fn check_latest(root: &RootState) -> Option<Finding> {
    let readers = format!(
        "every writer open, reader and clone of `{}`, and `Admin::delete_db` before it deletes anything,",
        root.path
    );
    read_damaged(root, root.latest_id?, "the latest", &readers)
}

/// When the manifest `checkpoint` pins is damaged: every clone from it fails on it.
pub fn check_pinned(root: &RootState, checkpoint: &Checkpoint) -> Option<Finding> {
    let which = format!("which checkpoint {} pins", checkpoint.id);
    read_damaged(
        root,
        checkpoint.manifest_id,
        &which,
        "every clone from that checkpoint",
    )
}

/// When manifest `id` (`which` one) of `root` is damaged: `readers` fail on it.
fn read_damaged(root: &RootState, id: ManifestId, which: &str, readers: &str) -> Option<Finding> {
    let what = root.damaged_manifests.get(&id)?;
    Some(damaged(
        root,
        id,
        what,
        format!(
            "manifest {id} of `{}`, {which}, is damaged ({what}): {readers} fails on it",
            root.path
        ),
        true,
    ))
}

/// A finding about damaged manifest `id` of `root`; `read` when SlateDB must read it.
fn damaged(root: &RootState, id: ManifestId, what: &str, message: String, read: bool) -> Finding {
    let mut finding = RULE.finding(
        &root.path,
        message,
        evidence![
            ("manifest_id", id),
            ("damage", what),
            ("latest_manifest_id", root.latest_id),
        ],
        RESTORE,
        if read {
            Impact::Unsafe {
                predicted_error: format!("a data error decoding manifest {id} ({what})"),
            }
        } else {
            Impact::Advisory
        },
    );
    if !read {
        finding.severity = Severity::Warning;
    }
    finding
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for root in cx.roots() {
        if let Some(finding) = check_latest(root) {
            out.push(finding);
        }
        let latest = root.latest_id.and_then(|id| root.manifest(id).ok());
        let pinned: Vec<&Checkpoint> =
            latest.map_or_else(Vec::new, |latest| latest.checkpoints.iter().collect());
        for (id, what) in &root.damaged_manifests {
            if Some(*id) == root.latest_id {
                continue;
            }
            if let Some(checkpoint) = pinned.iter().find(|c| c.manifest_id == *id) {
                out.extend(check_pinned(root, checkpoint));
                continue;
            }
            out.push(damaged(
                root,
                *id,
                what,
                format!(
                    "manifest {id} of `{}` is damaged ({what}); SlateDB reads only the latest manifest and those checkpoints pin, and none pins this one, so nothing that reads the database fails on it (GC deletes it once it is older than its `min_age`)",
                    root.path
                ),
                false,
            ));
        }
    }
}
