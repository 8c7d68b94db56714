//! Bucket-scale synthetic SlateDB stores for benchmarks: [`store`] makes the objects (seeded,
//! deterministic), [`manifest`] writes manifest objects in SlateDB's binary format, [`render`]
//! writes the listings as `aws s3 ls`, `aws s3api list-objects-v2`, S3 Inventory and `find`
//! print them. `synthetic-store` (the binary) and `scripts/bench` drive them.

pub mod manifest;
pub mod render;
pub mod store;
