//! `delete-checkpoint:ROOT@CHECKPOINT`: `Admin::delete_checkpoint`, then the GC runs that follow.

use crate::plan::planner::{find_checkpoint, latest, PlanError, Work};
use crate::rules::checkpoint::describe;
use crate::rules::clone::dependent_clones;
use crate::rules::RuleContext;

pub(crate) fn delete_checkpoint(
    cx: &RuleContext<'_>,
    path: &str,
    wanted: &str,
    work: &mut Work,
    plan: &str,
) -> Result<(), PlanError> {
    let Some((_, latest)) = latest(cx, path, false, work) else {
        return Ok(());
    };
    let Some(found) = find_checkpoint(latest, wanted, plan)? else {
        return Ok(()); // Deleting an absent checkpoint is a no-op in SlateDB.
    };
    work.findings.extend(dependent_clones::check(
        cx,
        path,
        Some(found.id),
        &format!("deleting {}", describe(found)),
    ));
    Ok(())
}
