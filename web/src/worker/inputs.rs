//! The inputs the user gave, and reading them all into one snapshot whenever they change.

use super::blob_reader::BlobReader;
use super::blob_stream::BlobStream;
use super::hasher::{HashWorker, Hashed};
use super::heap::{MAX_HELD_MANIFESTS_BYTES, MAX_LISTED_OBJECTS, MAX_LISTED_OBJECTS_WHY};
use crate::protocol::{InputSummary, NewInput, Phase, Response, Stopwatch};
use slatecheck_core::config::Config;
use slatecheck_core::digest::{Hasher, HashingReader};
use slatecheck_core::intake::{
    objects_by_source, plan_folder, root_choices, sniff, store_for_listing_name, Assembly,
    FileKind, ListingStream, Store, SNIFF_WINDOW,
};
use slatecheck_core::listing::{
    assume_complete, classify_key, parse_utc_offset, ListingFormat, ListingOptions,
    DETECTION_WINDOW,
};
use slatecheck_core::report::{InputRef, Report};
use slatecheck_core::snapshot::{
    objects_to_read, ReadPlan, RowsError, RowsRead, Snapshot, StoreSide,
};
use slatecheck_core::sst::read_sst_rows;
use std::collections::{BTreeMap, BTreeSet};
use web_sys::File;

/// One input: a file, or the files of a folder.
struct Input {
    /// Numbers the input among all added (its hash is asked for by it).
    id: u64,
    name: String,
    /// The name the core knows the input by (in evidence and errors): the file name, under
    /// `#N/` when another input already has that name (the name stays last: a manifest's id is
    /// read from it).
    label: String,
    files: Vec<File>,
    /// For folders: each file's path below the folder (its object key).
    paths: Option<Vec<String>>,
    /// The store the user put it in, overriding the guess.
    store: Option<Store>,
    /// What the file is, told once from its first bytes when it was added; `None` for folders.
    kind: Option<FileKind>,
    /// A bundle the user says was collected earlier, before a wipe or a deletion.
    earlier: bool,
}

/// Every input, and the snapshot they last made.
#[derive(Default)]
pub struct Inputs {
    items: Vec<Input>,
    /// The root of manifests given without a folder.
    pub manifest_root: String,
    snapshot: Option<Snapshot>,
    problem: Option<String>,
    /// The inputs read, by id; a file's SHA-256 is filled in from `hashes` when the hasher
    /// takes it.
    refs: Vec<(u64, InputRef)>,
    /// The second worker that hashes files while they are read (`None`: hash as they are read).
    hasher: Option<HashWorker>,
    /// The hasher's answers, by input id.
    hashes: BTreeMap<u64, HashAnswer>,
    /// Inputs whose hash the hasher has not yet sent.
    hashing: BTreeSet<u64>,
    /// The report of a check made while hashes it names were still coming: its downloads
    /// are made when the last one is in.
    pub pending_downloads: Option<PendingDownloads>,
    /// The `slatecheck.toml` given, if any (the last one wins).
    config: Config,
    /// How listing files are read (prefix, time zone).
    reading: ListingOptions,
    /// Inputs added so far (numbers same-named ones).
    added: usize,
    /// A bundle given was collected without a WAL store (as `check --no-wal-store`).
    bundle_no_wal_store: bool,
    /// The user says the listing files are complete (`--listing-complete`).
    listing_complete: bool,
}

/// A report whose downloads wait for the hashes of its inputs.
pub struct PendingDownloads {
    pub report: Report,
    /// The ids of the report's inputs, in its order.
    pub ids: Vec<u64>,
    /// Started when the report was sent.
    pub clock: Stopwatch,
}

/// What reading one input showed, before the listings are finished.
struct Read {
    kind: &'static str,
    detail: String,
    store: Option<Store>,
    error: Option<String>,
    sha256: Option<String>,
    /// A bundle collected without a WAL store: the WAL is in the main store.
    no_wal_store: bool,
}

impl Read {
    fn new(kind: &'static str, detail: impl Into<String>, store: Option<Store>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            store,
            error: None,
            sha256: None,
            no_wal_store: false,
        }
    }
}

