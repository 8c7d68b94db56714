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
