//! `SDB-WAL-004` wal-replay-range-missing: WAL objects after the replay point are gone: a writer open may drop writes. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::{
    fence_slots, max_missing_fences, newest_l0, proven_fences, NewestL0, RootState, RowsAgainstL0,
    WriterOpenForecast,
};
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// Whether WAL objects the latest manifest says were written after its replay point
    /// (`replay_after_wal_id + 1 ..= next_wal_sst_id - 1`) are gone, with nothing after them:
    /// a wiped or cleaned-up WAL.
    ///
    /// ## Why it matters
    /// A writer open then finds no WAL to replay and succeeds. If those objects held writes not
    /// yet flushed to L0, the writes are silently lost; if they were fences or rows already in L0,
    /// nothing is lost. When the manifest history proves some held writes (`SDB-WAL-010`), the
    /// open is unsafe. This rule reports the rest:
    /// - ids the writer-epoch history proves were fences lose nothing (a fence holds no rows):
    ///   the finding is then advice and the verdict stays `safe`. So do ids whose copy in a
    ///   clone made from this database is zero bytes, or holds only rows of L0 (a clone copies
    ///   the WAL objects after its source's replay point byte for byte under the same ids:
    ///   `wal/slatedb/admin.rs`, `clone_wal`; see `SDB-WAL-010` for copies that show a loss);
    /// - ids before the newest L0's bound (the `next_wal_sst_id` of the manifest that published
    ///   it, or a writer open's fence after the replay point when one comes first) held
    ///   rows of that L0, or rows written after its memtable froze, which are not in L0. An
    ///   explicit flush or a close freezes the memtable right after handing the WAL buffer to
    ///   the flusher (slatedb `batch_write.rs`, `flush_batch_writer`), but a freeze triggered by
    ///   `l0_sst_size_bytes` or `max_wal_flushes_before_l0_flush`
    ///   (`maybe_freeze_current_memtable`) happens mid-buffer, and the same WAL object goes on
    ///   to take later writes. The store records neither: `inconclusive`, unless the user
    ///   states that every writer stopped with `Db::close()`, whose memtable flush puts every
    ///   acknowledged write in L0 (`--writers-closed`);
    /// - ids at or after it that the writer opens the manifests record could have fenced, but
    ///   that no manifest proves were: `inconclusive`, until a listing from before the
    ///   deletion (or the objects' versions, with their sizes) settles it.
    ///
    /// For `wipe-wal:` the objects are still there, and their rows settle what the listing
    /// cannot: an object whose rows were read (a check of the live store, a bundle, or a
    /// `--manifests` folder holding the WAL objects) and have no sequence number above the
    /// latest manifest's `last_l0_seq` holds only rows of L0, which a writer open or a reader
    /// skips (slatedb `wal_replay.rs`, `WalReplayIterator::next`): deleting it is advice.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: the loss is silent (reopen succeeds; reads return `None` for the keys).
    ///
    /// ## Example
    /// `db` froze a memtable by size (`l0_sst_size_bytes`) while WAL 3 was being filled, took
    /// one more put into WAL 3, flushed the WAL, published the L0 (manifest 3,
    /// `replay_after_wal_id=2`, `next_wal_sst_id=4`) and closed with a WAL flush; WAL 3 is then
    /// deleted and the reopen drops the last put, although WAL 3 also held rows of that L0.
    pub static RULE = {
        id: "SDB-WAL-004",
        name: "wal-replay-range-missing",
        family: Wal,
        severity: Warning,
        summary: "WAL objects after the replay point are gone: a writer open may drop writes",
        scan: scan,
    };
}

