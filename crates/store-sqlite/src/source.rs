//! Reading another application's SQLite database (a Django `db.sqlite3`) for an import.
//!
//! The file is opened read-only and never created: a mistyped path must be an error, not a new
//! empty database. Every value comes back as text (`CAST … AS TEXT`), so the caller parses one
//! representation whatever type the column was declared with.

use std::path::Path;
use std::str::FromStr;

use gatehouse_domain::StoreError;
use gatehouse_domain::import::check_columns;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row, SqliteConnection};

use crate::error::db;

/// Reads `columns` of every row of `table`, ordered by `order_by`, from the SQLite database at
/// `location` (a file path, or a `sqlite://` / `sqlite:` URL). A missing file, table or column
/// is an error naming it.
pub async fn read_foreign_table(
    location: &str,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let options = if location.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(location).map_err(db)?
    } else {
        if !Path::new(location).is_file() {
            return Err(problem(format!("no such file: {location}")));
        }
        SqliteConnectOptions::new().filename(location)
    };
    let mut conn = options
        .read_only(true)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(db)?;
    let rows = read(&mut conn, table, columns, order_by).await;
    conn.close().await.map_err(db)?;
    rows
}

async fn read(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    order_by: &str,
) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let available: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut wanted = columns.to_vec();
    wanted.push(order_by);
    check_columns(table, &available, &wanted).map_err(|e| problem(e.0))?;
    // Every name was just found in the table, so quoting is all the care identifiers need.
    let select = columns
        .iter()
        .map(|c| format!("CAST({} AS TEXT)", quote(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {select} FROM {} ORDER BY {}",
        quote(table),
        quote(order_by)
    );
    sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            (0..columns.len())
                .map(|i| row.try_get::<Option<String>, _>(i).map_err(db))
                .collect()
        })
        .collect()
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn problem(message: String) -> StoreError {
    StoreError::Other(message.into())
}
