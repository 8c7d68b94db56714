//! `slatecheck collect STORE_URL [--wal-store URL] -o BUNDLE`.

use crate::cli::CollectArgs;
use crate::exit::{Failure, SAFE};
use crate::store::{FetchedManifest, Store};
use futures::StreamExt;
use slatecheck_core::bundle::{BundleInfo, BundleMember, BundleWriter, BUNDLE_VERSION};
use slatecheck_core::limits::Limits;
use slatecheck_core::listing::ListingOptions;
use slatecheck_core::manifest::{DecodedForCheck, SharedSstViews};
use slatecheck_core::snapshot::{objects_to_read, StoreSide};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Objects waiting for the bundle's writer: few, so that fetching runs no further ahead of
/// the compression than this.
const WRITES_AHEAD: usize = 16;

/// One object for the bundle's writer to add.
type AddObject = Box<dyn FnOnce(&mut BundleWriter<File>) -> std::io::Result<()> + Send>;

pub fn run(args: &CollectArgs) -> Result<u8, Failure> {
    let limits = super::with_limit_assignments(Limits::default(), &args.limits)?;
    let main = crate::store::open(&args.store)?;
    let wal = args
        .wal_store
        .as_deref()
        .map(crate::store::open)
        .transpose()?;
    let runtime = crate::store::runtime()?;
    // Written beside the bundle and renamed into place when whole: a collection that fails
    // leaves no bundle that looks finished. A pipe or a device (`-o /dev/stdout`) is
    // written to directly.
    let special = std::fs::metadata(&args.output).is_ok_and(|meta| !meta.is_file());
    let partial = if special {
        args.output.clone()
    } else {
        partial_path(&args.output)
    };
    let collected = runtime.block_on(collect(args, &main, wal.as_ref(), &limits, &partial));
    if collected.is_err() && !special {
        let _ = std::fs::remove_file(&partial);
    }
    let summary = collected?;
    if !special {
        std::fs::rename(&partial, &args.output).map_err(|err| cannot_write(&args.output, &err))?;
    }
    eprintln!("slatecheck: wrote {}: {summary}", args.output.display());
    Ok(SAFE)
}

/// Lists the stores and writes the bundle to `path`, each manifest as it arrives; returns
/// what the bundle holds, in words.
async fn collect(
    args: &CollectArgs,
    main: &Store,
    wal: Option<&Store>,
    limits: &Limits,
    path: &Path,
) -> Result<String, Failure> {
    let listing = main.list(ListingOptions::default()).await?;
    let compactions = main.compactions_objects(&listing).await?;
    let wal_listing = match wal {
        Some(wal) => Some(wal.list(ListingOptions::default()).await?),
        None => None,
    };
    let info = BundleInfo {
        bundle_version: BUNDLE_VERSION,
        created_by: format!("slatecheck {}", env!("CARGO_PKG_VERSION")),
        store: main.url.clone(),
        wal_store: wal.map(|wal| wal.url.clone()),
        wal_store_given: Some(wal.is_some()),
    };
    let file = File::create(path).map_err(|err| cannot_write(&args.output, &err))?;
    let writer = BundleWriter::new(file, args.gzip_level, &info, &listing, wal_listing.as_ref())
        .map_err(|err| cannot_write(&args.output, &err))?;
    // Compressing is the slow part: it runs on a thread of its own, beside the fetching and
    // the decoding.
    let (writes, to_write) = tokio::sync::mpsc::channel::<AddObject>(WRITES_AHEAD);
    let writing = std::thread::spawn(move || write_all(writer, to_write));
    let sent = send_objects(
        main,
        wal,
        &listing,
        wal_listing.as_ref(),
        compactions,
        limits,
        &writes,
    )
    .await;
    drop(writes);
    let written = writing
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    // A failed write stops the sending: its error is the one to give.
    written.map_err(|err| cannot_write(&args.output, &err))?;
    let (manifests, sst_objects) = sent?;
    Ok(format!(
        "{} SlateDB objects in {} root(s), {manifests} manifest objects, {sst_objects} SST objects read for their rows{}",
        listing.objects.len(),
        listing.roots.len(),
        wal_listing
            .map(|w| format!(", {} WAL store objects", w.objects.len()))
            .unwrap_or_default()
    ))
}

