//! The page in headless Chromium, driven like a user: files picked in the real file inputs,
//! plans chosen in the real controls, verdicts read from the `data-testid` hooks.

use base64::prelude::{Engine as _, BASE64_STANDARD};
use fantoccini::Locator;
use sha2::{Digest, Sha256};
use slatecheck_e2e::{repo_root, Browser, Scratch, Site};
use std::io::Write;
use std::path::{Path, PathBuf};

fn seed_bundle() -> PathBuf {
    repo_root().join("fixtures/v2/b-seed-wal-store-split-after-wipe/bundle.tar.gz")
}

/// What the page may fetch: its own files, nothing else, ever.
const OWN_FILES: [&str; 6] = [
    "/",
    "/style.css",
    "/boot.js",
    "/slatecheck-web.js",
    "/slatecheck-web_bg.wasm.js",
    "/worker.js",
];

#[tokio::test(flavor = "multi_thread")]
async fn seed_clone_after_wal_wipe_is_unsafe_and_names_the_missing_wals() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    browser.add_files("file-input", &[&seed_bundle()]).await;
    let kinds = browser.texts("[data-testid='input'] .kind").await;
    assert_eq!(kinds, ["bundle"], "the bundle is recognised");
    let loaded = site.requests().len();

    // No plan: every rule, here limited to one root.
    browser
        .wait_for("[data-testid='roots'] input[value='shard']", 10)
        .await
        .click()
        .await
        .expect("tick shard");
    let verdict = browser.run_check().await;
    assert_eq!(verdict, "unsafe", "shard's scan finds its wiped WAL");
    let roots = browser.texts("[data-rule] .root").await;
    assert!(
        !roots.is_empty() && roots.iter().all(|root| root == "shard"),
        "only shard's findings: {roots:?}"
    );

    // Typed in the CLI's plan syntax, by checkpoint name.
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_eq!(browser.run_check().await, "unsafe");
    let rules = browser.texts("[data-rule='SDB-WAL-001'] .message").await;
    assert_eq!(rules.len(), 1, "one SDB-WAL-001 finding row");
    assert!(
        rules[0].contains("WAL 2–3 are missing"),
        "the finding names the missing WAL ids: {}",
        rules[0]
    );
    let missing = browser.texts(".plan-result tr.object.missing").await;
    assert_eq!(missing.len(), 2, "WAL 2 and 3 shown missing: {missing:?}");
    // The pictures follow the verdict.
    browser
        .wait_for("[data-testid='wal-picture'][data-ready='true']", 30)
        .await;
    let shard_missing = browser
        .texts("[data-testid='wal-picture'] figure[data-root='shard'] .walpic-missing")
        .await;
    assert_eq!(
        shard_missing.len(),
        2,
        "the WAL picture marks WAL 2 and 3 of shard missing"
    );
    for link in ["download-markdown", "download-html", "download-json"] {
        let href = browser.download_href(link).await;
        assert!(
            href.starts_with("blob:"),
            "{link} is a local download: {href}"
        );
    }
    browser.screenshot("web-seed-clone-unsafe").await;

    // Picked from the action list: the same checkpoint, by id.
    let option = browser
        .client
        .find(Locator::Css(
            "[data-testid='plan'] option[value^='clone:shard@']",
        ))
        .await
        .expect("the split checkpoint is offered");
    let value = option
        .attr("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    option.click().await.expect("pick the clone plan");
    let typed = browser
        .client
        .find(Locator::Css("[data-testid='plan-text']"))
        .await
        .expect("plan text")
        .prop("value")
        .await
        .ok()
        .flatten();
    assert_eq!(
        typed.as_deref(),
        Some(value.as_str()),
        "the list fills the plan text"
    );
    assert_eq!(browser.run_check().await, "unsafe");

    // The parent, whose WAL store was wiped too, still opens without losing anything only if
    // its WAL is intact: the verdict is whatever the CLI says for the same inputs.
    browser.type_into("plan-text", "read:parent").await;
    let verdict = browser.run_check().await;
    assert!(
        ["safe", "unsafe", "inconclusive"].contains(&verdict.as_str()),
        "{verdict}"
    );

    assert_eq!(
        site.requests().len(),
        loaded,
        "checks made requests: {:?}",
        &site.requests()[loaded..]
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_fetches_nothing_but_its_own_files() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    browser.add_files("file-input", &[&seed_bundle()]).await;
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_eq!(browser.run_check().await, "unsafe");
    let requests = site.requests();
    assert!(
        requests
            .iter()
            .all(|path| OWN_FILES.contains(&path.as_str())),
        "requests beyond the page's files: {requests:?}"
    );
    // And nothing elsewhere: the browser's own record of every resource the page loaded.
    let resources = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .expect("resource timing");
    let names: Vec<String> = serde_json::from_value(resources).unwrap_or_default();
    assert!(
        names.iter().all(|name| name.starts_with(&site.url)),
        "resources from elsewhere: {names:?}"
    );
    let policy = browser
        .client
        .find(Locator::Css("meta[http-equiv='Content-Security-Policy']"))
        .await
        .expect("a CSP")
        .attr("content")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(policy.contains("connect-src 'none'"), "{policy}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_gets_a_clear_error() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let dir = Scratch::new("garbage");
    let garbage = dir.join("garbage.bin");
    std::fs::write(
        &garbage,
        b"\x7fELF\x02\x01\x01 this is no listing\n\x00\x01",
    )
    .expect("write");
    let broken = dir.join("00000000000000000003.manifest");
    std::fs::write(&broken, [0u8, 2, 1, 2, 3]).expect("write");
    browser.add_files("file-input", &[&garbage, &broken]).await;
    let errors = browser.texts("[data-testid='input-error']").await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("garbage.bin: "), "{}", errors[0]);
    assert!(
        errors[1].starts_with("00000000000000000003.manifest: "),
        "{}",
        errors[1]
    );
    browser.type_into("plan-text", "clone:db").await;
    let shown = browser.run_check().await;
    assert!(
        shown.starts_with("no usable inputs"),
        "garbage gave a verdict: {shown}"
    );
    browser.add_files("file-input", &[&seed_bundle()]).await;
    browser.type_into("plan-text", "explode:db").await;
    let shown = browser.run_check().await;
    assert!(
        shown.starts_with("plan `explode:db`: unknown kind"),
        "a bad plan is named once: {shown}"
    );
    browser.screenshot("web-garbage").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_folder_and_its_wal_store_folder_check_like_the_cli() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let fixture = repo_root().join("fixtures/v2/b-seed-wal-store-split-after-wipe");
    browser
        .add_files("folder-input", &[&fixture.join("main")])
        .await;
    let details = browser.texts("[data-testid='input'] .detail").await;
    assert!(details[0].contains("manifests read"), "{details:?}");
    browser.type_into("plan-text", "clone:shard@split").await;
    // The WAL store is not given: the page must not call this safe.
    assert_eq!(browser.run_check().await, "inconclusive");
    // The WAL store's folder holds WAL objects only, so it counts for the WAL store.
    browser
        .add_files("folder-input", &[&fixture.join("wal")])
        .await;
    let stores = browser
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=input] [data-testid=store]')].map(s => s.value)",
            vec![],
        )
        .await
        .expect("store choices");
    assert_eq!(stores, serde_json::json!(["main", "wal"]));
    assert_eq!(browser.run_check().await, "unsafe");
    assert_eq!(browser.texts("[data-rule='SDB-WAL-001']").await.len(), 1);
    browser.close().await;
}

