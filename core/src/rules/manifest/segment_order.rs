//! `SDB-MAN-007` segment-order: a manifest's segments are not sorted by prefix or overlap. See [`RULE`].

use crate::evidence;
use crate::finding::{Finding, Impact};
use crate::model::Manifest;
use crate::rules::RuleContext;
use crate::snapshot::RootState;

crate::declare_rule! {
    /// ## What it checks
    /// For a segmented database (format version 2): that the latest manifest's `segments` are
    /// sorted strictly by prefix and that no prefix is a prefix of another (they form an
    /// antichain, so every key belongs to at most one segment).
    ///
    /// ## Why it matters
    /// SlateDB keeps segments in that order and relies on it to route a key to its segment's
    /// LSM tree (`manifest/mod.rs:400-410, 654-695`); it never writes anything else. Segments
    /// out of order, duplicated or nested mean the manifest was written by something other
    /// than SlateDB: lookups may search the wrong tree and miss rows.
    ///
    /// ## SlateDB error it prevents
    /// None reported; keys routed to the wrong segment read as absent.
    ///
    /// ## Example
    /// `seg`'s latest manifest lists the segment `bbb` before `aaa`, or both `a` and `aaa`.
    pub static RULE = {
        id: "SDB-MAN-007",
        name: "segment-order",
        family: Manifest,
        severity: Warning,
        summary: "a manifest's segments are not sorted strictly by prefix, or one prefix contains another",
        scan: scan,
    };
}

fn shown(prefix: &[u8]) -> String {
    String::from_utf8_lossy(prefix).into_owned()
}

/// The out-of-order or overlapping segment prefixes of `manifest`.
fn problems(manifest: &Manifest) -> Vec<String> {
    let prefixes: Vec<&[u8]> = manifest
        .segments
        .iter()
        .map(|segment| segment.prefix.as_slice())
        .collect();
    let mut found = Vec::new();
    for pair in prefixes.windows(2) {
        if let [first, second] = pair {
            if first >= second {
                found.push(format!(
                    "`{}` is listed before `{}`",
                    shown(first),
                    shown(second)
                ));
            }
        }
    }
    for (i, outer) in prefixes.iter().enumerate() {
        for (j, inner) in prefixes.iter().enumerate() {
            if i != j && outer != inner && inner.starts_with(outer) {
                found.push(format!(
                    "`{}` is a prefix of `{}`",
                    shown(outer),
                    shown(inner)
                ));
            }
        }
    }
    found
}

/// A finding when the segments of `latest` (of `root`) break SlateDB's order.
pub fn check(root: &RootState, latest: &Manifest) -> Option<Finding> {
    let found = problems(latest);
    if found.is_empty() {
        return None;
    }
    Some(RULE.finding(
        &root.path,
        format!(
            "the segments of `{}`'s latest manifest ({}) are out of SlateDB's order: {}",
            root.path,
            latest.id,
            found.join("; ")
        ),
        evidence![
            ("manifest_id", latest.id),
            (
                "prefixes",
                latest
                    .segments
                    .iter()
                    .map(|s| shown(&s.prefix))
                    .collect::<Vec<_>>()
            ),
            ("problems", found),
        ],
        "find what rewrote the manifest; restore the last manifest version SlateDB wrote before serving reads from it",
        Impact::Advisory,
    ))
}

fn scan(cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (root, latest) in cx.roots_with_latest() {
        out.extend(check(root, latest));
    }
}

#[cfg(test)]
mod tests {
    use super::problems;
    use crate::model::{LsmTree, Manifest, Segment};

    fn with_prefixes(prefixes: &[&str]) -> Manifest {
        Manifest {
            segments: prefixes
                .iter()
                .map(|p| Segment {
                    prefix: p.as_bytes().to_vec(),
                    tree: LsmTree::default(),
                })
                .collect(),
            segment_extractor_name: Some("x".into()),
            ..Manifest::blank(1)
        }
    }

    #[test]
    fn sorted_antichains_pass_and_others_do_not() {
        assert!(problems(&with_prefixes(&["aaa", "bbb"])).is_empty());
        assert_eq!(problems(&with_prefixes(&["bbb", "aaa"])).len(), 1);
        assert_eq!(problems(&with_prefixes(&["aaa", "aaa"])).len(), 1);
        assert_eq!(problems(&with_prefixes(&["a", "aaa"])).len(), 1);
    }
}
