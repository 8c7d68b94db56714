//! A worker's messages held until it says it is ready: a module worker takes a while to load
//! its WASM, and what is posted before it listens would be lost.

use std::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::Worker;

/// Messages for `worker`, held until [`ReadyQueue::ready`], then sent in order.
pub struct ReadyQueue {
    worker: Worker,
    /// What was sent before the worker was ready; `None` once it is.
    held: RefCell<Option<Vec<JsValue>>>,
}

impl ReadyQueue {
    pub fn new(worker: Worker) -> Self {
        Self {
            worker,
            held: RefCell::new(Some(Vec::new())),
        }
    }

    /// Posts `message` now, or holds it until the worker is ready.
    pub fn send(&self, message: &JsValue) {
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push(message.clone());
            return;
        }
        let _ = self.worker.post_message(message);
    }

    /// The worker listens: posts what was held, and from now on every message at once.
    pub fn ready(&self) {
        for message in self.held.borrow_mut().take().unwrap_or_default() {
            let _ = self.worker.post_message(&message);
        }
    }
}
