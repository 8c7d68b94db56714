//! `slatecheck check`: the verdict on a store, or on planned actions, from listings and
//! manifest objects.

use crate::cli::{CheckArgs, FormatTarget, ReportFormat, WalPolicyArg, EVERY_ROOT};
use crate::commands::listing::read_files;
use crate::exit::{write_stdout, Failure, INCONCLUSIVE, SAFE, UNSAFE};
use slatecheck_core::bundle::BundleInfo;
use slatecheck_core::check::{run_check, CheckRequest};
use slatecheck_core::config::{Config, CONFIG_FILE_NAME};
use slatecheck_core::digest::{sha256_of_files, Hasher};
use slatecheck_core::finding::Verdict;
use slatecheck_core::limits::Limits;
use slatecheck_core::listing::{classify_key, SlateObject};
use slatecheck_core::manifest::{
    decode_for_check, newest_compactions, readable_epochs, DecodedForCheck, ManifestError,
    SharedSstViews, MAX_COMPACTIONS_BYTES,
};
use slatecheck_core::report::{
    render_github, render_html, render_junit, render_markdown, render_sarif, render_text, Baseline,
    InputRef, Report,
};
use slatecheck_core::rules::{CheckOptions, WalPolicy};
use slatecheck_core::snapshot::{
    objects_to_read, GivenManifests, ReadPlan, RowsError, RowsRead, Snapshot, SnapshotInputs,
};
use slatecheck_core::sst::read_sst_rows;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub fn run(args: &CheckArgs) -> Result<u8, Failure> {
    if args.listings.is_empty()
        && args.manifests.is_none()
        && args.store.is_none()
        && args.bundle.is_none()
    {
        return Err(Failure::input("nothing to check: give --store URL, --bundle FILE, or --listing FILE and --manifests DIR (see `slatecheck check --help`)"));
    }
    let targets = report_targets(args)?;
    let config = read_config(args.config.as_deref())?;
    let baseline = read_baseline(args.baseline.as_deref())?;
    let listing_options = args.reading.listing_options();
    let limits = super::with_limit_assignments(config.limits, &args.limits)?;
    // The objects whose rows settle verdicts are read only for the roots the plans name
    // (for every root without plans).
    let plan_roots: BTreeSet<&str> = args
        .plans
        .iter()
        .map(|plan| plan.root().trim_matches('/'))
        .collect();
    let planned = |root: &str| plan_roots.is_empty() || plan_roots.contains(root);
    let mut inputs = Vec::new();
    // A bundle collected without a WAL store says the WAL is in the main store.
    let mut no_wal_store = args.no_wal_store;
    let (mut snapshot_inputs, store_refs) = match (&args.store, &args.bundle) {
        (Some(url), _) => live_inputs(
            url,
            args.wal_store.as_deref(),
            &listing_options,
            &limits,
            &planned,
        )?,
        (None, Some(bundle)) => {
            let (info, inputs, refs) = bundle_inputs(bundle, &listing_options, &limits)?;
            no_wal_store |= info.wal_store_given == Some(false);
            (inputs, refs)
        }
        (None, None) => (SnapshotInputs::default(), Vec::new()),
    };
    inputs.extend(store_refs);
    let given_manifests = snapshot_inputs.take_manifests();
    let earlier = match &args.earlier_bundle {
        Some(earlier) => {
            let (_, earlier_inputs, refs) = bundle_inputs(earlier, &listing_options, &limits)?;
            inputs.extend(refs.into_iter().map(|input| InputRef {
                kind: "earlier-bundle".into(),
                ..input
            }));
            Some(earlier_inputs)
        }
        None => None,
    };
    let mut read = |files: &[PathBuf], kind: &str| -> Result<_, Failure> {
        if files.is_empty() {
            return Ok(None);
        }
        let (mut listing, hashes) = read_files(
            files,
            listing_options.clone(),
            args.reading.max_objects(),
            None,
        )?;
        if args.reading.listing_complete {
            slatecheck_core::listing::assume_complete(&mut listing.warnings);
        }
        inputs.extend(
            hashes
                .into_iter()
                .map(|(path, sha256)| file_ref(kind, &path, sha256)),
        );
        Ok(Some(listing))
    };
    // The manifest folder is read beside the listings: the cores a listing's last chunks
    // and its joining leave idle decode manifests meanwhile.
    let prefix = args.reading.prefix.as_deref();
    let (main, wal, manifests_read) = std::thread::scope(|scope| {
        let manifests_read = args
            .manifests
            .as_deref()
            .map(|dir| (dir, scope.spawn(|| read_manifest_dir(dir, prefix, &limits))));
        let main = read(&args.listings, "listing");
        let wal = read(&args.wal_listings, "wal-listing");
        let manifests_read = manifests_read.map(|(dir, reading)| match reading.join() {
            Ok(read) => (dir, read),
            Err(panic) => std::panic::resume_unwind(panic),
        });
        (main, wal, manifests_read)
    });
    // Errors in the order the inputs are named in: listings, WAL listings, manifests.
    let main = main?.or(snapshot_inputs.main);
    let wal = wal?.or(snapshot_inputs.wal);
    let mut object_rows = snapshot_inputs.object_rows;
    let (manifests, compactor_epochs) = match manifests_read {
        Some((dir, read)) => {
            let read = read?;
            inputs.push(file_ref("manifests", dir, read.sha256));
            if !read.sst_files.is_empty() {
                let plan = objects_to_read(
                    main.as_ref(),
                    wal.as_ref(),
                    &read.manifests.decoded,
                    limits.sst_read_bytes,
                    &planned,
                );
                object_rows.extend(read_sst_files(dir, plan, &read.sst_files, &mut inputs)?);
            }
            (read.manifests, read.compactor_epochs)
        }
        None => (given_manifests, snapshot_inputs.compactor_epochs),
    };
    let mut given = SnapshotInputs {
        main,
        wal,
        compactor_epochs,
        object_rows,
        ..SnapshotInputs::default()
    }
    .with_manifests(manifests);
    if let Some(earlier) = earlier {
        given.add_earlier(earlier);
    }
    let snapshot = Snapshot::build(given);
    let (writers_closed, writers_closed_roots) = stated_roots(&args.writers_closed);
    let (writers_closed_wal_only, writers_closed_wal_only_roots) =
        stated_roots(&args.writers_closed_wal_only);
    let request = CheckRequest {
        plans: args.plans.clone(),
        roots: args.roots.clone(),
        now: args.now,
        options: CheckOptions {
            min_age: args.min_age,
            expiry_margin: args.expiry_margin,
            wal_policy: match args.wal_policy {
                WalPolicyArg::Upstream => WalPolicy::Upstream,
                WalPolicyArg::SkipLeadingMissing => WalPolicy::SkipLeadingMissing,
            },
            no_wal_store,
            gc_running: args.gc_running,
            writers_closed,
            writers_closed_roots,
            writers_closed_wal_only,
            writers_closed_wal_only_roots,
        },
        inputs,
        limits,
    };
    let mut report =
        run_check(&snapshot, request).map_err(|err| Failure::input(err.to_string()))?;
    report.apply_policy(&config, baseline.as_ref());
    if args.redact {
        report.redact();
    }
    write_reports(&report, &targets, args.output.as_deref())?;
    let fail_level = args.fail_level.or(config.fail_level).unwrap_or_default();
    let code = match report.gate(fail_level) {
        Verdict::Safe => SAFE,
        Verdict::Unsafe => UNSAFE,
        Verdict::Inconclusive => INCONCLUSIVE,
    };
    crate::exit::leave_to_exit(snapshot);
    crate::exit::leave_to_exit(report);
    Ok(code)
}

