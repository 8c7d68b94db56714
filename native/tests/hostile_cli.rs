//! `slatecheck check` on hostile and broken input: refused with exit 2 and one line naming the
//! file, the place and what was expected (and no report written as if complete), or judged
//! `inconclusive` (exit 3) naming what is unsupported.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed_bundle() -> PathBuf {
    repo().join("fixtures/v2/b-seed-wal-store-split-after-wipe/bundle.tar.gz")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("slatecheck-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn slatecheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slatecheck"))
        .args(args)
        .output()
        .expect("slatecheck runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn malformed_plans_are_refused_with_the_accepted_syntax() {
    let bundle = seed_bundle();
    let bundle = bundle.to_str().expect("utf-8 path");
    for (plan, problem) in [
        ("clone:", "the ROOT is empty"),
        ("clone:shard@", "the CHECKPOINT after `@` is empty"),
        ("wipe:shard", "unknown kind `wipe`"),
        ("split:shard@split=a,,b", "child 2 is empty"),
    ] {
        let out = slatecheck(&["check", "--bundle", bundle, "--plan", plan]);
        assert_eq!(out.status.code(), Some(2), "{plan}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(problem), "{plan}: {err}");
        assert!(
            err.contains("accepted: clone:ROOT[@CHECKPOINT], open:ROOT"),
            "{plan}: {err}"
        );
        assert!(out.stdout.is_empty(), "{plan}: a report was printed");
    }
}

/// The bomb: a `.tar.gz` whose one member is 4 GiB of zeros by its header
/// (`fixtures/hostile/bundle-bomb.tar.gz`).
#[test]
fn a_bundle_bomb_is_refused_at_once_naming_the_limit() {
    let dir = scratch("bomb");
    let bomb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hostile/bundle-bomb.tar.gz");
    let report = dir.join("report.json");
    let started = Instant::now();
    let out = slatecheck(&[
        "check",
        "--bundle",
        bomb.to_str().expect("utf-8"),
        "--format",
        &format!("json={}", report.display()),
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "bundle-bomb.tar.gz: member listings/main.tsv (4 GiB) exceeds the member-bytes limit of 1 GiB"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!report.exists(), "a report was written for a refused input");
    // Raising the limit is the user's call, and the bomb then meets the next one.
    let out = slatecheck(&[
        "check",
        "--bundle",
        bomb.to_str().expect("utf-8"),
        "--limit",
        "member-bytes=8GiB",
        "--limit",
        "bundle-bytes=100MiB",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bundle-bytes limit of 100 MiB"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn limits_come_from_flags_and_slatecheck_toml() {
    let bundle = seed_bundle();
    let bundle = bundle.to_str().expect("utf-8");
    let out = slatecheck(&["check", "--bundle", bundle, "--limit", "bundle-size=1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown limit `bundle-size`"),
        "{}",
        stderr(&out)
    );
    let dir = scratch("toml");
    let config = dir.join("slatecheck.toml");
    std::fs::write(&config, "[limits]\nmanifest-bytes = 100\n").expect("write");
    let out = slatecheck(&[
        "check",
        "--bundle",
        bundle,
        "--config",
        config.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exceeds the manifest-bytes limit of 100 B"),
        "{}",
        stderr(&out)
    );
    // A flag overrides the file.
    let out = slatecheck(&[
        "check",
        "--bundle",
        bundle,
        "--config",
        config.to_str().expect("utf-8"),
        "--limit",
        "manifest-bytes=1MiB",
        "--plan",
        "clone:shard@split",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// The decoded manifests' memory is bounded however the manifests come (a bucket's roots keep
/// every manifest since GC last ran): past `held-manifests-bytes` the check stops, exit 2,
/// naming the limit and the input; within it, the same inputs are judged.
#[test]
fn the_manifests_a_check_holds_are_bounded() {
    let fixture = repo().join("fixtures/v2/b-seed-wal-store-split-after-wipe");
    let path = |name: &str| fixture.join(name).to_str().expect("utf-8").to_string();
    let (bundle, main, listing) = (
        path("bundle.tar.gz"),
        path("main"),
        path("listings/main.tsv"),
    );
    for (input, args) in [
        (&bundle, vec!["--bundle", &bundle]),
        (&main, vec!["--store", &main]),
        (&main, vec!["--listing", &listing, "--manifests", &main]),
    ] {
        let mut tight = vec!["check", "--limit", "held-manifests-bytes=1KiB"];
        tight.extend(&args);
        let out = slatecheck(&tight);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("exceeds the held-manifests-bytes limit of 1 KiB"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(input.as_str()),
            "{args:?} names its input: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: a report was printed");
        let mut roomy = vec!["check"];
        roomy.extend(&args);
        let out = slatecheck(&roomy);
        assert_ne!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

/// `collect` holds the manifests' SST views under the same limit, and a collection it stops
/// leaves no bundle behind (nor the part it had written).
#[test]
fn the_manifests_a_collection_holds_are_bounded() {
    let main = repo().join("fixtures/v2/b-seed-wal-store-split-after-wipe/main");
    let main = main.to_str().expect("utf-8");
    let dir = scratch("collect-limit");
    let bundle = dir.join("bundle.tar.gz");
    let out = slatecheck(&[
        "collect",
        main,
        "--limit",
        "held-manifests-bytes=1KiB",
        "-o",
        bundle.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("exceeds the held-manifests-bytes limit of 1 KiB") && err.contains(main),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("scratch dir")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "a stopped collection left {left:?}");
}

/// A listing line that is not what its format expects: the file, the line and what was
/// expected, exit 2, no report.
#[test]
fn a_bad_listing_line_names_the_file_and_line() {
    let dir = scratch("listing");
    let listing = dir.join("main.tsv");
    std::fs::write(
        &listing,
        "12\t1795683633.0\tdb/wal/00000000000000000001.sst\n13\tyesterday\tdb/wal/00000000000000000002.sst\n",
    )
    .expect("write");
    let out = slatecheck(&["check", "--listing", listing.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("main.tsv:2: "), "{err}");
    assert!(out.stdout.is_empty());
}

/// A store whose `shard` has its latest manifest object cut in half (an interrupted restore):
/// SlateDB cannot open, read or clone `shard`, and the check says so (`SDB-MAN-009`, unsafe,
/// exit 1) from a manifest folder and from the store itself, instead of stopping at the file.
#[test]
fn a_damaged_latest_manifest_makes_the_check_unsafe() {
    let fixture = repo().join("fixtures/v2/b-seed-wal-store-split-before-wipe");
    let dir = scratch("damaged");
    let store = dir.join("main");
    copy_tree(&fixture.join("main"), &store);
    let latest = std::fs::read_dir(store.join("shard/manifest"))
        .expect("manifests")
        .map(|entry| entry.expect("entry").path())
        .max()
        .expect("a manifest");
    let bytes = std::fs::read(&latest).expect("read");
    std::fs::write(&latest, &bytes[..bytes.len() / 2]).expect("write");
    let wal = fixture.join("wal");
    let (listing, wal_listing) = (
        fixture.join("listings/main.tsv"),
        fixture.join("listings/wal.tsv"),
    );
    let folder = [
        "check",
        "--listing",
        listing.to_str().expect("utf-8"),
        "--wal-listing",
        wal_listing.to_str().expect("utf-8"),
        "--manifests",
        store.to_str().expect("utf-8"),
        "--plan",
        "open:shard",
    ];
    let live = [
        "check",
        "--store",
        store.to_str().expect("utf-8"),
        "--wal-store",
        wal.to_str().expect("utf-8"),
        "--plan",
        "open:shard",
    ];
    for args in [&folder[..], &live[..]] {
        let out = slatecheck(args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {text}{}",
            stderr(&out)
        );
        assert!(
            text.contains("SDB-MAN-009") && text.contains("InvalidFlatbuffer"),
            "{text}"
        );
    }
}

/// Copies the files under `from` to `to`, keeping their paths below it.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::create_dir_all(to).expect("dir");
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// A manifest folder where `shard`'s latest manifest was written by a SlateDB with format
/// version 3: the check goes on and is inconclusive, naming the format.
#[test]
fn a_manifest_of_a_newer_format_makes_the_check_inconclusive() {
    let fixture = repo().join("fixtures/v2/b-seed-wal-store-split-before-wipe");
    let dir = scratch("newer");
    let manifests = dir.join("main");
    let mut latest = None;
    for entry in std::fs::read_dir(fixture.join("main/shard/manifest")).expect("manifests") {
        let path = entry.expect("entry").path();
        let target = manifests
            .join("shard/manifest")
            .join(path.file_name().expect("name"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("dir");
        std::fs::copy(&path, &target).expect("copy");
        latest = latest.max(Some(target));
    }
    let latest = latest.expect("a manifest");
    let mut bytes = std::fs::read(&latest).expect("read");
    bytes[..2].copy_from_slice(&[0, 3]);
    std::fs::write(&latest, bytes).expect("write");
    let out = slatecheck(&[
        "check",
        "--bundle",
        fixture.join("bundle.tar.gz").to_str().expect("utf-8"),
        "--plan",
        "clone:shard@split",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the bundle alone is safe: {}",
        stderr(&out)
    );
    let listing = fixture.join("listings/main.tsv");
    let wal = fixture.join("listings/wal.tsv");
    let out = slatecheck(&[
        "check",
        "--listing",
        listing.to_str().expect("utf-8"),
        "--wal-listing",
        wal.to_str().expect("utf-8"),
        "--manifests",
        manifests.to_str().expect("utf-8"),
        "--plan",
        "clone:shard@split",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}{}", stderr(&out));
    assert!(
        text.contains("manifest format version 3, newer than this slatecheck reads (1, 2)"),
        "{text}"
    );
}
