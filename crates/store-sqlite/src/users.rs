//! The `users` table: accounts and their credentials.
//!
//! Username and email columns are `COLLATE NOCASE`, so plain `=` here is the case-insensitive
//! match the unique indexes enforce.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    Credentials, NewUser, ProfilePatch, PublicId, Role, SessionId, StoreError, User, UserId,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqliteExecutor, SqlitePool};

use crate::codec::{self, get_date_opt, get_session_id, get_time, get_time_opt, get_uuid};
use crate::error::{db, found, user_write};

/// The columns `user_from_row` reads, followed by the password hash.
macro_rules! user_columns {
    () => {
        "id, public_id, username, email, first_name, last_name, phone_number, date_of_birth, \
         gender, role, is_active, is_email_verified, is_staff, is_superuser, date_joined, \
         last_login, password_hash"
    };
}
pub(crate) use user_columns;

/// [`user_columns`] and whether a confirmed TOTP guards the account, for [`Credentials`].
macro_rules! credentials_columns {
    () => {
        concat!(
            user_columns!(),
            ", EXISTS (SELECT 1 FROM mfa_totp WHERE mfa_totp.user_id = users.id \
                 AND mfa_totp.confirmed_at IS NOT NULL) AS second_factor"
        )
    };
}

pub(crate) async fn create(pool: &SqlitePool, user: NewUser) -> Result<User, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let created = insert(&mut tx, user).await?;
    tx.commit().await.map_err(user_write)?;
    Ok(created)
}

/// Inserts a user inside the caller's write transaction (begun with `BEGIN IMMEDIATE`).
pub(crate) async fn insert(tx: &mut SqliteConnection, user: NewUser) -> Result<User, StoreError> {
    // Checked first (the write lock is already held) so a clash on both reports the username.
    let (username_taken, email_taken): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1), \
                EXISTS (SELECT 1 FROM users WHERE email = ?2)",
    )
    .bind(user.username.as_ref())
    .bind(user.email.as_ref())
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    if username_taken {
        return Err(StoreError::Conflict("username"));
    }
    if email_taken {
        return Err(StoreError::Conflict("email"));
    }
    let row = sqlx::query(concat!(
        "INSERT INTO users (public_id, username, email, password_hash, first_name, last_name, \
         phone_number, date_of_birth, gender, role, is_active, is_email_verified, is_staff, \
         is_superuser, date_joined) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ",
        user_columns!()
    ))
    .bind(codec::uuid(user.public_id.0))
    .bind(user.username.as_ref())
    .bind(user.email.as_ref())
    .bind(&user.password_hash)
    .bind(&user.first_name)
    .bind(&user.last_name)
    .bind(&user.phone_number)
    .bind(codec::date(user.date_of_birth))
    .bind(&user.gender)
    .bind(user.role.as_ref())
    .bind(user.is_active)
    .bind(user.is_email_verified)
    .bind(user.is_staff)
    .bind(user.is_superuser)
    .bind(codec::micros(user.date_joined))
    .fetch_one(&mut *tx)
    .await
    .map_err(user_write)?;
    user_from_row(&row)
}

pub(crate) async fn by_id(
    conn: impl SqliteExecutor<'_>,
    id: UserId,
) -> Result<Option<User>, StoreError> {
    let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?");
    row_by_id(conn, sql, id)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

pub(crate) async fn credentials_by_id(
    conn: impl SqliteExecutor<'_>,
    id: UserId,
) -> Result<Option<Credentials>, StoreError> {
    let sql = concat!(
        "SELECT ",
        credentials_columns!(),
        " FROM users WHERE id = ?"
    );
    row_by_id(conn, sql, id)
        .await?
        .as_ref()
        .map(credentials_from_row)
        .transpose()
}

async fn row_by_id(
    conn: impl SqliteExecutor<'_>,
    sql: &'static str,
    id: UserId,
) -> Result<Option<SqliteRow>, StoreError> {
    sqlx::query(sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db)
}

pub(crate) async fn credentials_by_login(
    pool: &SqlitePool,
    login: &str,
) -> Result<Option<Credentials>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        credentials_columns!(),
        " FROM users WHERE username = ?1 OR email = ?1 ORDER BY username = ?1 DESC LIMIT 1"
    ))
    .bind(login)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(credentials_from_row)
    .transpose()
}

pub(crate) async fn set_password_hash(
    conn: impl SqliteExecutor<'_>,
    id: UserId,
    hash: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(id.0)
        .execute(conn)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    Ok(())
}