/// The formats to write: as given, or text to stdout. At most one may go to stdout.
fn report_targets(args: &CheckArgs) -> Result<Vec<FormatTarget>, Failure> {
    let mut targets = args.formats.clone();
    if targets.is_empty() {
        targets.push(FormatTarget {
            format: ReportFormat::Text,
            file: None,
        });
    }
    if targets.iter().filter(|t| t.file.is_none()).count() > 1 {
        return Err(Failure::input(
            "several --format without =FILE: give every format but one a file (--format sarif=report.sarif)",
        ));
    }
    Ok(targets)
}

/// A statement's arguments as given (`--flag` alone, or `--flag=ROOT,...`, repeatable): whether
/// it is made of every database, and the roots it names.
fn stated_roots(args: &[String]) -> (bool, Vec<String>) {
    let every = args.iter().any(|root| root == EVERY_ROOT);
    let named = args
        .iter()
        .filter(|root| *root != EVERY_ROOT)
        .cloned()
        .collect();
    (every, named)
}

/// `--config FILE`, else `./slatecheck.toml` when it exists, else no configuration.
fn read_config(path: Option<&Path>) -> Result<Config, Failure> {
    let default = Path::new(CONFIG_FILE_NAME);
    let path = match path {
        Some(path) => path,
        None if default.is_file() => default,
        None => return Ok(Config::default()),
    };
    let text = std::fs::read_to_string(path)
        .map_err(|err| Failure::input(format!("{}: cannot read: {err}", path.display())))?;
    Config::parse(&path.display().to_string(), &text).map_err(|err| Failure::input(err.to_string()))
}

