// The calls whose API differs between SlateDB versions, for 0.18.

use slatedb::config::{CloseOptions, FlushType};
use slatedb::Db;

/// The SlateDB release these fixtures come from.
pub const VERSION: &str = "0.18.0";

/// Closes a writer after a WAL flush only, leaving unflushed memtable data in the WAL.
pub async fn close_leaving_data_in_wal(db: Db) -> anyhow::Result<()> {
    db.close_with_options(CloseOptions {
        flush_type: Some(FlushType::Wal),
    })
    .await?;
    Ok(())
}

/// A put; in 0.18 it returns before the write is durable.
pub async fn put(db: &Db, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> anyhow::Result<()> {
    db.put(key, value).await?;
    Ok(())
}

/// What a `DbReader` that writes nothing (`FollowLatest`, no managed checkpoint) reads for
/// `key` on `root`, with the WAL store when given.
pub async fn reader_get(
    root: &str,
    main: std::sync::Arc<dyn slatedb::object_store::ObjectStore>,
    wal: Option<std::sync::Arc<dyn slatedb::object_store::ObjectStore>>,
    key: &str,
) -> anyhow::Result<Option<String>> {
    let mut builder =
        slatedb::DbReader::builder(root, main).with_reader_mode(slatedb::DbReaderMode::FollowLatest);
    if let Some(wal) = wal {
        builder = builder.with_wal_object_store(wal);
    }
    let reader = builder.build().await?;
    let value = reader.get(key).await;
    let _ = reader.close().await;
    Ok(value?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}
