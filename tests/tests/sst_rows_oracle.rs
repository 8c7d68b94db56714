//! `slatecheck_core::sst::read_sst_rows` against the truth: SlateDB 0.18 writes WAL SSTs (and,
//! on a memtable flush, compacted SSTs) on the local filesystem, and for every object written
//! the rows slatecheck reads must be exactly those of the writes that went into it (counted
//! from each write's `WriteHandle::seqnum()`) and exactly what SlateDB's own `WalReader` /
//! `SstReader` read back. SSTs written through a `BlockTransformer` (encryption) must be
//! refused.
//!
//! Not covered here: zlib-compressed SSTs. The `slatedb` dependency is built without its
//! `zlib` feature (`default-features = false`), so SlateDB cannot write them; slatecheck's
//! zlib path is tested on SSTs written from the format facts in `core/src/sst/tests.rs`.

use anyhow::{anyhow, ensure, Context, Result};
use slatecheck_core::sst::{read_sst_rows, SstRows};
use slatecheck_tests::slatedb_018::oracle::local_store;
use slatecheck_tests::slatedb_018::scenarios::fixture_settings;
use slatedb::bytes::Bytes;
use slatedb::config::{
    FlushOptions, FlushType, MergeOptions, PutOptions, SstBlockSize, Ttl, WriteOptions,
};
use slatedb::object_store::ObjectStore;
use slatedb::{
    BlockTransformer, Db, MergeOperator, MergeOperatorError, SstReader, WalReader, WriteBatch,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

const ROOT: &str = "db";

/// Concatenates merge operands.
struct Concat;

impl MergeOperator for Concat {
    fn merge(
        &self,
        _key: &Bytes,
        existing: Option<Bytes>,
        value: Bytes,
    ) -> Result<Bytes, MergeOperatorError> {
        let mut out = existing.map(|bytes| bytes.to_vec()).unwrap_or_default();
        out.extend_from_slice(&value);
        Ok(Bytes::from(out))
    }
}

/// XORs every block, as an (insecure) encryption would.
struct Xor;

type Transformed<'a> = Pin<Box<dyn Future<Output = Result<Bytes, slatedb::Error>> + Send + 'a>>;

impl BlockTransformer for Xor {
    fn encode<'a, 'b>(&'a self, data: Bytes) -> Transformed<'b>
    where
        'a: 'b,
        Self: 'b,
    {
        Box::pin(async move {
            Ok(data
                .iter()
                .map(|byte| byte ^ 0x5a)
                .collect::<Vec<_>>()
                .into())
        })
    }

    fn decode<'a, 'b>(&'a self, data: Bytes) -> Transformed<'b>
    where
        'a: 'b,
        Self: 'b,
    {
        self.encode(data)
    }
}

/// Rows of some writes: how many, and their sequence numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    rows: u64,
    min_seq: Option<u64>,
    max_seq: Option<u64>,
}

impl Tally {
    /// A write of `rows` rows (a batch has several) with sequence number `seq`.
    fn add(&mut self, seq: u64, rows: u64) {
        self.rows += rows;
        self.min_seq = Some(self.min_seq.map_or(seq, |min| min.min(seq)));
        self.max_seq = Some(self.max_seq.map_or(seq, |max| max.max(seq)));
    }

    fn absorb(&mut self, rows: &SstRows) {
        self.rows += rows.rows;
        for seq in [rows.min_seq, rows.max_seq].into_iter().flatten() {
            self.min_seq = Some(self.min_seq.map_or(seq, |min| min.min(seq)));
            self.max_seq = Some(self.max_seq.map_or(seq, |max| max.max(seq)));
        }
    }
}

fn tally_of(rows: impl IntoIterator<Item = u64>) -> Tally {
    let mut tally = Tally::default();
    for seq in rows {
        tally.add(seq, 1);
    }
    tally
}

fn as_tally(rows: &SstRows) -> Tally {
    let mut tally = Tally::default();
    tally.absorb(rows);
    tally
}

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("slatecheck-sst-rows-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// The `*.sst` objects of `<dir>/db/<folder>/`, by file stem.
fn objects(dir: &Path, folder: &str) -> Result<BTreeMap<String, PathBuf>> {
    let folder = dir.join(ROOT).join(folder);
    let mut out = BTreeMap::new();
    if !folder.is_dir() {
        return Ok(out);
    }
    for entry in
        std::fs::read_dir(&folder).with_context(|| format!("listing {}", folder.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "sst") {
            let stem = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .ok_or_else(|| anyhow!("odd file name {}", path.display()))?
                .to_string();
            out.insert(stem, path);
        }
    }
    Ok(out)
}

/// The WAL objects, by id.
fn wal_objects(dir: &Path) -> Result<BTreeMap<u64, PathBuf>> {
    objects(dir, "wal")?
        .into_iter()
        .map(|(stem, path)| Ok((stem.parse::<u64>().with_context(|| stem.clone())?, path)))
        .collect()
}

/// What SlateDB's `WalReader` reads in WAL object `id`.
async fn slatedb_wal_rows(store: &Arc<dyn ObjectStore>, id: u64) -> Result<Tally> {
    let mut iter = WalReader::new(ROOT, Arc::clone(store))
        .get(id)
        .iterator()
        .await?;
    let mut seqs = Vec::new();
    while let Some(row) = iter.next().await? {
        seqs.push(row.seq);
    }
    Ok(tally_of(seqs))
}

/// What SlateDB's `SstReader` reads in the compacted SST `name` (a ULID), block by block.
async fn slatedb_sst_rows(store: &Arc<dyn ObjectStore>, name: &str) -> Result<(Tally, usize)> {
    let reader = SstReader::new(ROOT, Arc::clone(store), None, None);
    let id = match std::str::FromStr::from_str(name) {
        Ok(id) => id,
        Err(err) => return Err(anyhow!("{name} is no ULID: {err:?}")),
    };
    let sst = reader.open(id).await?;
    let blocks = sst.index().await?.len();
    let mut seqs = Vec::new();
    for block in 0..blocks {
        seqs.extend(sst.read_block(block).await?.iter().map(|row| row.seq));
    }
    Ok((tally_of(seqs), blocks))
}

/// Follows a database's WAL directory: which objects are new since the last look.
struct WalWatch {
    dir: PathBuf,
    store: Arc<dyn ObjectStore>,
    seen: BTreeMap<u64, SstRows>,
    /// The size of the largest WAL object read.
    largest: usize,
}

impl WalWatch {
    /// Reads the objects written since the last call, checks each against SlateDB's reading
    /// and returns their rows together.
    async fn new_rows(&mut self) -> Result<(Tally, usize)> {
        let mut tally = Tally::default();
        let mut objects = 0;
        for (id, path) in wal_objects(&self.dir)? {
            if self.seen.contains_key(&id) {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            self.largest = self.largest.max(bytes.len());
            let ours = read_sst_rows(&bytes).with_context(|| format!("{}", path.display()))?;
            let theirs = slatedb_wal_rows(&self.store, id).await?;
            ensure!(
                as_tally(&ours) == theirs,
                "WAL {id}: slatecheck reads {ours:?}, SlateDB {theirs:?}"
            );
            if bytes.is_empty() {
                ensure!(ours.rows == 0, "fence {id}: {ours:?}");
            }
            tally.absorb(&ours);
            objects += 1;
            self.seen.insert(id, ours);
        }
        Ok((tally, objects))
    }

    /// Flushes the WAL and checks that the new objects hold exactly the `written` rows.
    async fn flush_and_check(&mut self, db: &Db, written: Tally, what: &str) -> Result<()> {
        db.flush_with_options(FlushOptions {
            flush_type: FlushType::Wal,
        })
        .await?;
        let (found, objects) = self.new_rows().await?;
        ensure!(
            found == written,
            "{what}: {objects} new WAL object(s) hold {found:?}, the writes were {written:?}"
        );
        println!("{what}: {objects} WAL object(s), {found:?}");
        Ok(())
    }
}

/// Deterministic key order for the bulk writes.
fn shuffled(n: u64) -> Vec<u64> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut items: Vec<u64> = (0..n).collect();
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        items.swap(i, (state >> 33) as usize % (i + 1));
    }
    items
}

/// SlateDB 0.18 on `<dir>` (the fixtures' settings: no timed flushes, no compactor, no GC),
/// with a merge operator, configured further by `configure`.
async fn open(
    dir: &Path,
    configure: impl FnOnce(slatedb::DbBuilder<&'static str>) -> slatedb::DbBuilder<&'static str>,
) -> Result<(Db, Arc<dyn ObjectStore>)> {
    let store = local_store(dir)?;
    let builder = Db::builder(ROOT, Arc::clone(&store))
        .with_settings(fixture_settings())
        .with_merge_operator(Arc::new(Concat));
    Ok((configure(builder).build().await?, store))
}

/// Writes groups of puts, deletes, merges and batches, flushing the WAL after each, and
/// checks each group's new WAL objects hold exactly its rows. Returns the rows of all writes.
async fn write_groups(db: &Db, watch: &mut WalWatch) -> Result<Tally> {
    let mut all = Tally::default();
    let write = WriteOptions::default();

    let mut group = Tally::default();
    for i in 0..5 {
        let handle = db
            .put_with_options(
                format!("key-{i}"),
                format!("value-{i}"),
                &PutOptions::default(),
                &write,
            )
            .await?;
        group.add(handle.seqnum(), 1);
    }
    watch.flush_and_check(db, group, "five puts").await?;
    all.absorb(&as_rows(group));

    let mut group = Tally::default();
    let handle = db.delete_with_options("key-1", &write).await?;
    group.add(handle.seqnum(), 1);
    let handle = db.delete_with_options("never-written", &write).await?;
    group.add(handle.seqnum(), 1);
    for operand in ["a", "b"] {
        let handle = db
            .merge_with_options("counter", operand, &MergeOptions::default(), &write)
            .await?;
        group.add(handle.seqnum(), 1);
    }
    let ttl = PutOptions {
        ttl: Ttl::ExpireAfterMillis(3_600_000),
    };
    let handle = db
        .put_with_options("expiring", "soon", &ttl, &write)
        .await?;
    group.add(handle.seqnum(), 1);
    let mut batch = WriteBatch::new();
    batch.put("batch-put", "x");
    batch.delete("key-2");
    batch.merge("counter", "c");
    batch.put_with_options("batch-ttl", "y", &ttl);
    let handle = db.write_with_options(batch, &write).await?;
    group.add(handle.seqnum(), 4);
    let handle = db
        .put_with_options("empty-value", "", &PutOptions::default(), &write)
        .await?;
    group.add(handle.seqnum(), 1);
    watch
        .flush_and_check(db, group, "deletes, merges, a TTL and a batch")
        .await?;
    all.absorb(&as_rows(group));

    // 300 KiB in shuffled key order: several 64 KiB WAL blocks, keys out of order.
    let mut group = Tally::default();
    let value = vec![b'v'; 1000];
    for i in shuffled(300) {
        let handle = db
            .put_with_options(
                format!("bulk-{i:05}"),
                &value,
                &PutOptions::default(),
                &write,
            )
            .await?;
        group.add(handle.seqnum(), 1);
    }
    watch
        .flush_and_check(db, group, "300 puts of 1000 bytes")
        .await?;
    all.absorb(&as_rows(group));

    // Long shared prefixes (two-byte varints in block format 2).
    let mut group = Tally::default();
    let prefix = "p".repeat(300);
    for i in 0..40 {
        let handle = db
            .put_with_options(
                format!("{prefix}{i:03}"),
                "v",
                &PutOptions::default(),
                &write,
            )
            .await?;
        group.add(handle.seqnum(), 1);
    }
    watch
        .flush_and_check(db, group, "40 keys sharing 300 bytes")
        .await?;
    all.absorb(&as_rows(group));

    // A sequence number the writer chooses, far above the rest.
    let mut group = Tally::default();
    let chosen = all.max_seq.unwrap_or(0) + 1_000_000_000_000;
    let handle = db
        .put_with_options(
            "chosen-seq",
            "v",
            &PutOptions::default(),
            &WriteOptions { seqnum: chosen },
        )
        .await?;
    ensure!(
        handle.seqnum() == chosen,
        "seqnum {} for {chosen}",
        handle.seqnum()
    );
    group.add(handle.seqnum(), 1);
    watch
        .flush_and_check(db, group, "a chosen sequence number")
        .await?;
    all.absorb(&as_rows(group));

    // Nothing written: nothing new (or only empty objects).
    watch
        .flush_and_check(db, Tally::default(), "an idle flush")
        .await?;
    Ok(all)
}

fn as_rows(tally: Tally) -> SstRows {
    SstRows {
        rows: tally.rows,
        min_seq: tally.min_seq,
        max_seq: tally.max_seq,
    }
}

/// Flushes the memtable and checks every compacted SST against SlateDB's `SstReader`.
async fn check_compacted(db: &Db, dir: &Path, store: &Arc<dyn ObjectStore>) -> Result<usize> {
    db.flush_with_options(FlushOptions {
        flush_type: FlushType::MemTable,
    })
    .await?;
    let mut blocks_seen = 0;
    let compacted = objects(dir, "compacted")?;
    ensure!(
        !compacted.is_empty(),
        "no compacted SST after a memtable flush"
    );
    for (name, path) in compacted {
        let bytes = std::fs::read(&path)?;
        let ours = read_sst_rows(&bytes).with_context(|| format!("{}", path.display()))?;
        let (theirs, blocks) = slatedb_sst_rows(store, &name).await?;
        ensure!(
            as_tally(&ours) == theirs,
            "compacted {name}: slatecheck reads {ours:?}, SlateDB {theirs:?}"
        );
        println!("compacted {name}: {blocks} blocks, {ours:?}");
        blocks_seen += blocks;
    }
    Ok(blocks_seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wal_and_compacted_rows_are_exactly_the_writes() -> Result<()> {
    let scratch = Scratch::new("plain")?;
    let (db, store) = open(&scratch.0, |builder| builder).await?;
    let mut watch = WalWatch {
        dir: scratch.0.clone(),
        store: Arc::clone(&store),
        seen: BTreeMap::new(),
        largest: 0,
    };
    // Whatever opening wrote (a fence) holds no rows.
    let (opened, _) = watch.new_rows().await?;
    ensure!(opened.rows == 0, "a fresh database's WAL holds {opened:?}");

    let all = write_groups(&db, &mut watch).await?;
    let mut on_disk = Tally::default();
    for rows in watch.seen.values() {
        on_disk.absorb(rows);
    }
    ensure!(
        on_disk == all,
        "all WAL objects hold {on_disk:?}, the writes were {all:?}"
    );
    ensure!(
        watch.seen.values().filter_map(|rows| rows.max_seq).max() == all.max_seq,
        "the largest sequence number on disk is not the last write's"
    );
    ensure!(
        watch.seen.values().filter(|rows| rows.rows > 0).count() >= 5,
        "too few WAL objects with rows: {:?}",
        watch.seen
    );

    // SlateDB closes a WAL block at 64 KiB: the bulk writes span several blocks.
    ensure!(
        watch.largest > 2 * usize::from(u16::MAX),
        "no WAL object of several blocks (largest {} bytes)",
        watch.largest
    );
    let blocks = check_compacted(&db, &scratch.0, &store).await?;
    ensure!(blocks >= 2, "{blocks} compacted blocks");
    db.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_padded_compacted_blocks_are_read_like_slatedb() -> Result<()> {
    let scratch = Scratch::new("padded")?;
    let (db, store) = open(&scratch.0, |builder| {
        builder
            .with_sst_block_size(SstBlockSize::Block1Kib)
            .with_sst_block_alignment(true)
    })
    .await?;
    let mut watch = WalWatch {
        dir: scratch.0.clone(),
        store: Arc::clone(&store),
        seen: BTreeMap::new(),
        largest: 0,
    };
    watch.new_rows().await?;
    write_groups(&db, &mut watch).await?;
    let blocks = check_compacted(&db, &scratch.0, &store).await?;
    ensure!(blocks >= 100, "{blocks} compacted blocks of 1 KiB");
    db.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transformed_ssts_are_refused() -> Result<()> {
    let scratch = Scratch::new("xor")?;
    let (db, _store) = open(&scratch.0, |builder| {
        builder.with_block_transformer(Arc::new(Xor))
    })
    .await?;
    for i in 0..50 {
        db.put(format!("secret-{i}"), format!("value-{i}")).await?;
    }
    db.flush_with_options(FlushOptions {
        flush_type: FlushType::Wal,
    })
    .await?;
    db.flush_with_options(FlushOptions {
        flush_type: FlushType::MemTable,
    })
    .await?;
    let mut refused = 0;
    for folder in ["wal", "compacted"] {
        for (name, path) in objects(&scratch.0, folder)? {
            let bytes = std::fs::read(&path)?;
            if bytes.is_empty() {
                continue;
            }
            let result = read_sst_rows(&bytes);
            ensure!(
                result.is_err(),
                "{folder}/{name}: a transformed SST read as {result:?}"
            );
            println!(
                "{folder}/{name}: {}",
                result.err().map(|err| err.to_string()).unwrap_or_default()
            );
            refused += 1;
        }
    }
    ensure!(refused >= 2, "{refused} transformed SSTs");
    db.close().await?;
    Ok(())
}