/// WAL objects of the latest manifest's range that are gone past the probe's end, and what
/// the manifest history proves about them.
#[derive(Clone, Debug)]
pub struct GoneAfterReplay {
    /// The gone ids.
    pub gone: Vec<u64>,
    /// Where the newest L0 ends in the WAL (see [`newest_l0`]): a gone id at or after its
    /// `next_wal_sst_id` held a fence or writes not in L0.
    pub newest_l0: NewestL0,
    /// Gone ids below that bound that are not proven fences: rows of the newest L0, or rows
    /// written after its memtable froze, the store cannot tell.
    pub unplaced: Vec<u64>,
    /// The gone ids at or after that bound.
    pub past_l0: Vec<u64>,
    /// The gone ids the writer-epoch history proves were fences (see [`proven_fences`]);
    /// empty when the history does not explain the listing.
    pub fences: Vec<u64>,
    /// The rest of `past_l0`: a fence or acknowledged writes not in L0.
    pub unknown: Vec<u64>,
    /// Gone ids taken for rows of L0 or fences because the user states that every writer
    /// closed with `Db::close()` (`--writers-closed`) and the history does not prove a loss:
    /// what `unplaced` and `unknown` held before the statement settled them.
    pub asserted_in_l0: Vec<u64>,
    /// How many of `unknown` can have been fences (`None`: the history does not say).
    pub max_fences: Option<usize>,
    /// Gone ids whose rows an earlier collection read (`--earlier-bundle`) and found all in
    /// L0 (`seq <= last_l0_seq`), or none: nothing lost with them.
    pub read_in_l0: Vec<u64>,
    /// Gone ids whose rows an earlier collection read and found past `last_l0_seq`:
    /// acknowledged writes lost with them.
    pub read_lost: Vec<u64>,
    /// Gone ids whose copy in a clone is zero bytes: fences.
    pub copied_fences: Vec<u64>,
    /// Gone ids whose copy in a clone was read and holds only rows of L0, or none.
    pub copied_in_l0: Vec<u64>,
    /// Gone ids whose copy in a clone was read and holds rows past `last_l0_seq`: writes lost.
    pub copied_lost: Vec<u64>,
    /// Gone ids at or after the newest L0's bound whose copy in a clone holds data (unread):
    /// writes that are not in L0, lost.
    pub copied_past_l0: Vec<u64>,
    /// The clones whose copies settled any of the above.
    pub copied_in: Vec<String>,
}

impl GoneAfterReplay {
    /// The evidence both WAL-gone rules give: the latest manifest's range, what is gone, and
    /// how many of the gone objects can have been fences.
    pub fn evidence(
        &self,
        latest: &Manifest,
    ) -> std::collections::BTreeMap<String, serde_json::Value> {
        evidence![
            ("manifest_id", latest.id),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("next_wal_sst_id", latest.next_wal_sst_id),
            ("missing_wal_ids", &self.gone),
            ("l0_published_by_manifest", self.newest_l0.published_by),
            // Only `--writers-closed` puts an id after the replay point in L0.
            ("wal_ids_in_l0", &self.asserted_in_l0),
            ("wal_ids_unplaced", &self.unplaced),
            ("wal_ids_past_l0", &self.past_l0),
            ("proven_fences", &self.fences),
            ("max_fences_among_them", self.max_fences),
            ("wal_ids_read_in_l0", &self.read_in_l0),
            ("wal_ids_read_past_l0", &self.read_lost),
            ("wal_ids_copied_fences", &self.copied_fences),
            ("wal_ids_copied_in_l0", &self.copied_in_l0),
            (
                "wal_ids_copied_past_l0",
                self.copied_lost
                    .iter()
                    .chain(&self.copied_past_l0)
                    .collect::<std::collections::BTreeSet<_>>()
            ),
            ("copies_in_clones", &self.copied_in),
        ]
    }

    /// How many gone WAL objects certainly held acknowledged writes that are not in L0.
    pub fn certainly_lost(&self) -> usize {
        let bounded = match self.max_fences {
            Some(fences) => self.unknown.len().saturating_sub(fences),
            None => 0,
        };
        self.read_lost.len() + self.copied_lost.len() + self.copied_past_l0.len() + bounded
    }

