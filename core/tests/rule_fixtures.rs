//! Every rule of the catalogue, on stores the real SlateDB wrote: one case where it fires and
//! one where it does not. Damage that the scenarios did not do (a deleted manifest, a truncated
//! listing) is applied to the inputs, as the deletion of that object would show in a listing.

mod common;

use common::store::{edit_manifests, inputs, made_at, relist_main};
use slatecheck_core::finding::Finding;
use slatecheck_core::limits::Limits;
use slatecheck_core::listing::ListingWarning;
use slatecheck_core::manifest::{decode_for_check, DecodedForCheck};
use slatecheck_core::plan::{evaluate, Action};
use slatecheck_core::rules::{scan_all, CheckOptions, RuleContext, RULES};
use slatecheck_core::snapshot::{RowsError, RowsRead, Snapshot, SnapshotInputs, StoreSide};
use slatecheck_core::sst::SstError;
use std::collections::BTreeSet;

/// How a case asks: a scan of every rule, or one planned action.
enum Ask<'a> {
    Scan,
    Plan(&'a str),
}

struct Case<'a> {
    rule: &'static str,
    fixture: &'a str,
    with_wal: bool,
    damage: fn(&mut SnapshotInputs),
    ask: Ask<'a>,
    days_later: i64,
}

fn no_damage(_: &mut SnapshotInputs) {}

