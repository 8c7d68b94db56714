//! Every report format rendered from committed fixture bundles, compared with golden files
//! (`cargo insta review` to accept changes), checked for determinism, and SARIF validated
//! against the official SARIF 2.1.0 schema.

mod common;

use slatecheck_core::bundle::read_bundle;
use slatecheck_core::config::Config;
use slatecheck_core::finding::Verdict;
use slatecheck_core::listing::ListingOptions;
use slatecheck_core::plan::{evaluate, Action};
use slatecheck_core::report::{
    render_github, render_html, render_junit, render_markdown, render_sarif, render_text,
    wal_picture, Baseline, BaselineState, FailLevel, InputRef, Report, WalStatus,
    MARKDOWN_LIMIT_BYTES,
};
use slatecheck_core::rules::scan_all;
use slatecheck_core::snapshot::Snapshot;

/// A report on a committed fixture's bundle, as `slatecheck check --bundle` builds it, at the
/// time the fixture was made.
fn report_on(fixture: &str, plans: &[&str]) -> Report {
    report_with(fixture, plans, &Config::default(), None)
}

fn report_with(
    fixture: &str,
    plans: &[&str],
    config: &Config,
    baseline: Option<&Baseline>,
) -> Report {
    let shown = format!("fixtures/v2/{fixture}/bundle.tar.gz");
    let bytes = std::fs::read(common::fixtures_dir().join(format!("v2/{fixture}/bundle.tar.gz")))
        .expect("committed bundle");
    let (_, inputs) =
        read_bundle(&shown, bytes.as_slice(), ListingOptions::default()).expect("bundle reads");
    let snapshot = Snapshot::build(inputs);
    let (plans, scan) = common::store::with_context(&snapshot, |cx| {
        let plans: Vec<_> = plans
            .iter()
            .map(|text| {
                let action: Action = text.parse().expect("plan parses");
                evaluate(cx, &action).expect("plan evaluates")
            })
            .collect();
        let scan = if plans.is_empty() {
            scan_all(cx)
        } else {
            Vec::new()
        };
        (plans, scan)
    });
    let now = common::store::made_at(&snapshot);
    let input = InputRef {
        kind: "bundle".into(),
        path: Some(shown),
        url: None,
        sha256: None,
    };
    let mut report = Report::new(now, plans, scan, vec![input]);
    report.describe_store(&snapshot);
    report.apply_policy(config, baseline);
    report
}

/// SARIF with the rule documentation cut, so rewording a rule's doc does not churn goldens.
fn sarif_without_rule_docs(report: &Report) -> String {
    let mut sarif: serde_json::Value =
        serde_json::from_str(&render_sarif(report)).expect("SARIF is JSON");
    if let Some(rules) = sarif["runs"][0]["tool"]["driver"]["rules"].as_array_mut() {
        for rule in rules {
            rule["help"] = serde_json::json!({"text": "[rule doc]"});
        }
    }
    serde_json::to_string_pretty(&sarif).expect("JSON")
}

fn all_formats(report: &Report) -> Vec<(&'static str, String)> {
    vec![
        ("text", render_text(report)),
        ("json", report.to_json()),
        ("markdown", render_markdown(report)),
        ("html", render_html(report)),
        ("sarif", sarif_without_rule_docs(report)),
        ("junit", render_junit(report)),
        ("github", render_github(report)),
    ]
}

const CASES: [(&str, &str, &[&str]); 3] = [
    (
        "seed_after_wipe",
        "b-seed-wal-store-split-after-wipe",
        &["clone:shard@split"],
    ),
    (
        "seed_before_wipe",
        "b-seed-wal-store-split-before-wipe",
        &["clone:shard@split"],
    ),
    ("scan_checkpoints_clones_gc", "a-checkpoints-clones-gc", &[]),
];

#[test]
fn every_format_matches_its_golden_file() {
    for (case, fixture, plans) in CASES {
        let report = report_on(fixture, plans);
        for (format, text) in all_formats(&report) {
            insta::assert_snapshot!(format!("{case}.{format}"), text);
        }
    }
}

