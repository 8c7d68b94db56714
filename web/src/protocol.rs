//! Messages between the page and its worker, as JSON text (files travel beside them as a JS
//! array, and a finished check's downloads as Blobs). The worker owns the parsed inputs; the
//! page only shows what it is told.

use crate::report_view::ReportView;
use serde::{Deserialize, Serialize};
use slatecheck_core::intake::{RootChoice, Store};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag};

/// One input the page hands over: a single file, or a folder (many files, one input).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewInput {
    /// The file's name, or the folder's.
    pub name: String,
    /// How many of the accompanying files belong to it (1 for a file).
    pub files: usize,
    /// Set for folders: each file's path below the folder, in order.
    pub paths: Option<Vec<String>>,
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// New inputs; their files follow in one array, input after input.
    Add { inputs: Vec<NewInput> },
    /// Move input `index` to a store (listings and folders only).
    Assign { index: usize, store: Store },
    /// Take bundle `index` as collected earlier, before a wipe or a deletion
    /// (`--earlier-bundle`: only the rows it read and its manifests are used), or as the store
    /// now.
    Earlier { index: usize, earlier: bool },
    /// Drop input `index`.
    Remove { index: usize },
    /// The root that manifests given without a folder belong to.
    ManifestRoot { root: String },
    /// How listing files are read: the store's prefix in the bucket, and the UTC offset of
    /// times printed without a zone (`UTC`, `+02:00`); empty: none.
    Reading {
        prefix: String,
        tz: String,
        /// The listing files are complete (`--listing-complete`): formats that cannot show a
        /// cut-short listing are taken at the user's word.
        #[serde(default)]
        listing_complete: bool,
    },
    /// Run a check.
    Run(RunRequest),
}

/// A check to run on the inputs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunRequest {
    /// Plans in the CLI's `--plan` syntax; none: every rule on every root.
    pub plans: Vec<String>,
    /// RFC 3339; empty: the listing's time.
    pub now: String,
    /// GC's min-age in seconds.
    pub min_age_seconds: i64,
    /// Only report scan findings of these roots (all when empty).
    #[serde(default)]
    pub roots: Vec<String>,
    /// The databases keep their WAL in the main store (`--no-wal-store`).
    #[serde(default)]
    pub no_wal_store: bool,
    /// GC runs in the background against the databases (`--gc-running`).
    #[serde(default)]
    pub gc_running: bool,
    /// Every writer of the databases stopped with `Db::close()` (`--writers-closed`).
    #[serde(default)]
    pub writers_closed: bool,
    /// The database roots whose writers did so, when only some (`--writers-closed=ROOT,…`).
    #[serde(default)]
    pub writers_closed_roots: Vec<String>,
    /// Every writer's last close flushed only its WAL, or nothing (`--writers-closed-wal-only`).
    #[serde(default)]
    pub writers_closed_wal_only: bool,
    /// The database roots whose writers did so, when only some (`--writers-closed-wal-only=ROOT,…`).
    #[serde(default)]
    pub writers_closed_wal_only_roots: Vec<String>,
}

/// What an input turned out to be.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InputSummary {
    /// File or folder name.
    pub name: String,
    /// `bundle`, `earlier-bundle`, `manifest`, `listing`, `folder` or `ignored`.
    pub kind: String,
    /// What was recognised: format, roots, manifest ids, object counts.
    pub detail: String,
    /// The store a listing or folder counts for; `None` for bundles and manifests.
    pub store: Option<Store>,
    /// For bundles: whether it is taken as collected earlier (`--earlier-bundle`).
    #[serde(default)]
    pub earlier: Option<bool>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The worker has loaded and takes requests.
    Ready,
    /// Reading progress of one input.
    Progress {
        /// The input being read.
        name: String,
        /// Bytes read.
        done: f64,
        /// Bytes in all.
        total: f64,
    },
    /// A step of the work after the files are read (what the page shows meanwhile).
    Step {
        /// What is being done, for people: "building the snapshot of every database root".
        what: String,
    },
    /// The inputs as now read.
    Inputs {
        /// Each input, in order.
        inputs: Vec<InputSummary>,
        /// The roots found, with their checkpoints.
        roots: Vec<RootChoice>,
        /// Why the inputs do not make a check (e.g. a manifest without a root).
        problem: Option<String>,
        /// Where the worker's time went, in order (benchmark hooks).
        #[serde(default)]
        phases: Vec<Phase>,
    },
    /// A finished check: what the page shows. Its WAL pictures and its downloads follow in
    /// messages of their own.
    Report(Box<Finished>),
    /// The WAL pictures of the report just sent, made after it so that the verdict is shown
    /// without waiting for them (a store of a hundred roots has megabytes of them).
    WalPictures {
        /// The WAL id line of each root, as HTML fragments (styled by `WAL_PICTURE_CSS`).
        html: String,
        /// Where the worker's time went (benchmark hooks).
        #[serde(default)]
        phases: Vec<Phase>,
    },
    /// The downloads of the report just sent, made after it so that the verdict is shown
    /// without waiting for them (they travel as Blobs: see [`ReportDownloads::to_message`]).
    #[serde(skip)]
    Downloads(ReportDownloads),
    /// The downloads of the report just sent could not be made (the verdict stands).
    DownloadsFailed {
        /// One line.
        message: String,
    },
    /// A check that could not run.
    Failed {
        /// One line.
        message: String,
    },
}

