//! The TOTP second factor: `mfa_totp` (one sealed secret per user, its confirmation and the last
//! accepted time step), `mfa_recovery_codes` (keyed hashes), and login challenges, which are
//! `one_time_secrets` of purpose `mfa_challenge`.
//!
//! Spending a proof is a conditional `UPDATE` (compare-and-set) inside the transaction of what
//! it allows; the row lock it takes makes a second request with the same code wait, re-check the
//! condition and lose.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    MfaProof, NewSecret, Purpose, RecoveryCode, RecoveryCodeId, SecretId, StoreError, TotpRecord,
    UserId,
};
use sqlx::{PgConnection, PgPool, Row};

use crate::codec::micros;
use crate::error::{db, user_reference};
use crate::secrets;

pub(crate) async fn totp(pool: &PgPool, user: UserId) -> Result<Option<TotpRecord>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT secret, created_at, confirmed_at, last_step FROM mfa_totp WHERE user_id = $1",
    )
    .bind(user.0)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    else {
        return Ok(None);
    };
    let codes: Vec<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT id, hash FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL \
         ORDER BY id",
    )
    .bind(user.0)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(Some(TotpRecord {
        user_id: user,
        sealed_secret: row.try_get("secret").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        confirmed_at: row.try_get("confirmed_at").map_err(db)?,
        last_step: row.try_get("last_step").map_err(db)?,
        recovery_codes: codes
            .into_iter()
            .map(|(id, hash)| RecoveryCode {
                id: RecoveryCodeId(id),
                hash,
            })
            .collect(),
    }))
}

pub(crate) async fn enrol(
    pool: &PgPool,
    user: UserId,
    sealed_secret: &[u8],
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO mfa_totp (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE \
         SET secret = excluded.secret, created_at = excluded.created_at, last_step = -1 \
         WHERE mfa_totp.confirmed_at IS NULL",
    )
    .bind(user.0)
    .bind(sealed_secret)
    .bind(micros(now))
    .execute(pool)
    .await
    .map_err(user_reference)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn confirm(
    pool: &PgPool,
    user: UserId,
    sealed_secret: &[u8],
    step: i64,
    recovery_hashes: &[Vec<u8>],
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(db)?;
    let done = sqlx::query(
        "UPDATE mfa_totp SET confirmed_at = $1, last_step = $2 \
         WHERE user_id = $3 AND secret = $4 AND confirmed_at IS NULL AND last_step < $2",
    )
    .bind(micros(now))
    .bind(step)
    .bind(user.0)
    .bind(sealed_secret)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    sqlx::query("INSERT INTO mfa_recovery_codes (user_id, hash) SELECT $1, UNNEST($2::BYTEA[])")
        .bind(user.0)
        .bind(recovery_hashes)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(true)
}

pub(crate) async fn create_challenge(
    pool: &PgPool,
    user: UserId,
    challenge: &NewSecret,
) -> Result<(), StoreError> {
    if challenge.purpose != Purpose::MfaChallenge {
        return Err(StoreError::Other(
            "a login challenge must have the purpose mfa_challenge".into(),
        ));
    }
    let mut tx = pool.begin().await.map_err(db)?;
    secrets::store(&mut tx, user, challenge).await?;
    tx.commit().await.map_err(db)?;
    Ok(())
}

pub(crate) async fn pass_challenge(
    pool: &PgPool,
    id: SecretId,
    proof: MfaProof,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(db)?;
    let user: Option<i64> = sqlx::query_scalar(
        "UPDATE one_time_secrets SET used_at = $1 \
         WHERE id = $2 AND purpose = 'mfa_challenge' AND used_at IS NULL AND voided_at IS NULL \
           AND expires_at > $1 \
         RETURNING user_id",
    )
    .bind(micros(now))
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let user = UserId(user.ok_or(StoreError::NotFound)?);
    if !spend(&mut tx, user, proof, now).await? {
        return Ok(false);
    }
    tx.commit().await.map_err(db)?;
    Ok(true)
}

pub(crate) async fn disable(
    pool: &PgPool,
    user: UserId,
    proof: MfaProof,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(db)?;
    if !spend(&mut tx, user, proof, now).await? {
        return Ok(false);
    }
    for statement in [
        "DELETE FROM mfa_recovery_codes WHERE user_id = $1",
        "DELETE FROM mfa_totp WHERE user_id = $1",
    ] {
        sqlx::query(statement)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(true)
}

/// Spends `proof` for `user` if it is unspent and their TOTP is confirmed; false otherwise.
async fn spend(
    tx: &mut PgConnection,
    user: UserId,
    proof: MfaProof,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = match proof {
        MfaProof::Totp { step } => sqlx::query(
            "UPDATE mfa_totp SET last_step = $1 \
             WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
        )
        .bind(step)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?,
        MfaProof::Recovery { id } => sqlx::query(
            "UPDATE mfa_recovery_codes SET used_at = $1 \
             WHERE id = $2 AND user_id = $3 AND used_at IS NULL \
               AND EXISTS (SELECT 1 FROM mfa_totp \
                           WHERE user_id = $3 AND confirmed_at IS NOT NULL)",
        )
        .bind(micros(now))
        .bind(id.0)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?,
    };
    Ok(done.rows_affected() == 1)
}
