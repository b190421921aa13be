//! Signing keys and named secrets: created once by whichever node starts first, then shared.

use chrono::{DateTime, Utc};
use gatehouse_domain::{SigningKeyRecord, StoreError};
use sqlx::PgPool;

use crate::codec::micros;
use crate::error::db;

type KeyRow = (
    String,
    Vec<u8>,
    Vec<u8>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

pub(crate) async fn signing_keys(pool: &PgPool) -> Result<Vec<SigningKeyRecord>, StoreError> {
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT kid, private_der, public_raw, created_at, retired_at FROM signing_keys \
         ORDER BY created_at DESC, kid DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(
            |(kid, private_der, public_raw, created_at, retired_at)| SigningKeyRecord {
                kid,
                private_der,
                public_raw,
                created_at,
                retired_at,
            },
        )
        .collect())
}

/// Inserts `candidate` as the current key; the partial unique index on `is_current` turns a
/// second current key (or a reused kid) into a no-op, also between concurrent transactions.
pub(crate) async fn ensure_signing_key(
    pool: &PgPool,
    candidate: SigningKeyRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, private_der, public_raw, created_at, retired_at, \
         is_current) VALUES ($1, $2, $3, $4, $5, TRUE) ON CONFLICT DO NOTHING",
    )
    .bind(&candidate.kid)
    .bind(&candidate.private_der)
    .bind(&candidate.public_raw)
    .bind(micros(candidate.created_at))
    .bind(candidate.retired_at.map(micros))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn ensure_secret(
    pool: &PgPool,
    name: &str,
    candidate: &[u8],
) -> Result<Vec<u8>, StoreError> {
    // Two statements on purpose: a single one with a CTE would read with a snapshot taken before
    // a concurrent winner committed and could find no row at all.
    sqlx::query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(candidate)
        .execute(pool)
        .await
        .map_err(db)?;
    sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .map_err(db)
}