/// A dropped store folder holds the WAL objects themselves: the worker reads the rows of those
/// after the replay point, as `check --store` does, so `wipe-wal:` is decided where a listing
/// leaves it open. Fixture l's WAL 2 holds only rows of L0 (safe); fixture m's WAL 3 a write
/// only the WAL has (unsafe, `SDB-WAL-010`).
#[tokio::test(flavor = "multi_thread")]
async fn a_store_folder_decides_wipe_wal_from_the_wal_rows() {
    for (name, verdict, rule) in [
        (
            "l-idle-reopens-wal-wiped-before-wipe",
            "safe",
            "SDB-WAL-004",
        ),
        (
            "m-size-frozen-wal-deleted-before-delete",
            "unsafe",
            "SDB-WAL-010",
        ),
    ] {
        let site = Site::start();
        let browser = Browser::open(&site).await;
        let fixture = repo_root().join("fixtures/v2").join(name);
        browser
            .add_files("folder-input", &[&fixture.join("main")])
            .await;
        browser.type_into("plan-text", "wipe-wal:db").await;
        assert_eq!(browser.run_check().await, verdict, "{name}");
        let rule_hook = format!("[data-rule='{rule}']");
        assert!(
            !browser.texts(&rule_hook).await.is_empty(),
            "{name}: {rule}"
        );
        browser.close().await;
    }
}

