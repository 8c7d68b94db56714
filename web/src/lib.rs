//! # slatecheck-web
//!
//! The slatecheck page: drop a `slatecheck collect` bundle, manifests, listings or a store
//! folder, pick an action, and get the same verdict the CLI gives, computed in this browser.
//! Files are read in a Web Worker ([`worker`]) running the same WASM module; the page
//! ([`app`]) only renders what the worker reports. No request leaves the page: the module
//! itself is embedded in a script, and the Content-Security-Policy forbids connections.

pub mod app;
pub mod protocol;
pub mod ready_queue;
pub mod report_view;
pub mod worker;
