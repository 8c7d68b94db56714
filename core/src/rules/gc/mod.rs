//! Garbage collection (`SDB-GC-*`).

pub mod compactions_missing;
pub mod gc_deletes_needed;