    /// "their copies in clone `c1` show", for messages about what the copies show.
    pub fn copies_show(&self, ids: &[u64]) -> String {
        let verb = if ids.len() == 1 { "shows" } else { "show" };
        format!("{} {verb}", self.copies_phrase(ids))
    }

    /// "their copies in clone `c1`".
    pub fn copies_phrase(&self, ids: &[u64]) -> String {
        let clones: Vec<String> = self.copied_in.iter().map(|c| format!("`{c}`")).collect();
        format!(
            "{} in clone {}",
            if ids.len() == 1 {
                "its copy"
            } else {
                "their copies"
            },
            clones.join(", ")
        )
    }
}

/// Fences of `root` the store shows: zero-byte WAL objects in either store, and zero-byte
/// copies of its WAL objects in clones made from it.
pub fn known_fences(root: &RootState) -> BTreeSet<u64> {
    let copied = root.wal_copies.iter().map(|(id, copy)| (id, copy.size));
    root.wal_in_main
        .sizes()
        .chain(root.wal_in_wal_store.sizes())
        .chain(copied)
        .filter(|(_, size)| *size == 0)
        .map(|(id, _)| *id)
        .collect()
}

/// The WAL objects of `latest`'s range that are gone with nothing after them, if any.
pub fn gone_after_replay(
    cx: &RuleContext<'_>,
    root: &RootState,
    latest: &Manifest,
) -> Option<GoneAfterReplay> {
    let present = cx.wal_ids(root).ok()?;
    let forecast = WriterOpenForecast::new(latest.replay_after_wal_id, &present);
    let gone: Vec<u64> = latest
        .wal_replay_range()
        .filter(|id| *id > forecast.last_seen && !present.contains(id))
        .collect();
    if gone.is_empty() || !forecast.is_clean() {
        return None;
    }
    let bound = newest_l0(root, latest);
    let slots = fence_slots(root, latest);
    let listed = known_fences(root);
    // Proven fences count only where the history explains the fences still listed.
    let proven = match max_missing_fences(&slots, &listed, &gone.iter().copied().collect()) {
        Some(_) => proven_fences(&slots),
        None => BTreeSet::new(),
    };
    let (fences, not_fences): (Vec<u64>, Vec<u64>) =
        gone.iter().copied().partition(|id| proven.contains(id));
    // Rows an earlier collection read of a gone object settle it: a writer open replays
    // exactly its rows above `last_l0_seq`.
    let mut read = RowsFiled::default();
    let not_fences: Vec<u64> = not_fences
        .into_iter()
        .filter(|id| match root.earlier_wal_rows.get(id) {
            Some(Ok(rows)) => {
                read.file(*id, rows, latest);
                false
            }
            _ => true,
        })
        .collect();
    // A clone's copy of a gone object shows what it was: a fence, rows (when read), or data
    // that, at or after the bound, is writes that are not in L0.
    let mut copied = Copied::default();
    let not_fences: Vec<u64> = not_fences
        .into_iter()
        .filter(|id| !copied.settles(root, latest, *id, bound.next_wal_sst_id))
        .collect();
    let (past_l0, unplaced): (BTreeSet<u64>, Vec<u64>) = (
        gone.iter()
            .copied()
            .filter(|id| *id >= bound.next_wal_sst_id)
            .collect(),
        not_fences
            .iter()
            .copied()
            .filter(|id| *id < bound.next_wal_sst_id)
            .collect(),
    );
    let unknown: Vec<u64> = not_fences
        .into_iter()
        .filter(|id| past_l0.contains(id))
        .collect();
    let max_fences = max_missing_fences(&slots, &listed, &unknown.iter().copied().collect());
    let mut gone = GoneAfterReplay {
        gone,
        newest_l0: bound,
        unplaced,
        past_l0: past_l0.into_iter().collect(),
        fences,
        unknown,
        max_fences,
        asserted_in_l0: Vec::new(),
        read_in_l0: read.in_l0,
        read_lost: read.lost,
        copied_fences: copied.fences,
        copied_in_l0: copied.rows.in_l0,
        copied_lost: copied.rows.lost,
        copied_past_l0: copied.past_l0,
        copied_in: copied.clones.into_iter().collect(),
    };
    // After a close with a memtable flush every acknowledged write is in L0; a proven loss
    // shows a writer that did not close so, and the evidence wins.
    if cx.writers_closed_over(root, latest) && gone.certainly_lost() == 0 {
        gone.asserted_in_l0 = std::mem::take(&mut gone.unplaced);
        gone.asserted_in_l0.append(&mut gone.unknown);
        gone.asserted_in_l0.sort_unstable();
    }
    Some(gone)
}

