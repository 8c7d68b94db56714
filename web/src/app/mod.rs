//! The page: inputs, the planned action, and the verdict with its evidence.

mod bridge;
mod dropped;
mod inputs;
mod plan;
mod results;

use crate::protocol::{
    phases_text, Downloads, Finished, InputSummary, Phase, ReportDownloads, Response,
};
use crate::report_view::ReportView;
use leptos::prelude::*;
use slatecheck_core::intake::RootChoice;

/// Everything the worker last reported.
#[derive(Clone, Copy)]
pub struct PageState {
    pub inputs: RwSignal<Vec<InputSummary>>,
    pub roots: RwSignal<Vec<RootChoice>>,
    pub problem: RwSignal<Option<String>>,
    /// `(input, bytes read, bytes in all)` while reading.
    pub progress: RwSignal<Option<(String, f64, f64)>>,
    /// The step the worker is at after the reads, while it works.
    pub step: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub report: RwSignal<Option<ReportView>>,
    pub finished: RwSignal<Option<Finished>>,
    /// The last report's WAL pictures, which follow it: `None` while the worker draws them.
    pub wal_pictures: RwSignal<Option<String>>,
    /// How many times the inputs were read, and checks finished (test hooks wait on them).
    pub loads: RwSignal<u64>,
    pub runs: RwSignal<u64>,
    /// How long the last read of the inputs took, from the files chosen to the inputs shown,
    /// and the longest the worker went without a word meanwhile (benchmark hooks).
    pub read_timed: RwSignal<bridge::Timed>,
    /// How long the last check took, from Check pressed to the verdict.
    pub check_timed: RwSignal<bridge::Timed>,
    /// From Check pressed to the last report's downloads (made after the verdict is sent).
    pub downloads_timed: RwSignal<bridge::Timed>,
    /// The last report's downloads, which follow it: `None` while the worker makes them, an
    /// error when it could not.
    pub downloads: RwSignal<Option<Result<Downloads, String>>>,
    /// Where the worker's and the page's time went in the last read and check (`name=ms;…`).
    pub read_phases: RwSignal<String>,
    pub check_phases: RwSignal<String>,
}

impl PageState {
    fn new() -> Self {
        Self {
            inputs: RwSignal::new(Vec::new()),
            roots: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            progress: RwSignal::new(None),
            step: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            report: RwSignal::new(None),
            finished: RwSignal::new(None),
            wal_pictures: RwSignal::new(None),
            loads: RwSignal::new(0),
            runs: RwSignal::new(0),
            read_timed: RwSignal::new(bridge::Timed::default()),
            check_timed: RwSignal::new(bridge::Timed::default()),
            downloads_timed: RwSignal::new(bridge::Timed::default()),
            downloads: RwSignal::new(None),
            read_phases: RwSignal::new(String::new()),
            check_phases: RwSignal::new(String::new()),
        }
    }

    fn receive(self, response: Response, timed: bridge::Timed) {
        match response {
            Response::Ready => {}
            Response::Progress { name, done, total } => {
                self.progress.set(Some((name, done, total)))
            }
            Response::Step { what } => {
                self.progress.set(None);
                self.step.set(Some(what));
            }
            Response::Inputs {
                inputs,
                roots,
                problem,
                mut phases,
            } => {
                phases.push(page_phase("page: decode", timed.parse_ms));
                self.read_phases.set(phases_text(&phases));
                self.busy.set(false);
                self.progress.set(None);
                self.step.set(None);
                self.inputs.set(inputs);
                self.roots.set(roots);
                self.problem.set(problem);
                self.read_timed.set(timed);
                self.loads.update(|n| *n += 1);
            }
            Response::Report(finished) => {
                self.busy.set(false);
                self.check_timed.set(timed);
                self.runs.update(|n| *n += 1);
                let mut phases = finished.phases.clone();
                phases.push(page_phase("page: decode", timed.parse_ms));
                self.check_phases.set(phases_text(&phases));
                self.error.set(None);
                self.report.set(Some(finished.view.clone()));
                self.downloads.set(None);
                self.wal_pictures.set(None);
                self.finished.set(Some(*finished));
            }
            Response::WalPictures { html, mut phases } => {
                phases.push(page_phase("page: decode WAL pictures", timed.parse_ms));
                self.check_phases
                    .update(|text| text.push_str(&format!(";{}", phases_text(&phases))));
                self.wal_pictures.set(Some(html));
            }
            Response::Downloads(ReportDownloads {
                downloads,
                mut phases,
            }) => {
                self.downloads_timed.set(timed);
                phases.push(page_phase("page: decode downloads", timed.parse_ms));
                self.check_phases
                    .update(|text| text.push_str(&format!(";{}", phases_text(&phases))));
                self.downloads.set(Some(Ok(downloads)));
            }
            Response::DownloadsFailed { message } => {
                self.downloads_timed.set(timed);
                self.downloads.set(Some(Err(message)));
            }
            Response::Failed { message } => {
                self.busy.set(false);
                self.step.set(None);
                self.check_timed.set(timed);
                self.runs.update(|n| *n += 1);
                self.report.set(None);
                self.finished.set(None);
                self.error.set(Some(message));
            }
        }
    }
}

fn page_phase(name: &str, ms: f64) -> Phase {
    Phase {
        name: name.to_string(),
        ms,
    }
}

/// The page.
#[component]
pub fn App() -> impl IntoView {
    let state = PageState::new();
    provide_context(state);
    if let Err(err) = bridge::start(move |response, timed| state.receive(response, timed)) {
        state.error.set(Some(err));
    }
    view! {
        <header>
            <h1>"slatecheck"</h1>
            <p class="tagline">
                "Is it safe to clone from this checkpoint, reopen, wipe the WAL store, delete a checkpoint or let GC run? "
                "Drop a " <code>"slatecheck collect"</code> " bundle, manifests, listings or a store folder. "
                <strong>"Nothing leaves this browser."</strong>
            </p>
        </header>
        <main>
            <inputs::Inputs />
            <plan::PlanPicker />
            <results::Results />
        </main>
    }
}
