//! Messages between the page and its worker, as JSON text (files travel beside them as a JS
//! array). The worker owns the parsed inputs; the page only shows what it is told.

use serde::{Deserialize, Serialize};
use slatecheck_core::intake::{RootChoice, Store};

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
}

/// What an input turned out to be.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InputSummary {
    /// File or folder name.
    pub name: String,
    /// `bundle`, `manifest`, `listing`, `folder` or `ignored`.
    pub kind: String,
    /// What was recognised: format, roots, manifest ids, object counts.
    pub detail: String,
    /// The store a listing or folder counts for; `None` for bundles and manifests.
    pub store: Option<Store>,
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
    /// A finished check.
    Report(Box<Finished>),
    /// A check that could not run.
    Failed {
        /// One line.
        message: String,
    },
}

/// A check's result, already rendered for every download.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finished {
    /// The JSON report.
    pub json: String,
    /// The report for people (terminal text).
    pub text: String,
    /// The Markdown report.
    pub markdown: String,
    /// The self-contained HTML report.
    pub html: String,
    /// The WAL id line of each root, as HTML fragments (styled by `WAL_PICTURE_CSS`).
    pub wal_pictures: String,
    /// Where the worker's time went, in order (benchmark hooks).
    #[serde(default)]
    pub phases: Vec<Phase>,
}

impl Finished {
    /// The report as a message of its own: its texts (tens of MB for a large store) travel as
    /// JS strings, which the browser copies as they are, instead of being escaped into one JSON
    /// text and parsed out of it again; the phases as JSON.
    pub fn to_message(&self) -> js_sys::Array {
        let phases = serde_json::to_string(&self.phases).unwrap_or_default();
        [
            phases.as_str(),
            &self.json,
            &self.text,
            &self.markdown,
            &self.html,
            &self.wal_pictures,
        ]
        .into_iter()
        .map(wasm_bindgen::JsValue::from_str)
        .collect()
    }

    /// The report [`Finished::to_message`] made; `None` for any other message.
    pub fn from_message(message: &wasm_bindgen::JsValue) -> Option<Self> {
        let parts: &js_sys::Array = wasm_bindgen::JsCast::dyn_ref(message)?;
        if parts.length() != 6 {
            return None;
        }
        let part = |index: u32| parts.get(index).as_string();
        Some(Self {
            phases: serde_json::from_str(&part(0)?).ok()?,
            json: part(1)?,
            text: part(2)?,
            markdown: part(3)?,
            html: part(4)?,
            wal_pictures: part(5)?,
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
