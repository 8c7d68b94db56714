//! `SDB-WAL-004` wal-replay-range-missing: WAL objects after the replay point are gone: a writer open may drop writes. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::{
    fence_slots, l0_floor, l0_publisher, max_missing_fences, proven_fences, RootState,
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
    /// - ids below the `next_wal_sst_id` of the manifest that published the newest L0, and ids
    ///   the writer-epoch history proves were fences, lose nothing: the L0 flush freezes the WAL
    ///   buffer and the memtable together and stamps the replay point before the WAL it flushes
    ///   itself (slatedb `batch_write.rs`, `flush_batch_writer`), and a fence holds no rows. The
    ///   finding is then advice and the verdict stays `safe` (only writes made concurrently with
    ///   that flush could hide there, which no listing shows);
    /// - ids after the newest L0 that the writer opens the manifests record could have fenced,
    ///   but that no manifest proves were: `inconclusive`, until a listing from before the
    ///   deletion (or the objects' versions, with their sizes) settles it.
    ///
    /// ## SlateDB error it prevents
    /// None is raised: the loss is silent (reopen succeeds; reads return `None` for the keys).
    ///
    /// ## Example
    /// `db` was closed after a WAL flush (`CloseOptions { flush_type: Some(Wal) }`) and its WAL
    /// store wiped: WAL 3 (with `walkey`) is gone and the reopen drops `walkey`.
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
    /// The manifest that published the newest L0 (see [`l0_publisher`]).
    pub publisher_id: u64,
    /// Its `next_wal_sst_id`: a gone id at or after it held a fence or writes not in L0.
    pub publisher_next: u64,
    /// See [`l0_floor`]: the true publisher's `next_wal_sst_id` is at least this.
    pub l0_floor: u64,
    /// Gone ids below `l0_floor`: their rows are in L0 (or they were fences).
    pub in_l0: Vec<u64>,
    /// Gone ids from [`l0_floor`] up to `publisher_next` (only when manifests between the
    /// true publisher and the given one are missing): in L0 or not, the history cannot tell.
    pub unplaced: Vec<u64>,
    /// The gone ids at or after `publisher_next`.
    pub past_l0: Vec<u64>,
    /// Those of `past_l0` the writer-epoch history proves were fences (see
    /// [`proven_fences`]); empty when the history does not explain the listing.
    pub fences: Vec<u64>,
    /// The rest of `past_l0`: a fence or acknowledged writes not in L0.
    pub unknown: Vec<u64>,
    /// How many of `unknown` can have been fences (`None`: the history does not say).
    pub max_fences: Option<usize>,
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
            ("l0_published_by_manifest", self.publisher_id),
            ("wal_ids_in_l0", &self.in_l0),
            ("wal_ids_unplaced", &self.unplaced),
            ("wal_ids_past_l0", &self.past_l0),
            ("proven_fences", &self.fences),
            ("max_fences_among_them", self.max_fences),
        ]
    }

    /// How many gone WAL objects certainly held acknowledged writes that are not in L0.
    pub fn certainly_lost(&self) -> usize {
        match self.max_fences {
            Some(fences) => self.unknown.len().saturating_sub(fences),
            None => 0,
        }
    }
}

