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
}
