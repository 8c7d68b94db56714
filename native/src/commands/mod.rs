//! One module per subcommand.

pub mod check;
pub mod listing;
pub mod manifest;
pub mod rules;
