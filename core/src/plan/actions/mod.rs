//! One file per planned action, as the rules are one file per rule. Each takes the rule context,
//! the action's subject and the [`Work`](super::planner::Work) it adds findings and objects to.

pub(crate) mod clone;
mod clone_source;
mod clone_use;
pub(crate) mod delete_checkpoint;
pub(crate) mod delete_root;
pub(crate) mod gc;
pub(crate) mod open;
mod own_checkpoints;
pub(crate) mod read;
pub(crate) mod split;
pub(crate) mod wipe_wal;
