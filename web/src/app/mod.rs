//! The page: inputs, the planned action, and the verdict with its evidence.

mod bridge;
mod dropped;
mod inputs;
mod plan;
mod report_view;
mod results;

use crate::protocol::{Finished, InputSummary, Response};
use leptos::prelude::*;
use report_view::ReportView;
use slatecheck_core::intake::RootChoice;

/// Everything the worker last reported.
#[derive(Clone, Copy)]
pub struct PageState {
    pub inputs: RwSignal<Vec<InputSummary>>,
    pub roots: RwSignal<Vec<RootChoice>>,
    pub problem: RwSignal<Option<String>>,
    /// `(input, bytes read, bytes in all)` while reading.
    pub progress: RwSignal<Option<(String, f64, f64)>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub report: RwSignal<Option<ReportView>>,
    pub finished: RwSignal<Option<Finished>>,
    /// How many times the inputs were read, and checks finished (test hooks wait on them).
    pub loads: RwSignal<u64>,
    pub runs: RwSignal<u64>,
}

impl PageState {
    fn new() -> Self {
        Self {
            inputs: RwSignal::new(Vec::new()),
            roots: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            progress: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            report: RwSignal::new(None),
            finished: RwSignal::new(None),
            loads: RwSignal::new(0),
            runs: RwSignal::new(0),
        }
    }

    fn receive(self, response: Response) {
        match response {
            Response::Ready => {}
            Response::Progress { name, done, total } => {
                self.progress.set(Some((name, done, total)))
            }
            Response::Inputs {
                inputs,
                roots,
                problem,
            } => {
                self.busy.set(false);
                self.progress.set(None);
                self.inputs.set(inputs);
                self.roots.set(roots);
                self.problem.set(problem);
                self.loads.update(|n| *n += 1);
            }
            Response::Report(finished) => {
                self.busy.set(false);
                self.runs.update(|n| *n += 1);
                match serde_json::from_str::<ReportView>(&finished.json) {
                    Ok(view) => {
                        self.error.set(None);
                        self.report.set(Some(view));
                        self.finished.set(Some(*finished));
                    }
                    Err(err) => self.error.set(Some(format!("unreadable report: {err}"))),
                }
            }
            Response::Failed { message } => {
                self.busy.set(false);
                self.runs.update(|n| *n += 1);
                self.report.set(None);
                self.finished.set(None);
                self.error.set(Some(message));
            }
        }
    }
}

/// The page.
#[component]
pub fn App() -> impl IntoView {
    let state = PageState::new();
    provide_context(state);
    if let Err(err) = bridge::start(move |response| state.receive(response)) {
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
