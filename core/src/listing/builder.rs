//! Collecting a listing: normalizing keys, keeping SlateDB objects, counting everything.

use super::budget::Budget;
use super::detect::ListingFormat;
use super::error::ListingError;
use super::formats::{self, LineTally};
use super::object_key::{classify_key, SlateObject};
use super::objects::{ListedObjects, TablesBuilder};
use super::table::NewEntry;
use super::warning::ListingWarning;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Read};

/// How to read listings.
#[derive(Clone, Debug, Default)]
pub struct ListingOptions {
    /// Where the SlateDB store root sits inside the listed bucket (e.g. `prod/dbs/`): stripped
    /// from every key, after any `s3://bucket/`-style prefix; keys outside it are not counted
    /// as part of the store.
    pub prefix: Option<String>,
    /// The UTC offset, in seconds, of times printed without a time zone (`aws s3 ls`,
    /// `rclone lsl`). Without it they are read as UTC and flagged.
    pub utc_offset_seconds: Option<i32>,
    /// Keep only the objects of these database roots (all roots when `None`).
    pub roots: Option<BTreeSet<String>>,
}

/// An instant from a listing, and whether its time zone was known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ListedTime {
    /// The instant (UTC).
    pub at: DateTime<Utc>,
    /// `false` when the listing printed a local time without a zone and UTC was assumed.
    pub zone_known: bool,
}

impl ListedTime {
    /// An instant whose time zone was known.
    pub fn known(at: DateTime<Utc>) -> Self {
        Self {
            at,
            zone_known: true,
        }
    }
    pub(crate) fn assumed_utc(at: DateTime<Utc>) -> Self {
        Self {
            at,
            zone_known: false,
        }
    }
}

/// One object (or object version) as a listing format reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawEntry {
    /// The key as printed (may still carry `s3://bucket/` or a prefix).
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// `false` when the size was rounded for humans.
    pub size_exact: bool,
    /// Last modification (or creation) time.
    pub last_modified: Option<ListedTime>,
    /// ETag, without quotes.
    pub etag: Option<String>,
    /// Version id or generation, for versioned listings.
    pub version_id: Option<String>,
    /// For versioned listings: whether this is the current version.
    pub is_latest: Option<bool>,
    /// A delete marker rather than an object.
    pub is_delete_marker: bool,
    /// 1-based line in the listing file, for text formats.
    pub line: Option<u64>,
}

impl RawEntry {
    /// An object with an exact size and nothing else known yet.
    pub fn new(key: impl Into<String>, size: u64) -> Self {
        Self {
            key: key.into(),
            size,
            size_exact: true,
            ..Self::default()
        }
    }

    fn borrowed(&self) -> EntryRef<'_> {
        EntryRef {
            key: &self.key,
            size: self.size,
            size_exact: self.size_exact,
            last_modified: self.last_modified,
            etag: self.etag.as_deref(),
            version_id: self.version_id.as_deref(),
            is_latest: self.is_latest,
            is_delete_marker: self.is_delete_marker,
            line: self.line,
        }
    }
}

/// A [`RawEntry`] borrowed from the parser's buffer: what line parsers hand over without
/// allocating.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct EntryRef<'a> {
    pub key: &'a str,
    pub size: u64,
    pub size_exact: bool,
    pub last_modified: Option<ListedTime>,
    pub etag: Option<&'a str>,
    pub version_id: Option<&'a str>,
    pub is_latest: Option<bool>,
    pub is_delete_marker: bool,
    pub line: Option<u64>,
}

impl<'a> EntryRef<'a> {
    /// An object with an exact size.
    pub fn new(key: &'a str, size: u64) -> Self {
        Self {
            key,
            size,
            size_exact: true,
            last_modified: None,
            etag: None,
            version_id: None,
            is_latest: None,
            is_delete_marker: false,
            line: None,
        }
    }
}

