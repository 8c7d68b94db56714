// The calls whose API differs between SlateDB versions, for 0.15.

use slatedb_015::Db;

/// The SlateDB release these fixtures come from.
pub const VERSION: &str = "0.15.0";

/// 0.15 has no `close_with_options`, and its `close` flushes the memtable to L0. Leaving data
/// only in the WAL means abandoning the writer after its WAL flush, as a crash would; with no
/// timed flushes and no background compactor or GC nothing else writes afterwards.
pub async fn close_leaving_data_in_wal(db: Db) -> anyhow::Result<()> {
    std::mem::forget(db);
    Ok(())
}

/// A put that returns before the write is durable, as 0.18's `put` does (0.15 waits for the
/// next WAL flush by default, and fixtures flush only where a step says so).
pub async fn put(db: &Db, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let write = slatedb_015::config::WriteOptions {
        await_durable: false,
        ..Default::default()
    };
    db.put_with_options(key, value, &Default::default(), &write).await?;
    Ok(())
}

/// 0.15's `DbReader` has neither `FollowLatest` nor a builder; the scenarios that read with one
/// are generated with 0.18 only (they skip themselves when this answers `None`).
pub async fn reader_get(
    _root: &str,
    _main: std::sync::Arc<dyn slatedb_015::object_store::ObjectStore>,
    _wal: Option<std::sync::Arc<dyn slatedb_015::object_store::ObjectStore>>,
    _key: &str,
) -> anyhow::Result<Option<String>> {
    Err(anyhow::anyhow!("no FollowLatest reader in SlateDB 0.15"))
}