/// A bundle of store folder `main` as `slatecheck collect` writes it: its listing, its
/// manifest objects and its WAL objects (read for their rows), written to `out`.
fn collected_bundle(main: &Path, out: &Path) {
    use slatecheck_core::bundle::{
        write_bundle_objects, BundleInfo, BundleObjects, BUNDLE_VERSION,
    };
    use slatecheck_core::listing::{ListingBuilder, ListingOptions, RawEntry};
    use slatecheck_core::snapshot::StoreSide;
    let mut files = Vec::new();
    let mut folders = vec![main.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let key = path
                    .strip_prefix(main)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned();
                files.push((key, std::fs::read(&path).expect("fixture file")));
            }
        }
    }
    files.sort();
    let mut builder = ListingBuilder::new(ListingOptions::default());
    builder.push_unlisted(
        "store",
        files
            .iter()
            .map(|(key, bytes)| RawEntry::new(key.clone(), bytes.len() as u64)),
    );
    let listing = builder.finish();
    let manifests: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(key, _)| key.contains("/manifest/"))
        .cloned()
        .collect();
    let sst_objects: Vec<(StoreSide, String, Vec<u8>)> = files
        .iter()
        .filter(|(key, _)| key.contains("/wal/"))
        .map(|(key, bytes)| (StoreSide::Main, key.clone(), bytes.clone()))
        .collect();
    let info = BundleInfo {
        bundle_version: BUNDLE_VERSION,
        created_by: "slatecheck e2e".into(),
        store: main.display().to_string(),
        wal_store: None,
        wal_store_given: Some(false),
    };
    let objects = BundleObjects {
        manifests: &manifests,
        sst_objects: &sst_objects,
        ..BundleObjects::default()
    };
    let file = std::fs::File::create(out).expect("bundle file");
    write_bundle_objects(file, &info, &listing, None, &objects).expect("bundle written");
}