/// A SlateDB object present in the store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreObject {
    /// The database root it belongs to.
    pub root: String,
    /// What it is.
    pub object: SlateObject,
    /// Size in bytes (0 for WAL fences).
    pub size: u64,
    /// `false` when the listing rounded the size.
    pub size_exact: bool,
    /// Last modification time, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<ListedTime>,
    /// ETag, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Version id, for versioned listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The listing file it came from.
    pub source: String,
    /// Its line there, for text formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// A SlateDB object whose current version is a delete marker: gone, but recoverable.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeletedObject {
    /// The database root it belonged to.
    pub root: String,
    /// What it was.
    pub object: SlateObject,
    /// Non-current versions listed for it (restorable copies).
    pub noncurrent_versions: u64,
}

/// What a listing holds for one database root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RootSummary {
    /// Manifest objects.
    pub manifests: u64,
    /// The highest manifest id (SlateDB's latest manifest).
    pub latest_manifest: Option<u64>,
    /// WAL objects.
    pub wal_objects: u64,
    /// Zero-byte WAL objects (fences).
    pub wal_fences: u64,
    /// Compacted SSTs.
    pub compacted_ssts: u64,
    /// Other SlateDB objects (compactions, GC boundaries, unexpected files).
    pub other: u64,
    /// Bytes of all of them.
    pub bytes: u64,
    /// `<root>/.deleting` is present.
    pub delete_in_progress: bool,
}

impl RootSummary {
    /// Counts one object of the root.
    pub(crate) fn add(&mut self, object: &SlateObject, size: u64, size_exact: bool) {
        self.bytes += size;
        match object {
            SlateObject::Manifest { id } => {
                self.manifests += 1;
                self.latest_manifest = self.latest_manifest.max(Some(*id));
            }
            SlateObject::Wal { .. } => {
                self.wal_objects += 1;
                self.wal_fences += u64::from(size == 0 && size_exact);
            }
            SlateObject::Compacted { .. } => self.compacted_ssts += 1,
            SlateObject::DeleteMarker => self.delete_in_progress = true,
            _ => self.other += 1,
        }
    }
}

/// A store as one or more listing files show it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Listing {
    /// The formats read, in order.
    pub formats: Vec<ListingFormat>,
    /// The listing files read, in order.
    pub sources: Vec<String>,
    /// When the listing was taken, if the format records it (S3 Inventory).
    pub listing_time: Option<DateTime<Utc>>,
    /// The newest modification time listed: a lower bound for the listing time.
    pub newest_object_time: Option<DateTime<Utc>>,
    /// SlateDB objects, by store-relative key.
    pub objects: ListedObjects,
    /// SlateDB objects deleted under versioning, by key.
    pub deleted: BTreeMap<String, DeletedObject>,
    /// Database roots found, with what each holds.
    pub roots: BTreeMap<String, RootSummary>,
    /// Every current object listed inside the store, SlateDB's or not.
    pub total_objects: u64,
    /// Their bytes.
    pub total_bytes: u64,
    /// Objects listed outside the store prefix.
    pub outside_prefix: u64,
    /// Reasons the listing may be incomplete or imprecise.
    pub warnings: Vec<ListingWarning>,
}

impl Listing {
    /// Whether any warning says objects may be missing from the listing.
    pub fn may_be_incomplete(&self) -> bool {
        self.warnings.iter().any(ListingWarning::may_be_incomplete)
    }
}

/// The S3 Inventory delivery being read: its schema and the data files it names.
#[derive(Clone, Debug)]
pub(crate) struct InventoryPlan {
    pub manifest_source: String,
    pub columns: Vec<String>,
    /// Data file names (last path segment) still to be read.
    pub pending_files: BTreeSet<String>,
}

impl InventoryPlan {
    /// Whether the inventory lists versions: a delete marker in one data file then removes an
    /// object another file lists, so the files cannot be read apart.
    fn versioned(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c.as_str(), "VersionId" | "IsLatest" | "IsDeleteMarker"))
    }
}

/// One byte range of a listing file read apart from the rest (natively, on a core of its
/// own): see [`ListingBuilder::read_part`].
#[derive(Debug)]
pub struct ListingPart {
    builder: ListingBuilder,
    tally: LineTally,
}

