//! `slatecheck collect STORE_URL [--wal-store URL] -o BUNDLE`.

use crate::cli::CollectArgs;
use crate::exit::{Failure, SAFE};
use slatecheck_core::bundle::{write_bundle_with_compactions, BundleInfo, BUNDLE_VERSION};
use slatecheck_core::listing::ListingOptions;

pub fn run(args: &CollectArgs) -> Result<u8, Failure> {
    let main = crate::store::open(&args.store)?;
    let wal = args
        .wal_store
        .as_deref()
        .map(crate::store::open)
        .transpose()?;
    let runtime = crate::store::runtime()?;
    let (listing, wal_listing, manifests, compactions) = runtime.block_on(async {
        let listing = main.list(ListingOptions::default()).await?;
        let manifests = main.manifest_objects(&listing).await?;
        let compactions = main.compactions_objects(&listing).await?;
        let wal_listing = match &wal {
            Some(wal) => Some(wal.list(ListingOptions::default()).await?),
            None => None,
        };
        Ok::<_, Failure>((listing, wal_listing, manifests, compactions))
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
    write_bundle_with_compactions(
        file,
        &info,
        &listing,
        wal_listing.as_ref(),
        &manifests,
        &compactions,
    )
    .map_err(|err| Failure::input(format!("{shown}: cannot write: {err}")))?;
    eprintln!(
        "slatecheck: wrote {shown}: {} SlateDB objects in {} root(s), {} manifest objects{}",
        listing.objects.len(),
        listing.roots.len(),
        manifests.len(),
        wal_listing
            .map(|w| format!(", {} WAL store objects", w.objects.len()))
            .unwrap_or_default()
    );
    Ok(SAFE)
}
