//! `SDB-WAL-003` wal-hole: a hole in the WAL makes a writer open skip or trip over WAL objects. See [`RULE`].

use super::id_ranges;
use super::wal_replay_range_missing::known_fences;
use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::listing::ObjectsById;
use crate::model::{Manifest, WalId};
use crate::rules::listing::input_missing;
use crate::rules::RuleContext;
use crate::snapshot::{
    fence_slots, max_missing_fences, newest_l0, proven_fences, RootState, RowsAgainstL0,
    WriterOpenForecast,
};
use std::collections::BTreeSet;

crate::declare_rule! {
    /// ## What it checks
    /// That the WAL objects after the latest manifest's `replay_after_wal_id` are contiguous,
    /// by replaying SlateDB's own probe for the end of the WAL (`last_seen_wal_id`: HEAD at
    /// `start + 2^k`, then a binary search) over the listed ids.
    ///
    /// ## Why it matters
    /// The probe assumes there is no hole. With one near the replay point, it stops early: the
    /// new writer's fence lands in the hole, the WAL objects behind it are never replayed
    /// (acknowledged writes silently disappear), and the writer's first WAL flush collides
    /// with an existing object. With a hole further on, the probe jumps past it and replay
    /// trips over it.
    ///
    /// ## SlateDB error it prevents
    /// Silent loss of the writes in the skipped WAL objects, then `Fenced` ("detected newer DB
    /// client") on the next WAL flush; or `WalTruncated` ("wal truncated at wal file N") on open.
    ///
    /// ## Example
    /// `replay_after_wal_id=0`, WAL 1 deleted, WAL 2 and 3 hold writes: the open fences WAL 1,
    /// replays nothing, and drops the writes in WAL 2 and 3.
    pub static RULE = {
        id: "SDB-WAL-003",
        name: "wal-hole",
        family: Wal,
        severity: Error,
        summary: "a hole in the WAL makes a writer open skip or trip over WAL objects",
        scan: scan,
    };
}

/// Forecasts a writer open of `root` at `latest`; a finding when it goes wrong or cannot be told.
pub fn check(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let present = match cx.wal_ids(root) {
        Ok(present) => present,
        Err(why) => {
            // Nothing to replay and nothing that could collide: the open needs no WAL objects.
            if latest.wal_replay_range().is_empty()
                && root.wal_in_main.is_empty()
                && root.wal_in_wal_store.is_empty()
            {
                return None;
            }
            return Some(input_missing::finding(
                &root.path,
                &format!("which WAL objects a writer open of `{}` replays", root.path),
                &why,
            ));
        }
    };
    let forecast = WriterOpenForecast::new(latest.replay_after_wal_id, &present);
    let evidence = evidence![
        ("manifest_id", latest.id),
        ("replay_after_wal_id", latest.replay_after_wal_id),
        ("probe_stops_at", forecast.last_seen),
        ("fence_wal_id", forecast.fence),
        ("missing_in_replay", &forecast.missing_in_replay),
        ("skipped_wal_ids", &forecast.skipped),
    ];
    let remediation = "do not open a writer: restore the missing WAL objects first (versioning or backup); if they are truly lost, copy the data out with a reader before any writer touches the WAL";
    if let Some(first) = forecast.missing_in_replay.first() {
        return Some(RULE.finding(
            &root.path,
            format!(
                "a writer open of `{}` replays WAL {}–{} but WAL {} {} missing",
                root.path,
                latest.replay_after_wal_id.saturating_add(1),
                forecast.fence,
                id_ranges(&forecast.missing_in_replay),
                if forecast.missing_in_replay.len() == 1 {
                    "is"
                } else {
                    "are"
                }
            ),
            evidence,
            remediation,
            Impact::Unsafe {
                predicted_error: format!("WalTruncated({first})"),
            },
        ));
    }
    if !forecast.skipped.is_empty() {
        // Skipped zero-byte objects are other opens' fences: skipping them drops no write,
        // but the writer's first WAL flush still collides with the next of them.
        let only_fences = cx.wal_objects(root).is_ok_and(|objects| {
            forecast
                .skipped
                .iter()
                .all(|id| objects.get(id).is_some_and(|object| object.size == 0))
        });
        let (skipping, predicted_error) = if only_fences {
            (
                "zero-byte fences, so no write is dropped, but the writer's first WAL flush collides with",
                "Fenced (detected newer DB client) on the writer's first WAL flush",
            )
        } else {
            (
                "their writes are dropped and the next WAL flush collides with",
                "silent loss of WAL-only writes, then Fenced (detected newer DB client)",
            )
        };
        return Some(RULE.finding(
            &root.path,
            format!(
                "a writer open of `{}` stops probing at WAL {} (WAL {} is missing), writes its fence there, and never replays WAL {}: {skipping} WAL {}",
                root.path,
                forecast.last_seen,
                forecast.fence,
                id_ranges(&forecast.skipped),
                forecast.fence.saturating_add(1)
            ),
            evidence,
            remediation,
            Impact::Unsafe {
                predicted_error: predicted_error.into(),
            },
        ));
    }
    None
}

