//! The worker: it owns the dropped files, reads them with the core's streaming parsers, and runs
//! checks, so the page stays responsive on listings of millions of objects. It runs the same
//! WASM module as the page (handed over by `worker.js`) and starts at [`worker_main`].

mod blob_reader;
mod blob_stream;
mod hasher;
mod heap;
mod inputs;

use crate::protocol::{
    Downloads, Finished, ReportDownloads, Request, Response, RunRequest, Stopwatch,
};
use crate::report_view::ReportView;
use inputs::{Inputs, PendingDownloads};
use slatecheck_core::check::{run_check, CheckRequest};
use slatecheck_core::report::{
    render_html_with_json, render_markdown, render_text, wal_picture, Report,
};
use slatecheck_core::rules::CheckOptions;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

/// Posts one response to the page.
fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    if let Response::Downloads(downloads) = response {
        let _ = scope.post_message(&downloads.to_message());
        return;
    }
    let text = serde_json::to_string(response).unwrap_or_default();
    let _ = scope.post_message(&JsValue::from_str(&text));
}

/// What the worker does next, in the order it was asked: requests from the page and the
/// hasher's answers go through one queue, so that a read waiting on the browser (a listing
/// streamed in) finishes before anything else touches the inputs.
enum Job {
    Request(Request, Vec<File>),
    Hashed(hasher::Hashed),
}

/// The worker's state, and the jobs waiting for it.
struct Worker {
    scope: DedicatedWorkerGlobalScope,
    inputs: RefCell<Inputs>,
    jobs: RefCell<VecDeque<Job>>,
    /// Whether a task is taking the jobs.
    busy: Cell<bool>,
}

impl Worker {
    /// Queues `job`, and starts taking the jobs unless a task already is.
    fn enqueue(self: &Rc<Self>, job: Job) {
        self.jobs.borrow_mut().push_back(job);
        if self.busy.replace(true) {
            return;
        }
        let worker = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                // Taken out first: the queue must not stay borrowed while a job waits.
                let next = worker.jobs.borrow_mut().pop_front();
                let Some(job) = next else {
                    break;
                };
                worker.run(job).await;
            }
            worker.busy.set(false);
        });
    }

    /// Does one job. The inputs are taken out for it (only this task touches them), and put
    /// back when it is done.
    async fn run(&self, job: Job) {
        let mut state = self.inputs.take();
        self.run_on(&mut state, job).await;
        self.inputs.replace(state);
    }

    async fn run_on(&self, state: &mut Inputs, job: Job) {
        let scope = &self.scope;
        let request = match job {
            Job::Hashed(hashed) => {
                state.hashed(hashed);
                post_pending_downloads(scope, state);
                return;
            }
            Job::Request(request, files) => (request, files),
        };
        let progress = |name: &str, done: f64, total: f64| {
            post(
                scope,
                &Response::Progress {
                    name: name.to_string(),
                    done,
                    total,
                },
            )
        };
        let step = |what: &str| {
            post(
                scope,
                &Response::Step {
                    what: what.to_string(),
                },
            )
        };
        let response = match request {
            (Request::Add { inputs }, files) => {
                state.add(inputs, files);
                state.reload(&progress, &step).await
            }
            (Request::Assign { index, store }, _) => {
                state.assign(index, store);
                state.reload(&progress, &step).await
            }
            (Request::Earlier { index, earlier }, _) => {
                state.mark_earlier(index, earlier);
                state.reload(&progress, &step).await
            }
            (Request::Remove { index }, _) => {
                state.remove(index);
                state.reload(&progress, &step).await
            }
            (Request::ManifestRoot { root }, _) => {
                state.manifest_root = root;
                state.reload(&progress, &step).await
            }
            (
                Request::Reading {
                    prefix,
                    tz,
                    listing_complete,
                },
                _,
            ) => match state.set_reading(&prefix, &tz, listing_complete) {
                Ok(()) => state.reload(&progress, &step).await,
                Err(message) => Response::Failed { message },
            },
            (Request::Run(run), _) => {
                check(scope, state, run);
                return;
            }
        };
        post(scope, &response);
        // A removed input's hash is no longer awaited.
        post_pending_downloads(scope, state);
    }
}

/// Entry point inside the worker.
#[wasm_bindgen]
pub fn worker_main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let worker = Rc::new(Worker {
        scope: scope.clone(),
        inputs: RefCell::new(Inputs::default()),
        jobs: RefCell::new(VecDeque::new()),
        busy: Cell::new(false),
    });
    let answers = Rc::clone(&worker);
    if let Some(hasher) = hasher::HashWorker::start(move |hashed| {
        answers.enqueue(Job::Hashed(hashed));
    }) {
        worker.inputs.borrow_mut().hash_on(hasher);
    }
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // `[request JSON, files...]`.
        let array: js_sys::Array = event.data().unchecked_into();
        let Some(text) = array.get(0).as_string() else {
            return;
        };
        match serde_json::from_str::<Request>(&text) {
            Ok(request) => {
                let files = array.iter().skip(1).map(|f| f.unchecked_into()).collect();
                worker.enqueue(Job::Request(request, files));
            }
            Err(err) => post(
                &worker.scope,
                &Response::Failed {
                    message: format!("bad request: {err}"),
                },
            ),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &Response::Ready);
}

