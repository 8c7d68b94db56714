//! Compacted SSTs (`SDB-SST-*`).

pub mod sst_missing;
