//! Regenerates the committed fixture stores under `fixtures/` with the real SlateDB.
//!
//! `cargo run -p slatecheck-tests --bin generate-fixtures` writes `fixtures/v2` (SlateDB 0.18);
//! adding `--features slatedb-015` also writes `fixtures/v1` (SlateDB 0.15). `… -- k` rewrites
//! only the SlateDB-0.18-only `fixtures/v2/k-*`. Each fixture also
//! gets `expected/<root>.json`: SlateDB's own serialization of every manifest of each root,
//! which the fast tests compare slatecheck's decoder against without compiling SlateDB.

use anyhow::{Context, Result};
use slatecheck_tests::slatedb_018::{oracle, scenarios, scenarios_k};
use slatecheck_tests::store::{db_roots, StoreDirs};
use std::path::{Path, PathBuf};

#[tokio::main]
async fn main() -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixtures = repo.join("fixtures");
    let work = tempdir()?;
    // `generate-fixtures v1` or `v2` regenerates one set only (default: every set built in).
    let only: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |set: &str| only.is_empty() || only.iter().any(|arg| arg == set);

    if only.iter().any(|arg| arg == "listings") {
        // Refresh the exported listings of the committed fixtures only.
        for set in ["v1", "v2"] {
            for entry in std::fs::read_dir(fixtures.join(set))? {
                let dir = entry?.path();
                if dir.join("main").is_dir() {
                    write_listings(&dir)?;
                }
            }
        }
        return Ok(());
    }

    if only.iter().any(|arg| arg == "k") {
        // Only the 0.18-only `k-*` fixtures, leaving every other fixture as it is.
        let v2 = fixtures.join("v2");
        for entry in std::fs::read_dir(&v2)? {
            let dir = entry?.path();
            if dir
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("k-"))
            {
                std::fs::remove_dir_all(&dir)?;
            }
        }
        for dir in scenarios_k::generate_all(&work.join("k"), &v2).await? {
            write_expected(&dir, |dirs, root| {
                Box::pin(oracle::slatedb_manifests(dirs, root))
            })
            .await?;
            write_listings(&dir)?;
            println!("wrote {}", dir.display());
        }
        std::fs::remove_dir_all(&work).ok();
        return Ok(());
    }

    // `generate-fixtures v2 --only NAME` (re)writes that scenario's fixtures and leaves the
    // others as they are.
    let one = only
        .iter()
        .position(|arg| arg == "--only")
        .and_then(|at| only.get(at + 1).cloned());
    if wanted("v2") {
        let v2 = fixtures.join("v2");
        let written = match &one {
            Some(name) => scenarios::generate_one(&work.join("v2"), &v2, name).await?,
            None => {
                reset(&v2)?;
                let mut dirs = scenarios::generate_all(&work.join("v2"), &v2).await?;
                dirs.extend(scenarios_k::generate_all(&work.join("k"), &v2).await?);
                dirs
            }
        };
        for dir in written {
            write_expected(&dir, |dirs, root| {
                Box::pin(oracle::slatedb_manifests(dirs, root))
            })
            .await?;
            write_listings(&dir)?;
            println!("wrote {}", dir.display());
        }
    }

    #[cfg(feature = "slatedb-015")]
    if wanted("v1") {
        let v1 = fixtures.join("v1");
        reset(&v1)?;
        for dir in
            slatecheck_tests::slatedb_015::scenarios::generate_all(&work.join("v1"), &v1).await?
        {
            write_expected(&dir, |dirs, root| {
                Box::pin(slatecheck_tests::slatedb_015::oracle::slatedb_manifests(
                    dirs, root,
                ))
            })
            .await?;
            write_listings(&dir)?;
            println!("wrote {}", dir.display());
        }
    }
    std::fs::remove_dir_all(&work).ok();
    Ok(())
}

type Reader = for<'a> fn(
    &'a StoreDirs,
    &'a str,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Vec<serde_json::Value>>> + 'a>,
