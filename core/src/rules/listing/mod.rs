//! The listings and other inputs themselves (`SDB-LIST-*`).

pub mod input_missing;
pub mod listing_incomplete;
pub mod listing_stale;
pub mod unrecognized_objects;
