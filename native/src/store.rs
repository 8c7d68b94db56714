//! Live stores: the only code that talks to `object_store`. It lists a store and fetches its
//! manifest objects, and hands core the same values offline inputs produce.

use crate::exit::Failure;
use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use slatecheck_core::limits::Limits;
use slatecheck_core::listing::{ListedTime, Listing, ListingBuilder, ListingOptions, RawEntry};
use slatecheck_core::manifest::{
    decode_for_check, newest_compactions, readable_epochs, DecodedForCheck, SharedSstViews,
    MAX_COMPACTIONS_BYTES,
};
use slatecheck_core::model::ManifestFile;
use slatecheck_core::snapshot::{
    GivenManifests, ObjectToRead, ReadPlan, RowsError, RowsRead, StoreSide,
};
use slatecheck_core::sst::read_sst_rows;
use std::sync::Arc;

mod cloud;

/// A manifest object as fetched: its key, its bytes as stored, and its decoding.
pub struct FetchedManifest {
    pub key: String,
    pub bytes: bytes::Bytes,
    pub decoded: Result<DecodedForCheck, Failure>,
}

/// A store to list: an object store and the prefix the databases live under.
pub struct Store {
    /// What the user gave (for reports).
    pub url: String,
    store: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
}

/// Opens `spec`: a local directory, `file:///dir`, `memory://`, `s3://bucket[/prefix]`,
/// `gs://bucket[/prefix]` or `az://container[/prefix]`. Cloud credentials come from the usual
/// environment variables (`AWS_*`, `GOOGLE_*`, `AZURE_*`); see [`cloud`] for the bounds put on
/// every request.
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
            // A store that was wiped whole is an empty directory, not a missing one: a
            // mistyped path read as empty would make a WAL look wiped, or a wipe look harmless.
            if !std::path::Path::new(dir).is_dir() {
                return Err(Failure::input(format!(
                    "{spec}: no such directory (a local store is a directory; one whose objects were all deleted is an empty directory)"
                )));
            }
            let local = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| fail(&e))?;
            return Ok(Store { url: spec.to_string(), store: Arc::new(local), prefix: None });
        }
        "memory" => Arc::new(object_store::memory::InMemory::new()),
        "s3" | "s3a" => cloud::s3(bucket).map_err(|e| fail(&e))?,
        "gs" => cloud::gcs(bucket).map_err(|e| fail(&e))?,
        "az" | "azure" | "abfs" => cloud::azure(bucket).map_err(|e| fail(&e))?,
        other => return Err(Failure::input(format!("{spec}: unknown store scheme `{other}://` (use a directory, file://, memory://, s3://, gs:// or az://)"))),
    };
    Ok(Store {
        url: spec.to_string(),
        store,
        prefix,
    })
}

/// An object `objects_to_read` picked, as fetched: its bytes, or why it could not be.
pub type Fetched = (ObjectToRead, Result<bytes::Bytes, String>);

/// Fetches the objects `plan` picks, each from the store it is listed in (the WAL store's
/// from `wal`, none without it). An object that cannot be fetched (deleted since the listing)
/// is not a failure: its error is kept beside it.
pub async fn fetch_planned(main: &Store, wal: Option<&Store>, plan: ReadPlan) -> Vec<Fetched> {
    let (in_main, in_wal_store): (Vec<_>, Vec<_>) = plan
        .to_read
        .into_iter()
        .partition(|object| object.side == StoreSide::Main);
    let mut fetched = main.fetch_each(in_main).await;
    if let Some(wal) = wal {
        fetched.extend(wal.fetch_each(in_wal_store).await);
    }
    fetched
}

