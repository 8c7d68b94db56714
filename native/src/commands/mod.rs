//! One module per subcommand.

pub mod listing;
pub mod manifest;