/// A listing file whose parts are being joined as they are read: see
/// [`ListingBuilder::begin_parts`].
#[derive(Debug)]
pub struct PartsJoin {
    source: String,
    format: ListingFormat,
    /// The lines of the parts joined so far.
    tally: LineTally,
}

impl PartsJoin {
    /// The listing file joined.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Its format.
    pub fn format(&self) -> ListingFormat {
        self.format
    }
}

/// A whole listing file read apart from the others: see [`ListingBuilder::read_file_apart`].
#[derive(Debug)]
pub struct ListingFile {
    builder: ListingBuilder,
}

/// The end of the error of a listing past the CLI's budget.
const FLAG_BUDGET_WHY: &str = "the limit for this run (--max-objects); raise it if the machine has the memory (about 64 bytes per object)";

/// Accumulates listing files into a [`Listing`].
#[derive(Debug)]
pub struct ListingBuilder {
    options: ListingOptions,
    prefix: Option<String>,
    listing: Listing,
    tables: TablesBuilder,
    noncurrent: BTreeMap<String, u64>,
    current_source: String,
    current_source_index: u32,
    lossy_sizes: u64,
    zone_unknown: bool,
    /// The most SlateDB objects to hold, and what counts against it.
    budget: Budget,
    /// SlateDB objects refused beyond the budget.
    over_budget: u64,
    /// The end of the error a listing past the budget gets.
    budget_why: &'static str,
    pub(crate) inventory: Option<InventoryPlan>,
}

impl ListingOptions {
    /// The store prefix as keys start with it (`prod/dbs/`), if one is set.
    fn key_prefix(&self) -> Option<String> {
        self.prefix
            .as_deref()
            .map(|p| p.trim_start_matches('/').trim_end_matches('/'))
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}/"))
    }

    /// The key a listing read with these options gives the listed or copied `key`: without
    /// an `s3://bucket/`-style head and the store prefix; `None` outside the prefix.
    pub fn store_key<'k>(&self, key: &'k str) -> Option<&'k str> {
        relative_to_store(self.key_prefix().as_deref(), key)
    }
}

/// `key` without an `s3://bucket/`-style head and without `prefix` (as [`ListingOptions`]
/// normalizes it); `None` outside the prefix.
fn relative_to_store<'k>(prefix: Option<&str>, key: &'k str) -> Option<&'k str> {
    let key = strip_store_url(key);
    match prefix {
        None => Some(key),
        Some(prefix) => key.strip_prefix(prefix),
    }
}

impl ListingBuilder {
    /// A builder reading with `options`.
    pub fn new(options: ListingOptions) -> Self {
        let prefix = options.key_prefix();
        Self {
            options,
            prefix,
            listing: Listing::default(),
            tables: TablesBuilder::default(),
            noncurrent: BTreeMap::new(),
            current_source: String::new(),
            current_source_index: 0,
            lossy_sizes: 0,
            zone_unknown: false,
            budget: Budget::default(),
            over_budget: 0,
            budget_why: FLAG_BUDGET_WHY,
            inventory: None,
        }
    }

    /// Holds at most `limit` SlateDB objects: reading a listing with more fails with an error
    /// naming the limit, instead of exhausting memory (each object takes about 64 bytes).
    pub fn set_max_objects(&mut self, limit: Option<u64>) {
        self.budget = Budget::new(limit);
    }

    /// As [`ListingBuilder::set_max_objects`], with `why` ending the error instead of the CLI's
    /// `--max-objects`: what sets the limit, and what to do about it.
    pub fn set_max_objects_because(&mut self, limit: u64, why: &'static str) {
        self.set_max_objects(Some(limit));
        self.budget_why = why;
    }

    pub(super) fn set_source(&mut self, source: &str) {
        self.current_source = source.to_string();
        self.current_source_index = self.tables.source_index(source);
    }

    /// The error to stop with when the listing holds more SlateDB objects than allowed.
    pub(crate) fn budget_error(&self, source: &str) -> Option<ListingError> {
        let limit = self.budget.limit()?;
        (self.over_budget > 0).then(|| {
            ListingError::new(
                source,
                None,
                format!(
                    "the listing holds more than {limit} SlateDB objects, {}",
                    self.budget_why
                ),
            )
        })
    }

