//! Checks of what the contract suite cannot see through the trait: the connection settings and
//! query plans that matter for speed.

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

#[tokio::test]
async fn a_rotation_batch_looks_sessions_up_by_id() -> Result<(), Box<dyn Error>> {
    let store = SqliteStore::open_url("sqlite::memory:", 1).await?;
    store.migrate().await?;
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN {}",
        crate::sessions::ADVANCE
    )))
    .bind("[]")
    .fetch_all(&store.pool)
    .await?;
    let steps: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
    assert!(
        steps[0].starts_with("SCAN step")
            && steps[1].contains("sqlite_autoindex_sessions_1 (id=?)"),
        "each step's session found by id, not a scan of the sessions: {steps:?}"
    );
    Ok(())
}
