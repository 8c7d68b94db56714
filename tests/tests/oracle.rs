//! The oracle: slatecheck's verdicts against what SlateDB 0.18 really does.
//!
//! Each randomized scenario (see `random_scenarios.rs`) is judged by the `slatecheck` binary
//! twice, as operators run it: on the live store directories (`--store`) and offline from an
//! `aws s3 ls` listing and the manifest objects (`--listing`, `--manifests`); then SlateDB
//! performs the action, and reads back with point reads and a full scan. Per judgment:
//!
//! * `safe` whose action then failed or lost a key is a false safe: the test fails at once
//!   (unless the loss is of the newest WAL objects past every manifest, which no listing can
//!   show; those are counted apart);
//! * `unsafe` whose action fully worked is a miss; harm that only shows later (a released pin
//!   whose SSTs GC deletes once the parent compacts) counts as harm;
//! * `inconclusive` is a miss on the strict count, since SlateDB always gave a definite
//!   answer; the lenient count (the figure before issue 10) accepts it when it names what is
//!   missing.
//!
//! The strict count is gated over the judgments with complete inputs (the WAL store listing
//! given when the database has one); judgments with the WAL store withheld are reported apart.
//! The seed's scenario is run verbatim too.

use slatecheck_core::finding::Verdict;
use slatecheck_core::plan::{evaluate, Action};
use slatecheck_core::rules::{CheckOptions, RuleContext};
use slatecheck_core::snapshot::Snapshot;
use slatecheck_tests::judge::{Cli, Judgment, Mode, Request};
use slatecheck_tests::random_scenarios::{generate, Outcome};
use slatecheck_tests::slatedb_018::scenarios;
use slatecheck_tests::store::StoreDirs;
use std::collections::BTreeMap;

/// The least strict agreement (`inconclusive` counted as a miss) over the judgments with
/// complete inputs, in percent, with the statements an operator can make (`--no-wal-store`,
/// `--writers-closed`). Issue 10's goal is 99; the verdicts reach 96.0 on the default seeds
/// (96.4 live, where the objects' rows are read; 95.7 offline) and 95.6 on seeds 37000–37299,
/// since the histories also draw real process crashes. The rest are WAL objects with data
/// between the replay point and the newest L0 that are gone after a crash or a close with a
/// WAL flush only: they held rows of that L0, or writes made after a size-triggered freeze, and
/// once they are gone nothing in a store tells which (the histories draw both, and SlateDB
/// loses writes in the second); the end of the WAL gone after a crash, where nothing tells
/// whether the crashed writer wrote past its last manifest; offline, also such objects in a
/// separate WAL store about to be wiped, whose rows a listing does not show. The gate sits one
/// scenario below that: histories whose writers flush the WAL on a timer are not bit-for-bit
/// reproducible, and one scenario is 0.7 % of the default run.
const MIN_STRICT_AGREEMENT_PERCENT: f64 = 95.0;

/// The least lenient agreement (a named `inconclusive` counted as agreement), in percent.
const MIN_LENIENT_AGREEMENT_PERCENT: f64 = 95.0;

fn scenario_count() -> u64 {
    std::env::var("SLATECHECK_ORACLE_SCENARIOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150)
}

/// How long one scenario may take to generate or perform. A scenario that hangs (SlateDB's
/// compactor has been seen to hang in a rare history) is reported as timed out, not judged.
const SCENARIO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// How one judgment compares with what SlateDB did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    /// The verdict matches the outcome.
    Agree,
    /// `inconclusive`, naming what is missing: agreement on the lenient count only.
    Inconclusive,
    /// `unsafe` whose action worked, or an `inconclusive` that names nothing.
    Miss,
    /// `safe` whose action failed or lost data.
    FalseSafe,
    /// `safe`, and the action lost writes whose WAL objects no listing can show existed.
    InvisibleLoss,
}

