//! Compacted SSTs (`SDB-SST-*`).

pub mod l0_ulid_cutoff;
pub mod sst_missing;
