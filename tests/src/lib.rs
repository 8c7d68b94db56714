//! Fixtures written by the real `slatedb` crate and the oracle that reads them back.
//!
//! [`scenarios`] drives SlateDB 0.18 through the situations slatecheck must judge (checkpoints,
//! clones, separate WAL stores, WAL wipes and holes, GC) on the local filesystem;
//! [`oracle`] asks SlateDB itself what it sees in a store, so tests can compare slatecheck's
//! reading with SlateDB's. With the `slatedb-015` feature, [`v1`] builds the same kind of
//! stores with SlateDB 0.15, whose manifests are format version 1.

pub mod compare;
pub mod oracle;
pub mod scenarios;
pub mod store;
#[cfg(feature = "slatedb-015")]
pub mod v1;
