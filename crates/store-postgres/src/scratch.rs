//! Throw-away databases for tests: each test gets an empty database of its own on a shared
//! server, so tests run in parallel and never see each other's rows.

use gatehouse_domain::StoreError;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use uuid::Uuid;

use crate::error::db;

/// Every scratch database's name starts with this; `drop_database` drops nothing else.
const PREFIX: &str = "gatehouse_test_";

/// Creates a new, uniquely named, empty database on the server `admin_url` points at (any
/// database the user can connect to and whose role may `CREATE DATABASE`), and returns the URL
/// of the new database: `admin_url` with its database name replaced.
pub async fn create_scratch_database(admin_url: &str) -> Result<String, StoreError> {
    let name = format!("{PREFIX}{}", Uuid::new_v4().simple());
    let url = with_database(admin_url, &name).ok_or_else(|| {
        StoreError::Other(format!("not a postgres:// URL: {}", redact(admin_url)).into())
    })?;
    let mut admin = PgConnection::connect(admin_url).await.map_err(db)?;
    let created = sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {}", quote(&name))))
        .execute(&mut admin)
        .await
        .map_err(db);
    admin.close().await.map_err(db)?;
    created?;
    Ok(url)
}

/// Drops the database `url` names, first ending its open connections (`WITH (FORCE)`).
/// Best-effort: failures are reported on stderr, never returned, and only databases made by
/// [`create_scratch_database`] are ever dropped.
pub async fn drop_database(admin_url: &str, url: &str) {
    let Some(name) = database_name(url).filter(|name| name.starts_with(PREFIX)) else {
        eprintln!("drop_database: refusing to drop a database that is not a scratch database");
        return;
    };
    let result = async {
        let mut admin = PgConnection::connect(admin_url).await?;
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(name));
        let dropped = sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await;
        admin.close().await?;
        dropped.map(drop)
    }
    .await;
    if let Err(error) = result {
        eprintln!("drop_database: could not drop {name}: {error}");
    }
}

/// `ident` as a quoted SQL identifier.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Splits `scheme://authority/database?query` into its three parts (database may be empty).
fn split(url: &str) -> Option<(&str, &str, &str)> {
    let authority_start = url.find("://")? + 3;
    let query_start = url[authority_start..]
        .find('?')
        .map_or(url.len(), |i| authority_start + i);
    let path_start = url[authority_start..query_start]
        .find('/')
        .map_or(query_start, |i| authority_start + i);
    let database = url
        .get(path_start..query_start)
        .map_or("", |p| p.trim_start_matches('/'));
    Some((&url[..path_start], database, &url[query_start..]))
}

fn with_database(url: &str, database: &str) -> Option<String> {
    split(url).map(|(base, _, query)| format!("{base}/{database}{query}"))
}

fn database_name(url: &str) -> Option<&str> {
    split(url)
        .map(|(_, database, _)| database)
        .filter(|d| !d.is_empty())
}

/// The URL without anything between `://` and `@`, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => format!("{}***{}", &url[..start + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{database_name, quote, redact, with_database};

    #[test]
    fn replaces_the_database_and_keeps_the_rest() {
        let cases = [
            ("postgres://u@h:5432/postgres", "postgres://u@h:5432/x"),
            (
                "postgres://u:p@h/postgres?sslmode=require",
                "postgres://u:p@h/x?sslmode=require",
            ),
            ("postgresql://h", "postgresql://h/x"),
            (
                "postgres://h?sslmode=disable",
                "postgres://h/x?sslmode=disable",
            ),
            (
                "postgres:///db?host=/run/postgresql",
                "postgres:///x?host=/run/postgresql",
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(with_database(url, "x").as_deref(), Some(expected), "{url}");
        }
        assert_eq!(with_database("not a url", "x"), None);
    }

    #[test]
    fn reads_the_database_name() {
        assert_eq!(database_name("postgres://h:1/abc?x=y"), Some("abc"));
        assert_eq!(database_name("postgres://h:1"), None);
        assert_eq!(database_name("postgres://h:1/"), None);
    }

    #[test]
    fn quotes_and_redacts() {
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://***@h/db");
    }
}
