//! Stable finding fingerprints, for de-duplication across runs (SARIF `partialFingerprints`,
//! `--baseline`).

use crate::finding::Finding;
use serde_json::Value;
use std::collections::BTreeMap;

/// Evidence keys whose values change from run to run without the problem changing.
const VOLATILE_EVIDENCE: &[&str] = &["now"];

/// The fingerprint of a finding: 16 hex digits of the 64-bit FNV-1a hash of its rule, root and
/// evidence (as compact JSON with sorted keys, without run-dependent keys such as `now`). The
/// message and remediation are left out, so rewording them keeps fingerprints.
pub fn fingerprint(finding: &Finding) -> String {
    fingerprint_of(finding.rule, &finding.root, &finding.evidence)
}

/// [`fingerprint`] from a finding's parts (as read back from a JSON report).
pub(super) fn fingerprint_of(rule: &str, root: &str, evidence: &BTreeMap<String, Value>) -> String {
    let evidence: serde_json::Map<String, Value> = evidence
        .iter()
        .filter(|(key, _)| !VOLATILE_EVIDENCE.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let canonical = format!("{}\u{0}{}\u{0}{}", rule, root, Value::Object(evidence));
    format!("{:016x}", fnv1a_64(canonical.as_bytes()))
}

fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Impact;

    #[test]
    fn fingerprints_ignore_wording_and_now_but_not_evidence() {
        let mut finding = Finding {
            rule: "SDB-WAL-001",
            severity: crate::finding::Severity::Error,
            root: "db".into(),
            message: "one".into(),
            evidence: crate::evidence![("missing_wal_ids", vec![2, 3]), ("now", "t1")],
            remediation: "r".into(),
            impact: Impact::Advisory,
        };
        let first = fingerprint(&finding);
        assert_eq!(first.len(), 16);
        finding.message = "two".into();
        finding.evidence.insert("now".into(), "t2".into());
        assert_eq!(fingerprint(&finding), first);
        finding
            .evidence
            .insert("missing_wal_ids".into(), vec![2].into());
        assert_ne!(fingerprint(&finding), first);
    }
}
