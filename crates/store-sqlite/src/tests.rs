//! Checks of what the contract suite cannot see through the trait: the connection settings.

use std::error::Error;

use gatehouse_domain::Store;

use crate::SqliteStore;

#[tokio::test]
async fn every_connection_gets_the_pragmas() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("p.db"), 2).await?;
    let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&store.pool)
        .await?;
    let (synchronous,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(&store.pool)
        .await?;
    let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
        .fetch_one(&store.pool)
        .await?;
    let (foreign_keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(&store.pool)
        .await?;
    assert_eq!(journal, "wal");
    assert_eq!(synchronous, 1, "NORMAL");
    assert_eq!(busy, 5000);
    assert_eq!(foreign_keys, 1);
    store.close().await;
    Ok(())
}

#[tokio::test]
async fn a_zero_pool_size_still_opens() -> Result<(), Box<dyn Error>> {
    let store = SqliteStore::open_url("sqlite::memory:", 0).await?;
    store.migrate().await?;
    store.ping().await?;
    Ok(())
}

#[tokio::test]
async fn odd_urls_fail_cleanly() {
    for url in [
        "",
        "sqlite",
        "postgres://localhost/db",
        "sqlite:///nonexistent-root-dir/\0/x.db",
    ] {
        assert!(
            SqliteStore::open_url(url, 1).await.is_err(),
            "{url:?} opened"
        );
    }
    for url in ["sqlite::memory:", "sqlite://:memory:"] {
        let opened = SqliteStore::open_url(url, 1).await;
        assert!(opened.is_ok(), "{url:?}: {opened:?}");
    }
}
