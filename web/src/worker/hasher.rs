//! A second worker that takes each input file's SHA-256 once the reading worker has read the
//! file, so that hashing neither competes with the read for the CPU nor holds up the verdict:
//! only the report's downloads, which name the inputs by their hashes, wait for it. The
//! browser's own SHA-256 (`crypto.subtle.digest`) uses the CPU's SHA instructions and is many
//! times faster than SHA-256 in WASM, but takes a file whole: files up to
//! [`BROWSER_HASH_MAX_BYTES`] go to it, one at a time; larger ones, and every file where the
//! page has no `crypto.subtle` (an insecure context), are hashed here in WASM. Where the
//! browser cannot start a worker from a worker, the reading worker hashes each file in WASM as
//! it reads it.

use super::blob_reader::BlobReader;
use crate::ready_queue::ReadyQueue;
use slatecheck_core::digest::{hex, HashingReader};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DedicatedWorkerGlobalScope, File, MessageEvent, SubtleCrypto, Worker, WorkerOptions, WorkerType,
};

/// The name `worker.js` starts the hasher by.
const NAME: &str = "hasher";
/// What the hasher says once it takes requests.
const READY: &str = "ready";
/// The largest file handed to the browser's SHA-256, which holds it in memory whole.
const BROWSER_HASH_MAX_BYTES: f64 = 256.0 * 1024.0 * 1024.0;

/// Entry point inside the hasher worker: `[id, File]` in, `[id, SHA-256 hex, how, ms]` out
/// (`null` for the hash when the file could not be read; `how` is `browser` or `wasm`).
#[wasm_bindgen]
pub fn hasher_main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let subtle = subtle_crypto(&scope);
    // One file at a time: the browser's SHA-256 holds the file it hashes in memory.
    let queue = Rc::new(RefCell::new(VecDeque::<(JsValue, File)>::new()));
    let busy = Rc::new(Cell::new(false));
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let request: js_sys::Array = event.data().unchecked_into();
        queue
            .borrow_mut()
            .push_back((request.get(0), request.get(1).unchecked_into()));
        if !busy.replace(true) {
            let (queue, busy, reply, subtle) = (
                Rc::clone(&queue),
                Rc::clone(&busy),
                reply.clone(),
                subtle.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                loop {
                    // Taken out first: the queue must not stay borrowed across the awaits,
                    // while more requests arrive.
                    let next = queue.borrow_mut().pop_front();
                    let Some((id, file)) = next else {
                        break;
                    };
                    let started = js_sys::Date::now();
                    let browser = match &subtle {
                        Some(subtle) if file.size() <= BROWSER_HASH_MAX_BYTES => {
                            browser_sha256_of(subtle, &file).await.ok()
                        }
                        _ => None,
                    };
                    // Otherwise in WASM, which also names what went wrong reading the file.
                    let how = if browser.is_some() { "browser" } else { "wasm" };
                    let hash = browser.map_or_else(|| sha256_of(&file), Ok);
                    let hash = hash.map_or(JsValue::NULL, |hex| JsValue::from_str(&hex));
                    let answer = js_sys::Array::of4(
                        &id,
                        &hash,
                        &JsValue::from_str(how),
                        &JsValue::from_f64(js_sys::Date::now() - started),
                    );
                    let _ = reply.post_message(&answer);
                }
                busy.set(false);
            });
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

/// The SHA-256 of all of `file`, in lower-case hex, computed in WASM as the file is read.
fn sha256_of(file: &File) -> Result<String, String> {
    let quiet = |_: f64, _: f64| {};
    HashingReader::new(BlobReader::new(file, None, &quiet)?)
        .finish_hex()
        .map_err(|err| err.to_string())
}

/// The browser's `crypto.subtle`, where the page is a secure context that has it.
fn subtle_crypto(scope: &DedicatedWorkerGlobalScope) -> Option<SubtleCrypto> {
    let crypto = scope.crypto().ok()?;
    let subtle = js_sys::Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.is_object().then(|| subtle.unchecked_into())
}

/// The SHA-256 of all of `file` by the browser, in lower-case hex.
async fn browser_sha256_of(subtle: &SubtleCrypto, file: &File) -> Result<String, JsValue> {
    let bytes = JsFuture::from(file.array_buffer()).await?;
    let digest = subtle.digest_with_str_and_buffer_source("SHA-256", bytes.unchecked_ref())?;
    let digest = js_sys::Uint8Array::new(&JsFuture::from(digest).await?).to_vec();
    Ok(hex(&digest))
}

/// What the hasher reports to the reading worker.
pub enum Hashed {
    /// The hash of the file asked for as `id` (`None`: it could not be read), how it was
    /// taken (`browser`, `wasm`) and in how many milliseconds.
    File {
        id: u64,
        sha256: Option<String>,
        how: String,
        ms: f64,
    },
    /// The hasher stopped: no more answers will come.
    Stopped,
}

/// The reading worker's handle on the hasher: its requests, held until it is ready.
pub struct HashWorker {
    queue: Rc<ReadyQueue>,
}

impl HashWorker {
    /// Starts the hasher on this very module; `on_hashed` hears every answer. `None` when the
    /// browser cannot start a worker from a worker (the reading worker then hashes as it reads).
    pub fn start(on_hashed: impl Fn(Hashed) + 'static) -> Option<Self> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        options.set_name(NAME);
        let worker = Worker::new_with_options("./worker.js", &options).ok()?;
        let queue = Rc::new(ReadyQueue::new(worker.clone()));
        let on_hashed = Rc::new(on_hashed);
        let (ready_queue, answers) = (Rc::clone(&queue), Rc::clone(&on_hashed));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if data.as_string().as_deref() == Some(READY) {
                ready_queue.ready();
                return;
            }
            let answer: js_sys::Array = data.unchecked_into();
            if let Some(id) = answer.get(0).as_f64() {
                answers(Hashed::File {
                    id: id as u64,
                    sha256: answer.get(1).as_string(),
                    how: answer.get(2).as_string().unwrap_or_default(),
                    ms: answer.get(3).as_f64().unwrap_or_default(),
                });
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| on_hashed(Hashed::Stopped));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        worker.post_message(&wasm_bindgen::module()).ok()?;
        Some(Self { queue })
    }

    /// Asks for the hash of `file`, answered as `id`.
    pub fn ask(&self, id: u64, file: &File) {
        self.queue
            .send(&js_sys::Array::of2(&JsValue::from_f64(id as f64), file));
    }
}
