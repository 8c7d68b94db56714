//! `slatecheck collect STORE_URL [--wal-store URL] -o BUNDLE`.

use crate::cli::CollectArgs;
use crate::exit::{Failure, SAFE};
use slatecheck_core::bundle::{write_bundle_objects, BundleInfo, BundleObjects, BUNDLE_VERSION};
use slatecheck_core::limits::DEFAULT_LIMITS;
use slatecheck_core::listing::ListingOptions;
use slatecheck_core::manifest::{decode_manifest_file, SharedSstViews};
use slatecheck_core::model::ManifestFile;
use slatecheck_core::snapshot::{objects_to_read, StoreSide};

pub fn run(args: &CollectArgs) -> Result<u8, Failure> {
    let main = crate::store::open(&args.store)?;
    let wal = args
        .wal_store
        .as_deref()
        .map(crate::store::open)
        .transpose()?;
    let runtime = crate::store::runtime()?;
    let (listing, wal_listing, manifests, compactions, sst_objects) = runtime.block_on(async {
        let listing = main.list(ListingOptions::default()).await?;
        let manifests = main.manifest_objects(&listing).await?;
        let compactions = main.compactions_objects(&listing).await?;
        let wal_listing = match &wal {
            Some(wal) => Some(wal.list(ListingOptions::default()).await?),
            None => None,
        };
        // The objects whose rows `check` reads (WAL objects after each replay point, SSTs the
        // latest manifest does not know). A manifest that does not decode picks none.
        // The SST views the manifests repeat are held once, as `check` holds them.
        let mut shared = SharedSstViews::default();
        let decoded: Vec<(String, ManifestFile)> = manifests
            .iter()
            .filter_map(|(key, bytes)| {
                let mut file = decode_manifest_file(key, bytes, None).ok()?.swap_remove(0);
                shared.share(&mut file.manifest);
                Some((key.clone(), file))
            })
            .collect();
        let plan = objects_to_read(
            Some(&listing),
            wal_listing.as_ref(),
            &decoded,
            DEFAULT_LIMITS.sst_read_bytes,
            &|_| true,
        );
        // One that cannot be fetched (deleted since the listing) is left out; `check` then
        // judges it from the listing.
        let sst_objects: Vec<(StoreSide, String, Vec<u8>)> =
            crate::store::fetch_planned(&main, wal.as_ref(), plan)
                .await
                .into_iter()
                .filter_map(|(object, fetched)| {
                    Some((object.side, object.key, fetched.ok()?.to_vec()))
                })
                .collect();
        Ok::<_, Failure>((listing, wal_listing, manifests, compactions, sst_objects))
    })?;
    let info = BundleInfo {
        bundle_version: BUNDLE_VERSION,
        created_by: format!("slatecheck {}", env!("CARGO_PKG_VERSION")),
        store: main.url.clone(),
        wal_store: wal.as_ref().map(|wal| wal.url.clone()),
        wal_store_given: Some(wal.is_some()),
    };
    let shown = args.output.display().to_string();
    let file = std::fs::File::create(&args.output)
        .map_err(|err| Failure::input(format!("{shown}: cannot write: {err}")))?;
    let objects = BundleObjects {
        manifests: &manifests,
        compactions: &compactions,
        sst_objects: &sst_objects,
    };
    write_bundle_objects(file, &info, &listing, wal_listing.as_ref(), &objects)
        .map_err(|err| Failure::input(format!("{shown}: cannot write: {err}")))?;
    eprintln!(
        "slatecheck: wrote {shown}: {} SlateDB objects in {} root(s), {} manifest objects, {} SST objects read for their rows{}",
        listing.objects.len(),
        listing.roots.len(),
        manifests.len(),
        sst_objects.len(),
        wal_listing
            .map(|w| format!(", {} WAL store objects", w.objects.len()))
            .unwrap_or_default()
    );
    Ok(SAFE)
}
