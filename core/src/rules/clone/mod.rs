//! Clones and the parents they read from (`SDB-CLONE-*`).

pub mod clone_incomplete;
pub mod clone_target_occupied;
pub mod dependent_clones;
pub mod external_coverage;
pub mod external_pin_missing;
pub mod external_pin_uncovered;
pub mod external_root_absent;
pub mod orphan_pin;
pub mod pending_detach;
