//! `delete-root:ROOT`: `Admin::delete_db`, every object under the root deleted.

use crate::plan::actions::read;
use crate::plan::planner::Work;
use crate::rules::clone::dependent_clones;
use crate::rules::listing::input_missing;
use crate::rules::manifest::root_missing;
use crate::rules::RuleContext;

pub(crate) fn delete_root(cx: &RuleContext<'_>, root: &str, work: &mut Work) {
    // The dependents are found in the other roots' manifests: a listing that shows nothing
    // under `root` (or nothing at all) is more likely a listing of the wrong place than a
    // deletion without consequences, and must not make the deletion look safe.
    if !cx.snapshot.root(root).is_some_and(|state| state.exists()) {
        work.findings.push(match cx.main_unknown() {
            Some(why) => input_missing::finding(
                root,
                &format!("whether clones still read `{root}`'s SSTs"),
                &why,
            ),
            None => root_missing::nothing_to_delete(cx, root),
        });
    }
    // `Admin::delete_db` reads the latest manifest before it deletes anything.
    if let Some(state) = cx.snapshot.root(root) {
        work.findings
            .extend(crate::rules::manifest::manifest_damaged::check_latest(
                state,
            ));
    }
    let action = format!("deleting `{root}`");
    work.findings.extend(
        dependent_clones::check(cx, root, None, &action)
            .into_iter()
            .map(|finding| read::unless_clone_broken_already(cx, &action, finding)),
    );
}
