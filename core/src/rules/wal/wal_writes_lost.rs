//! `SDB-WAL-010` wal-writes-lost: WAL objects holding acknowledged writes not in L0 are gone, or would be deleted. See [`RULE`].

use super::id_ranges;
use super::wal_replay_range_missing::gone_after_replay;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::{NewestL0, RootState};

crate::declare_rule! {
    /// ## What it checks
    /// Which WAL objects after the latest manifest's replay point held acknowledged writes that
    /// are not in L0, by what the store proves about them:
    /// - a listed object with data at or after the newest L0's bound: the `next_wal_sst_id` of
    ///   the manifest that published it (the earliest manifest with the latest `last_l0_seq`),
    ///   or a writer open's fence after the replay point, when one comes first;
    /// - gone objects of the replay range at or after that id, more of them than the writer
    ///   opens recorded in the manifests (`writer_epoch` history) can have fenced, after the
    ///   fences still listed are accounted for;
    /// - gone objects whose copy in a clone made from this database (before the loss) holds
    ///   data at or after that bound, or rows past the latest manifest's `last_l0_seq`;
    /// - for `wipe-wal:`, a listed object after the replay point whose rows were read (a check
    ///   of the live store, a bundle, or a `--manifests` folder holding the WAL objects) and
    ///   include a row past the latest manifest's `last_l0_seq`, wherever it lies.
    ///
    /// For `wipe-wal:`, objects behind a WAL object that is missing already (after the replay
    /// point) are reported as advice: a `DbReader` stops at the missing one and a writer open
    /// stops or fails there (`SDB-WAL-003`), so SlateDB reads none of them whatever the wipe
    /// does; the wipe destroys only what a repair of the hole could still recover.
    ///
    /// ## Why it matters
    /// An L0 flush is written to the manifest only once the WAL objects holding its rows are
    /// durable, and that manifest persists `next_wal_sst_id` past them (slatedb
    /// `memtable_flusher/manifest_writer.rs`: "WAL SSTs must be durable before the manifest is
    /// updated"); WAL ids grow with sequence numbers, so a later WAL object with data holds
    /// only rows newer than `last_l0_seq`. Empty WAL buffers are never written
    /// (`wal/slatedb/writer.rs`), so an object without data is a fence, and fences are written
    /// only by writer opens, one each, at ids that the epoch-bump manifests bound
    /// (`wal/slatedb/writer_init.rs`); a clone's first manifests carry its source's writer
    /// epoch (`manifest/mod.rs`, `init_clone_db`), which fenced nothing past the clone's copies
    /// of the source's WAL. Losing such an object (wiped, deleted, or about to be by
    /// `wipe-wal`) loses the writes in it. A writer's WAL starts at its fence
    /// (`wal/slatedb/writer_init.rs`) and every freeze outside WAL replay stamps the memtable
    /// with the last WAL id flushed (`batch_write.rs`), so no WAL object from a fence after the
    /// replay point on holds rows of the newest L0. A clone copies its source's WAL objects
    /// after the replay point byte for byte under the same ids (`wal/slatedb/admin.rs`,
    /// `clone_wal`), so its copy of a gone object shows what that object held. Rows settle it
    /// outright: a writer open or a reader
    /// replays every row of the objects after the replay point whose sequence number is above
    /// `last_l0_seq` and skips the rest (slatedb `wal_replay.rs`, `WalReplayIterator::next`,
    /// whose `min_seq` defaults to `last_l0_seq`), so a row above it is a write L0 lacks.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: a writer open replays up to the first missing WAL object and a `DbReader`
    /// stops there (`db_reader.rs`); both return `None` for the lost keys.
    ///
    /// ## Example
    /// `db` flushed `l0key` to L0 in manifest 3 (`next_wal_sst_id=3`), wrote `walkey` to WAL 3
    /// and closed with a WAL flush (manifest 4, `replay_after_wal_id=1`, `next_wal_sst_id=4`).
    /// Epoch 1's fence is WAL 1 or 2 (manifest 3 of that epoch persisted 3), so WAL 3, now
    /// wiped, held `walkey`: `open:db` is unsafe. Before the wipe, `wipe-wal:db` is unsafe for
    /// the same reason: WAL 3 has 207 bytes.
    pub static RULE = {
        id: "SDB-WAL-010",
        name: "wal-writes-lost",
        family: Wal,
        severity: Error,
        summary: "WAL objects holding acknowledged writes not in L0 are gone, or would be deleted",
        scan: scan,
    };
}