/// A check's result: what the page shows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finished {
    /// The parts of the report the page shows.
    pub view: ReportView,
    /// Where the worker's time went, in order (benchmark hooks).
    #[serde(default)]
    pub phases: Vec<Phase>,
}

/// The downloads of a finished check, and where the worker's time went making them.
#[derive(Clone, Debug)]
pub struct ReportDownloads {
    pub downloads: Downloads,
    pub phases: Vec<Phase>,
}

/// The first part of a downloads message: tells it from a report's JSON (an object).
const DOWNLOADS_TAG: &str = "downloads";

/// The report in every download format, as Blobs: the page links them as they are, so texts of
/// tens of MB (a large store's report) are neither copied into JS strings nor decoded again.
#[derive(Clone, Debug)]
pub struct Downloads {
    pub json: Blob,
    pub markdown: Blob,
    pub html: Blob,
    pub text: Blob,
}

impl Downloads {
    /// The four reports as Blobs of their UTF-8 bytes.
    pub fn new(json: &str, markdown: &str, html: &str, text: &str) -> Result<Self, String> {
        Ok(Self {
            json: blob(json, "application/json")?,
            markdown: blob(markdown, "text/markdown")?,
            html: blob(html, "text/html")?,
            text: blob(text, "text/plain")?,
        })
    }

    fn parts(&self) -> [&Blob; 4] {
        [&self.json, &self.markdown, &self.html, &self.text]
    }
}

fn blob(text: &str, mime: &str) -> Result<Blob, String> {
    let bytes = js_sys::Uint8Array::from(text.as_bytes());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &options)
        .map_err(|err| format!("cannot make the {mime} download: {err:?}"))
}

impl ReportDownloads {
    /// The downloads as a message of their own: a tag and the phases' JSON, then the Blobs,
    /// which the browser hands over by reference.
    pub fn to_message(&self) -> js_sys::Array {
        let phases = serde_json::to_string(&self.phases).unwrap_or_default();
        let message = js_sys::Array::of2(&DOWNLOADS_TAG.into(), &phases.into());
        for part in self.downloads.parts() {
            message.push(part);
        }
        message
    }

    /// The downloads [`ReportDownloads::to_message`] made; `None` for any other message.
    pub fn from_message(message: &JsValue) -> Option<Self> {
        let parts: &js_sys::Array = message.dyn_ref()?;
        if parts.length() != 6 || parts.get(0).as_string()? != DOWNLOADS_TAG {
            return None;
        }
        let blob = |index: u32| parts.get(index).dyn_into::<Blob>().ok();
        Some(Self {
            phases: serde_json::from_str(&parts.get(1).as_string()?).ok()?,
            downloads: Downloads {
                json: blob(2)?,
                markdown: blob(3)?,
                html: blob(4)?,
                text: blob(5)?,
            },
        })
    }
}

/// A step of the worker's work and the milliseconds it took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    pub ms: f64,
}

/// Laps of the worker's clock, one [`Phase`] each.
pub struct Stopwatch {
    last: f64,
    pub phases: Vec<Phase>,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Self {
            last: js_sys::Date::now(),
            phases: Vec::new(),
        }
    }
}

impl Stopwatch {
    /// Ends the phase `name`, begun at the last lap.
    pub fn lap(&mut self, name: impl Into<String>) {
        let now = js_sys::Date::now();
        self.phases.push(Phase {
            name: name.into(),
            ms: now - self.last,
        });
        self.last = now;
    }
}

/// `name=ms` for each phase, `;` between them: how the page shows them to benchmarks.
pub fn phases_text(phases: &[Phase]) -> String {
    phases
        .iter()
        .map(|phase| format!("{}={:.0}", phase.name, phase.ms))
        .collect::<Vec<_>>()
        .join(";")
}
