//! The user directory: filtered, ordered pages of users, and staff changes to an account.
//!
//! Filters are bound parameters; the only text spliced into SQL is the ordering column, which
//! comes from the closed `UserOrderField` set.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    AccountPatch, PublicId, SearchScope, SessionId, StoreError, User, UserId, UserPage, UserQuery,
    directory::like_pattern,
};
use sqlx::PgPool;

use crate::codec::micros;
use crate::error::db;
use crate::sessions;
use crate::users::{user_columns, user_from_row};

/// The shared `WHERE` clause; parameters $1 role, $2 pattern, $3 search email too, $4 staff, $5 inactive.
macro_rules! filter {
    () => {
        "WHERE ($1::text IS NULL OR role = $1) \
         AND ($2::text IS NULL OR username ILIKE $2 ESCAPE '\\' OR first_name ILIKE $2 ESCAPE '\\' \
              OR last_name ILIKE $2 ESCAPE '\\' OR ($3::bool AND email ILIKE $2 ESCAPE '\\')) \
         AND ($4::bool OR (NOT is_staff AND NOT is_superuser)) AND ($5::bool OR is_active)"
    };
}

pub(crate) async fn by_public_id(pool: &PgPool, id: PublicId) -> Result<Option<User>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE public_id = $1"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(user_from_row)
    .transpose()
}

pub(crate) async fn list(pool: &PgPool, query: &UserQuery) -> Result<UserPage, StoreError> {
    let pattern = query.search.as_deref().map(like_pattern);
    let role = query.role.as_ref().map(AsRef::<str>::as_ref);
    let with_email = query.scope == SearchScope::WithEmail;
    // One snapshot, so the count and the page see the same rows.
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM users ", filter!()))
        .bind(role)
        .bind(pattern.as_deref())
        .bind(with_email)
        .bind(query.include_staff)
        .bind(query.include_inactive)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let direction = if query.ordering.descending {
        "DESC"
    } else {
        "ASC"
    };
    // NULL last_login sorts as the oldest either way round; id breaks ties so pages are stable.
    let nulls = if query.ordering.descending {
        "NULLS LAST"
    } else {
        "NULLS FIRST"
    };
    let sql = format!(
        "SELECT {} FROM users {} ORDER BY {} {direction} {nulls}, id {direction} \
         LIMIT $6 OFFSET $7",
        user_columns!(),
        filter!(),
        query.ordering.field.as_str(),
    );
    // The only spliced text is a column name from the closed `UserOrderField` set.
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(role)
        .bind(pattern.as_deref())
        .bind(with_email)
        .bind(query.include_staff)
        .bind(query.include_inactive)
        .bind(i64::from(query.limit))
        .bind(i64::try_from(query.offset).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(UserPage {
        total: u64::try_from(total).unwrap_or(0),
        users: rows.iter().map(user_from_row).collect::<Result<_, _>>()?,
    })
}

pub(crate) async fn update_account(
    pool: &PgPool,
    id: UserId,
    patch: &AccountPatch,
    now: DateTime<Utc>,
) -> Result<(User, Vec<SessionId>), StoreError> {
    let mut tx = pool.begin().await.map_err(db)?;
    let row = sqlx::query(concat!(
        "UPDATE users SET is_active = COALESCE($1, is_active), role = COALESCE($2, role), \
           is_staff = COALESCE($3, is_staff) WHERE id = $4 RETURNING ",
        user_columns!()
    ))
    .bind(patch.is_active)
    .bind(patch.role.as_ref().map(AsRef::<str>::as_ref))
    .bind(patch.is_staff)
    .bind(id.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?
    .ok_or(StoreError::NotFound)?;
    let user = user_from_row(&row)?;
    let revoked = if user.is_active {
        Vec::new()
    } else {
        sessions::revoke_all(&mut *tx, id, None, micros(now)).await?
    };
    tx.commit().await.map_err(db)?;
    Ok((user, revoked))
}
