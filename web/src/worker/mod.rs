//! The worker: it owns the dropped files, reads them with the core's streaming parsers, and runs
//! checks, so the page stays responsive on listings of millions of objects. It runs the same
//! WASM module as the page (handed over by `worker.js`) and starts at [`worker_main`].

mod blob_reader;
mod hasher;
mod heap;
mod inputs;

use crate::protocol::{
    Downloads, Finished, ReportDownloads, Request, Response, RunRequest, Stopwatch,
};
use crate::report_view::ReportView;
use inputs::Inputs;
use slatecheck_core::check::{run_check, CheckRequest};
use slatecheck_core::report::{
    render_html_with_json, render_markdown, render_text, wal_picture, Report,
};
use slatecheck_core::rules::CheckOptions;
use std::cell::RefCell;
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

/// Entry point inside the worker.
#[wasm_bindgen]
pub fn worker_main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(Inputs::default()));
    let (hash_state, hash_scope) = (Rc::clone(&state), scope.clone());
    let hasher = hasher::HashWorker::start(move |hashed| {
        let mut state = hash_state.borrow_mut();
        state.hashed(hashed);
        run_deferred(&hash_scope, &mut state);
    });
    if let Some(hasher) = hasher {
        state.borrow_mut().hash_on(hasher);
    }
    let handler_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let scope = &handler_scope;
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
        let data = event.data();
        // `[request JSON, files...]`.
        let array: js_sys::Array = data.unchecked_into();
        let Some(text) = array.get(0).as_string() else {
            return;
        };
        let request: Request = match serde_json::from_str(&text) {
            Ok(request) => request,
            Err(err) => {
                post(
                    scope,
                    &Response::Failed {
                        message: format!("bad request: {err}"),
                    },
                );
                return;
            }
        };
        let mut state = state.borrow_mut();
        let response = match request {
            Request::Add { inputs } => {
                let files: Vec<File> = array.iter().skip(1).map(|f| f.unchecked_into()).collect();
                state.add(inputs, files);
                state.reload(&progress, &step)
            }
            Request::Assign { index, store } => {
                state.assign(index, store);
                state.reload(&progress, &step)
            }
            Request::Remove { index } => {
                state.remove(index);
                state.reload(&progress, &step)
            }
            Request::ManifestRoot { root } => {
                state.manifest_root = root;
                state.reload(&progress, &step)
            }
            Request::Reading {
                prefix,
                tz,
                listing_complete,
            } => match state.set_reading(&prefix, &tz, listing_complete) {
                Ok(()) => state.reload(&progress, &step),
                Err(message) => Response::Failed { message },
            },
            // The report names each file's SHA-256: wait for the last one.
            Request::Run(run) if state.hashes_pending() => {
                state.deferred_run = Some((run, Stopwatch::default()));
                return;
            }
            Request::Run(run) => {
                check(scope, &state, run, Stopwatch::default());
                return;
            }
        };
        post(scope, &response);
        // A removed input's hash is no longer awaited.
        run_deferred(scope, &mut state);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &Response::Ready);
}

/// Runs the check that waited for hashes, once none is still coming.
fn run_deferred(scope: &DedicatedWorkerGlobalScope, state: &mut Inputs) {
    if !state.hashes_pending() {
        if let Some((run, mut clock)) = state.deferred_run.take() {
            clock.lap("wait for hashes");
            check(scope, state, run, clock);
        }
    }
}

/// Runs a check on the inputs as last read, timing its phases on `clock`, and posts what the
/// page shows; then makes the report's downloads and posts them (rendering every format took
/// longer than the check itself on large stores, and the verdict need not wait for it).
fn check(scope: &DedicatedWorkerGlobalScope, state: &Inputs, run: RunRequest, clock: Stopwatch) {
    match checked(state, run, clock) {
        Ok(Checked { report, finished }) => {
            post(scope, &Response::Report(Box::new(finished)));
            post(scope, &downloads(&report));
        }
        Err(message) => post(scope, &Response::Failed { message }),
    }
}

/// A check's report, and what the page shows of it.
struct Checked {
    report: Report,
    finished: Finished,
}

/// The report's downloads, timed.
fn downloads(report: &Report) -> Response {
    let mut clock = Stopwatch::default();
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

/// Runs a check on the inputs as last read, timing its phases on `clock`.
fn checked(state: &Inputs, run: RunRequest, mut clock: Stopwatch) -> Result<Checked, String> {
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
    let request = CheckRequest {
        plans,
        roots: run.roots,
        now,
        options: CheckOptions {
            min_age: chrono::Duration::seconds(run.min_age_seconds.max(0)),
            no_wal_store: run.no_wal_store || state.bundle_no_wal_store(),
            gc_running: run.gc_running,
            writers_closed: run.writers_closed,
            ..CheckOptions::default()
        },
        inputs: state.input_refs(),
        limits: state.config().limits,
    };
    clock.lap("prepare");
    // Taken beside the read, before this check: shown first, outside the check's time.
    clock.phases.splice(0..0, state.hash_phases());
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
    let wal_pictures = report.roots.iter().map(wal_picture).collect();
    clock.lap("wal pictures");
    let finished = Finished {
        view,
        wal_pictures,
        phases: clock.phases,
    };
    Ok(Checked { report, finished })
}
