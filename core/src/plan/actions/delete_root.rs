//! `delete-root:ROOT`: `Admin::delete_db`, every object under the root deleted.

use crate::plan::planner::Work;
use crate::rules::clone::dependent_clones;
use crate::rules::RuleContext;

pub(crate) fn delete_root(cx: &RuleContext<'_>, root: &str, work: &mut Work) {
    work.findings.extend(dependent_clones::check(
        cx,
        root,
        None,
        &format!("deleting `{root}`"),
    ));
}
