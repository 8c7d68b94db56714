//! `SDB-SST-003` sst-truncated: an SST the manifest references is listed smaller than the blocks the manifest records for it. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact, Severity};
use crate::listing::{object_key, SlateObject};
use crate::model::{Manifest, SstInfo};
use crate::rules::sst::owner_of;
use crate::rules::RuleContext;
use crate::snapshot::RootState;
use serde::Serialize;
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// That every SST the latest manifest references (in its own root, or in a root its
    /// `external_dbs` name) is listed at least as large as the layout the manifest records for
    /// it. The manifest keeps each SST's `SsTableInfo`: its data blocks come first, then the
    /// filter and the index, then the stats, the encoded info and a 10-byte footer (its
    /// offset and the format version: slatedb `format/sst.rs`, `NUM_FOOTER_BYTES`).
    /// - Listed smaller than the end of its index and filter: reads that reach it fail (an
    ///   error). SlateDB reads an SST the manifest references through the layout the manifest
    ///   records, so it reads the index and filter there, and gets them short.
    /// - Listed smaller than the end of its stats plus the footer, but not smaller than that:
    ///   it was cut short too, after what reads use (a note: reads work, as the oracle saw;
    ///   what else reads the rest, a compaction's statistics or a tool reading the footer,
    ///   gets it short).
    ///
    /// Sizes a listing rounds (`--human-readable`) are not judged.
    ///
    /// ## Why it matters
    /// Object stores write whole objects, but the paths around them do not: an interrupted
    /// copy or restore of a store (a `cp`, an `rsync` or a backup tool on a local or NFS
    /// store), a full disk under a self-hosted object store, or a hand-made "repair" leave the
    /// key in place with fewer bytes. Nothing about the database looks wrong: it opens, clones
    /// and lists as before, and the SST is only read when a read or a compaction reaches it.
    ///
    /// ## SlateDB error it prevents
    /// A read that reaches the SST reads its index and filter at the offsets the manifest
    /// records and checks their CRC-32: the object store returns what is left of the range
    /// (or an out-of-range error), and the read fails with a data error (a checksum mismatch);
    /// `get` and `scan` fail, and so does a compaction that reads it.
    ///
    /// ## Example
    /// `db/compacted/01M8BP2BMWG6JVJJ6JPDBEG4AA.sst` is listed at 300 bytes while manifest 9
    /// records its index at bytes 1,520–1,690: every read of its keys fails.
    pub static RULE = {
        id: "SDB-SST-003",
        name: "sst-truncated",
        family: Sst,
        severity: Error,
        summary: "an SST the manifest references is listed smaller than the layout the manifest records for it: it was cut short (reads that reach it fail when its index or filter is cut)",
        scan: scan,
    };
}

/// The bytes SlateDB writes after an SST's last block: the offset of its info block (8) and
/// the format version (2).
const FOOTER_BYTES: u64 = 10;

fn end(offset: u64, len: u64) -> u64 {
    offset.saturating_add(len)
}

/// The bytes of an SST laid out as `info` says that a read uses: up to the end of its index
/// and filter (the data blocks come before them).
pub fn read_size(info: &SstInfo) -> u64 {
    end(info.index_offset, info.index_len).max(end(info.filter_offset, info.filter_len))
}

/// The fewest bytes a whole SST laid out as `info` says can have: up to the end of its
/// stats, then the footer. (The encoded info between them adds more; leaving it out keeps the
/// bound one no whole SST falls below.)
pub fn least_size(info: &SstInfo) -> u64 {
    read_size(info)
        .max(end(info.stats_offset, info.stats_len))
        .saturating_add(FOOTER_BYTES)
}

/// One SST listed smaller than its layout.
#[derive(Debug, Serialize)]
struct Truncated {
    key: String,
    listed_bytes: u64,
    least_bytes: u64,
}

/// Checks the sizes of the SSTs `manifest` (of `root`) references; `subject` names the
/// manifest. SSTs that are not listed are `SDB-SST-001`'s.
pub fn check(
    cx: &RuleContext<'_>,
    root: &RootState,
    manifest: &Manifest,
    subject: &str,
) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let (mut truncated, mut tail_cut) = (Vec::new(), Vec::new());
    for view in manifest.sst_views() {
        let id = view.sst.id;
        if !seen.insert(id) {
            continue;
        }
        let owner = owner_of(manifest, root, id);
        let Some(size) = cx
            .snapshot
            .root(owner)
            .and_then(|owner_root| owner_root.compacted.exact_size_of(&id))
        else {
            continue;
        };
        let info = &view.sst.info;
        let (read, least) = (read_size(info), least_size(info));
        let cut = |least_bytes| Truncated {
            key: object_key(owner, &SlateObject::Compacted { id }),
            listed_bytes: size,
            least_bytes,
        };
        if size < read {
            truncated.push(cut(read));
        } else if size < least {
            tail_cut.push(cut(least));
        }
    }
    let mut findings = Vec::new();
    if let Some(first) = tail_cut.first() {
        let mut finding = RULE.finding(
            &root.path,
            format!(
                "{subject} of `{}` references {} SST(s) listed smaller than a whole SST of the layout it records for them, but not smaller than what reads use, e.g. {} ({} bytes listed, at least {} written): they were cut short after their index; reads work, what reads their stats or footer does not",
                root.path,
                tail_cut.len(),
                first.key,
                first.listed_bytes,
                first.least_bytes
            ),
            evidence![("manifest_id", manifest.id), ("cut_after_index", tail_cut)],
            RESTORE,
            Impact::Advisory,
        );
        finding.severity = Severity::Note;
        findings.push(finding);
    }
    let Some(first) = truncated.first() else {
        return findings;
    };
    let message = format!(
        "{subject} of `{}` references {} SST(s) listed smaller than the index and filter it records for them, e.g. {} ({} bytes listed, reads use {}): they were cut short, and reads that reach them fail",
        root.path,
        truncated.len(),
        first.key,
        first.listed_bytes,
        first.least_bytes
    );
    let predicted_error = format!(
        "a data error (a checksum mismatch or an out-of-range read of {}) on reads that reach it",
        first.key
    );
    findings.push(RULE.finding(
        &root.path,
        message,
        evidence![("manifest_id", manifest.id), ("truncated", truncated)],
        RESTORE,
        Impact::Unsafe { predicted_error },
    ));
    findings
}

/// What to do about an SST cut short.
const RESTORE: &str = "restore the SSTs whole from versioning or backup (compare each with its source before copying again); until then keep the compactor and GC off this database, and do not clone it: a clone reads the same objects";

/// Checks the SSTs `root`'s latest manifest references.
pub fn check_latest(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Vec<Finding> {
    check(cx, root, latest, &crate::rules::latest_subject(latest))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check_latest(cx, root, latest));
    }
}
