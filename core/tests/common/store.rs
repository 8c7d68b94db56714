//! A committed fixture store as slatecheck's inputs: listings made from its directories
//! (every object with its size and modification time) and its manifest objects decoded.

use slatecheck_core::limits::DEFAULT_LIMITS;
use slatecheck_core::listing::{ListingBuilder, ListingOptions, RawEntry};
use slatecheck_core::manifest::decode_manifest_file;
use slatecheck_core::rules::{CheckOptions, RuleContext};
use slatecheck_core::snapshot::{objects_to_read, RowsRead, Snapshot, SnapshotInputs, StoreSide};
use slatecheck_core::sst::read_sst_rows;
use std::path::Path;

fn listing_of(dir: &Path) -> slatecheck_core::listing::Listing {
    let mut builder = ListingBuilder::new(ListingOptions::default());
    for path in super::files_under(dir) {
        let size = std::fs::metadata(&path).expect("metadata").len();
        builder.push(RawEntry::new(super::key_below(dir, &path), size));
    }
    builder.finish()
}

/// Inputs for a fixture: its main store listing, its WAL store listing when `with_wal` and the
/// fixture has one, and every manifest object.
pub fn inputs(fixture: &Path, with_wal: bool) -> SnapshotInputs {
    let main = fixture.join("main");
    let wal = fixture.join("wal");
    let manifests = super::manifest_objects(&main)
        .into_iter()
        .map(|(key, bytes)| {
            let file = decode_manifest_file(&key, &bytes, None)
                .expect("fixture manifest decodes")
                .remove(0);
            (key, file)
        })
        .collect();
    let separate_wal = fixture_uses_wal_store(fixture);
    SnapshotInputs {
        main: Some(listing_of(&main)),
        wal: (with_wal && separate_wal).then(|| listing_of(&wal)),
        manifests,
        ..SnapshotInputs::default()
    }
}

/// [`inputs`], with the rows of the objects a check of the live store reads
/// ([`objects_to_read`]), read from the fixture's directories as `--store` reads them.
pub fn inputs_with_object_rows(fixture: &Path, with_wal: bool) -> SnapshotInputs {
    let mut given = inputs(fixture, with_wal);
    read_object_rows(fixture, &mut given);
    given
}

/// Reads into `given` the rows of the objects a check of the live store would read for the
/// listings and manifests `given` holds, from the fixture's directories.
pub fn read_object_rows(fixture: &Path, given: &mut SnapshotInputs) {
    let plan = objects_to_read(
        given.main.as_ref(),
        given.wal.as_ref(),
        &given.manifests,
        DEFAULT_LIMITS.sst_read_bytes,
        &|_| true,
    );
    given.object_rows = plan
        .to_read
        .into_iter()
        .map(|object| {
            let dir = match object.side {
                StoreSide::Main => fixture.join("main"),
                StoreSide::WalStore => fixture.join("wal"),
            };
            let bytes = std::fs::read(dir.join(&object.key)).expect("listed object");
            RowsRead {
                side: object.side,
                key: object.key,
                size: bytes.len() as u64,
                rows: read_sst_rows(&bytes).map_err(slatecheck_core::snapshot::RowsError::Sst),
            }
        })
        .collect();
}

/// Whether the scenario used a separate WAL store (its `wal/` folder may be empty, and git
/// keeps no empty folders, so the scenario record says).
pub fn fixture_uses_wal_store(fixture: &Path) -> bool {
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixture.join("scenario.json")).expect("scenario.json"),
    )
    .expect("JSON");
    record["separate_wal_store"].as_bool().unwrap_or(false)
}

/// A snapshot of a fixture.
pub fn snapshot(fixture: &Path, with_wal: bool) -> Snapshot {
    Snapshot::build(inputs(fixture, with_wal))
}

/// The time a fixture was made: a minute after its newest checkpoint (the scenarios run in
/// seconds), so checkpoint lifetimes are judged as they were then.
pub fn made_at(snapshot: &Snapshot) -> chrono::DateTime<chrono::Utc> {
    snapshot.newest_checkpoint_time().unwrap_or_default() + chrono::Duration::seconds(60)
}

/// Runs `f` with a rule context over `snapshot` at the time the fixture was made.
pub fn with_context<T>(snapshot: &Snapshot, f: impl FnOnce(&RuleContext<'_>) -> T) -> T {
    let options = CheckOptions::default();
    f(&RuleContext {
        snapshot,
        now: made_at(snapshot),
        options: &options,
    })
}

/// What `Admin::delete_checkpoint` on every checkpoint of `root` leaves: its manifests list none.
pub fn drop_checkpoints(given: &mut SnapshotInputs, root: &str) {
    let prefix = format!("{root}/");
    for (key, file) in given.manifests.iter_mut() {
        if key.starts_with(&prefix) {
            file.manifest.checkpoints.clear();
        }
    }
}

/// Edits every decoded manifest of `root` with `edit(id, manifest)`, as a tool rewriting the
/// manifest objects would.
pub fn edit_manifests(
    given: &mut SnapshotInputs,
    root: &str,
    edit: impl Fn(u64, &mut slatecheck_core::model::Manifest),
) {
    let prefix = format!("{root}/manifest/");
    for (key, file) in given.manifests.iter_mut() {
        if key.starts_with(&prefix) {
            edit(file.manifest.id, &mut file.manifest);
        }
    }
}

/// Rebuilds the main store listing with `keep` deciding which objects stay and `extra`
/// objects (key, size) added, as a listing taken after objects were deleted or written.
pub fn relist_main(given: &mut SnapshotInputs, keep: impl Fn(&str) -> bool, extra: &[(&str, u64)]) {
    given.main = Some(relisted(given.main.as_ref(), keep, extra));
}

/// [`relist_main`] for the WAL store listing.
pub fn relist_wal(given: &mut SnapshotInputs, keep: impl Fn(&str) -> bool, extra: &[(&str, u64)]) {
    given.wal = Some(relisted(given.wal.as_ref(), keep, extra));
}

fn relisted(
    listing: Option<&slatecheck_core::listing::Listing>,
    keep: impl Fn(&str) -> bool,
    extra: &[(&str, u64)],
) -> slatecheck_core::listing::Listing {
    let mut builder = ListingBuilder::new(ListingOptions::default());
    for (key, object) in listing.map(|l| l.objects.clone()).unwrap_or_default() {
        if keep(&key) {
            builder.push(RawEntry::new(key, object.size));
        }
    }
    for (key, size) in extra {
        builder.push(RawEntry::new(*key, *size));
    }
    builder.finish()
}