/// Hands the bundle's writer every raw object in the order the bundle keeps them: each root's
/// newest `compactions/` object, every manifest object as it arrives, then the SST objects
/// `check` reads the rows of (WAL objects after each replay point, SSTs the latest manifest
/// does not know). Returns how many manifests and SST objects were sent; stops early, with
/// `Ok`, when the writer stopped.
async fn send_objects(
    main: &Store,
    wal: Option<&Store>,
    listing: &slatecheck_core::listing::Listing,
    wal_listing: Option<&slatecheck_core::listing::Listing>,
    compactions: Vec<(String, Vec<u8>)>,
    limits: &Limits,
    writes: &tokio::sync::mpsc::Sender<AddObject>,
) -> Result<(usize, usize), Failure> {
    let send = |add: AddObject| writes.send(add);
    for (key, bytes) in compactions {
        if send(Box::new(move |writer| {
            writer.add(BundleMember::Compactions(&key), &bytes)
        }))
        .await
        .is_err()
        {
            return Ok((0, 0));
        }
    }
    // The decoded manifests pick the SST objects to read; the SST views they repeat are held
    // once, as `check` holds them. A manifest that does not decode picks none.
    let mut shared = SharedSstViews::default();
    let (mut decoded, mut manifests) = (Vec::new(), 0);
    let mut fetched = std::pin::pin!(main.fetched_manifests(listing, limits));
    while let Some(next) = fetched.next().await {
        let FetchedManifest {
            key,
            bytes,
            decoded: file,
        } = next?;
        if let Ok(DecodedForCheck::Decoded(mut files)) = file {
            let mut file = files.remove(0);
            main.share_within(&mut shared, &mut file, limits)?;
            decoded.push((key.clone(), file));
        }
        manifests += 1;
        if send(Box::new(move |writer| {
            writer.add(BundleMember::Manifest(&key), &bytes)
        }))
        .await
        .is_err()
        {
            return Ok((manifests, 0));
        }
    }
    let plan = objects_to_read(
        Some(listing),
        wal_listing,
        &decoded,
        limits.sst_read_bytes,
        &|_| true,
    );
    drop(decoded);
    // One that cannot be fetched (deleted since the listing) is left out; `check` then judges
    // it from the listing.
    let mut sst_objects: Vec<(StoreSide, String, bytes::Bytes)> =
        crate::store::fetch_planned(main, wal, plan)
            .await
            .into_iter()
            .filter_map(|(object, fetched)| Some((object.side, object.key, fetched.ok()?)))
            .collect();
    sst_objects.sort_by_cached_key(|(side, key, _)| BundleMember::SstObject(*side, key).name());
    let count = sst_objects.len();
    for (side, key, bytes) in sst_objects {
        if send(Box::new(move |writer| {
            writer.add(BundleMember::SstObject(side, &key), &bytes)
        }))
        .await
        .is_err()
        {
            break;
        }
    }
    Ok((manifests, count))
}

/// Adds every object sent to the bundle, then ends it; stops at the first error.
fn write_all(
    mut writer: BundleWriter<File>,
    mut to_write: tokio::sync::mpsc::Receiver<AddObject>,
) -> std::io::Result<()> {
    while let Some(add) = to_write.blocking_recv() {
        add(&mut writer)?;
    }
    writer.finish()?.flush()
}

/// Where the bundle is written until it is whole: `BUNDLE.partial`.
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn cannot_write(output: &Path, err: &std::io::Error) -> Failure {
    Failure::input(format!("{}: cannot write: {err}", output.display()))
}