/// Gone WAL ids whose rows were read (an earlier collection, a clone's copy), by what the rows
/// say against the latest manifest's `last_l0_seq`.
#[derive(Default)]
struct RowsFiled {
    in_l0: Vec<u64>,
    lost: Vec<u64>,
}

impl RowsFiled {
    fn file(&mut self, id: u64, rows: &crate::sst::SstRows, latest: &Manifest) {
        match RowsAgainstL0::of(rows, latest) {
            RowsAgainstL0::InL0 { .. } => self.in_l0.push(id),
            RowsAgainstL0::NotInL0 { .. } => self.lost.push(id),
        }
    }
}

/// What clones' copies settle of gone WAL objects (see [`crate::snapshot::WalCopy`]).
#[derive(Default)]
struct Copied {
    fences: Vec<u64>,
    rows: RowsFiled,
    past_l0: Vec<u64>,
    clones: BTreeSet<String>,
}

impl Copied {
    /// Whether the copy of gone WAL `id` settles it (filed under what it shows).
    fn settles(&mut self, root: &RootState, latest: &Manifest, id: u64, bound: u64) -> bool {
        let Some(copy) = root.wal_copies.get(&id) else {
            return false;
        };
        match (&copy.rows, copy.size) {
            (_, 0) => self.fences.push(id),
            (Some(Ok(rows)), _) => self.rows.file(id, rows, latest),
            _ if id >= bound => self.past_l0.push(id),
            _ => return false,
        }
        self.clones.insert(copy.clone.clone());
        true
    }
}