fn call(judgment: &Judgment, outcome: &Outcome, invisible: bool) -> Call {
    match (judgment.verdict, outcome) {
        (_, Outcome::Untestable(_)) => unreachable!("untestable scenarios are not judged"),
        (Verdict::Safe, Outcome::Ok) => Call::Agree,
        (Verdict::Safe, Outcome::Failed(_)) if invisible => Call::InvisibleLoss,
        // Later harm is acceptable beside `safe` only when a finding says so.
        (Verdict::Safe, Outcome::Deferred(_)) if !judgment.findings.is_empty() => Call::Agree,
        (Verdict::Safe, _) => Call::FalseSafe,
        (Verdict::Unsafe, Outcome::Ok) => Call::Miss,
        (Verdict::Unsafe, _) => Call::Agree,
        (Verdict::Inconclusive, _) if judgment.findings.is_empty() => Call::Miss,
        (Verdict::Inconclusive, _) => Call::Inconclusive,
    }
}

/// Judgments of one kind, one mode or all.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    judged: u64,
    agree: u64,
    inconclusive: u64,
    miss: u64,
    false_safe: u64,
    invisible: u64,
}

impl Tally {
    fn add(&mut self, call: Call) {
        self.judged += 1;
        match call {
            Call::Agree => self.agree += 1,
            Call::Inconclusive => self.inconclusive += 1,
            Call::Miss => self.miss += 1,
            Call::FalseSafe => self.false_safe += 1,
            Call::InvisibleLoss => self.invisible += 1,
        }
    }

    fn absorb(&mut self, other: &Tally) {
        self.judged += other.judged;
        self.agree += other.agree;
        self.inconclusive += other.inconclusive;
        self.miss += other.miss;
        self.false_safe += other.false_safe;
        self.invisible += other.invisible;
    }

    /// Judgments that count: all but the invisible losses.
    fn counted(&self) -> u64 {
        self.judged - self.invisible
    }

    fn strict_percent(&self) -> f64 {
        100.0 * self.agree as f64 / self.counted().max(1) as f64
    }

    fn lenient_percent(&self) -> f64 {
        100.0 * (self.agree + self.inconclusive) as f64 / self.counted().max(1) as f64
    }

    fn line(&self) -> String {
        format!(
            "{:>4} judged, strict {:>4} ({:5.1} %), lenient {:>4} ({:5.1} %), inconclusive {:>3}, miss {:>3}, false safe {}, invisible loss {}",
            self.judged,
            self.agree,
            self.strict_percent(),
            self.agree + self.inconclusive,
            self.lenient_percent(),
            self.inconclusive,
            self.miss,
            self.false_safe,
            self.invisible
        )
    }
}

/// The live judgments of one variant of the inputs (fewer statements, an earlier bundle),
/// tallied beside the main ones: the seeds called `safe` where SlateDB failed fail the test,
/// and the seeds that did not agree are listed with the rules that fired.
#[derive(Default)]
struct Variant {
    tally: Tally,
    false_safe: Vec<u64>,
    misses: Vec<String>,
}

impl Variant {
    fn add(&mut self, seed: u64, judgment: &Judgment, outcome: &Outcome, invisible: bool) {
        let call = call(judgment, outcome, invisible);
        self.tally.add(call);
        if call == Call::FalseSafe {
            self.false_safe.push(seed);
        }
        if call != Call::Agree {
            self.misses.push(format!("{seed} {:?}", judgment.rules));
        }
    }
}

/// One judgment that did not agree strictly, for the disagreement list.
struct Disagreement {
    seed: u64,
    modes: Vec<Mode>,
    plan: String,
    kind: String,
    call: Call,
    verdict: Verdict,
    rules: Vec<String>,
    outcome: String,
    damage: &'static str,
    complete: bool,
    steps: String,
    findings: Vec<String>,
}

impl Disagreement {
    /// The modes it was judged in, as `live+offline`.
    fn mode_names(&self) -> String {
        self.modes
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// What groups it with others of the same cause.
    fn group(&self) -> String {
        format!(
            "{} {} / SlateDB {} / damage {} / rules {}",
            self.kind,
            self.verdict.name(),
            outcome_class(&self.outcome),
            self.damage,
            if self.rules.is_empty() {
                "none".to_string()
            } else {
                self.rules.join(",")
            }
        )
    }
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok => "ok".to_string(),
        Outcome::Failed(why) => format!("FAILED ({why})"),
        Outcome::Deferred(why) => format!("LATER HARM ({why})"),
        Outcome::Untestable(why) => format!("untestable ({why})"),
    }
}