/// A bundle taken as collected earlier (`--earlier-bundle`): fixture w's WAL 3, past the latest
/// manifest's range, was deleted after a crash, and SlateDB's reader lost `t01`. The store now
/// shows nothing amiss (`safe`, as the CLI says); the bundle collected before the deletion read
/// WAL 3's rows, and with it taken as earlier the page says `unsafe` (`SDB-WAL-009`), and names
/// it in the report's inputs as `earlier-bundle`.
#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_collected_earlier_shows_the_deleted_tail() {
    let dir = Scratch::new("earlier-bundle");
    let fixtures = repo_root().join("fixtures/v2");
    let earlier = dir.join("before.tar.gz");
    collected_bundle(
        &fixtures.join("w-crash-tail-deleted-before-delete/main"),
        &earlier,
    );
    let site = Site::start();
    let browser = Browser::open(&site).await;
    browser
        .add_files(
            "file-input",
            &[&fixtures.join("w-crash-tail-deleted/bundle.tar.gz")],
        )
        .await;
    browser.type_into("plan-text", "read:p").await;
    browser.click("no-wal-store").await;
    assert_eq!(browser.run_check().await, "safe");
    browser.add_files("file-input", &[&earlier]).await;
    // Added as the store now, the second bundle is refused (a bundle must come alone); taken
    // as collected earlier, it is read.
    let loads = browser.loads().await;
    browser
        .client
        .execute(
            "const s = document.querySelectorAll('[data-testid=input] [data-testid=bundle-when]')[1]; s.value = 'earlier'; s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("take the second bundle as earlier");
    browser.wait_for_load_after(loads).await;
    let kinds = browser.texts("[data-testid='input'] .kind").await;
    assert_eq!(kinds, ["bundle", "earlier-bundle"]);
    assert_eq!(browser.run_check().await, "unsafe");
    assert_eq!(browser.texts("[data-rule='SDB-WAL-009']").await.len(), 1);
    let json = browser.open_download("download-json").await;
    let report: serde_json::Value = serde_json::from_str(&json).expect("report JSON");
    assert!(
        report["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .any(|input| input["kind"] == "earlier-bundle"),
        "{}",
        report["inputs"]
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_million_object_listing_is_read_in_the_worker() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let dir = Scratch::new("million");
    let listing = dir.join("main.tsv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&listing).expect("create"));
    // `find -printf '%s\t%T@\t%P\n'`: one manifest, a million WAL objects.
    writeln!(
        out,
        "310\t1764000000.0000000000\tdb/manifest/00000000000000000001.manifest"
    )
    .expect("write");
    for id in 1..=1_000_000u64 {
        writeln!(out, "4096\t1764000000.0000000000\tdb/wal/{id:020}.sst").expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    // Watch the main thread while the worker reads: a timer that should tick every 50 ms, and
    // whether the progress bar showed.
    browser
        .client
        .execute(
            "window.__gap = 0; let last = performance.now();
             window.__ticker = setInterval(() => { const t = performance.now();
                 window.__gap = Math.max(window.__gap, t - last); last = t; }, 50);
             window.__sawProgress = false;
             new MutationObserver(() => { if (document.querySelector('[data-testid=progress]'))
                 window.__sawProgress = true; }).observe(document.body, {subtree: true, childList: true});",
            vec![],
        )
        .await
        .expect("install the watchers");
    let started = std::time::Instant::now();
    browser.add_files("file-input", &[&listing]).await;
    let read_in = started.elapsed();
    let watched = browser
        .client
        .execute(
            "clearInterval(window.__ticker); return [window.__gap, window.__sawProgress]",
            vec![],
        )
        .await
        .expect("read the watchers");
    let longest_gap = watched[0].as_f64().unwrap_or(f64::MAX);
    assert!(
        longest_gap < 1000.0,
        "the page froze for {longest_gap:.0} ms while the listing was read"
    );
    assert_eq!(
        watched[1],
        serde_json::json!(true),
        "a progress bar was shown"
    );
    let details = browser.texts("[data-testid='input'] .detail").await;
    assert!(
        details[0].contains("1000001 SlateDB objects"),
        "every object counted: {details:?}"
    );
    eprintln!(
        "1,000,001-object listing read in {read_in:?}; longest main-thread gap {longest_gap:.0} ms"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_and_loose_manifest_files_give_the_bundles_verdict() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let fixture = repo_root().join("fixtures/v2/b-seed-wal-store-split-after-wipe");
    let mut files = vec![
        fixture.join("listings/main.tsv"),
        fixture.join("listings/wal.tsv"),
    ];
    for root in ["shard", "child_ok"] {
        let dir = fixture.join("main").join(root).join("manifest");
        let mut manifests: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("manifests")
            .map(|entry| entry.expect("entry").path())
            .collect();
        manifests.sort();
        files.extend(manifests);
    }
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    browser.add_files("file-input", &paths).await;
    assert!(
        browser
            .texts("[data-testid='input-error']")
            .await
            .is_empty(),
        "every file read"
    );
    assert!(browser
        .texts("[data-testid='problem']")
        .await
        .iter()
        .all(String::is_empty));
    let details = browser.texts("[data-testid='input'] .detail").await;
    assert!(
        details[2].ends_with("; root: shard")
            && details
                .last()
                .is_some_and(|d| d.ends_with("; root: child_ok")),
        "each loose manifest says where it went: {details:?}"
    );
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_eq!(browser.run_check().await, "unsafe");
    assert_eq!(browser.texts("[data-rule='SDB-WAL-001']").await.len(), 1);

    // The report names every file by its SHA-256 (taken by the second worker while the first
    // one reads), each the hash of that very file.
    let report: serde_json::Value =
        serde_json::from_str(&browser.open_download("download-json").await).expect("JSON");
    let hashes: Vec<(String, String)> = report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|input| {
            let field = |name: &str| input[name].as_str().unwrap_or_default().to_string();
            (field("path"), field("sha256"))
        })
        .collect();
    let expected: Vec<(String, String)> = files
        .iter()
        .map(|file| {
            let bytes = std::fs::read(file).expect("read the file");
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            (name.into_owned(), format!("{:x}", Sha256::digest(&bytes)))
        })
        .collect();
    assert_eq!(
        hashes.len(),
        expected.len(),
        "every file is an input: {hashes:?}"
    );
    for ((path, sha256), (name, expected)) in hashes.iter().zip(&expected) {
        // A file named like one before it is labelled `#N/NAME`.
        assert!(path.ends_with(name.as_str()), "{path} is {name}");
        assert_eq!(sha256, expected, "{path}: its SHA-256");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_dropped_on_the_page_is_read() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    browser.wait_for(".drop", 30).await;
    let bytes = std::fs::read(seed_bundle()).expect("bundle");
    // A real drop cannot be synthesized through WebDriver; the page's drop handler gets the
    // same DataTransfer a browser builds for a dropped file.
    let loads = browser.loads().await;
    browser
        .client
        .execute(
            "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
             const transfer = new DataTransfer();
             transfer.items.add(new File([bytes], 'bundle.tar.gz'));
             const zone = document.querySelector('.drop');
             zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true, cancelable: true}));
             zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));",
            vec![serde_json::json!(BASE64_STANDARD.encode(&bytes))],
        )
        .await
        .expect("drop the bundle");
    browser.wait_for_load_after(loads).await;
    assert_eq!(
        browser.texts("[data-testid='input'] .kind").await,
        ["bundle"]
    );
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_eq!(browser.run_check().await, "unsafe");
    browser.close().await;
}