impl Inputs {
    /// Hashes files on `hasher` from now on.
    pub fn hash_on(&mut self, hasher: HashWorker) {
        self.hasher = Some(hasher);
    }

    /// Takes the hasher's answer. After `Stopped`, the files it still had go without a hash
    /// until they are read again, which then hashes them as it reads.
    pub fn hashed(&mut self, hashed: Hashed) {
        match hashed {
            Hashed::File {
                id,
                sha256,
                how,
                ms,
            } => {
                if self.hashing.remove(&id) {
                    self.hashes.insert(id, HashAnswer { sha256, how, ms });
                }
            }
            Hashed::Stopped => {
                self.hasher = None;
                self.hashing.clear();
            }
        }
    }

    /// Whether the hasher takes the hash of `item`. Listings and bundles, the large inputs, are
    /// hashed by the hasher once they have been read (beside the read, it slowed the read down
    /// by a quarter on two cores); manifests (small, and refused unread when too large) as they
    /// are read; configurations, folders and files that are none of these not at all.
    fn hashed_by_hasher(&self, item: &Input) -> bool {
        self.hasher.is_some()
            && !item.files.is_empty()
            && matches!(item.kind, Some(FileKind::Listing { .. } | FileKind::Bundle))
    }

    /// Asks the hasher for the hash of every input it takes that it has not been asked for.
    fn ask_hashes(&mut self) {
        let Some(hasher) = &self.hasher else {
            return;
        };
        for item in &self.items {
            let asked = self.hashing.contains(&item.id) || self.hashes.contains_key(&item.id);
            if !asked && self.hashed_by_hasher(item) {
                if let Some(file) = item.files.first() {
                    hasher.ask(item.id, file);
                    self.hashing.insert(item.id);
                }
            }
        }
    }

    /// Whether a hash the report of the inputs `ids` names is still coming.
    pub fn hashes_pending_for(&self, ids: &[u64]) -> bool {
        ids.iter().any(|id| self.hashing.contains(id))
    }

    /// Sets the store prefix and time zone of listing files (`--prefix`, `--tz`), and whether
    /// they are complete (`--listing-complete`).
    pub fn set_reading(
        &mut self,
        prefix: &str,
        tz: &str,
        listing_complete: bool,
    ) -> Result<(), String> {
        let utc_offset_seconds = match tz.trim() {
            "" => None,
            tz => Some(parse_utc_offset(tz)?),
        };
        let prefix = Some(prefix.trim().trim_matches('/'))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        self.reading = ListingOptions {
            prefix,
            utc_offset_seconds,
            roots: None,
        };
        self.listing_complete = listing_complete;
        Ok(())
    }

    pub fn add(&mut self, inputs: Vec<NewInput>, files: Vec<File>) {
        let mut files = files.into_iter();
        for NewInput {
            name,
            files: count,
            paths,
        } in inputs
        {
            self.added += 1;
            let label = if self.items.iter().any(|item| item.name == name) {
                format!("#{}/{name}", self.added)
            } else {
                name.clone()
            };
            let files: Vec<File> = files.by_ref().take(count).collect();
            let kind = paths.is_none().then(|| sniff_file(&name, files.first()));
            let id = self.added as u64;
            self.items.push(Input {
                id,
                label,
                name,
                files,
                paths,
                store: None,
                kind,
                earlier: false,
            });
        }
    }

    pub fn assign(&mut self, index: usize, store: Store) {
        if let Some(item) = self.items.get_mut(index) {
            item.store = Some(store);
        }
    }

    /// Takes bundle `index` as collected earlier (or as the store now).
    pub fn mark_earlier(&mut self, index: usize, earlier: bool) {
        if let Some(item) = self.items.get_mut(index) {
            item.earlier = earlier;
        }
    }

    pub fn remove(&mut self, index: usize) {
        if index < self.items.len() {
            let removed = self.items.remove(index);
            self.hashing.remove(&removed.id);
            self.hashes.remove(&removed.id);
        }
    }