/// Checks the latest manifest's WAL range for objects gone past the probe's end that the
/// manifest history does not prove lost (`SDB-WAL-010` reports those). Gone objects that the
/// history shows held nothing unflushed are reported as advice; the rest leave the question
/// open.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let gone = gone_after_replay(cx, root, latest)?;
    if gone.certainly_lost() > 0 {
        return None;
    }
    let ids = &gone.gone;
    let opening = format!(
        "manifest {} of `{}` records WAL {} after its replay point, and {} gone",
        latest.id,
        root.path,
        id_ranges(ids),
        if ids.len() == 1 { "it is" } else { "they are" },
    );
    let fences = (!gone.fences.is_empty()).then(|| {
        format!(
            "WAL {} {}: the next manifest of the same writer epoch recorded nothing written after it",
            id_ranges(&gone.fences),
            if gone.fences.len() == 1 { "was a writer open's fence" } else { "were writer opens' fences" },
        )
    });
    if gone.unknown.is_empty() && gone.unplaced.is_empty() {
        let asserted = (!gone.asserted_in_l0.is_empty()).then(|| {
            format!(
                "WAL {} held only rows of L0 or fences, as every writer closed with `Db::close()` (--writers-closed)",
                id_ranges(&gone.asserted_in_l0)
            )
        });
        let read = (!gone.read_in_l0.is_empty()).then(|| {
            format!(
                "WAL {} held only rows of L0, as an earlier collection read them (--earlier-bundle)",
                id_ranges(&gone.read_in_l0)
            )
        });
        let copied_fences = (!gone.copied_fences.is_empty()).then(|| {
            format!(
                "WAL {} {} fences ({} zero bytes)",
                id_ranges(&gone.copied_fences),
                if gone.copied_fences.len() == 1 {
                    "was a writer open's"
                } else {
                    "were writer opens'"
                },
                gone.copies_phrase(&gone.copied_fences),
            )
        });
        let copied_in_l0 = (!gone.copied_in_l0.is_empty()).then(|| {
            format!(
                "WAL {} held only rows of L0, as {}",
                id_ranges(&gone.copied_in_l0),
                gone.copies_show(&gone.copied_in_l0),
            )
        });
        let settled: Vec<String> = fences
            .into_iter()
            .chain(copied_fences)
            .chain(read)
            .chain(copied_in_l0)
            .chain(asserted)
            .collect();
        return Some(RULE.finding(
            &root.path,
            format!(
                "{opening}: {}. Nothing in these inputs shows an acknowledged write lost",
                settled.join("; ")
            ),
            gone.evidence(latest),
            "nothing to do for a writer open or a reader; a checkpoint whose WAL range holds these ids can no longer be cloned from",
            Impact::Advisory,
        ));
    }
    let mut open: Vec<String> = fences.into_iter().collect();
    if !gone.unplaced.is_empty() {
        open.push(shares_wal_with_l0(&gone.unplaced, &gone.newest_l0, "held"));
    }
    if !gone.unknown.is_empty() {
        open.push(match gone.max_fences {
            Some(fences) => format!(
                "WAL {} come {}, and the writer opens the manifests record can account for {} fence(s) among them",
                id_ranges(&gone.unknown), gone.newest_l0.after(), fences
            ),
            None => "the manifests given do not explain the fences listed (a writer opened on an already damaged WAL), so they cannot bound which of them were fences".to_string(),
        });
    }
    let settles = if gone.unknown.is_empty() {
        "How the writers stopped would tell: if every one closed with `Db::close()` (its default memtable flush), nothing is lost (--writers-closed)"
    } else {
        "A listing taken before the deletion (or the objects' versions, with their sizes), or every manifest since the writer opens, would tell"
    };
    Some(RULE.finding(
        &root.path,
        format!(
            "{opening}: {}; a writer open or a reader drops any writes {} held that were not in L0. {settles}",
            open.join("; "),
            if gone.unknown.len() + gone.unplaced.len() == 1 { "it" } else { "they" }
        ),
        gone.evidence(latest),
        "if the WAL objects can be restored (versioning, backup, the WAL disk), restore them before opening a writer; otherwise accept that writes after the last L0 flush may be lost",
        Impact::Inconclusive,
    ))
}

/// Why WAL objects `ids`, after the replay point and before the newest L0's bound (which only
/// a published L0 sets), may or may not hold writes that are not in L0. `verb` is "held" for
/// gone objects, "hold" for listed ones.
pub fn shares_wal_with_l0(ids: &[u64], newest_l0: &NewestL0, verb: &str) -> String {
    format!(
        "WAL {} {verb} rows written {}: only rows of the newest L0 if its memtable was frozen by an explicit flush or a close, which freeze at a WAL boundary, but also rows written after the freeze if it was triggered by size or WAL count (`l0_sst_size_bytes`, `max_wal_flushes_before_l0_flush`), which freeze mid-buffer, and the store does not record which",
        id_ranges(ids),
        newest_l0.before(),
    )
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}

/// The finding for deleting WAL objects `ids` with data after the replay point of `latest`
/// and before the newest L0's bound: in L0 or not, the store cannot tell (see
/// [`shares_wal_with_l0`]).
pub fn would_drop_unplaced(
    root: &RootState,
    latest: &Manifest,
    newest_l0: &NewestL0,
    ids: &[u64],
    unread: &str,
) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, which {} data after the replay point of manifest {}; {}. {unread}",
            root.path,
            id_ranges(ids),
            if ids.len() == 1 { "holds" } else { "hold" },
            latest.id,
            shares_wal_with_l0(ids, newest_l0, "hold"),
        ),
        evidence![("manifest_id", latest.id), ("replay_after_wal_id", latest.replay_after_wal_id), ("wal_ids_with_data", ids), ("l0_published_by_manifest", newest_l0.published_by)],
        REPLAY_THEN_CLOSE,
        Impact::Inconclusive,
    )
}