/// The page's "No separate WAL store" and "Every writer stopped with Db::close()" controls
/// settle fixture l as `--no-wal-store --writers-closed` do: its wiped WAL held rows of an
/// explicit L0 flush, which only the second statement tells from a size-frozen memtable's.
#[tokio::test(flavor = "multi_thread")]
async fn the_writers_closed_control_settles_a_wal_shared_with_l0() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let bundle = repo_root().join("fixtures/v2/l-idle-reopens-wal-wiped/bundle.tar.gz");
    browser.add_files("file-input", &[&bundle]).await;
    browser.type_into("plan-text", "open:db").await;
    for control in ["no-wal-store", "writers-closed"] {
        assert_eq!(
            browser.run_check().await,
            "inconclusive",
            "before {control}"
        );
        browser.click(control).await;
    }
    assert_eq!(browser.run_check().await, "safe");
    browser.close().await;
}

/// The statement made of some databases only, as `--writers-closed=ROOT,...`: fixture q's
/// `closed` closed with `Db::close()` and `lossy` crashed after a write; both WALs were wiped.
/// Stated of `closed`, its open is safe; stated of `lossy` alone, it stays inconclusive; a
/// root the inputs do not show is an error naming it.
#[tokio::test(flavor = "multi_thread")]
async fn the_writers_closed_roots_narrow_the_statement() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let bundle = repo_root().join("fixtures/v2/q-writes-after-checkpoint-wal-wiped/bundle.tar.gz");
    browser.add_files("file-input", &[&bundle]).await;
    browser.type_into("plan-text", "open:closed").await;
    browser.click("no-wal-store").await;
    browser.click("writers-closed").await;
    browser.type_into("writers-closed-roots", "lossy").await;
    assert_eq!(browser.run_check().await, "inconclusive");
    browser.type_into("writers-closed-roots", "closed").await;
    assert_eq!(browser.run_check().await, "safe");
    browser.type_into("writers-closed-roots", "close").await;
    let error = browser.run_check().await;
    assert!(error.contains("names `close`"), "{error}");
    browser.close().await;
}