/// Zero-byte WAL objects of `root` in either store: fences.
pub fn listed_fences(root: &RootState) -> BTreeSet<u64> {
    root.wal_in_main
        .iter()
        .chain(root.wal_in_wal_store.iter())
        .filter(|(_, object)| object.size == 0)
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
    let publisher = l0_publisher(root, latest);
    let floor = l0_floor(root, publisher);
    let past_l0: BTreeSet<u64> = gone
        .iter()
        .copied()
        .filter(|id| *id >= publisher.next_wal_sst_id)
        .collect();
    let (in_l0, unplaced): (Vec<u64>, Vec<u64>) = gone
        .iter()
        .copied()
        .filter(|id| *id < publisher.next_wal_sst_id)
        .partition(|id| *id < floor);
    let slots = fence_slots(root, latest);
    let listed = listed_fences(root);
    // Proven fences count only where the history explains the fences still listed.
    let proven = match max_missing_fences(&slots, &listed, &past_l0) {
        Some(_) => proven_fences(&slots),
        None => BTreeSet::new(),
    };
    let (fences, unknown): (Vec<u64>, Vec<u64>) =
        past_l0.iter().copied().partition(|id| proven.contains(id));
    let max_fences = max_missing_fences(&slots, &listed, &unknown.iter().copied().collect());
    Some(GoneAfterReplay {
        gone,
        publisher_id: publisher.id,
        publisher_next: publisher.next_wal_sst_id,
        l0_floor: floor,
        in_l0,
        unplaced,
        past_l0: past_l0.into_iter().collect(),
        fences,
        unknown,
        max_fences,
    })
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
    let below = &gone.in_l0;
    let mut settled = Vec::new();
    if !below.is_empty() {
        settled.push(format!(
            "WAL {} {} below {}, where the manifest that published the newest L0 (manifest {} or one before it) had its `next_wal_sst_id` or later: that flush froze the WAL buffer and the memtable together, so their rows are in L0 (or they were fences)",
            id_ranges(below),
            if below.len() == 1 { "is" } else { "are" },
            gone.l0_floor,
            gone.publisher_id
        ));
    }
    if !gone.fences.is_empty() {
        settled.push(format!(
            "WAL {} {}: the next manifest of the same writer epoch recorded nothing written after it",
            id_ranges(&gone.fences),
            if gone.fences.len() == 1 { "was a writer open's fence" } else { "were writer opens' fences" },
        ));
    }
    let settled = settled.join("; ");
    let opening = format!(
        "manifest {} of `{}` records WAL {} after its replay point, and {} gone",
        latest.id,
        root.path,
        id_ranges(ids),
        if ids.len() == 1 { "it is" } else { "they are" },
    );
    if gone.unknown.is_empty() && gone.unplaced.is_empty() {
        return Some(RULE.finding(
            &root.path,
            format!(
                "{opening}: {settled}. Nothing in these inputs shows an acknowledged write lost; only writes made while that L0 flush ran (a concurrent writer) could have been in them, and no listing shows those"
            ),
            gone.evidence(latest),
            "nothing to do for a writer open or a reader; a checkpoint whose WAL range holds these ids can no longer be cloned from",
            Impact::Advisory,
        ));
    }
    let mut open = Vec::new();
    if !gone.unplaced.is_empty() {
        open.push(format!(
            "WAL {} may come before or after the newest L0: it was published in manifest {} or in one before it that is not given (GC or a deletion took it), which would have a lower `next_wal_sst_id`",
            id_ranges(&gone.unplaced),
            gone.publisher_id,
        ));
    }
    if !gone.unknown.is_empty() {
        open.push(match gone.max_fences {
            Some(fences) => format!(
                "WAL {} come after the newest L0 (manifest {} published it at `next_wal_sst_id` {}), and the writer opens the manifests record can account for {} fence(s) among them",
                id_ranges(&gone.unknown), gone.publisher_id, gone.publisher_next, fences
            ),
            None => "the manifests given do not explain the fences listed (a writer opened on an already damaged WAL), so they cannot bound which of them were fences".to_string(),
        });
    }
    let why = open.join("; ");
    let settled = if settled.is_empty() {
        String::new()
    } else {
        format!("{settled}; ")
    };
    Some(RULE.finding(
        &root.path,
        format!(
            "{opening}: {settled}{why}; a writer open or a reader drops any writes {} held that were not in L0. A listing taken before the deletion (or the objects' versions, with their sizes), or every manifest since the writer opens, would tell",
            if gone.unknown.len() + gone.unplaced.len() == 1 { "it" } else { "they" }
        ),
        gone.evidence(latest),
        "if the WAL objects can be restored (versioning, backup, the WAL disk), restore them before opening a writer; otherwise accept that writes after the last L0 flush may be lost",
        Impact::Inconclusive,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}

/// The finding for deleting WAL objects `ids` (with data, after the replay point of `latest`
/// and below `floor`, see [`l0_floor`]): advice, since the flush that published the newest L0
/// froze the WAL buffer and the memtable together after they were written.
pub fn would_drop(root: &RootState, latest: &Manifest, floor: u64, ids: &[u64]) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {} after the replay point of manifest {}; {} below {}, where the manifest that published the newest L0 had its `next_wal_sst_id` or later, and that flush froze the WAL buffer and the memtable together (the replay point is stamped before the flush's own WAL): {} rows are in L0. Only writes made while that flush ran (a concurrent writer) could be in {} and nowhere else, and no listing shows those",
            root.path,
            id_ranges(ids),
            latest.id,
            if ids.len() == 1 { "it is" } else { "they are" },
            floor,
            if ids.len() == 1 { "its" } else { "their" },
            if ids.len() == 1 { "it" } else { "them" },
        ),
        evidence![("manifest_id", latest.id), ("replay_after_wal_id", latest.replay_after_wal_id), ("wal_ids_with_data", ids), ("l0_floor", floor)],
        "if writers may have written while that L0 flush ran, flush the memtable to L0 again first (Db::flush_with_options(FlushType::MemTable)) and check again",
        Impact::Advisory,
    )
}

/// The finding for deleting WAL objects `ids` with data that may be before or after the newest
/// L0: the manifests between the given `publisher` and the true one are missing.
pub fn would_drop_unplaced(
    root: &RootState,
    latest: &Manifest,
    publisher: &Manifest,
    ids: &[u64],
) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {}, which hold data after the replay point of manifest {}; the newest L0 was published in manifest {} or in one before it that is not given (GC or a deletion took it), so {} may hold writes that are not in L0",
            root.path,
            id_ranges(ids),
            latest.id,
            publisher.id,
            if ids.len() == 1 { "it" } else { "they" },
        ),
        evidence![("manifest_id", latest.id), ("replay_after_wal_id", latest.replay_after_wal_id), ("wal_ids_with_data", ids), ("l0_published_by_manifest", publisher.id)],
        super::wal_writes_lost::FLUSH_TO_L0_FIRST,
        Impact::Inconclusive,
    )
}
