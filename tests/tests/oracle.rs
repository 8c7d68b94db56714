//! The oracle: slatecheck's verdicts against what SlateDB 0.18 really does.
//!
//! Each randomized scenario (see `random_scenarios.rs`) is judged by slatecheck from the
//! listings and manifests alone, then performed with SlateDB. A `safe` verdict on an action
//! that then fails (an error, or an acknowledged key that does not read back) fails the test
//! at once. Otherwise the agreement rate must reach 95 %: `unsafe` must match a failure,
//! `safe` a success, and `inconclusive` counts as agreement only when it names what is missing.
//! The seed's scenario is run verbatim too.

use slatecheck_core::finding::Verdict;
use slatecheck_core::plan::{evaluate, Action};
use slatecheck_core::rules::{CheckOptions, RuleContext};
use slatecheck_core::snapshot::Snapshot;
use slatecheck_tests::random_scenarios::{generate, Outcome};
use slatecheck_tests::slatedb_018::scenarios;
use slatecheck_tests::store::StoreDirs;
use std::collections::BTreeMap;

fn scenario_count() -> u64 {
    std::env::var("SLATECHECK_ORACLE_SCENARIOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdicts_agree_with_what_slatedb_does() -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("slatecheck-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let total = scenario_count();
    // `SLATECHECK_ORACLE_SEED=N` runs only seed N, prints its findings and keeps its stores.
    let only: Option<u64> = std::env::var("SLATECHECK_ORACLE_SEED")
        .ok()
        .and_then(|n| n.parse().ok());
    let mut tally: BTreeMap<(Verdict, bool), u64> = BTreeMap::new();
    let mut untestable = 0u64;
    // Per action kind: (judged, agreed, untestable).
    let mut kinds: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    let mut false_safe = Vec::new();
    let mut disagreements = Vec::new();
    for seed in only.map_or(0..total, |seed| seed..seed + 1) {
        let mut generated = generate(seed, &work).await?;
        let snapshot = Snapshot::build(generated.take_inputs());
        // The GC the oracle runs uses min_age 0.
        let options = CheckOptions {
            min_age: chrono::Duration::zero(),
            ..CheckOptions::default()
        };
        let cx = RuleContext {
            snapshot: &snapshot,
            now: chrono::Utc::now(),
            options: &options,
        };
        let action: Action = generated.plan.parse().map_err(anyhow::Error::msg)?;
        let result = evaluate(&cx, &action)?;
        let outcome = generated.perform().await;
        if only.is_some() {
            println!("{}", work.join(format!("s{seed}")).display());
            for finding in &result.findings {
                println!("{finding:#?}");
            }
        }
        let kind = kinds
            .entry(
                result
                    .plan
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
            .or_default();
        if let Outcome::Untestable(why) = &outcome {
            untestable += 1;
            kind.2 += 1;
            if std::env::var_os("SLATECHECK_ORACLE_VERBOSE").is_some() {
                println!("seed {seed}: {} untestable: {why}", result.plan);
            }
            continue;
        }
        let ok = outcome == Outcome::Ok;
        *tally.entry((result.verdict, ok)).or_default() += 1;
        let line = format!(
            "seed {seed}: {} -> {} {:?} / SlateDB: {}; steps: {}",
            result.plan,
            result.verdict.name(),
            result.rules,
            match &outcome {
                Outcome::Ok => "ok".to_string(),
                Outcome::Failed(why) | Outcome::Untestable(why) => format!("FAILED ({why})"),
            },
            generated.steps.join("; ")
        );
        if std::env::var_os("SLATECHECK_ORACLE_VERBOSE").is_some() {
            println!("{line}");
        }
        kind.0 += 1;
        match (result.verdict, ok) {
            (Verdict::Safe, false) => false_safe.push(line),
            (Verdict::Unsafe, true) => disagreements.push(line),
            // An inconclusive verdict must say what is missing.
            (Verdict::Inconclusive, _) if result.findings.is_empty() => disagreements.push(line),
            _ => kind.1 += 1,
        }
    }
    if only.is_some() {
        return Ok(());
    }
    std::fs::remove_dir_all(&work).ok();
    let judged = total - untestable;
    let agreed = judged - false_safe.len() as u64 - disagreements.len() as u64;
    println!(
        "oracle: {total} scenarios, {untestable} untestable (already broken where judged), {agreed} of {judged} agree ({:.1} %)",
        100.0 * agreed as f64 / judged as f64
    );
    for ((verdict, ok), count) in &tally {
        println!(
            "  slatecheck {:<12} SlateDB {:<6} {count}",
            verdict.name(),
            if *ok { "ok" } else { "failed" }
        );
    }
    for (kind, (judged, agreed, untestable)) in &kinds {
        println!("  {kind:<18} judged {judged:>3}  agree {agreed:>3}  untestable {untestable:>3}");
    }
    for line in false_safe.iter().chain(&disagreements) {
        println!("DISAGREE {line}");
    }
    assert!(
        false_safe.is_empty(),
        "{} scenario(s) judged safe failed in SlateDB:\n{}",
        false_safe.len(),
        false_safe.join("\n")
    );
    assert!(judged >= 200, "only {judged} scenarios could be judged");
    assert!(
        agreed * 100 >= judged * 95,
        "agreement {agreed}/{judged} is below 95 %"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_scenario_verbatim() -> anyhow::Result<()> {
    let base = std::env::temp_dir().join(format!("slatecheck-oracle-seed-{}", std::process::id()));
    let fixtures = scenarios::seed_wal_store_split(&base.join("work"), &base.join("out")).await?;
    let after_wipe = fixtures
        .iter()
        .find(|dir| dir.ends_with("b-seed-wal-store-split-after-wipe"))
        .expect("snapshot");
    let final_state = fixtures.last().expect("final snapshot");
    // What SlateDB did right after the wipe: the clone from `split` failed.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(final_state.join("scenario.json"))?)?;
    let clone_step = record["steps"]
        .as_array()
        .and_then(|steps| {
            steps
                .iter()
                .find(|s| s["step"] == "clone child_after_wipe from shard@split")
        })
        .expect("clone step");
    assert!(
        clone_step["outcome"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("wal unavailable")),
        "{clone_step}"
    );
    let inputs = slatecheck_tests::random_scenarios::inputs_of(&StoreDirs::open(after_wipe), true)?;
    let snapshot = Snapshot::build(inputs);
    let options = CheckOptions::default();
    let cx = RuleContext {
        snapshot: &snapshot,
        now: chrono::Utc::now(),
        options: &options,
    };
    let result = evaluate(
        &cx,
        &"clone:shard@split"
            .parse::<Action>()
            .map_err(anyhow::Error::msg)?,
    )?;
    std::fs::remove_dir_all(&base).ok();
    assert_eq!(result.verdict, Verdict::Unsafe, "{:#?}", result.findings);
    assert_eq!(result.rules, ["SDB-WAL-001"]);
    Ok(())
}