    /// The options in use.
    pub fn options(&self) -> &ListingOptions {
        &self.options
    }

    /// Whether an S3 Inventory manifest was read and its data files are expected.
    pub fn expects_inventory_data(&self) -> bool {
        self.inventory.is_some()
    }

    pub(crate) fn begin_source(
        &mut self,
        source: &str,
        format: ListingFormat,
    ) -> Result<(), ListingError> {
        if format == ListingFormat::S3InventoryCsv && self.inventory.is_none() {
            return Err(ListingError::new(
                source,
                None,
                "an S3 Inventory data file needs its manifest.json (it names the columns); give the manifest.json first",
            ));
        }
        self.set_source(source);
        self.lossy_sizes = 0;
        self.zone_unknown = false;
        self.listing.sources.push(source.to_string());
        if !self.listing.formats.contains(&format) {
            self.listing.formats.push(format);
        }
        Ok(())
    }

    pub(crate) fn end_source(&mut self) {
        let source = self.current_source.clone();
        if self.lossy_sizes > 0 {
            self.warn(ListingWarning::LossySizes {
                source: source.clone(),
                objects: self.lossy_sizes,
            });
        }
        if self.zone_unknown {
            self.warn(ListingWarning::NoTimeZone { source });
        }
    }

    /// Adds objects that come from no listing file, such as the files of a store folder a user
    /// picked: `source` names them in evidence.
    pub fn push_unlisted(&mut self, source: &str, entries: impl IntoIterator<Item = RawEntry>) {
        let previous = self.current_source.clone();
        self.set_source(source);
        if !self.listing.sources.iter().any(|s| s == source) {
            self.listing.sources.push(source.to_string());
        }
        for entry in entries {
            self.push(entry);
        }
        self.set_source(&previous);
    }

    /// Reads one part of listing file `source` (bytes from a line start to a later line start
    /// or the end, its lines numbered from 1) for [`ListingBuilder::join_parts`]. Only formats
    /// that [`ListingFormat::reads_in_parts`] can be read so. Parts read side by side are read
    /// through one [`ListingBuilder::reader`].
    pub fn read_part<R: Read>(
        &self,
        source: &str,
        reader: R,
        format: ListingFormat,
    ) -> Result<ListingPart, ListingError> {
        let mut builder = self.fork();
        builder.set_source(source);
        let reader = BufReader::with_capacity(256 * 1024, reader);
        let tally =
            formats::read_lines(format, source, reader, &mut builder).ok_or_else(|| {
                ListingError::new(
                    source,
                    None,
                    format!("{} listings cannot be read in parts", format.name()),
                )
            })??;
        Ok(ListingPart { builder, tally })
    }

    /// Adds the parts of listing file `source`, given in file order, as if the file had been
    /// read whole; a part that failed gives its error, with the line counted from the start
    /// of the file.
    pub fn join_parts(
        &mut self,
        source: &str,
        format: ListingFormat,
        parts: impl IntoIterator<Item = Result<ListingPart, ListingError>>,
    ) -> Result<(), ListingError> {
        let mut join = self.begin_parts(source, format)?;
        for part in parts {
            self.join_part(&mut join, part)?;
        }
        self.end_parts(join)
    }

    /// Starts joining the parts of listing file `source` one at a time, as they are read
    /// (see [`ListingBuilder::join_parts`]): [`ListingBuilder::join_part`] each in file order,
    /// then [`ListingBuilder::end_parts`].
    pub fn begin_parts(
        &mut self,
        source: &str,
        format: ListingFormat,
    ) -> Result<PartsJoin, ListingError> {
        self.begin_source(source, format)?;
        Ok(PartsJoin {
            source: source.to_string(),
            format,
            tally: LineTally::default(),
        })
    }