fn read_baseline(path: Option<&Path>) -> Result<Option<Baseline>, Failure> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|err| Failure::input(format!("{}: cannot read: {err}", path.display())))?;
    Baseline::from_json(&path.display().to_string(), &text)
        .map(Some)
        .map_err(|err| Failure::input(err.to_string()))
}

fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Text => render_text(report),
        ReportFormat::Json => report.to_json(),
        ReportFormat::Markdown => render_markdown(report),
        ReportFormat::Html => render_html(report),
        ReportFormat::Sarif => render_sarif(report),
        ReportFormat::Junit => render_junit(report),
        ReportFormat::Github => render_github(report),
    }
}

/// Writes every requested format; with `github`, appends the Markdown summary to
/// `$GITHUB_STEP_SUMMARY` when that is set.
fn write_reports(
    report: &Report,
    targets: &[FormatTarget],
    output: Option<&Path>,
) -> Result<(), Failure> {
    for target in targets {
        write_report(report, target.format, target.file.as_deref().or(output))?;
        if target.format == ReportFormat::Github {
            if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
            {
                use std::io::Write;
                let summary = PathBuf::from(summary);
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&summary)
                    .and_then(|mut file| file.write_all(render_markdown(report).as_bytes()))
                    .map_err(|err| {
                        Failure::input(format!(
                            "{}: cannot append the step summary: {err}",
                            summary.display()
                        ))
                    })?;
            }
        }
    }
    Ok(())
}

/// Writes one format of the report to `path`, or to stdout. JSON goes out as it is
/// serialized, never held whole (a scan of 10M objects reports 200 MB of it).
fn write_report(report: &Report, format: ReportFormat, path: Option<&Path>) -> Result<(), Failure> {
    match path {
        Some(path) => std::fs::File::create(path)
            .and_then(|file| {
                let mut out = std::io::BufWriter::with_capacity(crate::exit::OUTPUT_BUFFER, file);
                emit_report(report, format, &mut out)?;
                std::io::Write::flush(&mut out)
            })
            .map_err(|err| Failure::input(format!("{}: cannot write: {err}", path.display()))),
        None => write_stdout(|out| emit_report(report, format, out)),
    }
}

/// Writes one format of the report to `out` (generic, not `dyn`: serde_json writes JSON a
/// token at a time).
fn emit_report<W: std::io::Write>(
    report: &Report,
    format: ReportFormat,
    out: &mut W,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Json => report.write_json(out),
        other => out.write_all(render(report, other).as_bytes()),
    }
}