#[test]
fn the_seed_verdicts_hold_in_every_model() {
    let unsafe_report = report_on(CASES[0].1, CASES[0].2);
    assert_eq!(unsafe_report.verdict, Verdict::Unsafe);
    assert_eq!(unsafe_report.findings[0].rule, "SDB-WAL-001");
    let shard = unsafe_report
        .roots
        .iter()
        .find(|root| root.root == "shard")
        .expect("shard facts");
    let missing: Vec<u64> = shard
        .wal_objects
        .iter()
        .filter(|o| o.status == WalStatus::Missing)
        .map(|o| o.id)
        .collect();
    assert_eq!(missing, [2, 3]);
    assert!(shard
        .checkpoints
        .iter()
        .any(|c| c.wal_range == Some([2, 3])));
    let picture = wal_picture(shard);
    assert!(picture.contains("walpic-missing"), "{picture}");
    assert_eq!(report_on(CASES[1].1, CASES[1].2).verdict, Verdict::Safe);
}

#[test]
fn reports_are_byte_identical_across_runs() {
    for (_, fixture, plans) in CASES {
        let first = all_formats(&report_on(fixture, plans));
        let second = all_formats(&report_on(fixture, plans));
        assert_eq!(first, second, "{fixture}");
        let mut redacted = report_on(fixture, plans);
        redacted.redact();
        let mut again = report_on(fixture, plans);
        again.redact();
        assert_eq!(
            all_formats(&redacted),
            all_formats(&again),
            "{fixture} redacted"
        );
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    for (case, fixture, plans) in CASES {
        let mut report = report_on(fixture, plans);
        for redact in [false, true] {
            if redact {
                report.redact();
            }
            let sarif: serde_json::Value =
                serde_json::from_str(&render_sarif(&report)).expect("SARIF is JSON");
            let errors: Vec<String> = validator
                .iter_errors(&sarif)
                .map(|err| format!("{} at {}", err, err.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{case}: {errors:#?}");
            let results = sarif["runs"][0]["results"].as_array().expect("results");
            for result in results {
                assert!(
                    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .is_string(),
                    "GitHub needs a physical location: {result}"
                );
                assert!(result["partialFingerprints"]["slatecheck/v1"].is_string());
            }
        }
    }
    // The validator is not vacuous.
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(
        !validator.is_valid(&broken),
        "a run without a tool must fail"
    );
}

#[test]
fn ignores_and_severity_overrides_change_the_verdict_consistently() {
    let (_, fixture, plans) = CASES[0];
    let ignore = Config::parse(
        "slatecheck.toml",
        "[[ignore]]\nkey = \"shard/wal/00000000000000000002.sst\"\nreason = \"restored from backup\"\n",
    )
    .expect("config");
    let report = report_with(fixture, plans, &ignore, None);
    assert_eq!(report.verdict, Verdict::Safe);
    assert_eq!(report.plans[0].verdict, Verdict::Safe);
    assert_eq!(report.suppressed.len(), 1);
    assert_eq!(report.suppressed[0].reason, "restored from backup");
    assert_eq!(report.suppressed[0].source, "slatecheck.toml:1");

    let lowered = Config::parse("c.toml", "[rules]\nSDB-WAL-001 = \"warning\"\n").expect("config");
    let report = report_with(fixture, plans, &lowered, None);
    assert_eq!(report.verdict, Verdict::Safe);
    assert_eq!(report.gate(FailLevel::Error), Verdict::Safe);
    assert_eq!(report.gate(FailLevel::Warning), Verdict::Unsafe);

    let (_, safe_fixture, safe_plans) = CASES[1];
    let raised = Config::parse("c.toml", "[rules]\nSDB-WAL-005 = \"error\"\n").expect("config");
    let report = report_with(safe_fixture, safe_plans, &raised, None);
    assert_eq!(report.verdict, Verdict::Unsafe, "{}", report.to_json());
}

#[test]
fn a_baseline_keeps_old_findings_from_failing_the_run() {
    let (_, fixture, plans) = CASES[0];
    let previous = report_on(fixture, plans).to_json();
    let baseline = Baseline::from_json("old.json", &previous).expect("baseline");
    let report = report_with(fixture, plans, &Config::default(), Some(&baseline));
    assert_eq!(report.verdict, Verdict::Unsafe, "the verdict stays");
    assert!(report
        .findings
        .iter()
        .all(|f| f.baseline_state == Some(BaselineState::Unchanged)));
    assert_eq!(report.gate(FailLevel::Error), Verdict::Safe);
    let empty = Baseline::from_json("old.json", "{\"findings\": []}").expect("baseline");
    let report = report_with(fixture, plans, &Config::default(), Some(&empty));
    assert_eq!(report.gate(FailLevel::Error), Verdict::Unsafe);
}

#[test]
fn redaction_leaves_no_root_name_in_any_format() {
    let (_, fixture, plans) = CASES[0];
    let mut report = report_on(fixture, plans);
    report.redact();
    for (format, text) in all_formats(&report) {
        // Rule documentation (SARIF help) is static text, not store data: look at the rest.
        for name in ["shard", "child_ok", "b-seed-wal-store"] {
            assert!(!text.contains(name), "{format} leaks `{name}`:\n{text}");
        }
    }
    assert!(render_text(&report).contains("root-2"));
}

#[test]
fn the_markdown_summary_stays_under_the_step_summary_limit() {
    let (_, fixture, plans) = CASES[0];
    let mut report = report_on(fixture, plans);
    let template = report.findings[0].clone();
    for n in 0..20_000u32 {
        let mut copy = template.clone();
        copy.finding.message = format!("{} #{n} {}", copy.finding.message, "x".repeat(200));
        copy.fingerprint = format!("{n:016x}");
        report.findings.push(copy);
    }
    let markdown = render_markdown(&report);
    assert!(markdown.len() <= MARKDOWN_LIMIT_BYTES, "{}", markdown.len());
    assert!(markdown.contains("more finding(s) of SDB-WAL-001"));
    let annotations = render_github(&report);
    assert_eq!(
        annotations
            .lines()
            .filter(|l| l.starts_with("::error"))
            .count(),
        10
    );
}

mod hostile_text {
    use super::*;
    use proptest::prelude::*;
    use slatecheck_core::finding::{Finding, Impact, Severity};

    fn hostile() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("</script><script>alert(1)</script>".to_string()),
            Just("50%\r\n::error::forged".to_string()),
            Just("a,b:c|d`e*f<g>&h]]>".to_string()),
            "\\PC{0,40}",
            ".{0,40}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn no_renderer_panics_or_lets_text_escape(root in hostile(), message in hostile(), value in hostile()) {
            let finding = Finding {
                rule: "SDB-WAL-001",
                severity: Severity::Error,
                root: root.clone(),
                message: message.clone(),
                evidence: slatecheck_core::evidence![("missing_keys", vec![value.clone()]), ("detail", value.clone())],
                remediation: message.clone(),
                impact: Impact::Unsafe { predicted_error: value.clone() },
            };
            let mut report = Report::new(chrono::DateTime::default(), Vec::new(), vec![finding], Vec::new());
            let html = render_html(&report);
            let script = html.find("<script type=\"application/json\" id=\"report-json\">").expect("data block");
            prop_assert_eq!(html[script..].matches("</script>").count(), 1);
            prop_assert_eq!(html.matches("data-rule=").count(), 1);
            let json_start = script + "<script type=\"application/json\" id=\"report-json\">".len();
            let json_end = json_start + html[json_start..].find("</script>").expect("end");
            let embedded: serde_json::Value = serde_json::from_str(&html[json_start..json_end]).expect("embedded JSON parses");
            prop_assert_eq!(embedded["findings"][0]["message"].as_str(), Some(message.as_str()));
            let sarif: serde_json::Value = serde_json::from_str(&render_sarif(&report)).expect("SARIF parses");
            prop_assert_eq!(sarif["runs"][0]["results"][0]["message"]["text"].as_str().map(|t| t.starts_with(&message)), Some(true));
            let github = render_github(&report);
            prop_assert_eq!(github.lines().count(), 2, "one annotation and the closing notice: {}", github);
            prop_assert!(github.lines().all(|line| line.starts_with("::")));
            let junit = render_junit(&report);
            prop_assert!(!junit.contains("<script"));
            let _ = (render_markdown(&report), render_text(&report));
            report.redact();
            let _ = all_formats(&report);
        }
    }
}
