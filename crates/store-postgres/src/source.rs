//! Reading another application's PostgreSQL database (a Django site's) for an import.
//!
//! One connection, in a read-only transaction, with the session's time zone set to UTC and ISO
//! date style, so `::text` renders every timestamp the same way whatever the server's settings.
//! Every value comes back as text, so the caller parses one representation per type.

use gatehouse_domain::StoreError;
use gatehouse_domain::import::check_columns;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

use crate::error::db;

/// Reads `columns` of every row of `table` (in the connection's current schema), ordered by
/// `order_by`, from the database `url` names. A missing table or column is an error naming it.
pub async fn read_foreign_table(
    url: &str,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let mut conn = PgConnection::connect(url).await.map_err(db)?;
    let rows = read(&mut conn, table, columns, order_by).await;
    conn.close().await.map_err(db)?;
    rows
}

async fn read(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let mut tx = conn.begin().await.map_err(db)?;
    for setting in [
        "SET TRANSACTION READ ONLY",
        "SET LOCAL TIME ZONE 'UTC'",
        "SET LOCAL DateStyle = 'ISO, YMD'",
    ] {
        sqlx::query(setting).execute(&mut *tx).await.map_err(db)?;
    }
    let available: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let mut wanted = columns.to_vec();
    wanted.push(order_by);
    check_columns(table, &available, &wanted).map_err(|e| StoreError::Other(e.0.into()))?;
    // Every name was just found in the table, so quoting is all the care identifiers need.
    let select = columns
        .iter()
        .map(|c| format!("{}::text", quote(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {select} FROM {} ORDER BY {}",
        quote(table),
        quote(order_by)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            (0..columns.len())
                .map(|i| row.try_get::<Option<String>, _>(i).map_err(db))
                .collect()
        })
        .collect();
    tx.rollback().await.map_err(db)?;
    rows
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}