/// Lists a live store (and its WAL store) and fetches its manifests.
fn live_inputs(
    url: &str,
    wal_url: Option<&str>,
    options: &slatecheck_core::listing::ListingOptions,
    limits: &Limits,
    planned: &dyn Fn(&str) -> bool,
) -> Result<(SnapshotInputs, Vec<InputRef>), Failure> {
    let main = crate::store::open(url)?;
    let wal = wal_url.map(crate::store::open).transpose()?;
    let runtime = crate::store::runtime()?;
    runtime.block_on(async {
        let listing = main.list(options.clone()).await?;
        let manifests = main.manifests(&listing, limits).await?;
        let compactor_epochs = main.compactor_epochs(&listing).await?;
        let wal_listing = match &wal {
            Some(wal) => Some(wal.list(options.clone()).await?),
            None => None,
        };
        let mut refs = vec![store_ref("store", &main.url)];
        refs.extend(wal.as_ref().map(|wal| store_ref("wal-store", &wal.url)));
        let mut inputs = SnapshotInputs {
            main: Some(listing),
            wal: wal_listing,
            compactor_epochs,
            ..SnapshotInputs::default()
        }
        .with_manifests(manifests);
        // The rows of WAL objects after each replay point, and of SSTs the latest manifest does
        // not know, settle what a wipe or a rollback costs, which their keys and sizes cannot.
        let plan = objects_to_read(
            inputs.main.as_ref(),
            inputs.wal.as_ref(),
            &inputs.manifests,
            limits.sst_read_bytes,
            planned,
        );
        inputs.object_rows =
            crate::store::object_rows(crate::store::fetch_planned(&main, wal.as_ref(), plan).await);
        Ok((inputs, refs))
    })
}

/// Reads a bundle made by `slatecheck collect`.
fn bundle_inputs(
    path: &Path,
    options: &slatecheck_core::listing::ListingOptions,
    limits: &Limits,
) -> Result<(BundleInfo, SnapshotInputs, Vec<InputRef>), Failure> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|err| Failure::input(format!("{name}: cannot read: {err}")))?;
    let mut hashing = crate::hash_thread::HashedReader::new(file);
    let (info, inputs) = slatecheck_core::bundle::read_bundle_with_limits(
        &name,
        &mut hashing,
        options.clone(),
        limits,
    )
    .map_err(|err| Failure::input(err.to_string()))?;
    let sha256 = hashing
        .finish_hex()
        .map_err(|err| Failure::input(format!("{name}: cannot read: {err}")))?;
    let refs = vec![file_ref("bundle", path, sha256)];
    Ok((info, inputs, refs))
}

fn store_ref(kind: &str, url: &str) -> InputRef {
    InputRef {
        kind: kind.to_string(),
        path: None,
        url: Some(url.to_string()),
        sha256: None,
    }
}

fn file_ref(kind: &str, path: &Path, sha256: String) -> InputRef {
    InputRef {
        kind: kind.to_string(),
        path: Some(path.display().to_string()),
        url: None,
        sha256: Some(sha256),
    }
}