/// A `DbReader` over a WAL with a hole: it stops at the first missing object and reads nothing
/// after it (it writes nothing, so nothing collides). That loses writes only where the objects
/// from the hole on held writes that are not in L0: listed objects with data at or after the
/// newest L0's `next_wal_sst_id` (certain loss), or listed objects with data before it and
/// missing ones that are not proven fences (undecided: see
/// [`super::wal_replay_range_missing::shares_wal_with_l0`]). Proven fences and listed zero-byte
/// objects lose nothing: when they are all it misses, the hole is advice.
pub fn check_reader(cx: &RuleContext<'_>, root: &RootState, latest: &Manifest) -> Option<Finding> {
    let mut finding = check(cx, root, latest)?;
    let Ok(objects) = cx.wal_objects(root) else {
        return Some(finding);
    };
    let last = *objects.keys().next_back()?;
    let first_missing = reader_stops_at(objects, latest)?;
    let next = newest_l0(root, latest).next_wal_sst_id;
    let slots = fence_slots(root, latest);
    let fences = proven_fences(&slots);
    // A listed object's rows, when read, say what a data object before the bound held.
    let rows_past_l0 = |id: u64| match cx.wal_rows(root, id) {
        Some(Ok(rows)) => Some(RowsAgainstL0::past_l0(rows, latest)),
        _ => None,
    };
    let mut lost: Vec<u64> = objects
        .range(first_missing..)
        .filter(|(id, o)| o.size > 0 && (**id >= next || rows_past_l0(**id) == Some(true)))
        .map(|(id, _)| *id)
        .collect();
    let gone: BTreeSet<u64> = (first_missing..=last)
        .filter(|id| !objects.contains_key(id) && !fences.contains(id))
        .collect();
    // Gone objects that no writer open can have fenced held data: at or after the bound, writes
    // that are not in L0. When more are gone there than opens can have fenced, some did.
    let max_fences = max_missing_fences(&slots, &known_fences(root), &gone);
    let gone_past_l0: Vec<u64> = gone.range(next..).copied().collect();
    let certainly_lost = match max_fences {
        Some(fenced) => gone_past_l0.len().saturating_sub(fenced),
        None => 0,
    };
    if certainly_lost > 0 {
        lost.extend(&gone_past_l0);
        lost.sort_unstable();
    }
    let undecided: Vec<u64> = (first_missing..=last)
        .filter(|id| match objects.get(id) {
            Some(object) => object.size > 0 && *id < next && rows_past_l0(*id).is_none(),
            None => gone.contains(id) && (certainly_lost == 0 || *id < next),
        })
        .collect();
    let impact = if !lost.is_empty() {
        Impact::Unsafe {
            predicted_error: format!(
                "DbReader stops at the first missing WAL object ({first_missing}): reads miss the writes in WAL {}",
                id_ranges(&lost)
            ),
        }
    } else if !undecided.is_empty() && !cx.writers_closed_over(root, latest) {
        Impact::Inconclusive
    } else {
        Impact::Advisory
    };
    let gone_counted = if certainly_lost > 0 {
        format!(
            " (of the gone WAL {}, at least {certainly_lost} held writes: more are gone there than the writer opens the manifests record can have fenced)",
            id_ranges(&gone_past_l0)
        )
    } else {
        String::new()
    };
    let consequence = match &impact {
        Impact::Unsafe { .. } => format!(
            "a `DbReader` stops at WAL {first_missing} and misses the writes in WAL {}, which are not in L0{gone_counted}",
            id_ranges(&lost)
        ),
        Impact::Inconclusive => format!(
            "a `DbReader` stops at WAL {first_missing}; whether WAL {} held writes that are not in L0 the history cannot tell",
            id_ranges(&undecided)
        ),
        Impact::Advisory if undecided.is_empty() => format!(
            "a `DbReader` stops at WAL {first_missing}, but what it does not read is fences: it misses nothing"
        ),
        Impact::Advisory => format!(
            "a `DbReader` stops at WAL {first_missing}, but what it does not read is fences or, as every writer closed with `Db::close()` (--writers-closed), rows of L0 (WAL {}): it misses nothing",
            id_ranges(&undecided)
        ),
    };
    finding.message = format!("{}; {consequence}", finding.message);
    if matches!(impact, Impact::Advisory) {
        finding.severity = finding.severity.min(crate::finding::Severity::Warning);
    }
    finding.impact = impact;
    Some(finding)
}

/// Where a `DbReader` stops: the first WAL id after the replay point of `latest` that is not
/// among `objects`, below the newest of them (`None`: no hole).
pub fn reader_stops_at(objects: &ObjectsById<WalId>, latest: &Manifest) -> Option<WalId> {
    let start = latest.replay_after_wal_id.saturating_add(1);
    let last = *objects.keys().next_back()?;
    (start..last).find(|id| !objects.contains_key(id))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(cx, root, latest));
    }
}