/// The rows of fetched objects; one that could not be fetched or decoded keeps the reason, and
/// the verdicts that need it stay open.
pub fn object_rows(fetched: Vec<Fetched>) -> Vec<RowsRead> {
    fetched
        .into_iter()
        .map(|(object, fetched)| {
            let (size, rows) = match fetched {
                Ok(bytes) => (
                    bytes.len() as u64,
                    read_sst_rows(&bytes).map_err(RowsError::Sst),
                ),
                Err(why) => (object.size, Err(RowsError::NotRead(why))),
            };
            RowsRead {
                side: object.side,
                key: object.key,
                size,
                rows,
            }
        })
        .collect()
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
    /// Fails (exit 2) rather than return part of a listing: on any error, when the whole
    /// listing takes longer than `SLATECHECK_LIST_TIMEOUT` (600 s), or when a cloud store lists
    /// a key out of order, which only a server whose pagination goes round in circles does.
    pub async fn list(&self, options: ListingOptions) -> Result<Listing, Failure> {
        let deadline = cloud::list_timeout().map_err(Failure::input)?;
        match tokio::time::timeout(deadline, self.list_all(options)).await {
            Ok(listing) => listing,
            Err(_) => Err(Failure::input(format!(
                "{}: listing failed: not finished after {} s (the server may be paging forever); nothing was judged on a partial listing (raise {} to wait longer)",
                self.url,
                deadline.as_secs(),
                cloud::LIST_TIMEOUT_VARIABLE
            ))),
        }
    }

    async fn list_all(&self, options: ListingOptions) -> Result<Listing, Failure> {
        let bar = progress("listing");
        let mut builder = ListingBuilder::new(options);
        let mut stream = self.store.list(self.prefix.as_ref());
        // S3, GCS and Azure list in key order; the local file system does not.
        let ordered = self.url.contains("://")
            && !self.url.starts_with("file://")
            && !self.url.starts_with("memory://");
        let mut previous: Option<Path> = None;
        while let Some(meta) = stream.next().await {
            let meta =
                meta.map_err(|err| Failure::input(format!("{}: listing failed: {err}", self.url)))?;
            if ordered {
                if let Some(before) = previous.as_ref().filter(|before| meta.location <= **before) {
                    return Err(Failure::input(format!(
                        "{}: listing failed: the server listed `{}` after `{before}`, out of key order: its pagination repeats itself, and a partial listing is not judged",
                        self.url, meta.location
                    )));
                }
                previous = Some(meta.location.clone());
            }
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

    /// Fetches and decodes every manifest object `listing` shows, in key order. Each is
    /// decoded as it arrives and its bytes dropped, and the SST views the manifests repeat are
    /// kept once: a root keeps every manifest written since GC last ran.
    pub async fn manifests(
        &self,
        listing: &Listing,
        limits: &Limits,
    ) -> Result<GivenManifests, Failure> {
        let mut fetched = std::pin::pin!(self.fetched_manifests(listing, limits));
        let mut shared = SharedSstViews::default();
        let mut manifests = GivenManifests::default();
        while let Some(next) = fetched.next().await {
            let FetchedManifest { key, decoded, .. } = next?;
            manifests.push(key, decoded?, |file| {
                self.share_within(&mut shared, file, limits)
            })?;
        }
        Ok(manifests)
    }

    /// Fetches every manifest object `listing` shows, in key order, each with its bytes as
    /// stored and its decoding under `limits`. Each is decoded as it arrives, off the I/O
    /// threads, several at once, each on the core free for it.
    pub fn fetched_manifests<'a>(
        &'a self,
        listing: &Listing,
        limits: &'a Limits,
    ) -> impl futures::Stream<Item = Result<FetchedManifest, Failure>> + 'a {
        futures::stream::iter(manifest_keys(listing))
            .map(move |key| async move {
                let bytes = self.get(&key).await?;
                let shown = format!("{}/{key}", self.url.trim_end_matches('/'));
                let (limits, to_decode) = (*limits, bytes.clone());
                let decoded = tokio::task::spawn_blocking(move || {
                    decode_for_check(&shown, &to_decode, None, &limits).map_err(Failure::from)
                })
                .await
                .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()));
                Ok(FetchedManifest {
                    key,
                    bytes,
                    decoded,
                })
            })
            .buffered(16)
    }

    /// Shares `file`'s SST views with those `shared` holds, within the `held-manifests-bytes`
    /// limit (past it, an input error naming the store).
    pub fn share_within(
        &self,
        shared: &mut SharedSstViews,
        file: &mut ManifestFile,
        limits: &Limits,
    ) -> Result<(), Failure> {
        shared
            .share_within(&mut file.manifest, limits)
            .map_err(|exceeded| Failure::input(format!("{}: {exceeded}", self.url)))
    }

    /// Each root's newest `compactions/` object that `listing` shows, as stored (key, bytes);
    /// one larger than a compactions object is read up to is left out.
    pub async fn compactions_objects(
        &self,
        listing: &Listing,
    ) -> Result<Vec<(String, Vec<u8>)>, Failure> {
        let others = listing.objects.others();
        let keys = newest_compactions(others.keys().map(String::as_str))
            .into_values()
            .filter(|key| others[*key].size <= MAX_COMPACTIONS_BYTES as u64)
            .map(str::to_string)
            .collect();
        self.fetch(keys).await
    }

    /// The compactor epoch of each root's newest `compactions/` object (by object key). One
    /// that cannot be read is left out: it then decides nothing.
    pub async fn compactor_epochs(&self, listing: &Listing) -> Result<Vec<(String, u64)>, Failure> {
        Ok(readable_epochs(&self.compactions_objects(listing).await?))
    }

    /// Fetches each of `objects`, keeping each one's failure apart.
    async fn fetch_each(&self, objects: Vec<ObjectToRead>) -> Vec<Fetched> {
        futures::stream::iter(objects)
            .map(|object| async move {
                // The listed size, no more: memory stays within `sst-read-bytes` whatever the
                // store holds now, and an object rewritten since the listing fails to decode.
                let fetched = self
                    .get_range(&object.key, object.size)
                    .await
                    .map_err(|err| format!("cannot fetch it: {err}"));
                (object, fetched)
            })
            .buffered(16)
            .collect()
            .await
    }

    /// Fetches one object (`key` relative to the store's prefix); a failure is an input error
    /// naming the store and the key.
    async fn get(&self, key: &str) -> Result<bytes::Bytes, Failure> {
        let location = self.location(key);
        async { self.store.get(&location).await?.bytes().await }
            .await
            .map_err(|err: object_store::Error| {
                Failure::input(format!("{}: {key}: {err}", self.url))
            })
    }

    /// Fetches the first `len` bytes of one object.
    async fn get_range(&self, key: &str, len: u64) -> Result<bytes::Bytes, object_store::Error> {
        if len == 0 {
            return Ok(bytes::Bytes::new());
        }
        self.store.get_range(&self.location(key), 0..len).await
    }

    /// Where `key` (relative to the store's prefix) is in the object store.
    fn location(&self, key: &str) -> Path {
        match &self.prefix {
            Some(prefix) => Path::from(format!("{}/{key}", prefix.as_ref())),
            None => Path::from(key),
        }
    }

    /// Fetches the objects `keys` (relative to the store's prefix), sorted by key.
    async fn fetch(&self, mut keys: Vec<String>) -> Result<Vec<(String, Vec<u8>)>, Failure> {
        keys.sort();
        keys.dedup();
        let fetched: Vec<(String, bytes::Bytes)> = futures::stream::iter(keys)
            .map(|key| async move {
                let bytes = self.get(&key).await?;
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

/// The key of every manifest object `listing` shows (each spelling), sorted.
fn manifest_keys(listing: &Listing) -> Vec<String> {
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
    keys
}
