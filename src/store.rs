//! Opens the store a database URL names. The only place that knows both backends exist;
//! everything after this sees `Arc<dyn Store>`.

use std::sync::Arc;

use gatehouse_domain::Store;
use gatehouse_store_postgres::PgStore;
use gatehouse_store_sqlite::SqliteStore;

/// Connects and applies pending migrations (idempotent; on Postgres, several nodes starting
/// at once take turns on a lock).
pub async fn open(url: &str, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open_url(url, max_connections)
            .await
            .map_err(|e| anyhow::anyhow!("opening the SQLite database {url}: {e}"))?;
        store
            .migrate()
            .await
            .map_err(|e| anyhow::anyhow!("migrating SQLite: {e}"))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect(url, max_connections)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to PostgreSQL: {e}"))?;
        store
            .migrate()
            .await
            .map_err(|e| anyhow::anyhow!("migrating PostgreSQL: {e}"))?;
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("DATABASE_URL: expected a sqlite://… or postgres://… URL")
    }
}

/// Reads `columns` of every row of `table`, ordered by `order_by`, from another application's
/// database (an import's source): a `postgres://` URL, or a SQLite file as a path or `sqlite:`
/// URL. Every value is text; NULL is `None`. The URL is never repeated in an error (it may
/// hold a password).
pub async fn read_foreign_table(
    from: &str,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> anyhow::Result<Vec<Vec<Option<String>>>> {
    let rows = if from.starts_with("postgres://") || from.starts_with("postgresql://") {
        gatehouse_store_postgres::read_foreign_table(from, table, columns, order_by).await
    } else {
        gatehouse_store_sqlite::read_foreign_table(from, table, columns, order_by).await
    };
    rows.map_err(|e| anyhow::anyhow!("reading the source database: {e}"))
}
