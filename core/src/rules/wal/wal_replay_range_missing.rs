//! `SDB-WAL-004` wal-replay-range-missing: WAL objects after the replay point are gone: a writer open may drop writes. See [`RULE`].

use super::id_ranges;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::{
    fence_slots, l0_publisher, max_missing_fences, RootState, WriterOpenForecast,
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
    /// open is unsafe; this rule reports the rest, which only a listing from before the deletion
    /// can settle: ids below the `next_wal_sst_id` of the manifest that published the newest L0
    /// (the L0 flush stamps the replay point before the WAL it flushed itself, slatedb
    /// `batch_write.rs`), and ids that the writer opens the manifests record could have fenced.
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
    /// The gone ids at or after `publisher_next`.
    pub past_l0: Vec<u64>,
    /// How many of `past_l0` can have been fences (`None`: the history does not say).
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
            ("wal_ids_past_l0", &self.past_l0),
            ("max_fences_among_them", self.max_fences),
        ]
    }

    /// How many gone WAL objects certainly held acknowledged writes that are not in L0.
    pub fn certainly_lost(&self) -> usize {
        match self.max_fences {
            Some(fences) => self.past_l0.len().saturating_sub(fences),
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
    let past_l0: BTreeSet<u64> = gone
        .iter()
        .copied()
        .filter(|id| *id >= publisher.next_wal_sst_id)
        .collect();
    let max_fences = max_missing_fences(&fence_slots(root, latest), &listed_fences(root), &past_l0);
    Some(GoneAfterReplay {
        gone,
        publisher_id: publisher.id,
        publisher_next: publisher.next_wal_sst_id,
        past_l0: past_l0.into_iter().collect(),
        max_fences,
    })
}

/// Checks the latest manifest's WAL range for objects gone past the probe's end, when the
/// manifest history cannot tell whether they held writes (`SDB-WAL-010` reports the loss when
/// it can).
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let gone = gone_after_replay(cx, root, latest)?;
    if gone.certainly_lost() > 0 {
        return None;
    }
    let ids = &gone.gone;
    let why = match (gone.past_l0.is_empty(), gone.max_fences) {
        (true, _) => format!(
            "every one of them is below {} (the `next_wal_sst_id` of manifest {}, which published the newest L0), so each may hold only rows already in L0, or a fence",
            gone.publisher_next, gone.publisher_id
        ),
        (false, Some(fences)) => format!(
            "WAL {} come after the newest L0 (manifest {} published it at `next_wal_sst_id` {}), but the writer opens the manifests record can account for {} fence(s) among them",
            id_ranges(&gone.past_l0), gone.publisher_id, gone.publisher_next, fences
        ),
        (false, None) => "the manifests given do not explain the fences listed (a writer opened on an already damaged WAL), so they cannot bound which of them were fences".to_string(),
    };
    Some(RULE.finding(
        &root.path,
        format!(
            "manifest {} of `{}` records WAL {} after its replay point, and {} gone: {why}; a writer open or a reader drops any writes {} held that were not in L0. A listing taken before the deletion (or the objects' versions, with their sizes) would tell",
            latest.id,
            root.path,
            id_ranges(ids),
            if ids.len() == 1 { "it is" } else { "they are" },
            if ids.len() == 1 { "it" } else { "they" }
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
/// but before the `next_wal_sst_id` of `publisher`, the manifest that published the newest L0).
pub fn would_drop(
    root: &RootState,
    latest: &Manifest,
    publisher: &Manifest,
    ids: &[u64],
) -> Finding {
    RULE.finding(
        &root.path,
        format!(
            "wiping the WAL of `{}` deletes WAL {} after the replay point of manifest {}; {} below {}, the `next_wal_sst_id` of manifest {} that published the newest L0, so {} may hold only rows that flush put in L0 (the replay point is stamped before the flush's own WAL), or writes made while it ran, which would be lost",
            root.path,
            id_ranges(ids),
            latest.id,
            if ids.len() == 1 { "it is" } else { "they are" },
            publisher.next_wal_sst_id,
            publisher.id,
            if ids.len() == 1 { "it" } else { "they" },
        ),
        evidence![("manifest_id", latest.id), ("replay_after_wal_id", latest.replay_after_wal_id), ("wal_ids_with_data", ids), ("l0_published_by_manifest", publisher.id)],
        "flush the memtable to L0 first (Db::flush_with_options(FlushType::MemTable), or close the writer with a memtable flush), then check again",
        Impact::Inconclusive,
    )
}
