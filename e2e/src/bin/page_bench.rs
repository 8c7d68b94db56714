//! `page-bench [--dist DIR] [--runs N] [--plan PLAN]... FILE...`: how long the page takes on
//! `FILE`s in headless Chromium, from the files chosen to the report in the page's hands, by
//! its own clock (its `data-read-ms` and `data-check-ms` hooks; `data-downloads-ms` for the
//! report's downloads, which follow the verdict), with the longest the worker
//! went without a progress report while reading, where the time went (the phases), and the
//! driver's time from the files chosen to the verdict it saw drawn. Each run opens a fresh page. Prints one JSON
//! object: every run, and the median of each figure. `scripts/bench` runs it beside
//! `slatecheck check` on the same files.

use slatecheck_e2e::{repo_root, Browser, Site};
use std::path::PathBuf;

struct Args {
    dist: PathBuf,
    runs: usize,
    plans: Vec<String>,
    files: Vec<PathBuf>,
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "page-bench: {problem}\nusage: page-bench [--dist DIR] [--runs N] [--plan PLAN]... FILE..."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        dist: repo_root().join("web").join("dist"),
        runs: 3,
        plans: Vec::new(),
        files: Vec::new(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut value = || {
            given
                .next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--dist" => args.dist = PathBuf::from(value()),
            "--runs" => {
                args.runs = value()
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage("--runs takes a positive number"))
            }
            "--plan" => args.plans.push(value()),
            flag if flag.starts_with("--") => usage(&format!("unknown flag {flag}")),
            file => args.files.push(PathBuf::from(file)),
        }
    }
    if args.files.is_empty() {
        usage("no files given");
    }
    if let Some(missing) = args.files.iter().find(|f| !f.is_file()) {
        usage(&format!("{}: no such file", missing.display()));
    }
    // The browser takes only absolute paths in its file input.
    for file in &mut args.files {
        if let Ok(absolute) = std::path::absolute(&*file) {
            *file = absolute;
        }
    }
    args
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let site = Site::serve(args.dist.clone());
    let files: Vec<&std::path::Path> = args.files.iter().map(PathBuf::as_path).collect();
    let mut runs = Vec::new();
    for _ in 0..args.runs {
        let browser = Browser::open(&site).await;
        // The driver's own clock as well: it sees what is drawn, but polls (every 100 ms) and
        // counts its typing and clicking.
        let started = std::time::Instant::now();
        browser.add_files("file-input", &files).await;
        if !args.plans.is_empty() {
            browser.type_into("plan-text", &args.plans.join(";")).await;
        }
        let verdict = browser.run_check().await;
        let driver_ms = started.elapsed().as_secs_f64() * 1000.0;
        // The downloads follow the verdict: wait for them, so that their time is measured too.
        browser.download_href("download-json").await;
        let timing = browser.timing().await;
        browser.close().await;
        runs.push(serde_json::json!({
            "read_ms": timing.read_ms,
            "check_ms": timing.check_ms,
            "downloads_ms": timing.downloads_ms,
            "total_ms": timing.read_ms + timing.check_ms,
            "driver_total_ms": driver_ms,
            "read_silence_ms": timing.read_silence_ms,
            "read_phases": timing.read_phases,
            "check_phases": timing.check_phases,
            "verdict": verdict,
        }));
    }
    let figure = |name: &str| median(runs.iter().filter_map(|run| run[name].as_f64()).collect());
    let summary = serde_json::json!({
        "median_total_ms": figure("total_ms"),
        "median_read_ms": figure("read_ms"),
        "median_check_ms": figure("check_ms"),
        "median_downloads_ms": figure("downloads_ms"),
        "median_read_silence_ms": figure("read_silence_ms"),
        "median_driver_total_ms": figure("driver_total_ms"),
        "runs": runs,
    });
    println!("{summary}");
}