fn rules_fired(case: &Case<'_>) -> BTreeSet<&'static str> {
    let (set, name) = case.fixture.split_once('/').expect("set/name");
    let dir = common::fixtures_dir().join(set).join(name);
    // The time the store was made, read before the damage (which may delete what tells it).
    let now = made_at(&Snapshot::build(inputs(&dir, case.with_wal)))
        + chrono::Duration::days(case.days_later);
    let mut given = inputs(&dir, case.with_wal);
    (case.damage)(&mut given);
    let snapshot = Snapshot::build(given);
    let options = CheckOptions::default();
    let cx = RuleContext {
        snapshot: &snapshot,
        now,
        options: &options,
    };
    let findings: Vec<Finding> = match &case.ask {
        Ask::Scan => scan_all(&cx),
        Ask::Plan(plan) => {
            let action: Action = plan.parse().expect("plan parses");
            evaluate(&cx, &action).expect("plan evaluates").findings
        }
    };
    findings.iter().map(|f| f.rule).collect()
}

/// Deletes the manifest objects with an id of at least `from` from a root, listing and copies.
fn drop_manifests(given: &mut SnapshotInputs, root: &str, keep: impl Fn(u64) -> bool) {
    let doomed = |key: &str| {
        key.strip_prefix(&format!("{root}/manifest/"))
            .and_then(|name| name.strip_suffix(".manifest"))
            .and_then(|id| id.parse::<u64>().ok())
            .is_some_and(|id| !keep(id))
    };
    if let Some(listing) = given.main.as_mut() {
        listing.objects.retain(|key, _| !doomed(key));
    }
    given.manifests.retain(|(key, _)| !doomed(key));
}

fn checkpoint_manifest_deleted(given: &mut SnapshotInputs) {
    // cp-all of `parent` points at manifest 4 (see the fixture's scenario.json).
    drop_manifests(given, "parent", |id| id != 4);
}

fn listing_truncated(given: &mut SnapshotInputs) {
    if let Some(listing) = given.main.as_mut() {
        listing.warnings.push(ListingWarning::Truncated {
            source: "main.json".into(),
            signal: "NextToken present".into(),
        });
    }
}

fn listing_older_than_manifests(given: &mut SnapshotInputs) {
    if let Some(listing) = given.main.as_mut() {
        let newest = listing
            .objects
            .keys()
            .filter(|k| k.starts_with("p/manifest/"))
            .max()
            .cloned();
        listing
            .objects
            .retain(|key, _| Some(key) != newest.as_ref());
    }
}

fn object_of_a_newer_slatedb(given: &mut SnapshotInputs) {
    // An SST of a kind SlateDB 0.18 does not write, beside `shard`'s SSTs.
    relist_main(
        given,
        |_| true,
        &[("shard/compacted/01JD3Q8W1Y5N9X7T2R4B6C8E0G.blob", 4096)],
    );
}

fn deletion_interrupted(given: &mut SnapshotInputs) {
    // `Admin::delete_db` writes `<root>/.deleting` first; a crash leaves it behind.
    let mut builder = slatecheck_core::listing::ListingBuilder::new(Default::default());
    for (key, object) in given
        .main
        .as_ref()
        .map(|l| l.objects.clone())
        .unwrap_or_default()
    {
        builder.push(slatecheck_core::listing::RawEntry::new(key, object.size));
    }
    builder.push(slatecheck_core::listing::RawEntry::new("db/.deleting", 0));
    given.main = Some(builder.finish());
}

/// Sets the listed size of every SST of `parent` (which `clone` reads in place) to 20 bytes,
/// as a copy of the store cut short would list them; `exact` says whether the listing gives
/// sizes exactly.
fn cut_parent_ssts(given: &mut SnapshotInputs, exact: bool) {
    if let Some(listing) = given.main.as_mut() {
        listing.objects.retain(|key, object| {
            if key.starts_with("parent/compacted/") {
                object.size = 20;
                object.size_exact = exact;
            }
            true
        });
    }
}

fn parent_ssts_cut_short(given: &mut SnapshotInputs) {
    cut_parent_ssts(given, true);
}

/// The same sizes, rounded by the listing (`--human-readable`): not judged.
fn parent_ssts_rounded(given: &mut SnapshotInputs) {
    cut_parent_ssts(given, false);
}

/// `db`'s latest manifest object cut to half its bytes, as an interrupted copy or restore
/// leaves it, and decoded as a check decodes the objects it is given.
fn db_latest_manifest_cut_short(given: &mut SnapshotInputs) {
    let latest = given
        .manifests
        .iter()
        .map(|(key, _)| key.clone())
        .filter(|key| key.starts_with("db/manifest/"))
        .max()
        .expect("db's manifests");
    given.manifests.retain(|(key, _)| *key != latest);
    let path = common::fixtures_dir()
        .join("v2/d2-wal-hole-later/main")
        .join(&latest);
    let bytes = std::fs::read(&path).expect("the fixture's manifest");
    let cut = &bytes[..bytes.len() / 2];
    if let Some(listing) = given.main.as_mut() {
        listing.objects.retain(|key, object| {
            if *key == latest {
                object.size = cut.len() as u64;
            }
            true
        });
    }
    match decode_for_check(&latest, cut, None, &Limits::default()) {
        Ok(DecodedForCheck::Damaged(what)) => given.damaged_manifests.push((latest, what)),
        other => panic!("a manifest cut short decodes as damaged: {other:?}"),
    }
}

/// Files a read of every non-empty WAL object of `db` (in the main store) that failed with
/// `why`, as a live check reads them.
fn db_wal_read_as(given: &mut SnapshotInputs, why: SstError) {
    let listed: Vec<(String, u64)> = given
        .main
        .as_ref()
        .map(|listing| {
            listing
                .objects
                .iter()
                .filter(|(key, object)| key.starts_with("db/wal/") && object.size > 0)
                .map(|(key, object)| (key.clone(), object.size))
                .collect()
        })
        .unwrap_or_default();
    assert!(!listed.is_empty(), "the fixture has WAL objects with rows");
    given
        .object_rows
        .extend(listed.into_iter().map(|(key, size)| RowsRead {
            side: StoreSide::Main,
            key,
            size,
            rows: Err(RowsError::Sst(why.clone())),
        }));
}

/// Every WAL object of `db` ends in a footer of no SST format: cut short.
fn db_wal_cut_short(given: &mut SnapshotInputs) {
    db_wal_read_as(given, SstError::UnsupportedVersion(27756));
}

/// Compressed with a codec slatecheck does not decode: SlateDB may read it.
fn db_wal_compressed_unknown(given: &mut SnapshotInputs) {
    db_wal_read_as(given, SstError::Compressed("zstd"));
}

fn parent_checkpoints_deleted(given: &mut SnapshotInputs) {
    common::store::drop_checkpoints(given, "parent");
}

fn latest_manifests_deleted(given: &mut SnapshotInputs) {
    // Roll `p` back to before its first L0 flush: the SST written then becomes an orphan.
    let first_with_ssts = given
        .manifests
        .iter()
        .filter(|(key, file)| key.starts_with("p/") && file.manifest.sst_views().next().is_some())
        .map(|(_, file)| file.manifest.id)
        .min()
        .expect("p flushed to L0");
    drop_manifests(given, "p", |id| id < first_with_ssts);
}

fn checkpoint_id_duplicated(given: &mut SnapshotInputs) {
    // A hand-merged manifest: `cp-all` listed again, pinning the detached checkpoint's manifest.
    edit_manifests(given, "parent", |_, manifest| {
        if let Some(copy) = manifest
            .checkpoints
            .iter()
            .find(|c| c.name.as_deref() == Some("cp-all"))
            .cloned()
        {
            manifest
                .checkpoints
                .push(slatecheck_core::model::Checkpoint {
                    manifest_id: 8,
                    ..copy
                });
        }
    });
}

fn clone_sst_ids_cut(given: &mut SnapshotInputs) {
    // A tool rewrote `clone`'s manifests and dropped one id from its parent's sst_ids.
    edit_manifests(given, "clone", |_, manifest| {
        if let Some(entry) = manifest.external_dbs.first_mut() {
            entry.sst_ids.pop();
        }
    });
}

fn pinned_manifest_rewritten(given: &mut SnapshotInputs) {
    // `parent`'s manifest 8, which `clone`'s pin points at, rewritten without its L0 SSTs.
    edit_manifests(given, "parent", |id, manifest| {
        if id == 8 {
            manifest.tree.l0.clear();
        }
    });
}

fn parent_elsewhere(given: &mut SnapshotInputs) {
    // The listing holds `clone` but nothing of `parent` (deleted, or in another bucket).
    relist_main(given, |key| !key.starts_with("parent/"), &[]);
    given
        .manifests
        .retain(|(key, _)| !key.starts_with("parent/"));
}

fn compactions_deleted(given: &mut SnapshotInputs) {
    relist_main(given, |key| !key.starts_with("parent/compactions/"), &[]);
}

fn boundary_past_latest(given: &mut SnapshotInputs) {
    // GC's boundary says at least 10; `p`'s manifests stop at 7 (restored from an older copy).
    relist_main(given, |_| true, &[("p/gc/manifest.boundary", 2)]);
}

fn boundary_below_latest(given: &mut SnapshotInputs) {
    relist_main(given, |_| true, &[("p/gc/manifest.boundary", 1)]);
}

/// The compactor epoch of fixture h's `clone/compactions/` object, as SlateDB wrote it.
fn compactions_epoch_read(given: &mut SnapshotInputs) {
    let key = "clone/compactions/00000000000000000008.compactions";
    let bytes = std::fs::read(
        common::fixtures_dir()
            .join("v2/h-clone-detach/main")
            .join(key),
    )
    .expect("compactions object");
    let epoch = slatecheck_core::manifest::compactor_epoch(&bytes).expect("decodes");
    given.compactor_epochs.push((key.to_string(), epoch));
}

/// As if the manifests that recorded the compactor's epoch bump were deleted: the ones left
/// record the epoch before it.
fn compactor_bump_lost(given: &mut SnapshotInputs) {
    compactions_epoch_read(given);
    edit_manifests(given, "clone", |_, manifest| manifest.compactor_epoch = 0);
}

fn writer_epoch_lowered(given: &mut SnapshotInputs) {
    edit_manifests(given, "parent", |id, manifest| {
        if id == 13 {
            manifest.writer_epoch = 0;
        }
    });
}

fn last_l0_seq_lowered(given: &mut SnapshotInputs) {
    edit_manifests(given, "p", |id, manifest| {
        if id == 7 {
            manifest.last_l0_seq = 1;
        }
    });
}

fn segments_reordered(given: &mut SnapshotInputs) {
    edit_manifests(given, "seg", |_, manifest| manifest.segments.reverse());
}

fn l0_minted_early(given: &mut SnapshotInputs) {
    // `parent` manifest 4 adds an L0 whose ULID time is 5 s before manifest 3's L0: a writer
    // host with a slow clock.
    let watermark = given
        .manifests
        .iter()
        .find(|(key, _)| key == "parent/manifest/00000000000000000003.manifest")
        .and_then(|(_, file)| file.manifest.tree.l0.first())
        .map(|view| view.id.timestamp_ms())
        .expect("manifest 3 has an L0");
    edit_manifests(given, "parent", |id, manifest| {
        if id == 4 {
            if let Some(newest) = manifest.tree.l0.first_mut().map(std::sync::Arc::make_mut) {
                let early = ulid::Ulid::from_parts(watermark - 5000, newest.id.random());
                newest.id = early;
                newest.sst.id = early.into();
            }
        }
    });
}

fn clone_flag_cleared(given: &mut SnapshotInputs) {
    // The seed fork's "fix": clones do not inherit `wal_object_store_uri`.
    edit_manifests(given, "child_ok", |_, manifest| {
        manifest.wal_object_store_uri = None;
    });
}

/// Lists `parent/wal/…05.sst` (data) as written `offset_s` seconds after `cp-detached`
/// (manifest 8, `next_wal_sst_id` 5) was created: a writer still running beside the admin.
fn wal_written_around_detached_checkpoint(given: &mut SnapshotInputs, offset_s: i64) {
    let created = given
        .manifests
        .iter()
        .flat_map(|(_, file)| file.manifest.checkpoints.iter())
        .find(|c| c.name.as_deref() == Some("cp-detached"))
        .map(|c| c.create_time)
        .expect("cp-detached");
    let mut builder = slatecheck_core::listing::ListingBuilder::new(Default::default());
    for (key, object) in given
        .main
        .as_ref()
        .map(|l| l.objects.clone())
        .unwrap_or_default()
    {
        builder.push(slatecheck_core::listing::RawEntry::new(key, object.size));
    }
    builder.push(slatecheck_core::listing::RawEntry {
        last_modified: Some(slatecheck_core::listing::ListedTime {
            at: created + chrono::Duration::seconds(offset_s),
            zone_known: true,
        }),
        ..slatecheck_core::listing::RawEntry::new("parent/wal/00000000000000000005.sst", 287)
    });
    given.main = Some(builder.finish());
}

fn wal_flushed_before_detached_checkpoint(given: &mut SnapshotInputs) {
    wal_written_around_detached_checkpoint(given, -60);
}

fn wal_flushed_after_detached_checkpoint(given: &mut SnapshotInputs) {
    wal_written_around_detached_checkpoint(given, 60);
}

#[test]
fn every_rule_fires_on_its_case_and_not_on_its_twin() {
    let split_target = clone_pin_of("v2/a-checkpoints-clones-gc");
    let split_plan = format!("split:clone@{split_target}=parent");
    // (rule, firing case, quiet case)
    let cases: Vec<(Case<'_>, Case<'_>)> = vec![
        pair(
            "SDB-CKPT-001",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                checkpoint_manifest_deleted,
                Ask::Scan,
                0,
            ),
            ("v2/a-checkpoints-clones-gc", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-CKPT-002",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("clone:parent@cp-all"),
                2,
            ),
            (
                "v2/e-segmented",
                false,
                no_damage,
                Ask::Plan("clone:seg@seg-cp"),
                -1,
            ),
        ),
        pair(
            "SDB-CKPT-003",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("clone:parent@no-such"),
                0,
            ),
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("clone:parent@cp-detached"),
                0,
            ),
        ),
        pair(
            "SDB-CLONE-001",
            (
                "v2/c-final-checkpoint-deleted",
                false,
                no_damage,
                Ask::Scan,
                0,
            ),
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-CLONE-002",
            ("v2/b-seed-wal-store-split", true, no_damage, Ask::Scan, 0),
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-CLONE-003",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan(&split_plan),
                0,
            ),
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("split:parent@cp-all=clone"),
                0,
            ),
        ),
        pair(
            "SDB-CLONE-004",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("delete-root:parent"),
                0,
            ),
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("delete-root:clone2"),
                0,
            ),
        ),
        pair(
            "SDB-CLONE-005",
            ("v2/b-seed-wal-store-split", true, no_damage, Ask::Scan, 0),
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-CLONE-006",
            ("v2/h-clone-detach", false, no_damage, Ask::Scan, 0),
            ("v2/a-checkpoints-clones-gc", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-GC-001",
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                parent_checkpoints_deleted,
                Ask::Plan("gc:parent"),
                1,
            ),
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                no_damage,
                Ask::Plan("gc:parent"),
                1,
            ),
        ),
        pair(
            "SDB-LIST-001",
            (
                "v2/g-fence-only-checkpoint",
                false,
                listing_truncated,
                Ask::Scan,
                0,
            ),
            ("v2/g-fence-only-checkpoint", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-LIST-002",
            (
                "v2/g-fence-only-checkpoint",
                false,
                listing_older_than_manifests,
                Ask::Scan,
                0,
            ),
            ("v2/g-fence-only-checkpoint", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-LIST-003",
            (
                "v2/b-seed-wal-store-split-after-wipe",
                false,
                no_damage,
                Ask::Plan("clone:shard@split"),
                0,
            ),
            (
                "v2/b-seed-wal-store-split-after-wipe",
                true,
                no_damage,
                Ask::Plan("clone:shard@split"),
                0,
            ),
        ),
        pair(
            "SDB-LIST-004",
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                object_of_a_newer_slatedb,
                Ask::Plan("clone:shard@split"),
                0,
            ),
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Plan("clone:shard@split"),
                0,
            ),
        ),
        pair(
            "SDB-MAN-001",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("read:nowhere"),
                0,
            ),
            (
                "v2/a-checkpoints-clones-gc",
                false,
                no_damage,
                Ask::Plan("read:parent"),
                0,
            ),
        ),
        pair(
            "SDB-MAN-009",
            (
                "v2/d2-wal-hole-later",
                false,
                db_latest_manifest_cut_short,
                Ask::Plan("read:db"),
                0,
            ),
            (
                "v2/d2-wal-hole-later",
                false,
                no_damage,
                Ask::Plan("read:db"),
                0,
            ),
        ),
        pair(
            "SDB-MAN-003",
            (
                "v2/d2-wal-hole-later",
                false,
                deletion_interrupted,
                Ask::Plan("read:db"),
                0,
            ),
            (
                "v2/d2-wal-hole-later",
                false,
                no_damage,
                Ask::Plan("read:db"),
                0,
            ),
        ),
        pair(
            "SDB-MAN-002",
            (
                "v2/g-fence-only-checkpoint",
                false,
                latest_manifests_deleted,
                Ask::Scan,
                0,
            ),
            ("v2/g-fence-only-checkpoint", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-SST-001",
            (
                "v2/c-final-checkpoint-deleted",
                false,
                no_damage,
                Ask::Plan("read:clone"),
                0,
            ),
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                no_damage,
                Ask::Plan("read:clone"),
                0,
            ),
        ),
        pair(
            "SDB-WAL-001",
            (
                "v2/b-seed-wal-store-split-after-wipe",
                true,
                no_damage,
                Ask::Plan("clone:shard@split"),
                0,
            ),
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Plan("clone:shard@split"),
                0,
            ),
        ),
        pair(
            "SDB-WAL-002",
            (
                "v2/g-fence-only-checkpoint",
                false,
                no_damage,
                Ask::Plan("clone:p@fences"),
                0,
            ),
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Plan("clone:shard@split"),
                0,
            ),
        ),
        pair(
            "SDB-WAL-003",
            (
                "v2/d2-wal-hole-later",
                false,
                no_damage,
                Ask::Plan("open:db"),
                0,
            ),
            (
                "v2/d1-wal-wiped-before-wipe",
                true,
                no_damage,
                Ask::Plan("open:db"),
                0,
            ),
        ),
        pair(
            // Shard's WAL store was wiped and the writer reopened on it (fence WAL 2): WAL 3 of
            // the replay range is gone, and it can be epoch 2's fence.
            "SDB-WAL-004",
            (
                "v2/b-seed-wal-store-split",
                true,
                no_damage,
                Ask::Plan("open:shard"),
                0,
            ),
            (
                "v2/d1-wal-wiped-before-wipe",
                true,
                no_damage,
                Ask::Plan("open:db"),
                0,
            ),
        ),
        pair(
            "SDB-WAL-009",
            (
                "v2/i-reopen-wal-wiped",
                true,
                no_damage,
                Ask::Plan("read:db"),
                0,
            ),
            (
                "v2/i-reopen-wal-wiped-before-wipe",
                true,
                no_damage,
                Ask::Plan("read:db"),
                0,
            ),
        ),
        pair(
            // d1: WAL 3 (after manifest 3 published the L0 at next 3) is gone, and epoch 1's
            // fence is at most WAL 2. The seed's WAL 3 may be a fence: not decided.
            "SDB-WAL-010",
            ("v2/d1-wal-wiped", true, no_damage, Ask::Plan("open:db"), 0),
            (
                "v2/b-seed-wal-store-split",
                true,
                no_damage,
                Ask::Plan("open:shard"),
                0,
            ),
        ),
        pair(
            "SDB-WAL-006",
            ("v2/f-projected-clone", false, no_damage, Ask::Scan, 0),
            ("v2/d2-wal-hole-later", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-WAL-005",
            (
                "v2/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Scan,
                0,
            ),
            ("v2/a-checkpoints-clones-gc", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-CKPT-004",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                checkpoint_id_duplicated,
                Ask::Scan,
                0,
            ),
            ("v2/a-checkpoints-clones-gc", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-CKPT-005",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                wal_flushed_before_detached_checkpoint,
                Ask::Scan,
                0,
            ),
            (
                "v2/a-checkpoints-clones-gc",
                false,
                wal_flushed_after_detached_checkpoint,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-CLONE-007",
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                clone_sst_ids_cut,
                Ask::Scan,
                0,
            ),
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-CLONE-008",
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                pinned_manifest_rewritten,
                Ask::Scan,
                0,
            ),
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-CLONE-009",
            (
                "v2/c-final-checkpoint-deleted-pinned",
                false,
                parent_elsewhere,
                Ask::Scan,
                0,
            ),
            (
                "v2/c-final-checkpoint-deleted",
                false,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-GC-002",
            (
                "v2/c-final-checkpoint-deleted",
                false,
                compactions_deleted,
                Ask::Scan,
                0,
            ),
            ("v2/h-clone-detach", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-MAN-004",
            (
                "v2/g-fence-only-checkpoint",
                false,
                boundary_past_latest,
                Ask::Plan("open:p"),
                0,
            ),
            (
                "v2/g-fence-only-checkpoint",
                false,
                boundary_below_latest,
                Ask::Plan("open:p"),
                0,
            ),
        ),
        pair(
            "SDB-MAN-005",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                writer_epoch_lowered,
                Ask::Scan,
                0,
            ),
            ("v2/a-checkpoints-clones-gc", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-MAN-006",
            (
                "v2/g-fence-only-checkpoint",
                false,
                last_l0_seq_lowered,
                Ask::Scan,
                0,
            ),
            ("v2/g-fence-only-checkpoint", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-MAN-007",
            ("v2/e-segmented", false, segments_reordered, Ask::Scan, 0),
            ("v2/e-segmented", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-MAN-008",
            (
                "v2/h-clone-detach",
                false,
                compactor_bump_lost,
                Ask::Scan,
                0,
            ),
            (
                "v2/h-clone-detach",
                false,
                compactions_epoch_read,
                Ask::Scan,
                0,
            ),
        ),
        pair(
            "SDB-SST-002",
            ("v2/h-clone-detach", false, l0_minted_early, Ask::Scan, 0),
            ("v2/h-clone-detach", false, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-WAL-011",
            (
                "v2/l-idle-reopens-wal-wiped-before-wipe",
                false,
                db_wal_cut_short,
                Ask::Plan("open:db"),
                0,
            ),
            (
                "v2/l-idle-reopens-wal-wiped-before-wipe",
                false,
                db_wal_compressed_unknown,
                Ask::Plan("open:db"),
                0,
            ),
        ),
        pair(
            "SDB-SST-003",
            (
                "v2/a-checkpoints-clones-gc",
                false,
                parent_ssts_cut_short,
                Ask::Plan("read:clone"),
                0,
            ),
            (
                "v2/a-checkpoints-clones-gc",
                false,
                parent_ssts_rounded,
                Ask::Plan("read:clone"),
                0,
            ),
        ),
        pair(
            "SDB-WAL-007",
            ("v1/b-seed-wal-store-split", true, no_damage, Ask::Scan, 0),
            ("v2/b-seed-wal-store-split", true, no_damage, Ask::Scan, 0),
        ),
        pair(
            "SDB-WAL-008",
            (
                "v1/b-seed-wal-store-split-before-wipe",
                true,
                clone_flag_cleared,
                Ask::Scan,
                0,
            ),
            (
                "v1/b-seed-wal-store-split-before-wipe",
                true,
                no_damage,
                Ask::Scan,
                0,
            ),
        ),
    ];
    let mut covered = BTreeSet::new();
    for (fires, quiet) in &cases {
        let fired = rules_fired(fires);
        assert!(
            fired.contains(fires.rule),
            "{} does not fire on {}: {fired:?}",
            fires.rule,
            fires.fixture
        );
        let silent = rules_fired(quiet);
        assert!(
            !silent.contains(quiet.rule),
            "{} fires on its quiet case {}: {silent:?}",
            quiet.rule,
            quiet.fixture
        );
        covered.insert(fires.rule);
    }
    let registered: BTreeSet<&str> = RULES.iter().map(|rule| rule.id).collect();
    assert_eq!(
        covered, registered,
        "every registered rule needs a firing and a quiet case here"
    );
}

type Spec<'a> = (&'a str, bool, fn(&mut SnapshotInputs), Ask<'a>, i64);

fn pair<'a>(rule: &'static str, fires: Spec<'a>, quiet: Spec<'a>) -> (Case<'a>, Case<'a>) {
    let case = |(fixture, with_wal, damage, ask, days_later): Spec<'a>| Case {
        rule,
        fixture,
        with_wal,
        damage,
        ask,
        days_later,
    };
    (case(fires), case(quiet))
}

/// The id of the pin `clone2` placed on `clone` in fixture `a`.
fn clone_pin_of(fixture: &str) -> String {
    let (set, name) = fixture.split_once('/').expect("set/name");
    let given = inputs(&common::fixtures_dir().join(set).join(name), false);
    let snapshot = Snapshot::build(given);
    let clone = snapshot.root("clone").expect("clone root");
    let latest = clone
        .manifest(clone.latest_id.expect("latest"))
        .expect("given");
    latest
        .checkpoints
        .iter()
        .find(|c| c.name.is_none() && c.expire_time.is_none())
        .expect("clone2's pin")
        .id
        .to_string()
}

/// A clone from latest copies only the latest manifest's WAL range: after the newest manifests
/// were deleted, WAL 2 (284 B of writes) lies past it, so the clone would miss those writes
/// (the oracle's seed 193 saw SlateDB do exactly that). With the manifests intact it does not.
#[test]
fn a_clone_from_latest_flags_written_wals_past_a_rolled_back_manifest() {
    let unreferenced = |damage: fn(&mut SnapshotInputs)| {
        let dir = common::fixtures_dir().join("v2/g-fence-only-checkpoint");
        let now = made_at(&Snapshot::build(inputs(&dir, false)));
        let mut given = inputs(&dir, false);
        damage(&mut given);
        let snapshot = Snapshot::build(given);
        let options = CheckOptions::default();
        let cx = RuleContext {
            snapshot: &snapshot,
            now,
            options: &options,
        };
        let action: Action = "clone:p".parse().expect("plan");
        evaluate(&cx, &action)
            .expect("plan evaluates")
            .findings
            .into_iter()
            .filter(|f| f.rule == "SDB-MAN-002" && f.message.contains("past the WAL range"))
            .filter_map(|f| f.evidence.get("unreferenced_keys").cloned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        unreferenced(latest_manifests_deleted),
        [serde_json::json!(["p/wal/00000000000000000002.sst"])]
    );
    assert!(unreferenced(no_damage).is_empty());
}
