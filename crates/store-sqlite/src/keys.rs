//! Signing keys and named secrets: created once by whichever node starts first, then shared.

use gatehouse_domain::{SigningKeyRecord, StoreError};
use sqlx::{Row, SqlitePool};

use crate::codec::{self, get_time, get_time_opt};
use crate::error::db;

pub(crate) async fn signing_keys(pool: &SqlitePool) -> Result<Vec<SigningKeyRecord>, StoreError> {
    sqlx::query(
        "SELECT kid, private_der, public_raw, created_at, retired_at FROM signing_keys \
         ORDER BY created_at DESC, kid DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(|row| {
        Ok(SigningKeyRecord {
            kid: row.try_get("kid").map_err(db)?,
            private_der: row.try_get("private_der").map_err(db)?,
            public_raw: row.try_get("public_raw").map_err(db)?,
            created_at: get_time(row, "created_at")?,
            retired_at: get_time_opt(row, "retired_at")?,
        })
    })
    .collect()
}

/// Inserts `candidate` as the current key; the partial unique index on `is_current` turns a
/// second current key (or a reused kid) into a no-op.
pub(crate) async fn ensure_signing_key(
    pool: &SqlitePool,
    candidate: SigningKeyRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, private_der, public_raw, created_at, retired_at, \
         is_current) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
    )
    .bind(&candidate.kid)
    .bind(&candidate.private_der)
    .bind(&candidate.public_raw)
    .bind(codec::micros(candidate.created_at))
    .bind(candidate.retired_at.map(codec::micros))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn ensure_secret(
    pool: &SqlitePool,
    name: &str,
    candidate: &[u8],
) -> Result<Vec<u8>, StoreError> {
    sqlx::query("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(candidate)
        .execute(pool)
        .await
        .map_err(db)?;
    // Secrets are never deleted, so the row is there now, whoever wrote it.
    sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?")
        .bind(name)
        .fetch_one(pool)
        .await
        .map_err(db)
}
