//! `SDB-MAN-008` compactor-epoch-ahead: the `compactions/` object records a compactor epoch no listed manifest reaches. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// That the compactor epoch the newest `<root>/compactions/` object records (fetched in
    /// `--store` mode, or found beside the manifests in `--manifests DIR`) is not above the
    /// latest manifest's `compactor_epoch`.
    ///
    /// ## Why it matters
    /// A compactor starts by bumping `compactor_epoch` in a manifest and only then writes that
    /// epoch into its `compactions/` object, which fences every compactor whose epoch is not
    /// greater (slatedb `compactor.rs` and `compactions_store.rs`, a fenceable object). An
    /// epoch there above the latest listed manifest's proves a manifest written since is gone:
    /// the newest manifests were deleted, and SlateDB rolls back to the latest listed one. A
    /// listing after a GC pass can look exactly like a healthy store then (the oracle's seed
    /// 7221: only a checkpointed manifest and the rolled-back latest remained). The next
    /// writer opens with `compactor_epoch` one above the latest listed manifest's, and its
    /// embedded compactor (on in SlateDB's default settings) is fenced by the stored epoch at
    /// once, which closes the database.
    ///
    /// ## SlateDB error it prevents
    /// `Closed error: detected newer DB client` (`Fenced`) from `Db::open` with the compactor in
    /// process (SlateDB 0.18, seed 7221); a writer without it opens on the rolled-back state,
    /// without whatever the deleted manifests held (checkpoints, flushed SSTs).
    ///
    /// ## Example
    /// `p/compactions/00000000000000000013.compactions` records compactor epoch 6; the latest
    /// listed manifest, 17, records 4.
    pub static RULE = {
        id: "SDB-MAN-008",
        name: "compactor-epoch-ahead",
        family: Manifest,
        severity: Error,
        summary: "the compactions object records a compactor epoch that no listed manifest reaches",
        scan: scan,
    };
}

/// A finding when `root`'s newest `compactions/` object given records a compactor epoch above
/// `latest`'s.
pub fn check(root: &RootState, latest: &Manifest) -> Option<Finding> {
    let (key, stored) = root.stored_compactor_epoch.as_ref()?;
    let stored = *stored;
    if stored <= latest.compactor_epoch {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "`{key}` records compactor epoch {stored}, above the {} of `{}`'s latest manifest ({}): a compactor bumped it in a newer manifest, which is gone, so SlateDB rolls back to manifest {}; a writer that opens with the compactor in process (the default) gets compactor epoch {} and is fenced at once",
            latest.compactor_epoch,
            root.path,
            latest.id,
            latest.id,
            latest.compactor_epoch.saturating_add(1)
        ),
        evidence![
            ("manifest_id", latest.id),
            ("manifest_compactor_epoch", latest.compactor_epoch),
            ("compactions_key", key),
            ("stored_compactor_epoch", stored),
        ],
        "find out which manifest objects newer than the latest listed were deleted (object versioning, access logs) and restore them before any writer or compactor opens the database",
        Impact::Unsafe {
            predicted_error: "Closed error: detected newer DB client (Fenced), from the writer's embedded compactor".into(),
        },
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(root, latest));
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::model::Manifest;
    use crate::snapshot::RootState;

    fn latest(compactor_epoch: u64) -> Manifest {
        Manifest {
            compactor_epoch,
            ..Manifest::blank(17)
        }
    }

    const KEY: &str = "p/compactions/00000000000000000013.compactions";

    #[test]
    fn fires_only_above_the_latest_manifests_epoch() {
        let mut root = RootState::new("p");
        assert!(check(&root, &latest(4)).is_none(), "nothing fetched");
        root.stored_compactor_epoch = Some((KEY.into(), 4));
        assert!(check(&root, &latest(4)).is_none(), "the healthy case");
        root.stored_compactor_epoch = Some((KEY.into(), 3));
        assert!(
            check(&root, &latest(4)).is_none(),
            "a compactor between its two writes"
        );
        root.stored_compactor_epoch = Some((KEY.into(), 6));
        let finding = check(&root, &latest(4)).expect("fires");
        assert!(finding.message.starts_with(
            "`p/compactions/00000000000000000013.compactions` records compactor epoch 6"
        ));
        assert_eq!(finding.verdict(), crate::finding::Verdict::Unsafe);
    }
}
