//! Every rule, in id order. Ids are stable and never reused.

use super::{checkpoint, clone, gc, listing, manifest, sst, wal, Rule, RuleContext};
use crate::finding::Finding;

/// The catalogue.
pub static RULES: &[&Rule] = &[
    &checkpoint::checkpoint_manifest_missing::RULE,
    &checkpoint::checkpoint_expiry::RULE,
    &checkpoint::checkpoint_missing::RULE,
    &checkpoint::checkpoint_id_duplicate::RULE,
    &checkpoint::stale_detached_checkpoint::RULE,
    &clone::external_pin_missing::RULE,
    &clone::clone_incomplete::RULE,
    &clone::clone_target_occupied::RULE,
    &clone::dependent_clones::RULE,
    &clone::orphan_pin::RULE,
    &clone::pending_detach::RULE,
    &clone::external_coverage::RULE,
    &clone::external_pin_uncovered::RULE,
    &clone::external_root_absent::RULE,
    &gc::gc_deletes_needed::RULE,
    &gc::compactions_missing::RULE,
    &listing::listing_incomplete::RULE,
    &listing::listing_stale::RULE,
    &listing::input_missing::RULE,
    &listing::unrecognized_objects::RULE,
    &manifest::root_missing::RULE,
    &manifest::manifest_rollback::RULE,
    &manifest::delete_in_progress::RULE,
    &manifest::manifest_boundary_ahead::RULE,
    &manifest::epoch_regression::RULE,
    &manifest::seq_regression::RULE,
    &manifest::segment_order::RULE,
    &manifest::compactor_epoch_ahead::RULE,
    &manifest::manifest_damaged::RULE,
    &sst::sst_missing::RULE,
    &sst::l0_ulid_cutoff::RULE,
    &sst::sst_truncated::RULE,
    &wal::wal_range_missing::RULE,
    &wal::wal_fence_gap::RULE,
    &wal::wal_hole::RULE,
    &wal::wal_replay_range_missing::RULE,
    &wal::wal_store_required::RULE,
    &wal::fence_accumulation::RULE,
    &wal::wal_id_regression::RULE,
    &wal::wal_uri_mismatch::RULE,
    &wal::wal_tail_missing::RULE,
    &wal::wal_writes_lost::RULE,
    &wal::wal_unreadable::RULE,
];

/// The rule with this id or name (case-insensitive).
pub fn find_rule(id_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| {
        rule.id.eq_ignore_ascii_case(id_or_name) || rule.name.eq_ignore_ascii_case(id_or_name)
    })
}

/// Runs every rule over every subject of the snapshot; findings sorted by severity (worst
/// first), rule, root and message.
pub fn scan_all(cx: &RuleContext<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        (rule.scan)(cx, &mut findings);
    }
    sort_findings(&mut findings);
    findings
}

/// The order findings are reported in.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.root.cmp(&b.root))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let ids: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
        let names: BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(ids.len(), RULES.len());
        assert_eq!(names.len(), RULES.len());
        let sorted: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut expected = sorted.clone();
        expected.sort();
        assert_eq!(sorted, expected, "RULES is kept in id order");
        for rule in RULES {
            let family = format!("{:?}", rule.family).to_uppercase();
            let prefix = match family.as_str() {
                "MANIFEST" => "MAN".to_string(),
                "CHECKPOINT" => "CKPT".to_string(),
                "LISTING" => "LIST".to_string(),
                other => other.to_string(),
            };
            assert!(
                rule.id.starts_with(&format!("SDB-{prefix}-")),
                "{} is in family {family}",
                rule.id
            );
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn every_rule_documents_the_same_sections() {
        for rule in RULES {
            let mut at = 0;
            for section in [
                "## What it checks",
                "## Why it matters",
                "## SlateDB error it prevents",
                "## Example",
            ] {
                let found = rule.doc[at..]
                    .find(section)
                    .unwrap_or_else(|| panic!("{}: no `{section}` (in order)", rule.id));
                at += found + section.len();
            }
        }
    }
}
