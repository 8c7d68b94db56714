//! The action planner: for one planned action, the verdict, the SlateDB error predicted when
//! it is unsafe, the objects involved, and the findings behind it. Each check it runs is a rule
//! of the catalogue, applied to the action's subject.

mod action;
mod actions;
mod planner;

pub(crate) use action::shown as shown_root;
pub use action::{Action, KINDS, PLAN_SYNTAX};
pub use planner::{evaluate, ObjectStatus, PlanError, PlanObject, PlanResult};