/// The weaker statement, as `--writers-closed-wal-only=ROOT,...`: fixture t's `closed` closed
/// (here with `Db::close()`, of which it is true too) and `crashed` crashed; both WALs were
/// wiped, and no manifest proves either close (a repeated manifest proves none). Stated of
/// `closed`, its read is safe, and `crashed`'s stays inconclusive.
#[tokio::test(flavor = "multi_thread")]
async fn the_writers_closed_wal_only_control_settles_the_recorded_end() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let bundle = repo_root().join("fixtures/v2/t-crash-repeated-manifest/bundle.tar.gz");
    browser.add_files("file-input", &[&bundle]).await;
    browser.type_into("plan-text", "read:closed").await;
    browser.click("no-wal-store").await;
    assert_eq!(browser.run_check().await, "inconclusive");
    browser.click("writers-closed-wal-only").await;
    browser
        .type_into("writers-closed-wal-only-roots", "closed")
        .await;
    assert_eq!(browser.run_check().await, "safe");
    browser.type_into("plan-text", "read:crashed").await;
    assert_eq!(browser.run_check().await, "inconclusive");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slatecheck_toml_applies_as_in_the_cli() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let dir = Scratch::new("config");
    let config = dir.join("slatecheck.toml");
    // The operator accepts the risk: SDB-WAL-001 only warns (as `--config` does in the CLI).
    std::fs::write(&config, "[rules]\nSDB-WAL-001 = \"warning\"\n").expect("write");
    browser
        .add_files("file-input", &[&seed_bundle(), &config])
        .await;
    let kinds = browser.texts("[data-testid='input'] .kind").await;
    assert_eq!(kinds, ["bundle", "config"]);
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_eq!(browser.run_check().await, "safe");
    let severities = browser.texts("[data-rule='SDB-WAL-001'] .severity").await;
    assert_eq!(severities, ["warning"]);

    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[rules]\nSDB-NOPE-999 = \"off\"\n").expect("write");
    browser.add_files("file-input", &[&broken]).await;
    let errors = browser.texts("[data-testid='input-error']").await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("broken.toml:2: "), "{}", errors[0]);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_of_a_prefixed_bucket_reads_with_the_prefix_option() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let fixture = repo_root().join("fixtures/v2/b-seed-wal-store-split-after-wipe");
    let dir = Scratch::new("prefix");
    // The same store, listed from the bucket root: every key under `prod/dbs/`.
    let mut files = Vec::new();
    for name in ["main.tsv", "wal.tsv"] {
        let text = std::fs::read_to_string(fixture.join("listings").join(name)).expect("listing");
        let prefixed: String = text
            .lines()
            .map(|line| {
                let (head, key) = line.rsplit_once('\t').expect("find -printf line");
                format!("{head}\tprod/dbs/{key}\n")
            })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, prefixed).expect("write");
        files.push(path);
    }
    for entry in std::fs::read_dir(fixture.join("main/shard/manifest")).expect("manifests") {
        files.push(entry.expect("entry").path());
    }
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    browser.add_files("file-input", &paths).await;
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_ne!(
        browser.run_check().await,
        "safe",
        "no root `shard` without the prefix"
    );

    browser.open_listing_options().await;
    let loads = browser.loads().await;
    browser.type_into("prefix", "prod/dbs/\n").await;
    // `change` fires when the field loses focus.
    browser
        .client
        .execute("document.activeElement.blur()", vec![])
        .await
        .expect("blur");
    browser.wait_for_load_after(loads).await;
    assert_eq!(browser.run_check().await, "unsafe");
    assert_eq!(browser.texts("[data-rule='SDB-WAL-001']").await.len(), 1);
    browser.close().await;
}

/// The gzip bomb: a bundle whose one member's tar header says 4 GiB of zeros. The
/// worker refuses it from the header, naming the limit, instead of inflating it until the tab
/// crashes.
#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_bomb_is_refused_in_the_worker() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let bomb = repo_root().join("fixtures/hostile/bundle-bomb.tar.gz");
    browser.add_files("file-input", &[&bomb]).await;
    let errors = browser.texts("[data-testid='input-error']").await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .contains("member listings/main.tsv (4 GiB) exceeds the member-bytes limit of 1 GiB"),
        "{}",
        errors[0]
    );
    browser.close().await;
}