/// The finding for deleting WAL objects `ids` as [`would_drop_unplaced`], when the user
/// states that every writer closed with `Db::close()`: their rows are in L0, so this is advice.
pub fn would_drop_closed(
    root: &RootState,
    latest: &Manifest,
    newest_l0: &NewestL0,
    ids: &[u64],
) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, which {} data after the replay point of manifest {} and {}: as every writer closed with `Db::close()` (--writers-closed), only rows of L0",
            root.path,
            id_ranges(ids),
            if ids.len() == 1 { "holds" } else { "hold" },
            latest.id,
            newest_l0.before(),
        ),
        evidence![("manifest_id", latest.id), ("replay_after_wal_id", latest.replay_after_wal_id), ("wal_ids_with_data", ids), ("l0_published_by_manifest", newest_l0.published_by), ("writers_closed", true)],
        "nothing to do, if no writer has opened since the check; a writer that crashed or closed with a WAL flush only would leave writes in them",
        Impact::Advisory,
    )
}

/// How to settle WAL objects that may hold writes not in L0 without risking them: a writer
/// open replays them into memtables frozen at WAL boundaries, and a close flushes those to L0.
pub const REPLAY_THEN_CLOSE: &str = "open a writer and close it with `Db::close()` before wiping: the open replays these WAL objects and the close flushes them to L0, after which only the writer's fence is left after the replay point; then check again";

/// Why the rows of WAL objects `ids` did not settle them, and what would.
pub fn why_unread(cx: &RuleContext<'_>, root: &RootState, ids: &[u64]) -> String {
    let failures: Vec<String> = ids
        .iter()
        .filter_map(|id| match cx.wal_rows(root, *id) {
            Some(Err(why)) => Some(format!("{}: {why}", root.wal_key(*id))),
            _ => None,
        })
        .collect();
    if failures.is_empty() {
        "Their rows would tell (a row past the manifest's `last_l0_seq` is a write L0 lacks): a check of the live store (--store) reads them".to_string()
    } else {
        format!(
            "Their rows would tell, and could not be read: {}",
            failures.join("; ")
        )
    }
}

/// The finding for deleting WAL objects after the replay point of `latest` whose rows were
/// read and are all in L0 already: `(id, highest sequence number)`, `None` for no row.
pub fn would_drop_rows_in_l0(
    root: &RootState,
    latest: &Manifest,
    read: &[(u64, Option<u64>)],
) -> Finding {
    let ids: Vec<u64> = read.iter().map(|(id, _)| *id).collect();
    let max_seq = read.iter().filter_map(|(_, seq)| *seq).max();
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, which {} data after the replay point of manifest {}; {} rows were read, and {}, so every one is in L0 already: a writer open or a reader skips them",
            root.path,
            id_ranges(&ids),
            if ids.len() == 1 { "holds" } else { "hold" },
            latest.id,
            if ids.len() == 1 { "its" } else { "their" },
            match max_seq {
                Some(seq) => format!(
                    "the highest sequence number among them, {seq}, is at most the manifest's `last_l0_seq` {}",
                    latest.last_l0_seq
                ),
                None => "they hold no row".to_string(),
            },
        ),
        evidence![
            ("manifest_id", latest.id),
            ("replay_after_wal_id", latest.replay_after_wal_id),
            ("last_l0_seq", latest.last_l0_seq),
            ("wal_ids_with_rows_in_l0", &ids),
            ("max_seq", max_seq),
        ],
        "nothing to do, if no writer has opened since the check",
        Impact::Advisory,
    )
}