    /// How long the hasher took for each input, in input order (benchmark hooks).
    pub fn hash_phases(&self) -> impl Iterator<Item = Phase> + '_ {
        self.items.iter().filter_map(|item| {
            let answer = self.hashes.get(&item.id)?;
            Some(Phase {
                name: format!("hash {} ({}, after the read)", item.label, answer.how),
                ms: answer.ms,
            })
        })
    }

    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Whether any input was read.
    pub fn any_usable(&self) -> bool {
        !self.refs.is_empty()
    }

    /// The configuration to apply to reports.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether a bundle given says the databases keep their WAL in the main store.
    pub fn bundle_no_wal_store(&self) -> bool {
        self.bundle_no_wal_store
    }

    /// The inputs read, each file with its SHA-256 where it is known yet, and their ids.
    pub fn input_refs(&self) -> (Vec<InputRef>, Vec<u64>) {
        let mut inputs: Vec<InputRef> = self.refs.iter().map(|(_, input)| input.clone()).collect();
        let ids: Vec<u64> = self.refs.iter().map(|(id, _)| *id).collect();
        self.fill_hashes(&ids, &mut inputs);
        (inputs, ids)
    }

    /// Fills in the SHA-256 of the inputs `ids` (as [`Inputs::input_refs`] gave them) that
    /// the hasher has sent since.
    pub fn fill_hashes(&self, ids: &[u64], inputs: &mut [InputRef]) {
        for (id, input) in ids.iter().zip(inputs) {
            if input.sha256.is_none() {
                input.sha256 = self.hashes.get(id).and_then(|a| a.sha256.clone());
            }
        }
    }

    /// Reads every input again (an S3 Inventory manifest before its data files) into a fresh
    /// snapshot; `progress` hears how far each file's read is, `step` what is done after the
    /// reads.
    pub async fn reload(
        &mut self,
        progress: &dyn Fn(&str, f64, f64),
        step: &dyn Fn(&str),
    ) -> Response {
        let mut clock = Stopwatch::default();
        let mut assembly = Assembly::new(self.reading.clone());
        assembly.set_max_objects(MAX_LISTED_OBJECTS, MAX_LISTED_OBJECTS_WHY);
        self.config = Config::default();
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        // A configuration first (its [limits] apply to the files), then S3 Inventory manifests.
        order.sort_by_key(|&i| {
            (
                !matches!(self.items[i].kind, Some(FileKind::Config)),
                !matches!(
                    self.items[i].kind,
                    Some(FileKind::Listing {
                        format: ListingFormat::S3InventoryManifest
                    })
                ),
            )
        });
        let mut reads: Vec<Option<Read>> = (0..self.items.len()).map(|_| None).collect();
        for i in order {
            let item = &self.items[i];
            let on_progress = |done: f64, total: f64| progress(&item.label, done, total);
            let mut limits = self.config.limits;
            limits.held_manifests_bytes = limits.held_manifests_bytes.min(MAX_HELD_MANIFESTS_BYTES);
            assembly.set_limits(limits);
            reads[i] = Some(match &item.kind {
                None => read_folder(&mut assembly, item),
                Some(FileKind::Config) => read_config(&mut self.config, item),
                Some(kind) => {
                    let hash_here =
                        !self.hashed_by_hasher(item) && !self.hashes.contains_key(&item.id);
                    read_file(&mut assembly, item, kind, hash_here, &on_progress).await
                }
            });
            clock.lap(format!("read {}", item.label));
        }
        let reads: Vec<Read> = reads.into_iter().flatten().collect();
        step("putting the inputs together");
        self.bundle_no_wal_store = reads.iter().any(|r| r.error.is_none() && r.no_wal_store);
        let root = Some(self.manifest_root.as_str());
        let (inputs, roots) = match assembly.finish_placed(root) {
            Ok((mut given, placed)) => {
                if self.listing_complete {
                    for listing in given.main.iter_mut().chain(given.wal.iter_mut()) {
                        assume_complete(&mut listing.warnings);
                    }
                }
                clock.lap("assemble");
                step(
                    "reading the rows of WAL objects after each replay point and of SSTs no manifest knows",
                );
                let sst_read_bytes = self.config.limits.sst_read_bytes;
                let plan = objects_to_read(
                    given.main.as_ref(),
                    given.wal.as_ref(),
                    &given.manifests,
                    sst_read_bytes,
                    &|_| true,
                );
                given
                    .object_rows
                    .extend(object_rows_of_folders(&self.items, &self.reading, plan));
                clock.lap("object rows");
                step("building the snapshot of every database root");
                let counts = objects_by_source(given.main.iter().chain(given.wal.iter()));
                let snapshot = Snapshot::build(given);
                let roots = root_choices(&snapshot);
                clock.lap("snapshot");
                self.snapshot = Some(snapshot);
                self.problem = None;
                let mut inputs = summaries(&self.items, &reads, &counts);
                // Say which root each loose manifest file went to.
                for (input, item) in inputs.iter_mut().zip(&self.items) {
                    if input.kind != "manifest" {
                        continue;
                    }
                    let roots: BTreeSet<&str> = placed
                        .iter()
                        .filter(|(source, _)| *source == item.label)
                        .filter_map(|(_, key)| classify_key(key).map(|k| k.root))
                        .collect();
                    if !roots.is_empty() {
                        let roots: Vec<&str> = roots.into_iter().collect();
                        input.detail = format!("{}; root: {}", input.detail, roots.join(", "));
                    }
                }
                (inputs, roots)
            }
            Err(err) => {
                self.snapshot = None;
                self.problem = Some(err.to_string());
                (summaries(&self.items, &reads, &BTreeMap::new()), Vec::new())
            }
        };
        self.refs = self
            .items
            .iter()
            .zip(&reads)
            .filter(|(_, read)| read.error.is_none())
            .map(|(item, read)| {
                let input = InputRef {
                    kind: read.kind.to_string(),
                    path: Some(item.label.clone()),
                    url: None,
                    sha256: read.sha256.clone(),
                };
                (item.id, input)
            })
            .collect();
        clock.lap("summaries");
        self.ask_hashes();
        Response::Inputs {
            inputs,
            roots,
            problem: self.problem.clone(),
            phases: clock.phases,
        }
    }
}

