//! The page's side of the worker: starting it with this very WASM module, sending requests,
//! and turning its responses into a callback, with how long the worker took.

use crate::protocol::{ReportDownloads, Request, Response};
use crate::ready_queue::ReadyQueue;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker, WorkerOptions, WorkerType};

thread_local! {
    /// The worker, and the requests sent before it said it is ready.
    static WORKER: RefCell<Option<Rc<ReadyQueue>>> = const { RefCell::new(None) };
    static CLOCK: RefCell<Clock> = const { RefCell::new(Clock { sent_at: 0.0, last_heard: 0.0, longest_silence: 0.0 }) };
}

/// Times since the last request was sent, in milliseconds of `performance.now()`.
struct Clock {
    sent_at: f64,
    last_heard: f64,
    longest_silence: f64,
}

/// How long the worker took to answer the last request.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timed {
    /// From the request sent (the files chosen, Check pressed) to this answer's arrival
    /// (decoding it and drawing what it says come after: `parse_ms`, the phases).
    pub elapsed_ms: f64,
    /// The longest time the worker said nothing meanwhile (progress included).
    pub longest_silence_ms: f64,
    /// How long the page took to decode the answer.
    pub parse_ms: f64,
}

/// `performance.now()` on the page, in milliseconds (0 where the page has none).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now())
}

/// Notes that the worker spoke, and how long since the last request and since it last spoke.
fn heard() -> Timed {
    let now = now_ms();
    CLOCK.with(|clock| {
        let mut clock = clock.borrow_mut();
        clock.longest_silence = clock.longest_silence.max(now - clock.last_heard);
        clock.last_heard = now;
        Timed {
            elapsed_ms: now - clock.sent_at,
            longest_silence_ms: clock.longest_silence,
            parse_ms: 0.0,
        }
    })
}

/// Starts the worker (`worker.js`, a module worker that instantiates the module it is sent),
/// calling `on_response` for everything it reports.
pub fn start(on_response: impl Fn(Response, Timed) + 'static) -> Result<(), String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./worker.js", &options)
        .map_err(|err| format!("cannot start the worker: {err:?}"))?;
    let queue = Rc::new(ReadyQueue::new(worker.clone()));
    let ready_queue = Rc::clone(&queue);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let mut timed = heard();
        let decoding_from = now_ms();
        let parsed = match (data.as_string(), ReportDownloads::from_message(&data)) {
            (Some(text), _) => serde_json::from_str::<Response>(&text).map_err(|e| e.to_string()),
            (None, Some(downloads)) => Ok(Response::Downloads(downloads)),
            (None, None) => Err("neither JSON nor a report's downloads".to_string()),
        };
        timed.parse_ms = now_ms() - decoding_from;
        match parsed {
            Ok(Response::Ready) => ready_queue.ready(),
            Ok(response) => on_response(response, timed),
            Err(err) => web_sys::console::error_1(&format!("bad worker message: {err}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    worker
        .post_message(&wasm_bindgen::module())
        .map_err(|err| format!("cannot hand the module to the worker: {err:?}"))?;
    WORKER.with(|slot| *slot.borrow_mut() = Some(queue));
    Ok(())
}

/// Sends `request` with `files` to the worker (queued until it is ready).
pub fn send(request: &Request, files: &[File]) {
    let now = now_ms();
    CLOCK.with(|clock| {
        *clock.borrow_mut() = Clock {
            sent_at: now,
            last_heard: now,
            longest_silence: 0.0,
        }
    });
    let message = js_sys::Array::new();
    message.push(&JsValue::from_str(
        &serde_json::to_string(request).unwrap_or_default(),
    ));
    for file in files {
        message.push(file);
    }
    WORKER.with(|slot| {
        if let Some(queue) = slot.borrow().as_ref() {
            queue.send(&message);
        }
    });
}
