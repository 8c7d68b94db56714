//! The HTML report opened from disk in headless Chromium: it shows the verdict, makes no
//! network request, and renders (a screenshot is kept under `target/test-artifacts/`).
//! Chromium comes from `scripts/setup-web`, which the project's test command runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixture_bundle(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../fixtures/v2/{name}/bundle.tar.gz"))
}

fn chromium() -> PathBuf {
    let candidates = [
        std::env::var_os("CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("chromium not found (looked at $CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser): run scripts/setup-web, which the project's test command runs")
        })
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("html-in-chromium-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// What one headless Chromium run of `page` gives: the dumped DOM and the URLs the page itself
/// requested over the network (from the net-log: requests whose network isolation key is the
/// `file://` page; Chromium's own background requests have another key).
struct Visit {
    dom: String,
    page_requests: Vec<String>,
}

fn run_chromium(dir: &Path, page: &Path, extra: &[String]) -> String {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", dir.join("profile").display()));
    args.push(format!("--log-net-log={}", dir.join("net.json").display()));
    args.extend(extra.iter().cloned());
    args.push(format!("file://{}", page.display()));
    let mut child = Command::new(chromium())
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("chromium runs") {
            Some(_) => break,
            None if started.elapsed() > Duration::from_secs(90) => {
                let _ = child.kill();
                panic!("chromium did not finish within 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let output = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn visit(dir: &Path, page: &Path) -> Visit {
    let dom = run_chromium(dir, page, &["--dump-dom".to_string()]);
    let net = std::fs::read_to_string(dir.join("net.json")).expect("chromium wrote a net-log");
    // A net-log cut short (Chromium killed) lacks its closing brackets.
    let log: serde_json::Value = serde_json::from_str(&net)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", net.trim_end().trim_end_matches(','))))
        .expect("net-log is JSON");
    let mut page_requests: Vec<String> = log["events"]
        .as_array()
        .expect("net-log events")
        .iter()
        .filter_map(|event| {
            let params = &event["params"];
            let url = params["url"].as_str()?;
            let key = params["network_isolation_key"].as_str()?;
            let remote = ["http://", "https://", "ws://", "wss://"]
                .iter()
                .any(|scheme| url.starts_with(scheme));
            (remote && key.contains("file://")).then(|| url.to_string())
        })
        .collect();
    page_requests.sort();
    page_requests.dedup();
    Visit { dom, page_requests }
}

fn write_report(dir: &Path, bundle: &Path, plan: &str) -> PathBuf {
    let page = dir.join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .arg("check")
        .arg("--bundle")
        .arg(bundle)
        .args(["--plan", plan])
        .arg(format!("--format=html={}", page.display()))
        .status()
        .expect("slatecheck runs");
    assert_eq!(status.code(), Some(1), "the seed clone is unsafe");
    page
}

/// The text of the element carrying `data-testid="verdict"` in a dumped DOM.
fn verdict_text(dom: &str) -> Option<&str> {
    let start = dom.find("data-testid=\"verdict\"")?;
    let rest = &dom[start..];
    let open_end = rest.find('>')? + 1;
    let close = rest[open_end..].find('<')?;
    Some(rest[open_end..open_end + close].trim())
}

#[test]
fn the_html_report_shows_the_verdict_offline_and_renders() {
    let dir = scratch("report");
    let page = write_report(
        &dir,
        &fixture_bundle("b-seed-wal-store-split-after-wipe"),
        "clone:shard@split",
    );
    let seen = visit(&dir, &page);
    assert_eq!(verdict_text(&seen.dom), Some("unsafe"), "{}", seen.dom);
    assert!(seen.dom.contains("data-rule=\"SDB-WAL-001\""));
    assert!(
        seen.dom.contains("walpic-missing"),
        "the WAL picture shows the missing WALs"
    );
    assert_eq!(
        seen.page_requests,
        Vec::<String>::new(),
        "the report made network requests"
    );

    // The screenshot: a real PNG of a rendered page, kept for people to look at.
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let shot = artifacts.join("seed-after-wipe-report.png");
    let _ = std::fs::remove_file(&shot);
    let shot_dir = scratch("shot");
    run_chromium(
        &shot_dir,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600".to_string(),
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((width, height), (1200, 1600));
    // A blank page compresses to a few kilobytes; text, tables and colours do not.
    assert!(
        png.len() > 30_000,
        "screenshot looks blank: {} bytes",
        png.len()
    );
}

#[test]
fn the_network_check_catches_a_page_that_fetches() {
    // Without a Content-Security-Policy the request happens, and the check sees it.
    let dir = scratch("leaky");
    let page = dir.join("leaky.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><p data-testid=\"verdict\">safe</p><img src=\"http://127.0.0.1:9/x.png\"></body></html>",
    )
    .expect("write page");
    let seen = visit(&dir, &page);
    assert_eq!(seen.page_requests, ["http://127.0.0.1:9/x.png"]);

    // The report's own policy blocks the same image injected into it.
    let dir = scratch("injected");
    let report = write_report(
        &dir,
        &fixture_bundle("b-seed-wal-store-split-after-wipe"),
        "clone:shard@split",
    );
    let html = std::fs::read_to_string(&report).expect("report");
    let injected = html.replacen(
        "<footer>",
        "<img src=\"http://127.0.0.1:9/x.png\"><footer>",
        1,
    );
    std::fs::write(&report, injected).expect("write page");
    let seen = visit(&dir, &report);
    assert_eq!(verdict_text(&seen.dom), Some("unsafe"));
    assert_eq!(
        seen.page_requests,
        Vec::<String>::new(),
        "the CSP let a request through"
    );
}
