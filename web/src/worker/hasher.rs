//! A second worker that takes each input file's SHA-256 while the reading worker parses it. In
//! WASM, SHA-256 runs without the CPU's SHA instructions and is a good part of a large
//! listing's read; on a second core it costs the read nothing. The reading worker asks for a
//! file's hash when the file is added, and has the answer before a check needs it (a check
//! asked for sooner waits for it).

use super::blob_reader::BlobReader;
use slatecheck_core::digest::HashingReader;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent, Worker, WorkerOptions, WorkerType};

/// The name `worker.js` starts the hasher by.
const NAME: &str = "hasher";
/// What the hasher says once it takes requests.
const READY: &str = "ready";

/// Entry point inside the hasher worker: `[id, File]` in, `[id, SHA-256 hex]` out (`[id, null]`
/// when the file could not be read).
#[wasm_bindgen]
pub fn hasher_main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let request: js_sys::Array = event.data().unchecked_into();
        let id = request.get(0);
        let file: File = request.get(1).unchecked_into();
        let hash = sha256_of(&file).map_or(JsValue::NULL, |hex| JsValue::from_str(&hex));
        let _ = reply.post_message(&js_sys::Array::of2(&id, &hash));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

/// The SHA-256 of all of `file`, in lower-case hex.
fn sha256_of(file: &File) -> Result<String, String> {
    let quiet = |_: f64, _: f64| {};
    let mut hashing = HashingReader::new(BlobReader::new(file, None, &quiet)?);
    // Read to the end here, where an error is reported: `finish_hex` would stop at one.
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|err| err.to_string())?;
    Ok(hashing.finish_hex())
}

/// What the hasher reports to the reading worker.
pub enum Hashed {
    /// The hash of the file asked for as `id` (`None`: it could not be read).
    File { id: u64, sha256: Option<String> },
    /// The hasher stopped: no more answers will come.
    Stopped,
}

/// The reading worker's handle on the hasher.
pub struct HashWorker {
    worker: Worker,
    /// Requests made before the hasher was ready (`None` once it is).
    waiting: Rc<RefCell<Option<Vec<js_sys::Array>>>>,
}

impl HashWorker {
    /// Starts the hasher on this very module; `on_hashed` hears every answer. `None` when the
    /// browser cannot start a worker from a worker (the reading worker then hashes as it reads).
    pub fn start(on_hashed: impl Fn(Hashed) + 'static) -> Option<Self> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        options.set_name(NAME);
        let worker = Worker::new_with_options("./worker.js", &options).ok()?;
        let waiting = Rc::new(RefCell::new(Some(Vec::<js_sys::Array>::new())));
        let on_hashed = Rc::new(on_hashed);
        let (ready_worker, ready_waiting, answers) =
            (worker.clone(), Rc::clone(&waiting), Rc::clone(&on_hashed));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if data.as_string().as_deref() == Some(READY) {
                for request in ready_waiting.borrow_mut().take().unwrap_or_default() {
                    let _ = ready_worker.post_message(&request);
                }
                return;
            }
            let answer: js_sys::Array = data.unchecked_into();
            if let Some(id) = answer.get(0).as_f64() {
                answers(Hashed::File {
                    id: id as u64,
                    sha256: answer.get(1).as_string(),
                });
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| on_hashed(Hashed::Stopped));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        worker.post_message(&wasm_bindgen::module()).ok()?;
        Some(Self { worker, waiting })
    }

    /// Asks for the hash of `file`, answered as `id`.
    pub fn ask(&self, id: u64, file: &File) {
        let request = js_sys::Array::of2(&JsValue::from_f64(id as f64), file);
        match self.waiting.borrow_mut().as_mut() {
            Some(queue) => queue.push(request),
            None => {
                let _ = self.worker.post_message(&request);
            }
        }
    }
}