/// The loss of gone WAL objects of `latest`'s replay range, when the history proves it.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let gone = gone_after_replay(cx, root, latest)?;
    let lost = gone.certainly_lost();
    if lost == 0 {
        return None;
    }
    let mut proofs = Vec::new();
    if !gone.read_lost.is_empty() {
        proofs.push(format!(
            "WAL {} held rows past `last_l0_seq` {}, as an earlier collection read them (--earlier-bundle)",
            id_ranges(&gone.read_lost),
            latest.last_l0_seq
        ));
    }
    if !gone.copied_lost.is_empty() {
        proofs.push(format!(
            "WAL {} held rows past `last_l0_seq` {}, as {}",
            id_ranges(&gone.copied_lost),
            latest.last_l0_seq,
            gone.copies_show(&gone.copied_lost),
        ));
    }
    if !gone.copied_past_l0.is_empty() {
        proofs.push(format!(
            "WAL {} held data, as {} (more than zero bytes), and come {}",
            id_ranges(&gone.copied_past_l0),
            gone.copies_show(&gone.copied_past_l0),
            gone.newest_l0.after(),
        ));
    }
    let bounded = lost - gone.read_lost.len() - gone.copied_lost.len() - gone.copied_past_l0.len();
    if bounded > 0 {
        proofs.push(format!(
            "WAL {} come {} and are no fence the history proves, and the writer opens the manifests record can have fenced at most {} of them",
            id_ranges(&gone.unknown),
            gone.newest_l0.after(),
            gone.max_fences.unwrap_or(0),
        ));
    }
    let mut lost_ids: Vec<u64> = gone
        .read_lost
        .iter()
        .chain(&gone.copied_lost)
        .chain(&gone.copied_past_l0)
        .copied()
        .collect();
    if bounded > 0 {
        lost_ids.extend(&gone.unknown);
    }
    lost_ids.sort_unstable();
    Some(RULE.finding(
        &root.path,
        format!(
            "manifest {} of `{}` records WAL {} after its replay point, and they are gone; {}: at least {lost} held acknowledged writes that are not in L0, which a writer open or a reader silently drops",
            latest.id,
            root.path,
            id_ranges(&gone.gone),
            proofs.join("; "),
        ),
        gone.evidence(latest),
        "restore the missing WAL objects (object versioning, a backup, the WAL disk) before opening a writer or a reader; if they are lost, the writes in them are too",
        Impact::Unsafe {
            predicted_error: format!(
                "silent loss of the acknowledged writes in WAL {} (not in L0)",
                id_ranges(&lost_ids)
            ),
        },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}

/// What to do before wiping a WAL whose objects may hold writes not yet in L0.
pub const FLUSH_TO_L0_FIRST: &str = "flush the memtable to L0 first (Db::flush_with_options(FlushType::MemTable), or close the writer with a memtable flush), then check again";

/// The finding for deleting WAL objects `ids` of `root`, which hold data past the newest L0's
/// bound.
pub fn would_lose(
    root: &RootState,
    latest: &Manifest,
    newest_l0: &NewestL0,
    ids: &[u64],
) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, which hold data and come {}: acknowledged writes that are not in L0, lost with them",
            root.path,
            id_ranges(ids),
            newest_l0.after()
        ),
        evidence![
            ("manifest_id", latest.id),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("l0_published_by_manifest", newest_l0.published_by),
            ("wal_ids_with_data", ids),
            ("keys", ids.iter().map(|id| root.wal_key(*id)).collect::<Vec<_>>()),
        ],
        FLUSH_TO_L0_FIRST,
        wiped_writes_lost(root, ids[0]),
    )
}

/// The finding for deleting WAL objects after the replay point of `latest` whose rows were
/// read and include rows past its `last_l0_seq`: `(id, highest sequence number)`.
pub fn would_lose_rows(root: &RootState, latest: &Manifest, read: &[(u64, u64)]) -> Finding {
    let ids: Vec<u64> = read.iter().map(|(id, _)| *id).collect();
    let max_seq = read.iter().map(|(_, seq)| *seq).max().unwrap_or_default();
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, whose rows were read: {} past the latest manifest's `last_l0_seq` {} (up to sequence number {max_seq}), acknowledged writes that are not in L0, lost with them",
            root.path,
            id_ranges(&ids),
            if ids.len() == 1 { "it holds rows" } else { "they hold rows" },
            latest.last_l0_seq,
        ),
        evidence![
            ("manifest_id", latest.id),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("last_l0_seq", latest.last_l0_seq),
            ("wal_ids_with_rows_past_l0", &ids),
            ("max_seq", max_seq),
            ("keys", ids.iter().map(|id| root.wal_key(*id)).collect::<Vec<_>>()),
        ],
        FLUSH_TO_L0_FIRST,
        wiped_writes_lost(root, ids[0]),
    )
}

/// The impact of wiping WAL object `id` of `root` while it holds writes that are not in L0.
fn wiped_writes_lost(root: &RootState, id: u64) -> Impact {
    Impact::Unsafe {
        predicted_error: format!(
            "silent loss of the acknowledged writes in {} (not in L0)",
            root.wal_key(id)
        ),
    }
}