    /// Adds the next part of the file `join` joins; a part that failed gives its error, with
    /// the line counted from the start of the file.
    pub fn join_part(
        &mut self,
        join: &mut PartsJoin,
        part: Result<ListingPart, ListingError>,
    ) -> Result<(), ListingError> {
        let part = part.map_err(|mut err| {
            err.line = err.line.map(|line| line + join.tally.lines);
            err
        })?;
        self.absorb(part.builder, join.tally.lines);
        join.tally = join.tally.then(part.tally);
        Ok(())
    }

    /// Ends the file `join` joins, with the checks a read of the whole file makes at its end.
    pub fn end_parts(&mut self, join: PartsJoin) -> Result<(), ListingError> {
        formats::finish_lines(join.format, &join.source, self, join.tally);
        if let Some(err) = self.budget_error(&join.source) {
            return Err(err);
        }
        self.end_source();
        Ok(())
    }

    /// Adds what a builder read from the part of a file after what this one read.
    fn absorb(&mut self, part: ListingBuilder, line_offset: u64) {
        self.tables.absorb(part.tables, line_offset);
        let listing = part.listing;
        self.listing.total_objects += listing.total_objects;
        self.listing.total_bytes += listing.total_bytes;
        self.listing.outside_prefix += listing.outside_prefix;
        if let Some(at) = listing.newest_object_time {
            let newest = &mut self.listing.newest_object_time;
            *newest = Some(newest.map_or(at, |t| t.max(at)));
        }
        for warning in listing.warnings {
            self.warn(warning);
        }
        self.listing.deleted.extend(listing.deleted);
        for (key, count) in part.noncurrent {
            *self.noncurrent.entry(key).or_default() += count;
        }
        self.lossy_sizes += part.lossy_sizes;
        self.zone_unknown |= part.zone_unknown;
        self.over_budget += part.over_budget;
        // Parts read side by side may pass the limit together by a few objects each.
        if let Some(limit) = self.budget.limit() {
            self.over_budget += self.tables.rows().saturating_sub(limit);
        }
    }

    /// Whether a run of items read ahead can be taken now: the objects of a run are added as
    /// new, while a delete marker read before may have recorded one of them as deleted.
    pub(crate) fn takes_runs(&self) -> bool {
        self.listing.deleted.is_empty()
    }

    /// Adds what a run of items read ahead added (see [`super::ItemsAhead`]), where the read of
    /// the file arrives at the run. Runs are read without a limit (one holds a chunk's objects
    /// at most, and only so many chunks are read ahead), as many are read that are never taken:
    /// the limit is kept here, where a run that would pass it is counted and not kept, so that
    /// the read ends with the error a read in turn gives and holds no more than it would.
    pub(crate) fn absorb_run(&mut self, run: ListingBuilder) {
        let rows = run.tables.rows();
        if let Some(limit) = self.budget.limit() {
            if self.tables.rows().saturating_add(rows) > limit {
                self.over_budget = self.over_budget.saturating_add(rows.max(1));
                return;
            }
        }
        // A JSON listing numbers no lines of its objects.
        self.absorb(run, 0);
    }

    /// Whether listing file `source` can be read apart from the others, on a core of its own
    /// ([`ListingBuilder::read_file_apart`]): a data file the S3 Inventory manifest read names,
    /// of an inventory without versions, whose rows depend on no other file's.
    pub fn reads_apart(&self, source: &str) -> bool {
        self.inventory.as_ref().is_some_and(|plan| {
            !plan.versioned() && plan.pending_files.contains(formats::file_name(source))
        })
    }

    /// A reader for threads that read parts of a file ([`ListingBuilder::read_part`]) or
    /// whole files ([`ListingBuilder::read_file_apart`]) side by side while this builder
    /// joins them: each read goes into a builder of its own, all of them count against one
    /// limit together with what this builder holds, so that they stop at the limit instead of
    /// each holding up to it.
    pub fn reader(&self) -> ListingBuilder {
        let mut reader = self.fork();
        reader.budget = self.budget.shared_by_readers(self.tables.rows());
        reader
    }

    /// An empty builder that reads like this one: its options, its budget, the S3 Inventory
    /// being read.
    pub(super) fn fork(&self) -> ListingBuilder {
        let mut builder = ListingBuilder::new(self.options.clone());
        builder.budget = self.budget.for_reader();
        builder.budget_why = self.budget_why;
        builder.inventory = self.inventory.clone();
        builder
    }