/// Decodes the manifest files (key, bytes, name shown) on every core, each result in the place
/// of its file: fifty manifests of 7,000 SSTs are half of a check of a million objects.
fn decode_on_every_core(
    contents: &[(String, Vec<u8>, String)],
    limits: &Limits,
    shared: &mut [SharedSstViews],
) -> Vec<Result<DecodedForCheck, ManifestError>> {
    let per_worker = contents.len().div_ceil(shared.len().max(1)).max(1);
    std::thread::scope(|scope| {
        // Each worker shares the SST views of the files it decodes, which (in path order) are
        // mostly one root's: duplicates are dropped on every core, not after the join.
        let handles: Vec<_> = contents
            .chunks(per_worker)
            .zip(shared.iter_mut())
            .map(|(files, shared)| {
                scope.spawn(move || {
                    files
                        .iter()
                        .map(|(_, bytes, shown)| {
                            let mut decoded = decode_for_check(shown, bytes, None, limits);
                            if let Ok(DecodedForCheck::Decoded(files)) = &mut decoded {
                                for file in files {
                                    shared.share(&mut file.manifest);
                                }
                            }
                            decoded
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // Joined in the order of the chunks, so the results stay in the order of the files.
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(decoded) => decoded,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// A manifest folder read: its manifest objects, the compactor epochs of the newest
/// `compactions/` object of each root (key, epoch), and the folder's hash.
struct ManifestDir {
    manifests: GivenManifests,
    compactor_epochs: Vec<(String, u64)>,
    /// SST objects (WAL and compacted) copied into the folder too (`--include '*/wal/*'`), by
    /// key: not read yet.
    sst_files: BTreeMap<String, PathBuf>,
    sha256: String,
}

/// Reads the rows of the SST objects `plan` picks that the manifest folder `dir` holds, as
/// `--store` reads them from the store; adds the files read to `inputs`.
fn read_sst_files(
    dir: &Path,
    plan: ReadPlan,
    files: &BTreeMap<String, PathBuf>,
    inputs: &mut Vec<InputRef>,
) -> Result<Vec<RowsRead>, Failure> {
    let mut read = Vec::new();
    let mut hashed: Vec<(String, Vec<u8>)> = Vec::new();
    for object in plan.to_read {
        let Some(path) = files.get(&object.key) else {
            continue;
        };
        // A copy of another size is not the object listed: not read, so memory stays within
        // `sst-read-bytes`.
        let copied = std::fs::metadata(path).map(|m| m.len()).ok();
        if copied != Some(object.size) {
            read.push(RowsRead {
                rows: Err(RowsError::NotRead(format!(
                    "{}: {} bytes, not the {} listed",
                    path.display(),
                    copied.unwrap_or_default(),
                    object.size
                ))),
                // Filed under the listed object, so that findings say why it was not read.
                side: object.side,
                key: object.key,
                size: object.size,
            });
            continue;
        }
        let bytes = std::fs::read(path)
            .map_err(|err| Failure::input(format!("{}: cannot read: {err}", path.display())))?;
        read.push(RowsRead {
            side: object.side,
            key: object.key.clone(),
            size: bytes.len() as u64,
            rows: read_sst_rows(&bytes).map_err(RowsError::Sst),
        });
        hashed.push((object.key, bytes));
    }
    hashed.sort_by(|a, b| a.0.cmp(&b.0));
    hashed.dedup_by(|a, b| a.0 == b.0);
    if !hashed.is_empty() {
        let sha256 = sha256_of_files(
            hashed
                .iter()
                .map(|(key, bytes)| (key.as_str(), bytes.as_slice())),
        );
        inputs.push(file_ref("sst-objects", dir, sha256));
    }
    Ok(read)
}

/// Every `*.manifest` file below `dir`, decoded, keyed by its path relative to `dir` (without
/// the store prefix, when the copy was made from the bucket root). A file larger than the
/// `manifest-bytes` limit is refused before it is read.
fn read_manifest_dir(
    dir: &Path,
    prefix: Option<&str>,
    limits: &Limits,
) -> Result<ManifestDir, Failure> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let entries = std::fs::read_dir(&next)
            .map_err(|err| Failure::input(format!("{}: cannot read: {err}", next.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|err| Failure::input(format!("{}: {err}", next.display())))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|ext| ext == "manifest" || ext == "compactions" || ext == "sst")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let (ssts, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|path| path.extension().is_some_and(|ext| ext == "sst"));
    let (compactions, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|path| path.extension().is_some_and(|ext| ext == "compactions"));
    let mut manifests = GivenManifests::default();
    let prefix = prefix
        .map(|p| format!("{}/", p.trim_matches('/')))
        .filter(|p| p != "/");
    // A file's object key: its path below `dir`, without the store prefix.
    let store_key = |key: &str| -> String {
        match &prefix {
            Some(prefix) => key.strip_prefix(prefix.as_str()).unwrap_or(key),
            None => key,
        }
        .to_string()
    };
    // Read and decoded a batch at a time, each file's bytes dropped once hashed: memory holds
    // the manifests' distinct SST views, not every file of a bucket's roots at once. A batch
    // is hashed on a thread of its own while the next is read and decoded.
    let (to_hasher, hashed_batches) =
        std::sync::mpsc::sync_channel::<Vec<(String, Vec<u8>, String)>>(1);
    let hashing = std::thread::spawn(move || {
        let mut hasher = Hasher::default();
        for batch in hashed_batches {
            for (key, bytes, _) in &batch {
                hasher.update_file(key, bytes);
            }
        }
        hasher
    });
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut shared: Vec<SharedSstViews> = (0..workers).map(|_| SharedSstViews::default()).collect();
    // Each file's size on disk, taken once: it batches the files and is checked against
    // `manifest-bytes` before the file is read.
    let sized: Vec<(PathBuf, Option<u64>)> = files
        .into_iter()
        .map(|path| {
            let size = std::fs::metadata(&path).ok().map(|m| m.len());
            (path, size)
        })
        .collect();
    for batch in batches_by_size(&sized, MANIFEST_BATCH_BYTES) {
        let mut contents = Vec::with_capacity(batch.len());
        for (path, size) in batch {
            if let Some(size) = size {
                limits
                    .check_manifest_bytes("the manifest", *size)
                    .map_err(|exceeded| {
                        Failure::input(format!("{}: {exceeded}", path.display()))
                    })?;
            }
            let bytes = std::fs::read(path)
                .map_err(|err| Failure::input(format!("{}: cannot read: {err}", path.display())))?;
            contents.push((key_below(dir, path), bytes, path.display().to_string()));
        }
        for ((key, _, _), decoded) in
            contents
                .iter()
                .zip(decode_on_every_core(&contents, limits, &mut shared))
        {
            // Shared already, by the decoding core.
            manifests.push(store_key(key), decoded?, |_| Ok::<_, Failure>(()))?;
        }
        limits
            .check_held_manifests(shared.iter().map(SharedSstViews::held_bytes).sum())
            .map_err(|exceeded| Failure::input(format!("{}: {exceeded}", dir.display())))?;
        // Fails only if the hashing thread is gone: its join below passes its panic on.
        let _ = to_hasher.send(contents);
    }
    drop(to_hasher);
    let mut hasher = hashing
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    // The newest `compactions/` object of each root, as `--store` reads them; one that cannot
    // be read decides nothing, as there.
    let keyed: BTreeMap<String, &PathBuf> = compactions
        .iter()
        .map(|path| (store_key(&key_below(dir, path)), path))
        .collect();
    let mut newest: Vec<(String, Vec<u8>)> = Vec::new();
    for key in newest_compactions(keyed.keys().map(String::as_str)).into_values() {
        let path = keyed[key];
        if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_COMPACTIONS_BYTES as u64) {
            continue;
        }
        let bytes = std::fs::read(path)
            .map_err(|err| Failure::input(format!("{}: cannot read: {err}", path.display())))?;
        newest.push((key.to_string(), bytes));
    }
    let compactor_epochs = readable_epochs(&newest);
    // SST objects (WAL and compacted) are only found here; which of them are read for their
    // rows waits for the listings.
    let sst_files = ssts
        .into_iter()
        .map(|path| (store_key(&key_below(dir, &path)), path))
        .filter(|(key, _)| {
            classify_key(key).is_some_and(|key| {
                matches!(
                    key.object,
                    SlateObject::Wal { .. } | SlateObject::Compacted { .. }
                )
            })
        })
        .collect();
    for (key, bytes) in &newest {
        hasher.update_file(key, bytes);
    }
    let sha256 = hasher.finish_hex();
    Ok(ManifestDir {
        manifests,
        compactor_epochs,
        sst_files,
        sha256,
    })
}

/// Manifest bytes read (and decoded) at a time from a folder.
const MANIFEST_BATCH_BYTES: u64 = 32 << 20;

/// `files` (each with its size on disk, when known) in order, in runs of at most `bytes` bytes
/// (at least one file a run).
fn batches_by_size(
    files: &[(PathBuf, Option<u64>)],
    bytes: u64,
) -> impl Iterator<Item = &[(PathBuf, Option<u64>)]> {
    let mut rest = files;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut taken = 0u64;
        let end = rest
            .iter()
            .position(|(_, size)| {
                taken = taken.saturating_add(size.unwrap_or(0));
                taken > bytes
            })
            .unwrap_or(rest.len())
            .max(1);
        let (batch, after) = rest.split_at(end);
        rest = after;
        Some(batch)
    })
}

/// `path`'s key below `dir`, with `/` separators.
fn key_below(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