/// Real CLI output of the seed fixture (fixtures/listings/real), copied under names that put
/// each in its store (`main-…`, `wal-…`), followed by the manifests of `roots`.
fn real_listings_with_manifests(
    dir: &Scratch,
    captures: [(&str, &str); 2],
    roots: &[&str],
) -> Vec<PathBuf> {
    let seed = "b-seed-wal-store-split-after-wipe";
    let real = repo_root().join("fixtures/listings/real").join(seed);
    let fixture = repo_root().join("fixtures/v2").join(seed);
    let mut files = Vec::new();
    for (from, name) in captures {
        let path = dir.join(name);
        std::fs::copy(real.join(from), &path).expect("copy");
        files.push(path);
    }
    for root in roots {
        let manifests = fixture.join("main").join(root).join("manifest");
        for entry in std::fs::read_dir(manifests).expect("manifests") {
            files.push(entry.expect("entry").path());
        }
    }
    files
}

/// Real `rclone lsl` output (fixtures/listings/real) cannot show a cut-short listing: the page,
/// like the CLI, never calls it safe until the user ticks "The listing files are complete"
/// (`--listing-complete`), and then gives the CLI's verdict.
#[tokio::test(flavor = "multi_thread")]
async fn the_listing_complete_switch_settles_listings_that_cannot_show_truncation() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let dir = Scratch::new("listing-complete");
    let files = real_listings_with_manifests(
        &dir,
        [
            ("main/rclone-lsl-s3.txt", "main-rclone-lsl.txt"),
            ("wal/rclone-lsl-s3.txt", "wal-rclone-lsl.txt"),
        ],
        &["shard"],
    );
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    browser.add_files("file-input", &paths).await;
    browser.type_into("plan-text", "read:shard").await;
    // The seed's writers closed with `Db::close()`: stated, only the listings stay in doubt.
    browser.click("writers-closed").await;
    assert_eq!(browser.run_check().await, "inconclusive");
    browser.open_listing_options().await;
    let loads = browser.loads().await;
    browser.click("listing-complete").await;
    browser.wait_for_load_after(loads).await;
    assert_eq!(browser.run_check().await, "safe");
    browser.close().await;
}

/// What the real CLIs printed (fixtures/listings/real: `aws s3 ls --recursive` of the main
/// store, `rclone lsjson -R` of the WAL store, both from moto) reads on the page as each tool's
/// format and gives the verdict the CLI gives on the same files.
#[tokio::test(flavor = "multi_thread")]
async fn real_aws_and_rclone_listings_check_like_the_cli() {
    let site = Site::start();
    let browser = Browser::open(&site).await;
    let dir = Scratch::new("real-listings");
    let files = real_listings_with_manifests(
        &dir,
        [
            ("main/aws-s3-ls.txt", "main-aws-s3-ls.txt"),
            ("wal/rclone-lsjson-s3.json", "wal-rclone-lsjson.json"),
        ],
        &["shard", "child_ok"],
    );
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    browser.add_files("file-input", &paths).await;
    assert!(
        browser
            .texts("[data-testid='input-error']")
            .await
            .is_empty(),
        "every file read"
    );
    let details = browser.texts("[data-testid='input'] .detail").await;
    assert!(
        details[0].contains("aws-s3-ls") && details[1].contains("rclone-lsjson"),
        "each listing read as its tool's format: {details:?}"
    );
    // As `slatecheck check --listing main… --wal-listing wal… --manifests …` says of them
    // (native/tests/real_listings.rs): the split checkpoint's WAL range is gone.
    browser.type_into("plan-text", "clone:shard@split").await;
    assert_eq!(browser.run_check().await, "unsafe");
    assert_eq!(browser.texts("[data-rule='SDB-WAL-001']").await.len(), 1);
    browser.close().await;
}