/// A single file's kind, from its first bytes.
fn sniff_file(name: &str, file: Option<&File>) -> FileKind {
    let Some(file) = file else {
        return FileKind::Unknown {
            reason: "empty input".to_string(),
        };
    };
    match BlobReader::read_whole(file, Some(SNIFF_WINDOW as f64)) {
        Ok(head) => sniff(name, &head),
        Err(reason) => FileKind::Unknown { reason },
    }
}

/// Reads one file into `assembly`, hashing it as it goes when `hash_here` (the hasher has not
/// got it).
async fn read_file(
    assembly: &mut Assembly,
    item: &Input,
    kind: &FileKind,
    hash_here: bool,
    on_progress: &dyn Fn(f64, f64),
) -> Read {
    let name = item.label.as_str();
    let Some(file) = item.files.first() else {
        return failed("ignored", None, format!("{name}: empty input"));
    };
    if let FileKind::Listing { format } = kind {
        super::heap::reserve_for_listing(file.size());
        if let Some(read) =
            streamed_listing(assembly, item, file, *format, hash_here, on_progress).await
        {
            return read;
        }
    }
    let reader = match BlobReader::new(file, None, on_progress) {
        Ok(reader) => reader,
        Err(err) => return failed("ignored", None, format!("{name}: {err}")),
    };
    let mut hashing = MaybeHashing::new(reader, hash_here);
    let mut read = match kind {
        FileKind::Bundle if item.earlier => match assembly.add_earlier_bundle(name, &mut hashing)
        {
            Ok(info) => Read::new(
                EARLIER_BUNDLE,
                format!(
                    "bundle of {} collected earlier: the rows of the WAL objects it read settle those gone since",
                    info.store
                ),
                None,
            ),
            Err(err) => return failed(EARLIER_BUNDLE, None, err.to_string()),
        },
        FileKind::Bundle => match assembly.add_bundle(name, &mut hashing) {
            Ok(info) => Read {
                no_wal_store: info.wal_store_given == Some(false),
                ..Read::new("bundle", format!("bundle of {}", info.store), None)
            },
            Err(err) => return failed("bundle", None, err.to_string()),
        },
        FileKind::Manifest | FileKind::ManifestJson => {
            // Refused before a byte is read: a "manifest" of gigabytes would crash the tab.
            if let Err(exceeded) = assembly
                .limits()
                .check_manifest_bytes("the manifest", file.size() as u64)
            {
                return failed("manifest", None, format!("{name}: {exceeded}"));
            }
            let mut bytes = Vec::new();
            if let Err(err) = std::io::Read::read_to_end(&mut hashing, &mut bytes) {
                return failed("manifest", None, format!("{name}: cannot read: {err}"));
            }
            match assembly.add_manifest(name, None, &bytes) {
                Ok(1) => Read::new("manifest", manifest_detail(kind, name), None),
                Ok(count) => Read::new(
                    "manifest",
                    format!("{count} manifests (slatedb-cli JSON)"),
                    None,
                ),
                Err(err) => return failed("manifest", None, err.to_string()),
            }
        }
        FileKind::Unknown { reason } => {
            return failed("ignored", None, format!("{name}: {reason}"));
        }
        FileKind::Config => {
            return failed("config", None, format!("{name}: internal: read as a file"))
        }
        FileKind::Listing { format } => {
            let store = listing_store(item);
            match assembly.add_listing(store, name, &mut hashing, None) {
                Ok(_) => Read::new("listing", format.name(), Some(store)),
                Err(err) => return failed("listing", Some(store), err.to_string()),
            }
        }
    };
    match hashing.finish_hex() {
        Ok(sha256) => read.sha256 = sha256,
        // A hash of part of the file would name an input that was not read whole.
        Err(err) => read.error = Some(format!("{name}: cannot read: {err}")),
    }
    read
}

