//! Turns sqlx errors into the contract's `StoreError`, so no caller ever sees a sqlx type.
//!
//! SQLite does not name the violated index in a structured field; its message lists the indexed
//! columns instead ("UNIQUE constraint failed: users.username"), which is stable and is what we
//! match on.

use gatehouse_domain::StoreError;
use sqlx::error::ErrorKind;

/// A value in the database the store cannot turn back into a domain type.
#[derive(Debug, thiserror::Error)]
#[error("corrupt value in column {column}: {detail}")]
pub(crate) struct Corrupt {
    pub column: &'static str,
    pub detail: String,
}

impl Corrupt {
    pub(crate) fn store(column: &'static str, detail: &dyn std::fmt::Display) -> StoreError {
        StoreError::Other(Box::new(Self {
            column,
            detail: detail.to_string(),
        }))
    }
}

/// Any error with no special meaning for the call: `RowNotFound` is `NotFound`, the rest `Other`.
pub(crate) fn db(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        other => StoreError::Other(Box::new(other)),
    }
}

/// An error from a write to `users`: a taken username or email becomes `Conflict`.
pub(crate) fn user_write(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db_error) = &error
        && db_error.kind() == ErrorKind::UniqueViolation
    {
        let field = conflicting_columns(db_error.message()).find_map(|column| match column {
            "users.username" => Some("username"),
            "users.email" => Some("email"),
            _ => None,
        });
        if let Some(field) = field {
            return StoreError::Conflict(field);
        }
    }
    db(error)
}

/// An error from inserting a row that references a user: a missing user is `NotFound`.
pub(crate) fn user_reference(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db_error) if db_error.kind() == ErrorKind::ForeignKeyViolation => {
            StoreError::NotFound
        }
        _ => db(error),
    }
}

/// The `table.column` names in a SQLite unique-violation message.
fn conflicting_columns(message: &str) -> impl Iterator<Item = &str> {
    message
        .split_once("constraint failed:")
        .map_or("", |(_, columns)| columns)
        .split(',')
        .map(str::trim)
}

/// `NotFound` when a statement that must touch a row touched none.
pub(crate) fn found(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::conflicting_columns;

    #[test]
    fn reads_the_columns_of_a_unique_violation() {
        let columns: Vec<_> =
            conflicting_columns("UNIQUE constraint failed: users.username").collect();
        assert_eq!(columns, ["users.username"]);
        let columns: Vec<_> = conflicting_columns("UNIQUE constraint failed: a.b, a.c").collect();
        assert_eq!(columns, ["a.b", "a.c"]);
        assert_eq!(conflicting_columns("disk I/O error").count(), 1);
    }
}