    /// Reads a whole listing file that [`ListingBuilder::reads_apart`], for
    /// [`ListingBuilder::join_file`]; other files are read with [`super::read_listing`] in
    /// turn.
    pub fn read_file_apart<R: Read>(
        &self,
        source: &str,
        reader: R,
    ) -> Result<ListingFile, ListingError> {
        if !self.reads_apart(source) {
            return Err(ListingError::new(
                source,
                None,
                "only the data files of an S3 Inventory without versions are read apart",
            ));
        }
        let mut builder = self.fork();
        super::read_listing(&mut builder, source, reader, None)?;
        Ok(ListingFile { builder })
    }

    /// Adds a file read apart, after the files added before it, as if it had been read in
    /// turn.
    pub fn join_file(&mut self, file: ListingFile) -> Result<(), ListingError> {
        let mut builder = file.builder;
        let source = builder.current_source.clone();
        self.listing.sources.append(&mut builder.listing.sources);
        for read in builder.listing.formats.drain(..) {
            if !self.listing.formats.contains(&read) {
                self.listing.formats.push(read);
            }
        }
        if let (Some(mine), Some(theirs)) = (self.inventory.as_mut(), builder.inventory.as_ref()) {
            mine.pending_files
                .retain(|name| theirs.pending_files.contains(name));
        }
        // The file's own end-of-input warnings were made when it was read.
        builder.lossy_sizes = 0;
        builder.zone_unknown = false;
        self.absorb(builder, 0);
        match self.budget_error(&source) {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Records a warning (once).
    pub fn warn(&mut self, warning: ListingWarning) {
        if !self.listing.warnings.contains(&warning) {
            self.listing.warnings.push(warning);
        }
    }

    /// Records when the listing was taken.
    pub(crate) fn set_listing_time(&mut self, at: DateTime<Utc>) {
        self.listing.listing_time = Some(self.listing.listing_time.map_or(at, |t| t.min(at)));
    }

    /// Adds one listed object or version.
    pub fn push(&mut self, entry: RawEntry) {
        self.push_ref(entry.borrowed());
    }

    /// Adds one listed object or version, borrowed from the parser.
    pub(crate) fn push_ref(&mut self, entry: EntryRef<'_>) {
        if !entry.size_exact {
            self.lossy_sizes += 1;
        }
        if let Some(time) = entry.last_modified {
            self.zone_unknown |= !time.zone_known;
        }
        let Some(key) = self.store_key(entry.key) else {
            self.listing.outside_prefix += 1;
            return;
        };
        if entry.is_latest == Some(false) {
            *self.noncurrent.entry(key.to_string()).or_default() += 1;
            return;
        }
        let classified = classify_key(key).filter(|k| self.wanted_root(k.root));
        if entry.is_delete_marker {
            if let Some(classified) = classified {
                self.tables.remove(key, &classified);
                let deleted = DeletedObject {
                    root: classified.root.to_string(),
                    object: classified.object,
                    noncurrent_versions: 0,
                };
                self.listing.deleted.insert(key.to_string(), deleted);
            }
            return;
        }
        self.listing.total_objects += 1;
        self.listing.total_bytes += entry.size;
        if let Some(time) = entry.last_modified {
            let newest = &mut self.listing.newest_object_time;
            *newest = Some(newest.map_or(time.at, |t| t.max(time.at)));
        }
        let Some(classified) = classified else {
            return;
        };
        if !self.listing.deleted.is_empty() {
            self.listing.deleted.remove(key);
        }
        if !self.budget.admit(self.tables.rows()) {
            self.over_budget += 1;
            return;
        }
        let new = NewEntry {
            size: entry.size,
            size_exact: entry.size_exact,
            last_modified: entry.last_modified,
            etag: entry.etag,
            version_id: entry.version_id,
            line: entry.line,
            source: self.current_source_index,
        };
        self.tables
            .insert(key, classified, new, &self.current_source);
    }

    /// The store-relative key: without `s3://bucket/`-style prefixes and the store prefix.
    fn store_key<'k>(&self, key: &'k str) -> Option<&'k str> {
        relative_to_store(self.prefix.as_deref(), key)
    }

