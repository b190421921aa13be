//! The `one_time_secrets` table: 6-digit codes and link tokens, kept only as keyed hashes.
//!
//! A secret is live while it is neither used, voided nor expired. Issuing one voids the user's
//! older live secrets of its purpose, so only the newest code or link works. Writes that read
//! first (the cooldown check, redemption) run under `BEGIN IMMEDIATE`, which serializes them
//! against every other writer: two requests inside one cooldown cannot both issue.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    NewJob, NewSecret, NewUser, Purpose, SecretId, SecretRecord, StoreError, User, UserId,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::codec::{self, get_time};
use crate::error::{Corrupt, db, found, user_reference, user_write};
use crate::{jobs, users};

macro_rules! secret_columns {
    () => {
        "id, user_id, purpose, hash, target, attempts, created_at, expires_at"
    };
}

pub(crate) async fn create_user_with_secret(
    pool: &SqlitePool,
    user: NewUser,
    secret: &NewSecret,
    job: &NewJob,
) -> Result<User, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let created = users::insert(&mut tx, user).await?;
    store(&mut tx, created.id, secret).await?;
    jobs::insert(&mut *tx, job).await?;
    tx.commit().await.map_err(user_write)?;
    Ok(created)
}

pub(crate) async fn issue(
    pool: &SqlitePool,
    user: UserId,
    secrets: &[NewSecret],
    job: &NewJob,
    cooldown_since: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(first) = secrets.first() else {
        return Err(StoreError::Other(
            "issue_secrets needs at least one secret".into(),
        ));
    };
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let (exists, cooling): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1), \
                EXISTS (SELECT 1 FROM one_time_secrets \
                        WHERE user_id = ?1 AND purpose = ?2 AND created_at > ?3)",
    )
    .bind(user.0)
    .bind(first.purpose.as_str())
    .bind(codec::micros(cooldown_since))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    if !exists {
        return Err(StoreError::NotFound);
    }
    if cooling {
        return Ok(false);
    }
    for secret in secrets {
        store(&mut tx, user, secret).await?;
    }
    jobs::insert(&mut *tx, job).await?;
    tx.commit().await.map_err(db)?;
    Ok(true)
}

/// Voids `user`'s live secrets of `secret.purpose` as of its creation, then stores it.
pub(crate) async fn store(
    tx: &mut SqliteConnection,
    user: UserId,
    secret: &NewSecret,
) -> Result<(), StoreError> {
    let created_at = codec::micros(secret.created_at);
    void(&mut *tx, user, &[secret.purpose], created_at).await?;
    sqlx::query(
        "INSERT INTO one_time_secrets (user_id, purpose, hash, target, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(user.0)
    .bind(secret.purpose.as_str())
    .bind(&secret.hash)
    .bind(&secret.target)
    .bind(created_at)
    .bind(codec::micros(secret.expires_at))
    .execute(&mut *tx)
    .await
    .map_err(user_reference)?;
    Ok(())
}

/// Voids `user`'s unspent secrets of the given purposes at `at` (micros).
pub(crate) async fn void(
    tx: &mut SqliteConnection,
    user: UserId,
    purposes: &[Purpose],
    at: i64,
) -> Result<(), StoreError> {
    for purpose in purposes {
        sqlx::query(
            "UPDATE one_time_secrets SET voided_at = ? \
             WHERE user_id = ? AND purpose = ? AND used_at IS NULL AND voided_at IS NULL",
        )
        .bind(at)
        .bind(user.0)
        .bind(purpose.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    Ok(())
}

pub(crate) async fn live(
    pool: &SqlitePool,
    user: UserId,
    purpose: Purpose,
    now: DateTime<Utc>,
    max_attempts: i32,
) -> Result<Option<SecretRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        secret_columns!(),
        " FROM one_time_secrets \
          WHERE user_id = ? AND purpose = ? AND used_at IS NULL AND voided_at IS NULL \
            AND expires_at > ? AND attempts < ? \
          ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(user.0)
    .bind(purpose.as_str())
    .bind(codec::micros(now))
    .bind(max_attempts)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(secret_from_row)
    .transpose()
}

pub(crate) async fn by_hash(
    pool: &SqlitePool,
    purpose: Purpose,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<SecretRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        secret_columns!(),
        " FROM one_time_secrets \
          WHERE purpose = ? AND hash = ? AND used_at IS NULL AND voided_at IS NULL \
            AND expires_at > ? \
          ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(purpose.as_str())
    .bind(hash)
    .bind(codec::micros(now))
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(secret_from_row)
    .transpose()
}

pub(crate) async fn fail(pool: &SqlitePool, id: SecretId) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE one_time_secrets SET attempts = attempts + 1 WHERE id = ?")
        .bind(id.0)
        .execute(pool)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    Ok(())
}

pub(crate) async fn prune(pool: &SqlitePool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM one_time_secrets WHERE expires_at < ?1 OR used_at < ?1 OR voided_at < ?1",
    )
    .bind(codec::micros(before))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected())
}

fn secret_from_row(row: &SqliteRow) -> Result<SecretRecord, StoreError> {
    let purpose: String = row.try_get("purpose").map_err(db)?;
    Ok(SecretRecord {
        id: SecretId(row.try_get("id").map_err(db)?),
        user_id: UserId(row.try_get("user_id").map_err(db)?),
        purpose: Purpose::from_str_opt(&purpose)
            .ok_or_else(|| Corrupt::store("purpose", &purpose))?,
        hash: row.try_get("hash").map_err(db)?,
        target: row.try_get("target").map_err(db)?,
        attempts: row.try_get("attempts").map_err(db)?,
        created_at: get_time(row, "created_at")?,
        expires_at: get_time(row, "expires_at")?,
    })
}