>;

async fn write_expected(dir: &Path, read: Reader) -> Result<()> {
    let dirs = StoreDirs::open(dir);
    let expected = dir.join("expected");
    std::fs::create_dir_all(&expected)?;
    for root in db_roots(&dirs.main)? {
        let manifests = read(&dirs, &root).await?;
        let file = expected.join(format!("{}.json", root.replace('/', "__")));
        // One manifest per line: small, and a changed manifest is a one-line diff.
        let lines: Vec<String> = manifests
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?;
        std::fs::write(&file, format!("[\n{}\n]\n", lines.join(",\n")))
            .with_context(|| format!("writing {}", file.display()))?;
    }
    Ok(())
}

/// What an operator exports from a store kept on a local disk:
/// `find main -type f -printf '%s\t%T@\t%P\n'` into `listings/main.tsv` (and `wal.tsv` for a
/// separate WAL store), with the files' real sizes and modification times.
fn write_listings(dir: &Path) -> Result<()> {
    let listings = dir.join("listings");
    std::fs::create_dir_all(&listings)?;
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("scenario.json"))?)?;
    let mut stores = vec!["main"];
    if record["separate_wal_store"].as_bool() == Some(true) {
        stores.push("wal");
    }
    for store in stores {
        let root = dir.join(store);
        let mut lines = Vec::new();
        for file in slatecheck_tests::store::files_under(&root)? {
            let metadata = std::fs::metadata(&file)?;
            let modified = metadata.modified()?.duration_since(std::time::UNIX_EPOCH)?;
            let key = slatecheck_tests::store::relative_key(&root, &file);
            lines.push(format!(
                "{}\t{}.{:09}0\t{key}\n",
                metadata.len(),
                modified.as_secs(),
                modified.subsec_nanos()
            ));
        }
        std::fs::write(listings.join(format!("{store}.tsv")), lines.concat())?;
    }
    write_bundle(dir)
}

/// What `slatecheck collect` makes of the fixture: `bundle.tar.gz`.
fn write_bundle(dir: &Path) -> Result<()> {
    use slatecheck_core::listing::{read_listing, ListingBuilder, ListingOptions};
    let read = |name: &str| -> Result<Option<slatecheck_core::listing::Listing>> {
        let path = dir.join("listings").join(name);
        if !path.exists() {
            return Ok(None);
        }
        let mut builder = ListingBuilder::new(ListingOptions::default());
        read_listing(&mut builder, name, std::fs::File::open(&path)?, None)?;
        Ok(Some(builder.finish()))
    };
    let main = read("main.tsv")?.ok_or_else(|| anyhow::anyhow!("no main listing"))?;
    let wal = read("wal.tsv")?;
    let store = dir.join("main");
    let mut manifests = Vec::new();
    for file in slatecheck_tests::store::files_under(&store)? {
        if file.extension().is_some_and(|ext| ext == "manifest") {
            manifests.push((
                slatecheck_tests::store::relative_key(&store, &file),
                std::fs::read(&file)?,
            ));
        }
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let info = slatecheck_core::bundle::BundleInfo {
        bundle_version: slatecheck_core::bundle::BUNDLE_VERSION,
        created_by: "slatecheck-tests generate-fixtures".into(),
        store: format!("fixtures/{name}/main"),
        wal_store: wal.as_ref().map(|_| format!("fixtures/{name}/wal")),
        // The committed fixture bundles predate the field; a fixture without a `wal/` store
        // may still have been written with one (wiped), so they assert nothing.
        wal_store_given: None,
    };
    let file = std::fs::File::create(dir.join("bundle.tar.gz"))?;
    slatecheck_core::bundle::write_bundle(file, &info, &main, wal.as_ref(), &manifests)?;
    Ok(())
}

fn reset(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("slatecheck-fixtures-{}", std::process::id()));
    reset(&dir)?;
    Ok(dir)
}