/// The kind of a bundle taken as collected earlier, as the CLI names `--earlier-bundle` in a
/// report's inputs.
const EARLIER_BUNDLE: &str = "earlier-bundle";

/// The store listing `item` shows: the one the user put it in, or the one its name says.
fn listing_store(item: &Input) -> Store {
    item.store
        .unwrap_or_else(|| store_for_listing_name(&item.label))
}

/// Reads listing file `file` (input `item`) into `assembly` as the browser streams it in,
/// parsed while the browser reads on, hashing it as it goes when `hash_here`; `None` when its
/// format does not read so (it is then read slice by slice, as other files are).
async fn streamed_listing(
    assembly: &mut Assembly,
    item: &Input,
    file: &File,
    format: ListingFormat,
    hash_here: bool,
    on_progress: &dyn Fn(f64, f64),
) -> Option<Read> {
    let name = item.label.as_str();
    let store = listing_store(item);
    let read = match BlobReader::read_whole(file, Some(DETECTION_WINDOW as f64)) {
        Err(err) => Err(format!("{name}: {err}")),
        Ok(head) => match assembly.stream_listing(store, name, &head) {
            Ok(Some(stream)) => {
                stream_listing(assembly, stream, name, file, hash_here, on_progress).await
            }
            Ok(None) => return None,
            Err(err) => Err(err.to_string()),
        },
    };
    Some(match read {
        Ok(sha256) => Read {
            sha256,
            ..Read::new("listing", format.name(), Some(store))
        },
        Err(err) => failed("listing", Some(store), err),
    })
}