    fn wanted_root(&self, root: &str) -> bool {
        self.options
            .roots
            .as_ref()
            .is_none_or(|roots| roots.contains(root))
    }

    /// The listing, with per-root summaries and end-of-input checks.
    pub fn finish(mut self) -> Listing {
        if let Some(plan) = self.inventory.take() {
            if !plan.pending_files.is_empty() {
                self.warn(ListingWarning::MissingInventoryFiles {
                    source: plan.manifest_source,
                    missing: plan.pending_files.into_iter().collect(),
                });
            }
        }
        for (key, count) in std::mem::take(&mut self.noncurrent) {
            if let Some(deleted) = self.listing.deleted.get_mut(&key) {
                deleted.noncurrent_versions += count;
            }
        }
        self.listing.objects = std::mem::take(&mut self.tables).finish();
        let roots = self.listing.objects.root_summaries();
        self.listing.roots = roots;
        self.listing
    }
}

/// Strips a leading `scheme://bucket/` (S3, GCS, Azure, rclone remotes) from a listed key.
fn strip_store_url(key: &str) -> &str {
    // Most keys hold no `:` at all: one byte search instead of a substring search per object.
    if memchr::memchr(b':', key.as_bytes()).is_none() {
        return key;
    }
    let Some((scheme, rest)) = key.split_once("://") else {
        return key;
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
    {
        return key;
    }
    // https://<account>.blob.core.windows.net/<container>/<key>: host, then container.
    let skip = if scheme.starts_with("http") { 2 } else { 1 };
    let mut remainder = rest;
    for _ in 0..skip {
        match remainder.split_once('/') {
            Some((_, after)) => remainder = after,
            None => return "",
        }
    }
    remainder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_are_stripped_to_the_key() {
        assert_eq!(strip_store_url("s3://bucket/db/wal/1.sst"), "db/wal/1.sst");
        assert_eq!(strip_store_url("gs://b/db/manifest/x"), "db/manifest/x");
        assert_eq!(
            strip_store_url("https://acct.blob.core.windows.net/container/db/wal/1.sst"),
            "db/wal/1.sst"
        );
        assert_eq!(strip_store_url("db/wal/1.sst"), "db/wal/1.sst");
    }

    #[test]
    fn prefix_limits_the_store_and_versions_decide_presence() {
        let mut builder = ListingBuilder::new(ListingOptions {
            prefix: Some("/prod/".into()),
            ..Default::default()
        });
        builder.set_source("test");
        builder.push(RawEntry::new(
            "s3://b/prod/db/manifest/00000000000000000001.manifest",
            100,
        ));
        builder.push(RawEntry::new(
            "s3://b/other/db/manifest/00000000000000000001.manifest",
            100,
        ));
        let mut old = RawEntry::new("prod/db/wal/00000000000000000002.sst", 10);
        old.is_latest = Some(false);
        builder.push(old);
        let mut marker = RawEntry::new("prod/db/wal/00000000000000000002.sst", 0);
        marker.is_delete_marker = true;
        marker.is_latest = Some(true);
        builder.push(marker);
        builder.push(RawEntry::new("prod/db/wal/00000000000000000003.sst", 0));
        let listing = builder.finish();
        assert_eq!(listing.outside_prefix, 1);
        assert_eq!(listing.total_objects, 2);
        assert_eq!(
            listing.objects.keys().collect::<Vec<_>>(),
            [
                "db/manifest/00000000000000000001.manifest",
                "db/wal/00000000000000000003.sst"
            ]
        );
        assert_eq!(
            listing.deleted["db/wal/00000000000000000002.sst"].noncurrent_versions,
            1
        );
        let root = &listing.roots["db"];
        assert_eq!(
            (root.manifests, root.latest_manifest, root.wal_fences),
            (1, Some(1), 1)
        );
    }
}
