//! One module per subcommand.

pub mod check;
pub mod collect;
pub mod listing;
pub mod manifest;
pub mod rules;

use crate::exit::Failure;
use slatecheck_core::limits::Limits;

/// `base` with the `--limit NAME=VALUE` assignments given on the command line applied.
pub fn with_limit_assignments(mut base: Limits, assignments: &[String]) -> Result<Limits, Failure> {
    for assignment in assignments {
        base.set_assignment(assignment).map_err(Failure::input)?;
    }
    Ok(base)
}