/// Streams listing file `file` (named `name`) into `stream`; returns its SHA-256 when
/// `hash_here`.
async fn stream_listing(
    assembly: &mut Assembly,
    mut stream: ListingStream,
    name: &str,
    file: &File,
    hash_here: bool,
    on_progress: &dyn Fn(f64, f64),
) -> Result<Option<String>, String> {
    /// Progress is reported after this many bytes (the pieces are smaller).
    const PROGRESS_BYTES: f64 = 4.0 * 1024.0 * 1024.0;
    let mut pieces = BlobStream::new(file).map_err(|err| format!("{name}: {err}"))?;
    let mut hasher = hash_here.then(Hasher::default);
    let mut reported = 0.0;
    let mut bytes = Vec::new();
    while let Some(piece) = pieces
        .next()
        .await
        .map_err(|err| format!("{name}: {err}"))?
    {
        bytes.resize(piece.length() as usize, 0);
        piece.copy_to(&mut bytes);
        if let Some(hasher) = &mut hasher {
            hasher.update(&bytes);
        }
        assembly
            .push_listing(&mut stream, &bytes)
            .map_err(|err| err.to_string())?;
        if pieces.done - reported >= PROGRESS_BYTES {
            reported = pieces.done;
            on_progress(pieces.done, pieces.total);
        }
    }
    assembly
        .finish_listing(stream)
        .map_err(|err| err.to_string())?;
    on_progress(pieces.done, pieces.total);
    Ok(hasher.map(Hasher::finish_hex))
}

/// The hasher's answer for one input.
struct HashAnswer {
    /// `None`: the file could not be read.
    sha256: Option<String>,
    /// `browser` or `wasm`, and how long it took.
    how: String,
    ms: f64,
}

/// A reader that hashes what passes through it, or only passes it on.
enum MaybeHashing<R> {
    Hashing(HashingReader<R>),
    Plain(R),
}

impl<R: std::io::Read> MaybeHashing<R> {
    fn new(reader: R, hash: bool) -> Self {
        if hash {
            Self::Hashing(HashingReader::new(reader))
        } else {
            Self::Plain(reader)
        }
    }

    /// The SHA-256 of the whole file, when hashing.
    fn finish_hex(self) -> std::io::Result<Option<String>> {
        match self {
            Self::Hashing(reader) => reader.finish_hex().map(Some),
            Self::Plain(_) => Ok(None),
        }
    }
}

impl<R: std::io::Read> std::io::Read for MaybeHashing<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Hashing(reader) => reader.read(out),
            Self::Plain(reader) => reader.read(out),
        }
    }
}

/// A `slatecheck.toml`: its overrides and ignores apply to every later check.
fn read_config(config: &mut Config, item: &Input) -> Read {
    let name = item.label.as_str();
    let text = item
        .files
        .first()
        .ok_or_else(|| "empty input".to_string())
        .and_then(|file| BlobReader::read_whole(file, None))
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string()))
        .map_err(|err| format!("{name}: {err}"));
    match text.and_then(|text| Config::parse(name, &text).map_err(|err| err.to_string())) {
        Ok(parsed) => {
            let detail = format!(
                "configuration: {} rule override(s), {} ignore(s)",
                parsed.rules.len(),
                parsed.ignores.len()
            );
            *config = parsed;
            Read::new("config", detail, None)
        }
        Err(err) => failed("config", None, err),
    }
}

fn manifest_detail(kind: &FileKind, name: &str) -> String {
    let id = slatecheck_core::manifest::manifest_id_from_path(name)
        .map(|id| format!(" {id}"))
        .unwrap_or_default();
    match kind {
        FileKind::ManifestJson => format!("manifest{id} (slatedb-cli JSON)"),
        _ => format!("manifest{id} (binary)"),
    }
}

fn failed(kind: &'static str, store: Option<Store>, error: String) -> Read {
    Read {
        error: Some(error),
        ..Read::new(kind, "", store)
    }
}

