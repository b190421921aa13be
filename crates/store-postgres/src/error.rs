//! Turns sqlx errors into the contract's `StoreError`, so no caller ever sees a sqlx type.
//!
//! A unique violation is attributed to a field by the index PostgreSQL names in the error; the
//! names are fixed by the migrations (`users_username_key`, `users_email_key`).

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
        match db_error.constraint() {
            Some("users_username_key") => return StoreError::Conflict("username"),
            Some("users_email_key") => return StoreError::Conflict("email"),
            _ => {}
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

/// `NotFound` when a statement that must touch a row touched none.
pub(crate) fn found(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
