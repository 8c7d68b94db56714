//! The page's side of the worker: starting it with this very WASM module, sending requests,
//! and turning its responses into a callback.

use crate::protocol::{Request, Response};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker, WorkerOptions, WorkerType};

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
    /// Requests sent before the worker said it is ready.
    static PENDING: RefCell<Option<Vec<js_sys::Array>>> = const { RefCell::new(Some(Vec::new())) };
}

/// Starts the worker (`worker.js`, a module worker that instantiates the module it is sent),
/// calling `on_response` for everything it reports.
pub fn start(on_response: impl Fn(Response) + 'static) -> Result<(), String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./worker.js", &options)
        .map_err(|err| format!("cannot start the worker: {err:?}"))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        match serde_json::from_str::<Response>(&text) {
            Ok(Response::Ready) => flush(),
            Ok(response) => on_response(response),
            Err(err) => web_sys::console::error_1(&format!("bad worker message: {err}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    worker
        .post_message(&wasm_bindgen::module())
        .map_err(|err| format!("cannot hand the module to the worker: {err:?}"))?;
    WORKER.with(|slot| *slot.borrow_mut() = Some(worker));
    Ok(())
}

fn flush() {
    let pending = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
    for message in pending {
        post_now(&message);
    }
}

fn post_now(message: &js_sys::Array) {
    WORKER.with(|slot| {
        if let Some(worker) = slot.borrow().as_ref() {
            let _ = worker.post_message(message);
        }
    });
}

/// Sends `request` with `files` to the worker (queued until it is ready).
pub fn send(request: &Request, files: &[File]) {
    let message = js_sys::Array::new();
    message.push(&JsValue::from_str(
        &serde_json::to_string(request).unwrap_or_default(),
    ));
    for file in files {
        message.push(file);
    }
    let queued = PENDING.with(|p| match p.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push(message.clone());
            true
        }
        None => false,
    });
    if !queued {
        post_now(&message);
    }
}
