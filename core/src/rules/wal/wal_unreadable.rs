//! `SDB-WAL-011` wal-unreadable: a WAL object SlateDB replays is not a whole SST. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::listing::{object_key, SlateObject};
use crate::model::{Manifest, WalId};
use crate::rules::RuleContext;
use crate::snapshot::{RootState, RowsError};
use serde::Serialize;

crate::declare_rule! {
    /// ## What it checks
    /// The WAL objects that a writer open, a reader or a clone of the manifest replays (every
    /// listed WAL object after `replay_after_wal_id`; for a clone, those up to
    /// `next_wal_sst_id - 1`, which it copies), for two kinds of damage no SlateDB writer
    /// leaves:
    /// - An object listed at 1 to 10 bytes (exactly). A fence has none and a WAL SST ends in a
    ///   10-byte footer after its blocks, so it was cut short. SlateDB calls it `EmptySSTable`
    ///   and replays it as a fence: whatever rows it held are skipped, and lost unless they are
    ///   in L0, which its remains cannot show (inconclusive, like a gone WAL object).
    /// - An object whose bytes were read and are not a whole SST: a footer whose format
    ///   version is neither 1 nor 2, an info offset past the end, or a section whose CRC-32
    ///   does not match its bytes. SlateDB checks the same footer and the same checksums over
    ///   the stored bytes, before any decompression or block transformer, so nothing in its
    ///   configuration can read it: the replay fails (an error). The bytes are read in live
    ///   checks (`--store`), from bundles and from `--manifests` folders that hold the
    ///   objects; a listing alone cannot show this. An object slatecheck cannot decode for
    ///   other reasons (a codec it does not read, blocks an encrypting transformer wrote) is
    ///   not judged.
    ///
    /// ## Why it matters
    /// Object stores write whole objects, but copies and restores of a store (an interrupted
    /// `cp` or `rsync` of a local or NFS store, a backup tool, a full disk under a
    /// self-hosted store) can leave a WAL object cut short or damaged under its own key. It
    /// is listed like any other, so the WAL looks whole; the damage shows only when SlateDB
    /// replays it.
    ///
    /// ## SlateDB error it prevents
    /// The WAL replay reads each WAL SST's footer and sections (`wal/slatedb/store.rs`,
    /// `format/sst.rs`) and fails: `InvalidVersion`, a checksum mismatch, or, for an info
    /// offset past the end, a panic in SlateDB 0.18's own reader
    /// (`WalReadOnlyObject::read_range`: "range start must not be greater than end", seen by
    /// the oracle). `Db::open` and `DbReader` fail, and a clone copies the damaged object and
    /// fails the same way when it is opened. An object of 1 to 10 bytes raises nothing: the
    /// replay skips it (`wal/slatedb/iterator.rs`, "Zero-byte WAL files are fence markers").
    ///
    /// ## Example
    /// `db/wal/00000000000000000022.sst`, after the replay point 21 of the latest manifest, is
    /// listed at 250 bytes and its last two bytes read as format version 24,615: opening `db`
    /// fails. Cut to 8 bytes instead, it is replayed as a fence, and `open:db` is
    /// inconclusive: whether its rows were in L0 is gone with them.
    pub static RULE = {
        id: "SDB-WAL-011",
        name: "wal-unreadable",
        family: Wal,
        severity: Error,
        summary: "a WAL object SlateDB replays is damaged: not a whole SST (the replay fails), or 1 to 10 bytes (replayed as a fence, its rows skipped)",
        scan: scan,
    };
}

/// The most bytes of a WAL object SlateDB's replay reads as a fence (`EmptySSTable`: no room
/// for the footer).
const FENCE_READ_MAX_BYTES: u64 = 10;

/// One damaged WAL object.
#[derive(Debug, Serialize)]
struct Damaged {
    key: String,
    why: String,
}

/// Checks the WAL objects after `manifest`'s replay point that a writer open or a reader
/// replays (`through`: `None`), or that a clone copies (up to `through`, inclusive);
/// `subject` names the manifest.
pub fn check(
    cx: &RuleContext<'_>,
    root: &RootState,
    manifest: &Manifest,
    subject: &str,
    through: Option<WalId>,
) -> Vec<Finding> {
    let Ok(objects) = cx.wal_objects(root) else {
        return Vec::new();
    };
    let replayed = objects
        .keys()
        .copied()
        .filter(|id| *id > manifest.replay_after_wal_id)
        .take_while(|id| through.is_none_or(|last| *id <= last));
    let (mut unreadable, mut fenced) = (Vec::new(), Vec::new());
    for id in replayed {
        let key = || object_key(&root.path, &SlateObject::Wal { id });
        match objects.exact_size_of(&id) {
            Some(size @ 1..=FENCE_READ_MAX_BYTES) => fenced.push(Damaged {
                key: key(),
                why: format!("{size} bytes"),
            }),
            _ => {
                if let Some(Err(RowsError::Sst(err))) = cx.wal_rows(root, id) {
                    if err.proves_unreadable() {
                        unreadable.push(Damaged {
                            key: key(),
                            why: err.to_string(),
                        });
                    }
                }
            }
        }
    }
    let mut findings = Vec::new();
    if let Some(first) = unreadable.first() {
        let message = format!(
            "{subject} of `{}` is followed by {} WAL object(s) that SlateDB replays and cannot read, e.g. {} ({}): the replay fails",
            root.path,
            unreadable.len(),
            first.key,
            first.why
        );
        let predicted_error = format!("the WAL replay fails reading {} ({})", first.key, first.why);
        findings.push(RULE.finding(
            &root.path,
            message,
            evidence![("manifest_id", manifest.id), ("unreadable", unreadable)],
            RESTORE,
            Impact::Unsafe { predicted_error },
        ));
    }
    if let Some(first) = fenced.first() {
        let message = format!(
            "{subject} of `{}` is followed by {} WAL object(s) cut to 1–10 bytes, e.g. {} ({}): no SlateDB writer writes such an object, and its replay reads it as a fence, skipping whatever rows it held; they are lost unless L0 has them, which what is left of them cannot show",
            root.path,
            fenced.len(),
            first.key,
            first.why
        );
        let mut finding = RULE.finding(
            &root.path,
            message,
            evidence![("manifest_id", manifest.id), ("cut_to_a_fence", fenced)],
            RESTORE,
            Impact::Inconclusive,
        );
        finding.severity = Severity::Warning;
        findings.push(finding);
    }
    findings
}

/// What to do about a damaged WAL object.
const RESTORE: &str = "restore the WAL objects whole from versioning or a backup before any writer, reader or clone opens the database; a writer must not open it meanwhile: its fence would end the WAL before them";

/// Checks the WAL objects a clone of `manifest` copies (its WAL range), which the clone then
/// replays.
pub fn check_copied(
    cx: &RuleContext<'_>,
    root: &RootState,
    manifest: &Manifest,
    subject: &str,
) -> Vec<Finding> {
    let last = *manifest.wal_replay_range().end();
    check(cx, root, manifest, subject, Some(last))
}

/// Checks the WAL objects a writer open or a reader of `root`'s latest manifest replays.
pub fn check_latest(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Vec<Finding> {
    check(
        cx,
        root,
        latest,
        &crate::rules::latest_subject(latest),
        None,
    )
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check_latest(cx, root, latest));
    }
}
