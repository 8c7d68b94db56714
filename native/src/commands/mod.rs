//! One module per subcommand.

pub mod check;
pub mod collect;
pub mod listing;
pub mod manifest;
pub mod rules;