/// Marks the user active with a verified email (an activation code was redeemed).
pub(crate) async fn activate(conn: impl SqliteExecutor<'_>, id: UserId) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET is_active = 1, is_email_verified = 1 WHERE id = ?")
        .bind(id.0)
        .execute(conn)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    Ok(())
}

/// Records that the user proved they read mail at their address (they followed a link or
/// typed a code sent there).
pub(crate) async fn mark_email_verified(
    conn: impl SqliteExecutor<'_>,
    id: UserId,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET is_email_verified = 1 WHERE id = ?")
        .bind(id.0)
        .execute(conn)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    Ok(())
}

/// Replaces the email with a verified one; a taken address is `Conflict("email")`.
pub(crate) async fn set_verified_email(
    conn: impl SqliteExecutor<'_>,
    id: UserId,
    email: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET email = ?, is_email_verified = 1 WHERE id = ?")
        .bind(email)
        .bind(id.0)
        .execute(conn)
        .await
        .map_err(user_write)?;
    found(done.rows_affected())?;
    Ok(())
}

pub(crate) async fn update_profile(
    pool: &SqlitePool,
    id: UserId,
    patch: &ProfilePatch,
) -> Result<User, StoreError> {
    // One statement: a `NULL` parameter leaves its column as it is.
    let rows = sqlx::query(concat!(
        "UPDATE users SET \
           username = COALESCE(?1, username), \
           first_name = COALESCE(?2, first_name), \
           last_name = COALESCE(?3, last_name), \
           phone_number = COALESCE(?4, phone_number), \
           date_of_birth = CASE WHEN ?5 THEN ?6 ELSE date_of_birth END, \
           gender = COALESCE(?7, gender), \
           role = COALESCE(?8, role) \
         WHERE id = ?9 RETURNING ",
        user_columns!()
    ))
    .bind(patch.username.as_ref().map(AsRef::<str>::as_ref))
    .bind(patch.first_name.as_deref())
    .bind(patch.last_name.as_deref())
    .bind(patch.phone_number.as_deref())
    .bind(patch.date_of_birth.is_some())
    .bind(codec::date(patch.date_of_birth.flatten()))
    .bind(patch.gender.as_deref())
    .bind(patch.role.as_ref().map(AsRef::<str>::as_ref))
    .bind(id.0)
    // To the end, not `fetch_optional`: the crate docs say why (the automatic checkpoint).
    .fetch_all(pool)
    .await
    .map_err(user_write)?;
    user_from_row(rows.first().ok_or(StoreError::NotFound)?)
}

pub(crate) async fn delete(
    pool: &SqlitePool,
    id: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<SessionId>, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let live = sqlx::query(
        "SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?",
    )
    .bind(id.0)
    .bind(codec::micros(now))
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?
    .iter()
    .map(|row| get_session_id(row, "id"))
    .collect::<Result<Vec<_>, _>>()?;
    // Sessions go with the user (ON DELETE CASCADE).
    let done = sqlx::query("DELETE FROM users WHERE id = ?")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    tx.commit().await.map_err(db)?;
    Ok(live)
}

fn credentials_from_row(row: &SqliteRow) -> Result<Credentials, StoreError> {
    Ok(Credentials {
        user: user_from_row(row)?,
        password_hash: row.try_get("password_hash").map_err(db)?,
        second_factor: row.try_get("second_factor").map_err(db)?,
    })
}

pub(crate) fn user_from_row(row: &SqliteRow) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(row.try_get("id").map_err(db)?),
        public_id: PublicId(get_uuid(row, "public_id")?),
        username: row.try_get("username").map_err(db)?,
        email: row.try_get("email").map_err(db)?,
        first_name: row.try_get("first_name").map_err(db)?,
        last_name: row.try_get("last_name").map_err(db)?,
        phone_number: row.try_get("phone_number").map_err(db)?,
        date_of_birth: get_date_opt(row, "date_of_birth")?,
        gender: row.try_get("gender").map_err(db)?,
        role: Role::from_store(row.try_get("role").map_err(db)?),
        is_active: row.try_get("is_active").map_err(db)?,
        is_email_verified: row.try_get("is_email_verified").map_err(db)?,
        is_staff: row.try_get("is_staff").map_err(db)?,
        is_superuser: row.try_get("is_superuser").map_err(db)?,
        date_joined: get_time(row, "date_joined")?,
        last_login: get_time_opt(row, "last_login")?,
    })
}
