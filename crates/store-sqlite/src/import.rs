//! `import_user`: create or update one imported account, matched by its import key.
//!
//! Runs in one `BEGIN IMMEDIATE` transaction, so the look-up, the uniqueness checks and the
//! write see the same table, and a refused user leaves nothing behind.

use gatehouse_domain::import::is_gatehouse_hash;
use gatehouse_domain::{ImportOutcome, ImportedUser, StoreError, UserId};
use sqlx::{SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::codec;
use crate::error::{db, user_write};

pub(crate) async fn import_user(
    pool: &SqlitePool,
    user: ImportedUser,
    dry_run: bool,
) -> Result<ImportOutcome, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let existing: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE import_key = ?")
            .bind(user.key.as_ref())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
    let own_id = existing.as_ref().map(|(id, _)| *id);
    check_unique(&mut tx, &user, own_id).await?;
    let outcome = match existing {
        Some((id, stored)) => {
            update(&mut tx, &user, id).await?;
            ImportOutcome::Updated {
                id: UserId(id),
                kept_gatehouse_password: is_gatehouse_hash(&stored),
            }
        }
        None => ImportOutcome::Created(insert(&mut tx, &user).await?),
    };
    if dry_run {
        tx.rollback().await.map_err(db)?;
    } else {
        tx.commit().await.map_err(user_write)?;
    }
    Ok(outcome)
}

/// `Conflict` when another user (not `own_id`) has the username or the email.
async fn check_unique(
    tx: &mut SqliteConnection,
    user: &ImportedUser,
    own_id: Option<i64>,
) -> Result<(), StoreError> {
    let (username_taken, email_taken): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1 AND id IS NOT ?3), \
                EXISTS (SELECT 1 FROM users WHERE email = ?2 AND id IS NOT ?3)",
    )
    .bind(user.username.as_ref())
    .bind(user.email.as_ref())
    .bind(own_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    if username_taken {
        return Err(StoreError::Conflict("username"));
    }
    if email_taken {
        return Err(StoreError::Conflict("email"));
    }
    Ok(())
}

/// Inserts the account, with `wanted_id` when no user has it (AUTOINCREMENT then continues
/// after the largest id, so later accounts never collide with it).
async fn insert(tx: &mut SqliteConnection, user: &ImportedUser) -> Result<UserId, StoreError> {
    let id = match user.wanted_id {
        Some(wanted) => {
            let taken: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)")
                    .bind(wanted.0)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
            (!taken).then_some(wanted.0)
        }
        None => None,
    };
    let role = user.role.as_ref().unwrap_or(&user.default_role);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (id, public_id, username, email, password_hash, first_name, last_name, \
         phone_number, date_of_birth, gender, role, is_active, is_email_verified, is_staff, \
         is_superuser, date_joined, last_login, import_key) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(id)
    .bind(codec::uuid(Uuid::new_v4()))
    .bind(user.username.as_ref())
    .bind(user.email.as_ref())
    .bind(&user.password_hash)
    .bind(user.first_name.as_deref().unwrap_or_default())
    .bind(user.last_name.as_deref().unwrap_or_default())
    .bind(user.phone_number.as_deref().unwrap_or_default())
    .bind(codec::date(user.date_of_birth.flatten()))
    .bind(user.gender.as_deref().unwrap_or_default())
    .bind(role.as_ref())
    .bind(user.is_active.unwrap_or(true))
    .bind(user.is_email_verified.unwrap_or(false))
    .bind(user.is_staff.unwrap_or(false))
    .bind(user.is_superuser.unwrap_or(false))
    .bind(codec::micros(user.date_joined.unwrap_or(user.imported_at)))
    .bind(user.last_login.map(codec::micros))
    .bind(user.key.as_ref())
    .fetch_one(&mut *tx)
    .await
    .map_err(user_write)?;
    Ok(UserId(id))
}

/// Brings the account up to date; a `NULL` parameter leaves its column as it is.
async fn update(tx: &mut SqliteConnection, user: &ImportedUser, id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET \
           username = ?1, \
           email = ?2, \
           password_hash = CASE WHEN substr(password_hash, 1, 1) = '$' THEN password_hash \
                                ELSE ?3 END, \
           first_name = COALESCE(?4, first_name), \
           last_name = COALESCE(?5, last_name), \
           phone_number = COALESCE(?6, phone_number), \
           date_of_birth = CASE WHEN ?7 THEN ?8 ELSE date_of_birth END, \
           gender = COALESCE(?9, gender), \
           role = COALESCE(?10, role), \
           is_active = COALESCE(?11, is_active), \
           is_email_verified = COALESCE(?12, is_email_verified), \
           is_staff = COALESCE(?13, is_staff), \
           is_superuser = COALESCE(?14, is_superuser), \
           date_joined = COALESCE(?15, date_joined), \
           last_login = CASE WHEN last_login IS NULL OR ?16 > last_login THEN \
                               COALESCE(?16, last_login) ELSE last_login END \
         WHERE id = ?17",
    )
    .bind(user.username.as_ref())
    .bind(user.email.as_ref())
    .bind(&user.password_hash)
    .bind(user.first_name.as_deref())
    .bind(user.last_name.as_deref())
    .bind(user.phone_number.as_deref())
    .bind(user.date_of_birth.is_some())
    .bind(codec::date(user.date_of_birth.flatten()))
    .bind(user.gender.as_deref())
    .bind(user.role.as_ref().map(AsRef::<str>::as_ref))
    .bind(user.is_active)
    .bind(user.is_email_verified)
    .bind(user.is_staff)
    .bind(user.is_superuser)
    .bind(user.date_joined.map(codec::micros))
    .bind(user.last_login.map(codec::micros))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(user_write)?;
    Ok(())
}
