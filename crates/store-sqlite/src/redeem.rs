//! Redeeming a one-time secret: using it up and applying its effect in one transaction.
//!
//! The secret is spent first, by a compare-and-set that only matches a live row; losing that
//! race (or any failure of the effect after it, such as a taken email) rolls everything back,
//! so a secret is either spent with its whole effect or not at all.

use chrono::{DateTime, Utc};
use gatehouse_domain::{Purpose, Redeemed, Redemption, SecretId, StoreError, UserId};
use sqlx::SqlitePool;

use crate::codec;
use crate::error::db;
use crate::{jobs, secrets, sessions, users};

/// The purposes a password reset spends: every other way to the same reset.
const RESET_PURPOSES: [Purpose; 4] = [
    Purpose::PasswordReset,
    Purpose::ResetLink,
    Purpose::ResetToken,
    // A second-factor challenge opened with the old password must not outlive it.
    Purpose::MfaChallenge,
];

/// The secrets an email change voids: every code or link that went to the old address.
const MAILED_PURPOSES: [Purpose; 5] = [
    Purpose::Activation,
    Purpose::Login,
    Purpose::PasswordReset,
    Purpose::ResetLink,
    Purpose::ResetToken,
];

pub(crate) async fn redeem(
    pool: &SqlitePool,
    id: SecretId,
    effect: Redemption,
    now: DateTime<Utc>,
) -> Result<Redeemed, StoreError> {
    let now_micros = codec::micros(now);
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let spent: Option<(i64, String)> = sqlx::query_as(
        "UPDATE one_time_secrets SET used_at = ?1 \
         WHERE id = ?2 AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?1 \
         RETURNING user_id, target",
    )
    .bind(now_micros)
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some((user, target)) = spent else {
        return Err(StoreError::NotFound);
    };
    let user = UserId(user);
    let mut revoked = Vec::new();
    match effect {
        Redemption::Consume => {}
        Redemption::Activate => users::activate(&mut *tx, user).await?,
        Redemption::ResetPassword { hash, notice } => {
            users::set_password_hash(&mut *tx, user, &hash).await?;
            users::mark_email_verified(&mut *tx, user).await?;
            revoked = sessions::revoke_all(&mut *tx, user, None, now).await?;
            secrets::void(&mut tx, user, &RESET_PURPOSES, now_micros).await?;
            jobs::insert(&mut *tx, &notice).await?;
        }
        Redemption::Exchange { next } => {
            secrets::store(&mut tx, user, &next).await?;
        }
        Redemption::ChangeEmail { notice } => {
            if target.is_empty() {
                return Err(StoreError::Other("the secret has no target email".into()));
            }
            users::set_verified_email(&mut *tx, user, &target).await?;
            secrets::void(&mut tx, user, &MAILED_PURPOSES, now_micros).await?;
            jobs::insert(&mut *tx, &notice).await?;
        }
    }
    let user = users::by_id(&mut *tx, user)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(db)?;
    Ok(Redeemed { user, revoked })
}
