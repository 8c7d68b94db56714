//! Live stores: the only code that talks to `object_store`. It lists a store and fetches its
//! manifest objects, and hands core the same values offline inputs produce.

use crate::exit::Failure;
use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use slatecheck_core::listing::{ListedTime, Listing, ListingBuilder, ListingOptions, RawEntry};
use slatecheck_core::manifest::decode_manifest_file;
use slatecheck_core::model::ManifestFile;
use std::sync::Arc;

/// A store to list: an object store and the prefix the databases live under.
pub struct Store {
    /// What the user gave (for reports).
    pub url: String,
    store: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
}

/// Opens `spec`: a local directory, `file:///dir`, `memory://`, `s3://bucket[/prefix]`,
/// `gs://bucket[/prefix]` or `az://container[/prefix]`. Cloud credentials come from the usual
/// environment variables (`AWS_*`, `GOOGLE_*`, `AZURE_*`).
pub fn open(spec: &str) -> Result<Store, Failure> {
    let fail = |err: &dyn std::fmt::Display| {
        Failure::input(format!("{spec}: cannot open the store: {err}"))
    };
    let (scheme, rest) = spec.split_once("://").unwrap_or(("", spec));
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix =
        (!prefix.trim_matches('/').is_empty()).then(|| Path::from(prefix.trim_matches('/')));
    let store: Arc<dyn ObjectStore> = match scheme {
        "" | "file" => {
            let dir = if scheme.is_empty() { spec } else { rest };
            let local = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| fail(&e))?;
            return Ok(Store { url: spec.to_string(), store: Arc::new(local), prefix: None });
        }
        "memory" => Arc::new(object_store::memory::InMemory::new()),
        "s3" | "s3a" => Arc::new(
            object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket).build().map_err(|e| fail(&e))?,
        ),
        "gs" => Arc::new(
            object_store::gcp::GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket).build().map_err(|e| fail(&e))?,
        ),
        "az" | "azure" | "abfs" => Arc::new(
            object_store::azure::MicrosoftAzureBuilder::from_env()
                .with_container_name(bucket)
                .build()
                .map_err(|e| fail(&e))?,
        ),
        other => return Err(Failure::input(format!("{spec}: unknown store scheme `{other}://` (use a directory, file://, memory://, s3://, gs:// or az://)"))),
    };
    Ok(Store {
        url: spec.to_string(),
        store,
        prefix,
    })
}

/// A runtime for the async object store calls.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| Failure::input(format!("cannot start the I/O runtime: {err}")))
}

fn progress(message: &'static str) -> ProgressBar {
    // Drawn only when stderr is a terminal.
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}: {pos} objects ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar
}

impl Store {
    fn relative(&self, location: &Path) -> String {
        let key = location.as_ref();
        match &self.prefix {
            Some(prefix) => key
                .strip_prefix(prefix.as_ref())
                .unwrap_or(key)
                .trim_start_matches('/')
                .to_string(),
            None => key.to_string(),
        }
    }

    /// Lists every object under the prefix into a listing (keys relative to the prefix).
    pub async fn list(&self, options: ListingOptions) -> Result<Listing, Failure> {
        let bar = progress("listing");
        let mut builder = ListingBuilder::new(options);
        let mut stream = self.store.list(self.prefix.as_ref());
        while let Some(meta) = stream.next().await {
            let meta =
                meta.map_err(|err| Failure::input(format!("{}: listing failed: {err}", self.url)))?;
            builder.push(RawEntry {
                last_modified: Some(ListedTime::known(meta.last_modified)),
                etag: meta.e_tag.map(|etag| etag.trim_matches('"').to_string()),
                version_id: meta.version,
                ..RawEntry::new(self.relative(&meta.location), meta.size)
            });
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(builder.finish())
    }

    /// Fetches and decodes every manifest object `listing` shows.
    pub async fn manifests(
        &self,
        listing: &Listing,
    ) -> Result<Vec<(String, ManifestFile)>, Failure> {
        let mut manifests = Vec::new();
        for (key, bytes) in self.manifest_objects(listing).await? {
            let shown = format!("{}/{key}", self.url.trim_end_matches('/'));
            let mut decoded = decode_manifest_file(&shown, &bytes, None)?;
            manifests.push((key, decoded.remove(0)));
        }
        Ok(manifests)
    }

    /// Fetches every manifest object `listing` shows, as stored, sorted by key.
    pub async fn manifest_objects(
        &self,
        listing: &Listing,
    ) -> Result<Vec<(String, Vec<u8>)>, Failure> {
        let mut keys: Vec<String> = listing
            .objects
            .root_tables()
            .flat_map(|(_, tables)| {
                let table = &tables.manifests;
                let ids: Vec<u64> = table.ids().collect();
                ids.into_iter()
                    .flat_map(move |id| table.spellings(id).map(|(key, _, _)| key))
            })
            .collect();
        keys.sort();
        keys.dedup();
        let fetched: Vec<(String, bytes::Bytes)> = futures::stream::iter(keys)
            .map(|key| async move {
                let location = match &self.prefix {
                    Some(prefix) => Path::from(format!("{}/{key}", prefix.as_ref())),
                    None => Path::from(key.as_str()),
                };
                let result = self
                    .store
                    .get(&location)
                    .await
                    .map_err(|err| Failure::input(format!("{}: {key}: {err}", self.url)))?;
                let bytes = result
                    .bytes()
                    .await
                    .map_err(|err| Failure::input(format!("{}: {key}: {err}", self.url)))?;
                Ok::<_, Failure>((key, bytes))
            })
            .buffer_unordered(16)
            .try_collect()
            .await?;
        let mut objects: Vec<(String, Vec<u8>)> = fetched
            .into_iter()
            .map(|(key, bytes)| (key, bytes.to_vec()))
            .collect();
        objects.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(objects)
    }
}
