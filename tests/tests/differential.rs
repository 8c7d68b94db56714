//! slatecheck's manifest decoder against SlateDB's own reading of the same objects.
//!
//! Fresh stores are written by SlateDB 0.18 for every scenario (so nothing here trusts a
//! committed file), and the committed format-version-1 stores written by SlateDB 0.15 are read
//! back through SlateDB 0.18's `Admin::list_manifests`. Every manifest object must decode to
//! the same JSON value SlateDB serializes.

use slatecheck_tests::compare::{compare_store, Coverage};
use slatecheck_tests::slatedb_018::{oracle, scenarios};
use slatecheck_tests::store::StoreDirs;
use std::path::Path;

fn report(coverage: &Coverage) {
    println!("manifests compared: {:?}", coverage.manifests_by_format);
    for mismatch in &coverage.mismatches {
        println!("MISMATCH {mismatch}");
    }
}

/// Compares every manifest of the store in `dir` with what SlateDB 0.18's Admin reads.
async fn compare_with_slatedb(dir: &Path, coverage: &mut Coverage) -> anyhow::Result<()> {
    let dirs = StoreDirs::open(dir);
    compare_store(
        &dirs,
        |root| {
            let dirs = dirs.clone();
            async move { oracle::slatedb_manifests(&dirs, &root).await }
        },
        coverage,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_manifest_slatedb_018_writes_decodes_like_slatedb() -> anyhow::Result<()> {
    let base = std::env::temp_dir().join(format!("slatecheck-differential-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    let fixtures = scenarios::generate_all(&base.join("work"), &base.join("out")).await?;
    let mut coverage = Coverage::default();
    for dir in &fixtures {
        compare_with_slatedb(dir, &mut coverage).await?;
    }
    std::fs::remove_dir_all(&base).ok();
    report(&coverage);
    assert!(
        coverage.mismatches.is_empty(),
        "{} mismatches",
        coverage.mismatches.len()
    );
    assert!(
        coverage.manifests_by_format.get("v2").copied().unwrap_or(0) >= 50,
        "too few V2 manifests: {coverage:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_v1_manifests_decode_like_slatedb_018_reads_them() -> anyhow::Result<()> {
    let v1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/v1");
    let mut coverage = Coverage::default();
    let mut dirs_seen = 0;
    for entry in std::fs::read_dir(&v1)? {
        let dir = entry?.path();
        if !dir.join("main").is_dir() {
            continue;
        }
        dirs_seen += 1;
        compare_with_slatedb(&dir, &mut coverage).await?;
    }
    report(&coverage);
    assert!(
        dirs_seen >= 5,
        "expected the committed V1 fixture stores under {}",
        v1.display()
    );
    assert!(
        coverage.mismatches.is_empty(),
        "{} mismatches",
        coverage.mismatches.len()
    );
    assert!(
        coverage.manifests_by_format.get("v1").copied().unwrap_or(0) >= 30,
        "too few V1 manifests: {coverage:?}"
    );
    Ok(())
}
