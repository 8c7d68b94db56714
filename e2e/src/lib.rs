//! # slatecheck-e2e
//!
//! Drives the built page (`web/dist`, made by `trunk build --release`) in Debian's headless
//! Chromium through chromedriver, as a user would: pick files, choose a plan, press Check, read
//! the verdict. [`Site`] serves the folder on loopback and records every request it gets, so a
//! test can prove the page fetched nothing beyond its own files.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where tests leave screenshots.
pub fn artifacts_dir() -> PathBuf {
    let dir = repo_root().join("target").join("test-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A temporary folder for a test's files, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh folder named after `name` and this process.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("slatecheck-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        Self(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The built page, served on 127.0.0.1 with every requested path recorded.
pub struct Site {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Site {
    /// Serves `web/dist`; panics with what to run when it was not built.
    pub fn start() -> Self {
        Self::serve(repo_root().join("web").join("dist"))
    }

    /// Serves the built page in `dist` (another build's, to compare).
    pub fn serve(dist: PathBuf) -> Self {
        assert!(
            dist.join("index.html").is_file() && dist.join("slatecheck-web_bg.wasm.js").is_file(),
            "{} has no built page: run `trunk build --release` at the repository root (scripts/test does)",
            dist.display()
        );
        let server = tiny_http::Server::http("127.0.0.1:0").expect("serve on loopback");
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .expect("an IP address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let path = request.url().split('?').next().unwrap_or("/").to_string();
                log.lock().expect("request log").push(path.clone());
                let file = if path == "/" {
                    "index.html".to_string()
                } else {
                    path.trim_start_matches('/').to_string()
                };
                let served = (!file.contains(".."))
                    .then(|| std::fs::read(dist.join(&file)).ok())
                    .flatten();
                let _ = match served {
                    Some(bytes) => {
                        let kind = content_type(&file);
                        let header = tiny_http::Header::from_bytes("Content-Type", kind)
                            .expect("a valid header");
                        request.respond(tiny_http::Response::from_data(bytes).with_header(header))
                    }
                    None => request.respond(tiny_http::Response::empty(404)),
                };
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}/"),
            requests,
        }
    }

    /// Every path requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("request log").clone()
    }
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The page's own clock (`performance.now()`), read from its hooks: the worker's time without
/// the WebDriver's polling.
#[derive(Clone, Debug)]
pub struct PageTiming {
    /// From the files chosen to the worker's answer (decoding and drawing it follow).
    pub read_ms: f64,
    /// The longest the worker said nothing while reading (progress included).
    pub read_silence_ms: f64,
    /// From Check pressed to the report's arrival (decoding and drawing it follow).
    pub check_ms: f64,
    /// From Check pressed to the arrival of the report's downloads, which follow it.
    pub downloads_ms: f64,
    /// Where the read's and the check's time went (`name=ms;…`).
    pub read_phases: String,
    pub check_phases: String,
}

/// Chromium under chromedriver, with a fresh profile; stopped on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub async fn start() -> Self {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chromedriver is not installed: run scripts/setup-web (scripts/test does)");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = std::env::temp_dir().join(format!("slatecheck-e2e-{port}"));
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1200,1600",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        profile,
                    }
                }
                Err(err) => last_error = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("cannot start a Chromium session through chromedriver: {last_error}");
    }

    /// Starts a browser on `site`'s page.
    pub async fn open(site: &Site) -> Self {
        let browser = Self::start().await;
        browser.client.goto(&site.url).await.expect("open the page");
        // The module starts after the load event: wait until the app has mounted, or a later
        // "did anything change" check would see the first render as a change.
        browser
            .wait_for("[data-testid='inputs-section'][data-loads]", 60)
            .await;
        browser
    }

    /// Waits up to `seconds` for `css` to match, and returns the first match.
    pub async fn wait_for(&self, css: &str, seconds: u64) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(seconds))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("`{css}` did not appear within {seconds} s: {err}"))
    }

    /// The text of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            out.push(element.text().await.unwrap_or_default());
        }
        out
    }

    /// Picks `files` in the file input `testid`.
    pub async fn pick(&self, testid: &str, files: &[&Path]) {
        let input = self
            .wait_for(&format!("[data-testid='{testid}']"), 30)
            .await;
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        input
            .send_keys(&paths.join("\n"))
            .await
            .unwrap_or_else(|err| panic!("cannot pick {paths:?}: {err}"));
    }

    /// Types `text` into the text field `testid`, replacing its content.
    pub async fn type_into(&self, testid: &str, text: &str) {
        let field = self
            .wait_for(&format!("[data-testid='{testid}']"), 10)
            .await;
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type into the field");
    }

    /// Clicks the control `testid` (a checkbox or a button) once it is there.
    pub async fn click(&self, testid: &str) {
        self.wait_for(&format!("[data-testid='{testid}']"), 10)
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("cannot click {testid}: {err}"));
    }

    /// The value of attribute `name` of the first element matching `css`.
    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.attr(name).await.ok().flatten()
    }

    /// Waits up to `seconds` until attribute `name` of `css` differs from `before`.
    async fn wait_for_change(&self, css: &str, name: &str, before: Option<String>, seconds: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
        while self.attribute(css, name).await == before {
            assert!(
                std::time::Instant::now() < deadline,
                "`{css}` {name} stayed {before:?} for {seconds} s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Picks `files` in the file input `testid` and waits until the worker has read them.
    pub async fn add_files(&self, testid: &str, files: &[&Path]) {
        let loads = self.loads().await;
        self.pick(testid, files).await;
        self.wait_for_load_after(loads).await;
    }

    /// Opens the "Listing options" section (prefix, time zone, listing complete).
    pub async fn open_listing_options(&self) {
        self.client
            .find(Locator::Css("details.reading summary"))
            .await
            .expect("listing options")
            .click()
            .await
            .expect("open them");
    }

    /// How many times the page has read its inputs (changes when the worker is done).
    pub async fn loads(&self) -> Option<String> {
        self.wait_for("[data-testid='inputs-section'][data-loads]", 60)
            .await
            .attr("data-loads")
            .await
            .ok()
            .flatten()
    }

    /// Waits until the inputs were read again since `loads` was taken.
    pub async fn wait_for_load_after(&self, loads: Option<String>) {
        self.wait_for_change("[data-testid='inputs-section']", "data-loads", loads, 300)
            .await;
    }

    /// Presses Check and returns what it shows: the verdict, or the error.
    pub async fn run_check(&self) -> String {
        let runs = self
            .wait_for("[data-testid='results'][data-runs]", 60)
            .await
            .attr("data-runs")
            .await
            .ok()
            .flatten();
        self.wait_for("[data-testid='run']:not([disabled])", 120)
            .await
            .click()
            .await
            .expect("press Check");
        self.wait_for_change("[data-testid='results']", "data-runs", runs, 120)
            .await;
        self.wait_for("[data-testid='verdict'], [data-testid='error']", 10)
            .await
            .text()
            .await
            .unwrap_or_default()
    }

    /// Where download link `testid` points (empty when it has no `href`), once the worker has
    /// made the downloads (they follow the verdict).
    pub async fn download_href(&self, testid: &str) -> String {
        let downloads = "[data-testid='downloads']";
        self.wait_for(downloads, 10).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.attribute(downloads, "data-ready").await.as_deref() != Some("true") {
            assert!(
                std::time::Instant::now() < deadline,
                "the report's downloads were not made within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_for(&format!("[data-testid='{testid}']"), 10)
            .await
            .attr("href")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The text behind download link `testid` (a `blob:` URL), read by opening it in the tab:
    /// the page itself may fetch nothing. Leaves the page, so it comes last in a test.
    pub async fn open_download(&self, testid: &str) -> String {
        let href = self.download_href(testid).await;
        assert!(!href.is_empty(), "{testid} has no href");
        self.client.goto(&href).await.expect("open the download");
        self.wait_for("body", 10)
            .await
            .text()
            .await
            .expect("the download's text")
    }

    /// What the page measured of its last read and its last check (its `data-*-ms` hooks).
    pub async fn timing(&self) -> PageTiming {
        let ms = |value: Option<String>| {
            value
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let (inputs, results) = ("[data-testid='inputs-section']", "[data-testid='results']");
        PageTiming {
            read_ms: ms(self.attribute(inputs, "data-read-ms").await),
            read_silence_ms: ms(self.attribute(inputs, "data-read-silence-ms").await),
            check_ms: ms(self.attribute(results, "data-check-ms").await),
            downloads_ms: ms(self.attribute(results, "data-downloads-ms").await),
            read_phases: self
                .attribute(inputs, "data-read-phases")
                .await
                .unwrap_or_default(),
            check_phases: self
                .attribute(results, "data-check-phases")
                .await
                .unwrap_or_default(),
        }
    }

    /// Saves a screenshot under `target/test-artifacts/NAME.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("write the screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        path
    }

    /// Ends the session.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
