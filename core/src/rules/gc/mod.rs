//! Garbage collection (`SDB-GC-*`).

pub mod gc_deletes_needed;
