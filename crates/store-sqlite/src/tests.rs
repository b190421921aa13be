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

/// The steps `EXPLAIN QUERY PLAN` gives for `sql` on a fresh database, each of its `params`
/// parameters bound to `"[]"` (the values do not change the plan).
async fn query_plan(sql: &str, params: usize) -> Result<Vec<String>, Box<dyn Error>> {
    let store = SqliteStore::open_url("sqlite::memory:", 1).await?;
    store.migrate().await?;
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN {sql}"
    )));
    for _ in 0..params {
        query = query.bind("[]");
    }
    let plan = query.fetch_all(&store.pool).await?;
    Ok(plan.into_iter().map(|row| row.3).collect())
}

#[tokio::test]
async fn a_rotation_batch_looks_sessions_up_by_id() -> Result<(), Box<dyn Error>> {
    let steps = query_plan(crate::sessions::ADVANCE, 1).await?;
    assert!(
        steps[0].starts_with("SCAN step")
            && steps[1].contains("sqlite_autoindex_sessions_1 (id=?)"),
        "each step's session found by id, not a scan of the sessions: {steps:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_cleanup_chunk_deletes_sessions_by_id() -> Result<(), Box<dyn Error>> {
    let steps = query_plan(crate::sessions::PRUNE_CHUNK_DELETE, 2).await?;
    assert!(
        steps
            .iter()
            .any(|s| s.contains("sqlite_autoindex_sessions_1 (id=?)"))
            && !steps.iter().any(|s| s.starts_with("SCAN sessions")),
        "each listed session found by id, the write never scanning the table: {steps:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_revocation_feed_reads_the_index_of_revoked_sessions() -> Result<(), Box<dyn Error>> {
    let steps = query_plan(crate::sessions::REVOKED_SINCE, 1).await?;
    assert!(
        steps
            .iter()
            .any(|s| s.contains("USING INDEX sessions_revoked_at_idx (revoked_at>?)"))
            && !steps.iter().any(|s| s.contains("TEMP B-TREE")),
        "found and ordered by the partial index, never a scan or a sort: {steps:?}"
    );
    Ok(())
}

/// Writes the one user (id 1) that the session tests hang their rows on.
async fn one_user(store: &SqliteStore) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (public_id, username, email, password_hash, role, date_joined) \
         VALUES ('p', 'ann', 'ann@example.com', 'h', 'client', 0)",
    )
    .execute(&store.writer)
    .await?;
    Ok(())
}

#[tokio::test]
async fn the_cleanup_deletes_ended_sessions_across_chunks() -> Result<(), Box<dyn Error>> {
    let store = SqliteStore::open_url("sqlite::memory:", 1).await?;
    store.migrate().await?;
    one_user(&store).await?;
    // 1,203 sessions, every third still live, so ended ones straddle several chunks.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1203) \
         INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) \
         SELECT printf('%032x', i), 1, 0, 0, CASE WHEN i % 3 = 0 THEN 2000 ELSE 500 END FROM n",
    )
    .execute(&store.pool)
    .await?;
    let before = chrono::DateTime::from_timestamp_micros(1000).ok_or("a time")?;
    assert_eq!(store.prune_sessions(before).await?, 802);
    let (left, ended): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(*) FILTER (WHERE expires_at < 1000) FROM sessions")
            .fetch_one(&store.pool)
            .await?;
    assert_eq!((left, ended), (401, 0));
    Ok(())
}

/// A new session `id` of the user [`one_user`] adds, for a day from `now`.
fn day_session(
    id: gatehouse_domain::SessionId,
    now: chrono::DateTime<chrono::Utc>,
) -> gatehouse_domain::NewSession {
    gatehouse_domain::NewSession {
        id,
        user_id: gatehouse_domain::UserId(1),
        user_agent: "test".to_owned(),
        ip: "127.0.0.1".to_owned(),
        now,
        expires_at: now + chrono::TimeDelta::days(1),
    }
}

#[tokio::test]
async fn session_starts_alone_keep_the_wal_checkpointed() -> Result<(), Box<dyn Error>> {
    use gatehouse_domain::SessionId;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("w.db");
    let store = SqliteStore::open(&path, 2).await?;
    store.migrate().await?;
    one_user(&store).await?;
    // Each start writes three or four pages: 3,000 of them are over 40 MB of WAL frames unless
    // the automatic checkpoint (every 1,000 frames, ~4 MB) lets the WAL start over.
    let now = chrono::Utc::now();
    for _ in 0..3000 {
        store
            .start_session(day_session(SessionId::random(), now), None)
            .await?;
    }
    let wal = std::fs::metadata(path.with_extension("db-wal"))?.len();
    assert!(wal < 16 << 20, "the WAL grew to {wal} bytes");
    store.close().await;
    Ok(())
}

#[tokio::test]
async fn rotations_reach_the_database_file_before_the_automatic_checkpoint()
-> Result<(), Box<dyn Error>> {
    use std::time::{Duration, Instant};

    use gatehouse_domain::{Advance, SessionId, UserId};
    use sqlx::Connection as _;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("c.db");
    let store = SqliteStore::open(&path, 2).await?;
    store.migrate().await?;
    one_user(&store).await?;
    let now = chrono::Utc::now();
    let id = SessionId::random();
    let session = store.start_session(day_session(id, now), None).await?;
    // A handful of pages in the log, far below the automatic checkpoint's 1,000: only the
    // background checkpoint copies them into the database file.
    let moved = store
        .advance_sessions(&[Advance {
            id,
            from: 0,
            now,
            expires_at: session.expires_at,
        }])
        .await?;
    assert_eq!(moved, [Some(UserId(1))]);

    // A copy of the file without its log holds what has been checkpointed, and nothing else.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let copy = tempfile::tempdir()?;
        let file = copy.path().join("copy.db");
        std::fs::copy(&path, &file)?;
        let read = async {
            let mut conn =
                SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&file))
                    .await?;
            let counter: Option<(i64,)> =
                sqlx::query_as("SELECT counter FROM sessions WHERE id = ?")
                    .bind(crate::codec::uuid(id.0))
                    .fetch_optional(&mut conn)
                    .await?;
            conn.close().await?;
            Ok::<_, sqlx::Error>(counter)
        };
        // Until then the copy lacks the session, or the table, or is caught mid-write.
        match read.await {
            Ok(Some((1,))) => break,
            last if Instant::now() > deadline => panic!("not checkpointed after 10 s: {last:?}"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    store.close().await;
    Ok(())
}