/// Makes the downloads of the report that waited for hashes, once none it names is still
/// coming.
fn post_pending_downloads(scope: &DedicatedWorkerGlobalScope, state: &mut Inputs) {
    let ready = state
        .pending_downloads
        .as_ref()
        .is_some_and(|pending| !state.hashes_pending_for(&pending.ids));
    if !ready {
        return;
    }
    if let Some(PendingDownloads {
        mut report,
        ids,
        mut clock,
    }) = state.pending_downloads.take()
    {
        clock.lap("wait for hashes");
        state.fill_hashes(&ids, &mut report.inputs);
        clock.phases.extend(state.hash_phases());
        post(scope, &downloads(&report, clock));
    }
}

/// Runs a check on the inputs as last read and posts what the page shows; then makes the
/// report's downloads and posts them (rendering every format took longer than the check itself
/// on large stores, and the verdict need not wait for it). The downloads name each input's
/// SHA-256: while the hasher is still at one, they wait for it.
fn check(scope: &DedicatedWorkerGlobalScope, state: &mut Inputs, run: RunRequest) {
    match checked(state, run) {
        Ok((Checked { report, finished }, ids)) => {
            post(scope, &Response::Report(Box::new(finished)));
            post(scope, &wal_pictures(&report));
            // A report made before is never downloaded now.
            state.pending_downloads = Some(PendingDownloads {
                report,
                ids,
                clock: Stopwatch::default(),
            });
            post_pending_downloads(scope, state);
        }
        Err(message) => post(scope, &Response::Failed { message }),
    }
}

/// A check's report, and what the page shows of it.
struct Checked {
    report: Report,
    finished: Finished,
}

/// The WAL pictures of the report's roots, timed.
fn wal_pictures(report: &Report) -> Response {
    let mut clock = Stopwatch::default();
    let html = report.roots.iter().map(wal_picture).collect();
    clock.lap("wal pictures");
    Response::WalPictures {
        html,
        phases: clock.phases,
    }
}

/// The report's downloads, timed on `clock`.
fn downloads(report: &Report, mut clock: Stopwatch) -> Response {
    let json = report.to_json();
    clock.lap("json");
    let text = render_text(report);
    let markdown = render_markdown(report);
    clock.lap("text and markdown");
    let html = render_html_with_json(report, &json);
    clock.lap("html");
    match Downloads::new(&json, &markdown, &html, &text) {
        Ok(downloads) => {
            clock.lap("downloads");
            Response::Downloads(ReportDownloads {
                downloads,
                phases: clock.phases,
            })
        }
        Err(message) => Response::DownloadsFailed { message },
    }
}

/// Runs a check on the inputs as last read, timing its phases; with the ids of the report's
/// inputs.
fn checked(state: &Inputs, run: RunRequest) -> Result<(Checked, Vec<u64>), String> {
    let mut clock = Stopwatch::default();
    if !state.any_usable() {
        return Err(
            "no usable inputs: add a bundle, manifests or listings (inputs marked in red could not be read)"
                .to_string(),
        );
    }
    let Some(snapshot) = state.snapshot() else {
        return Err(state
            .problem()
            .unwrap_or("no inputs yet: add a bundle, manifests or listings")
            .to_string());
    };
    let mut plans = Vec::new();
    for text in run.plans.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        match text.parse::<slatecheck_core::plan::Action>() {
            Ok(action) => plans.push(action),
            // The error names the plan already.
            Err(err) => return Err(err.to_string()),
        }
    }
    let now = match run.now.trim() {
        "" => None,
        text => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(time) => Some(time.to_utc()),
            Err(err) => return Err(format!("`{text}` is not an RFC 3339 time: {err}")),
        },
    };
    let (inputs, ids) = state.input_refs();
    let request = CheckRequest {
        plans,
        roots: run.roots,
        now,
        options: CheckOptions {
            min_age: chrono::Duration::seconds(run.min_age_seconds.max(0)),
            no_wal_store: run.no_wal_store || state.bundle_no_wal_store(),
            gc_running: run.gc_running,
            writers_closed: run.writers_closed,
            writers_closed_roots: run.writers_closed_roots,
            writers_closed_wal_only: run.writers_closed_wal_only,
            writers_closed_wal_only_roots: run.writers_closed_wal_only_roots,
            ..CheckOptions::default()
        },
        inputs,
        limits: state.config().limits,
    };
    clock.lap("prepare");
    let mut report = run_check(snapshot, request).map_err(|err| err.to_string())?;
    report.apply_policy(state.config(), None);
    clock.lap("check");
    // The view is read from the report's own JSON, without the roots' WAL facts (most of it on
    // a large store, and not in the view): the full JSON is made with the downloads.
    let roots = std::mem::take(&mut report.roots);
    let view_json = serde_json::to_string(&report);
    report.roots = roots;
    let view = view_json
        .map_err(|err| err.to_string())
        .and_then(|json| serde_json::from_str::<ReportView>(&json).map_err(|err| err.to_string()))
        .map_err(|err| format!("unreadable report: {err}"))?;
    clock.lap("view");
    let finished = Finished {
        view,
        phases: clock.phases,
    };
    Ok((Checked { report, finished }, ids))
}