/// The rows of the SST objects `plan` picks that dropped store folders hold, read as a check
/// of the live store reads them (the page has the objects themselves, not only a listing).
fn object_rows_of_folders(
    items: &[Input],
    reading: &ListingOptions,
    plan: ReadPlan,
) -> Vec<RowsRead> {
    if plan.to_read.is_empty() {
        return Vec::new();
    }
    let mut files: BTreeMap<(StoreSide, &str), &File> = BTreeMap::new();
    for item in items.iter().filter(|item| item.kind.is_none()) {
        let paths = item.paths.as_deref().unwrap_or_default();
        let folder = plan_folder(paths.iter().map(String::as_str));
        let side = match item.store.unwrap_or(folder.guessed_store) {
            Store::Main => StoreSide::Main,
            Store::Wal => StoreSide::WalStore,
        };
        for (path, file) in paths.iter().zip(&item.files) {
            if let Some(key) = reading.store_key(path) {
                files.insert((side, key), file);
            }
        }
    }
    plan.to_read
        .into_iter()
        .filter_map(|object| {
            let file = files.get(&(object.side, object.key.as_str()))?;
            let rows = BlobReader::read_whole(file, None)
                .map_err(RowsError::NotRead)
                .and_then(|bytes| read_sst_rows(&bytes).map_err(RowsError::Sst));
            Some(RowsRead {
                side: object.side,
                size: file.size() as u64,
                key: object.key,
                rows,
            })
        })
        .collect()
}

/// A store folder: its SlateDB objects become a listing, its manifest objects are decoded.
fn read_folder(assembly: &mut Assembly, item: &Input) -> Read {
    let paths = item.paths.as_deref().unwrap_or_default();
    let plan = plan_folder(paths.iter().map(String::as_str));
    let mut errors = Vec::new();
    let mut decoded = 0;
    for &index in &plan.manifests {
        let (file, key) = (&item.files[index], &paths[index]);
        let shown = format!("{}{key}", item.label);
        let read = assembly
            .limits()
            .check_manifest_bytes("the manifest", file.size() as u64)
            .map_err(|exceeded| format!("{shown}: {exceeded}"))
            .and_then(|()| {
                BlobReader::read_whole(file, None).map_err(|err| format!("{shown}: {err}"))
            })
            .and_then(|bytes| {
                assembly
                    .add_manifest(&shown, Some(key), &bytes)
                    .map_err(|err| err.to_string())
            });
        match read {
            Ok(_) => decoded += 1,
            Err(err) => errors.push(err),
        }
    }
    let objects = plan.objects.iter().map(|&index| {
        let file = &item.files[index];
        let modified = chrono::DateTime::from_timestamp_millis(file.last_modified() as i64);
        (paths[index].clone(), file.size() as u64, modified)
    });
    let store = item.store.unwrap_or(plan.guessed_store);
    if let Err(err) = assembly.add_folder_objects(store, &item.label, objects) {
        errors.push(err.to_string());
    }
    let mut read = Read::new(
        "folder",
        format!(
            "store folder: {} SlateDB objects, {decoded} manifests read",
            plan.objects.len()
        ),
        Some(store),
    );
    read.error = (!errors.is_empty()).then(|| errors.join("; "));
    read
}

fn summaries(
    items: &[Input],
    reads: &[Read],
    counts: &BTreeMap<String, (u64, BTreeSet<String>)>,
) -> Vec<InputSummary> {
    items
        .iter()
        .zip(reads)
        .map(|(item, read)| {
            let mut detail = read.detail.clone();
            // A bundle's listings are named `<bundle>:listings/….tsv`.
            let inside = format!("{}:", item.label);
            let mut objects = 0;
            let mut roots = BTreeSet::new();
            let mut matched = false;
            for (_, (count, found)) in counts
                .iter()
                .filter(|(source, _)| **source == item.label || source.starts_with(&inside))
            {
                matched = true;
                objects += count;
                roots.extend(found.iter().map(String::as_str));
            }
            if matched {
                let roots = roots.into_iter().collect::<Vec<_>>().join(", ");
                // A folder's detail already counts its objects.
                detail = if read.kind == "folder" {
                    format!("{detail}; roots: {roots}")
                } else {
                    format!("{detail}: {objects} SlateDB objects; roots: {roots}")
                };
            }
            InputSummary {
                name: item.name.clone(),
                kind: read.kind.to_string(),
                detail,
                store: read.store,
                earlier: matches!(item.kind, Some(FileKind::Bundle)).then_some(item.earlier),
                error: read.error.clone(),
            }
        })
        .collect()
}
