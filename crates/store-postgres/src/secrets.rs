//! The `one_time_secrets` table: 6-digit codes and link tokens, kept only as keyed hashes.
//!
//! A secret is live while it is neither used, voided nor expired. Issuing one voids the user's
//! older live secrets of its purpose, so only the newest code or link works. Issuing locks the
//! user's row before it reads the cooldown, so two requests inside one cooldown queue on that
//! lock and the second sees the first's secret: they cannot both issue.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    NewJob, NewSecret, NewUser, Purpose, SecretId, SecretRecord, StoreError, User, UserId,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

use crate::codec::micros;
use crate::error::{Corrupt, db, found, user_reference, user_write};
use crate::{jobs, users};

macro_rules! secret_columns {
    () => {
        "id, user_id, purpose, hash, target, attempts, created_at, expires_at"
    };
}

pub(crate) async fn create_user_with_secret(
    pool: &PgPool,
    user: NewUser,
    secret: &NewSecret,
    job: &NewJob,
) -> Result<User, StoreError> {
    let mut tx = pool.begin().await.map_err(db)?;
    let created = users::insert(&mut tx, user).await?;
    store(&mut tx, created.id, secret).await?;
    jobs::insert(&mut *tx, job).await?;
    tx.commit().await.map_err(user_write)?;
    Ok(created)
}

pub(crate) async fn issue(
    pool: &PgPool,
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
    let mut tx = pool.begin().await.map_err(db)?;
    // The lock serializes issuers for this user (and holds off a concurrent `delete_user`).
    let exists = sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    let cooling: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM one_time_secrets \
                        WHERE user_id = $1 AND purpose = $2 AND created_at > $3)",
    )
    .bind(user.0)
    .bind(first.purpose.as_str())
    .bind(micros(cooldown_since))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
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
    tx: &mut PgConnection,
    user: UserId,
    secret: &NewSecret,
) -> Result<(), StoreError> {
    void(&mut *tx, user, &[secret.purpose], secret.created_at).await?;
    sqlx::query(
        "INSERT INTO one_time_secrets (user_id, purpose, hash, target, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.0)
    .bind(secret.purpose.as_str())
    .bind(&secret.hash)
    .bind(&secret.target)
    .bind(micros(secret.created_at))
    .bind(micros(secret.expires_at))
    .execute(&mut *tx)
    .await
    .map_err(user_reference)?;
    Ok(())
}

/// Voids `user`'s unspent secrets of the given purposes at `at`.
pub(crate) async fn void(
    tx: &mut PgConnection,
    user: UserId,
    purposes: &[Purpose],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let purposes: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    sqlx::query(
        "UPDATE one_time_secrets SET voided_at = $1 \
         WHERE user_id = $2 AND purpose = ANY($3) AND used_at IS NULL AND voided_at IS NULL",
    )
    .bind(micros(at))
    .bind(user.0)
    .bind(purposes)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn live(
    pool: &PgPool,
    user: UserId,
    purpose: Purpose,
    now: DateTime<Utc>,
    max_attempts: i32,
) -> Result<Option<SecretRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        secret_columns!(),
        " FROM one_time_secrets \
          WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND voided_at IS NULL \
            AND expires_at > $3 AND attempts < $4 \
          ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(user.0)
    .bind(purpose.as_str())
    .bind(micros(now))
    .bind(max_attempts)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(secret_from_row)
    .transpose()
}

pub(crate) async fn by_hash(
    pool: &PgPool,
    purpose: Purpose,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<SecretRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        secret_columns!(),
        " FROM one_time_secrets \
          WHERE purpose = $1 AND hash = $2 AND used_at IS NULL AND voided_at IS NULL \
            AND expires_at > $3 \
          ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(purpose.as_str())
    .bind(hash)
    .bind(micros(now))
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(secret_from_row)
    .transpose()
}

pub(crate) async fn fail(pool: &PgPool, id: SecretId) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE one_time_secrets SET attempts = attempts + 1 WHERE id = $1")
        .bind(id.0)
        .execute(pool)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    Ok(())
}

pub(crate) async fn prune(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM one_time_secrets WHERE expires_at < $1 OR used_at < $1 OR voided_at < $1",
    )
    .bind(micros(before))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected())
}

fn secret_from_row(row: &PgRow) -> Result<SecretRecord, StoreError> {
    let purpose: String = row.try_get("purpose").map_err(db)?;
    Ok(SecretRecord {
        id: SecretId(row.try_get("id").map_err(db)?),
        user_id: UserId(row.try_get("user_id").map_err(db)?),
        purpose: Purpose::from_str_opt(&purpose)
            .ok_or_else(|| Corrupt::store("purpose", &purpose))?,
        hash: row.try_get("hash").map_err(db)?,
        target: row.try_get("target").map_err(db)?,
        attempts: row.try_get("attempts").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        expires_at: row.try_get("expires_at").map_err(db)?,
    })
}