fn outcome_class(text: &str) -> &'static str {
    if text == "ok" {
        "ok"
    } else if text.starts_with("LATER") {
        "later harm"
    } else {
        "failed"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdicts_agree_with_what_slatedb_does() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let work = std::env::temp_dir().join(format!("slatecheck-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let cli = Cli::build()?;
    let total = scenario_count();
    // `SLATECHECK_ORACLE_SEED=N` runs only seed N, prints its findings and keeps its stores.
    let only: Option<u64> = std::env::var("SLATECHECK_ORACLE_SEED")
        .ok()
        .and_then(|n| n.parse().ok());
    let verbose = std::env::var_os("SLATECHECK_ORACLE_VERBOSE").is_some();
    let mut untestable = 0u64;
    let mut timed_out: Vec<u64> = Vec::new();
    let mut untestable_by_kind: BTreeMap<String, u64> = BTreeMap::new();
    // Complete inputs, per mode and per (kind, mode); the WAL store withheld, per mode.
    let mut by_mode: BTreeMap<Mode, Tally> = BTreeMap::new();
    let mut by_kind: BTreeMap<(String, Mode), Tally> = BTreeMap::new();
    let mut withheld: BTreeMap<Mode, Tally> = BTreeMap::new();
    // Complete inputs judged live without `--writers-closed`, as a user who cannot say how
    // the writers stopped: what `inconclusive` costs, and false `safe`s counted all the same.
    let mut unstated = Variant::default();
    // Complete inputs judged live stating nothing (neither `--writers-closed` nor
    // `--no-wal-store`), as a user who runs the plain command: what the statements buy.
    let mut silent = Variant::default();
    // Live with a bundle collected before the damage (`--earlier-bundle`).
    let mut earlier = Variant::default();
    let mut verdicts: BTreeMap<(&'static str, &'static str), u64> = BTreeMap::new();
    let mut disagreements: Vec<Disagreement> = Vec::new();
    // `SLATECHECK_ORACLE_FIRST_SEED=N` starts at seed N: histories the default run never drew.
    let first: u64 = std::env::var("SLATECHECK_ORACLE_FIRST_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    for seed in only.map_or(first..first + total, |seed| seed..seed + 1) {
        let Ok(generated) = tokio::time::timeout(SCENARIO_TIMEOUT, generate(seed, &work)).await
        else {
            println!("seed {seed}: timed out while the history was written");
            timed_out.push(seed);
            continue;
        };
        // SlateDB failing to write the history (not to perform the action) says nothing about
        // a verdict; it is reported and counted with the time-outs, which the test bounds.
        let generated = match generated {
            Ok(generated) => generated,
            Err(err) => {
                println!("seed {seed}: the history could not be written: {err:#}");
                timed_out.push(seed);
                continue;
            }
        };
        let request = Request {
            plan: &generated.plan,
            dirs: &generated.dirs,
            with_wal: generated.wal_listing_given,
            no_wal_store: !generated.uses_wal_store,
            writers_closed: generated.writers_closed,
            writers_closed_wal_only: generated.writers_closed_wal_only,
            earlier: None,
        };
        let mut judgments = Vec::new();
        for mode in Mode::ALL {
            let scratch = work.join(format!("s{seed}-{}", mode.name()));
            judgments.push((mode, cli.judge(mode, &request, &scratch)?));
        }
        let without_statement = if request.writers_closed || request.writers_closed_wal_only {
            let request = Request {
                writers_closed: false,
                writers_closed_wal_only: false,
                ..request.clone()
            };
            Some(cli.judge(
                Mode::Live,
                &request,
                &work.join(format!("s{seed}-unstated")),
            )?)
        } else {
            None
        };
        let stating_nothing = if request.no_wal_store {
            let request = Request {
                writers_closed: false,
                writers_closed_wal_only: false,
                no_wal_store: false,
                ..request.clone()
            };
            Some(cli.judge(Mode::Live, &request, &work.join(format!("s{seed}-silent")))?)
        } else {
            None
        };
        // As an operator who collected before the damage judges it: live, with the bundle of
        // the stores from before as `--earlier-bundle` (and the statements as above).
        let with_earlier = if generated.wal_listing_given {
            let request = Request {
                earlier: Some(&generated.before),
                ..request.clone()
            };
            Some(cli.judge(Mode::Live, &request, &work.join(format!("s{seed}-earlier")))?)
        } else {
            None
        };
        let outcome = tokio::time::timeout(SCENARIO_TIMEOUT, generated.perform())
            .await
            .unwrap_or_else(|_| {
                Outcome::Untestable("timed out while SlateDB performed the action".into())
            });
        let steps = generated.steps.join("; ");
        let kind = generated.kind().to_string();
        if only.is_some() {
            println!("{}", work.join(format!("s{seed}")).display());
            println!("steps: {steps}\nplan: {}", generated.plan);
            println!("SlateDB: {}", outcome_text(&outcome));
            for (mode, judgment) in &judgments {
                println!("{}: {}", mode.name(), judgment.verdict.name());
                for finding in &judgment.findings {
                    println!("  {finding}");
                }
            }
        }
        if let Outcome::Untestable(why) = &outcome {
            untestable += 1;
            *untestable_by_kind.entry(kind.clone()).or_default() += 1;
            if verbose {
                println!("seed {seed}: {} untestable: {why}", generated.plan);
            }
            continue;
        }
        let complete = generated.wal_listing_given;
        let outcome_line = outcome_text(&outcome);
        let invisible = generated.invisible_wal_loss;
        if complete {
            let judgment = without_statement.as_ref().unwrap_or(&judgments[0].1);
            unstated.add(seed, judgment, &outcome, invisible);
            let judgment = stating_nothing.as_ref().unwrap_or(judgment);
            silent.add(seed, judgment, &outcome, invisible);
        }
        // An earlier bundle read the WAL objects the damage deleted, invisible to a listing:
        // with it, such a loss is no longer exempt.
        if let Some(judgment) = &with_earlier {
            earlier.add(seed, judgment, &outcome, false);
        }
        let mut pending: Vec<Disagreement> = Vec::new();
        for (mode, judgment) in &judgments {
            let invisible = generated.invisible_wal_loss
                || (*mode == Mode::Offline && generated.wal_damage_only_live);
            let call = call(judgment, &outcome, invisible);
            let tallies = if complete {
                by_kind.entry((kind.clone(), *mode)).or_default().add(call);
                &mut by_mode
            } else {
                &mut withheld
            };
            tallies.entry(*mode).or_default().add(call);
            *verdicts
                .entry((judgment.verdict.name(), outcome_class(&outcome_line)))
                .or_default() += 1;
            if verbose {
                println!(
                    "seed {seed} {}: {} -> {} {:?} / SlateDB: {outcome_line}; {call:?}; steps: {steps}",
                    mode.name(),
                    generated.plan,
                    judgment.verdict.name(),
                    judgment.rules
                );
            }
            if call == Call::Agree {
                continue;
            }
            // Both modes usually say the same: one entry for both.
            if let Some(same) = pending
                .iter_mut()
                .find(|d| d.verdict == judgment.verdict && d.rules == judgment.rules)
            {
                same.modes.push(*mode);
                continue;
            }
            pending.push(Disagreement {
                seed,
                modes: vec![*mode],
                plan: generated.plan.clone(),
                kind: kind.clone(),
                call,
                verdict: judgment.verdict,
                rules: judgment.rules.clone(),
                outcome: outcome_line.clone(),
                damage: generated.damage,
                complete,
                steps: steps.clone(),
                findings: judgment.findings.clone(),
            });
        }
        disagreements.extend(pending);
    }
    if only.is_some() {
        return Ok(());
    }
    std::fs::remove_dir_all(&work).ok();

    let mut all = Tally::default();
    for tally in by_mode.values() {
        all.absorb(tally);
    }
    let mut summary = vec![format!(
        "oracle: {total} scenarios, {untestable} untestable (already broken where judged), each judged live and offline, in {:.0} s",
        started.elapsed().as_secs_f64()
    )];
    summary.push(format!("  complete inputs, both modes: {}", all.line()));
    for (mode, tally) in &by_mode {
        summary.push(format!(
            "  complete inputs, {:<7}  {}",
            mode.name(),
            tally.line()
        ));
    }
    let variants = [
        (&unstated, "without --writers-closed"),
        (&silent, "stating nothing"),
        (&earlier, "with --earlier-bundle"),
    ];
    for (variant, judged) in variants {
        summary.push(format!(
            "  complete inputs, live, {judged:<25} {}",
            variant.tally.line()
        ));
        if !variant.misses.is_empty() {
            summary.push(format!(
                "    missed {judged} (seed, rules): {}",
                variant.misses.join("; ")
            ));
        }
    }
    for (mode, tally) in &withheld {
        summary.push(format!(
            "  WAL store withheld, {:<7}{}",
            mode.name(),
            tally.line()
        ));
    }
    for ((verdict, outcome), count) in &verdicts {
        summary.push(format!(
            "  slatecheck {verdict:<12} SlateDB {outcome:<10} {count}"
        ));
    }
    for ((kind, mode), tally) in &by_kind {
        summary.push(format!("  {kind:<18} {:<7} {}", mode.name(), tally.line()));
    }
    for (kind, count) in &untestable_by_kind {
        summary.push(format!("  {kind:<18} untestable {count}"));
    }
    if !timed_out.is_empty() {
        summary.push(format!(
            "  timed out or not written (not judged): seeds {timed_out:?}"
        ));
    }
    for line in &summary {
        println!("{line}");
    }
    let listed = disagreement_list(&summary, &disagreements);
    for d in &disagreements {
        println!(
            "DISAGREE seed {} ({}): {} -> {} {:?} / SlateDB: {} [{:?}, damage {}]; steps: {}",
            d.seed,
            d.mode_names(),
            d.plan,
            d.verdict.name(),
            d.rules,
            d.outcome,
            d.call,
            d.damage,
            d.steps
        );
    }
    // `SLATECHECK_ORACLE_REPORT=FILE` writes the disagreements, grouped by cause, as Markdown.
    if let Some(path) = std::env::var_os("SLATECHECK_ORACLE_REPORT") {
        std::fs::write(&path, listed)?;
    }

    let false_safe: Vec<&Disagreement> = disagreements
        .iter()
        .filter(|d| d.call == Call::FalseSafe)
        .collect();
    assert!(
        false_safe.is_empty(),
        "{} judgment(s) said safe where SlateDB failed: seeds {:?}",
        false_safe.len(),
        false_safe.iter().map(|d| d.seed).collect::<Vec<_>>()
    );
    for (variant, judged) in variants {
        assert!(
            variant.false_safe.is_empty(),
            "judgment(s) {judged} said safe where SlateDB failed: seeds {:?}",
            variant.false_safe
        );
    }
    let judged = total - untestable - timed_out.len() as u64;
    assert!(
        judged * 3 >= total * 2,
        "only {judged} of {total} scenarios could be judged"
    );
    let mut lenient = all;
    for tally in withheld.values() {
        lenient.absorb(tally);
    }
    assert!(
        lenient.lenient_percent() >= MIN_LENIENT_AGREEMENT_PERCENT,
        "lenient agreement {:.1} % is below {MIN_LENIENT_AGREEMENT_PERCENT} %",
        lenient.lenient_percent()
    );
    assert!(
        all.strict_percent() >= MIN_STRICT_AGREEMENT_PERCENT,
        "strict agreement {:.1} % is below {MIN_STRICT_AGREEMENT_PERCENT} %",
        all.strict_percent()
    );
    Ok(())
}

/// The disagreements as Markdown, grouped by what they have in common (action, verdict,
/// outcome, damage, rules), the biggest group first.
fn disagreement_list(summary: &[String], disagreements: &[Disagreement]) -> String {
    let mut groups: BTreeMap<String, Vec<&Disagreement>> = BTreeMap::new();
    for d in disagreements {
        groups.entry(d.group()).or_default().push(d);
    }
    let mut groups: Vec<(String, Vec<&Disagreement>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut text = String::from("# Oracle disagreements\n\n```\n");
    for line in summary {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("```\n");
    for (group, members) in &groups {
        text.push_str(&format!("\n## {group} ({})\n\n", members.len()));
        for d in members {
            text.push_str(&format!(
                "* seed {} ({}{}): `{}` → {} {:?}; SlateDB: {}\n  * steps: {}\n",
                d.seed,
                d.mode_names(),
                if d.complete {
                    ""
                } else {
                    ", WAL store withheld"
                },
                d.plan,
                d.verdict.name(),
                d.call,
                d.outcome,
                d.steps
            ));
            for finding in d.findings.iter().take(4) {
                text.push_str(&format!("  * {finding}\n"));
            }
        }
    }
    text
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
