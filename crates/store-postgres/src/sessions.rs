//! The `sessions` table: one row per login, advanced by compare-and-set on each refresh.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    Advance, NewAuditEntry, NewJob, NewSession, RevokedSession, Session, SessionId, StoreError,
    UserId, answer_steps, distinct_steps,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgExecutor, PgPool, Row};
use uuid::Uuid;

use crate::codec::micros;
use crate::error::{db, found, user_reference};

macro_rules! session_columns {
    () => {
        "id, user_id, counter, user_agent, ip, created_at, last_used_at, rotated_at, expires_at, \
         revoked_at"
    };
}

/// One statement: the CTE moves the user's `last_login` (locking the user's row against a
/// concurrent `delete_user`), the session is inserted only if it found the user, and `login`,
/// the audit entry recording it, only if the session was (when there is an entry).
pub(crate) async fn start(
    pool: &PgPool,
    new: NewSession,
    login: Option<&NewAuditEntry>,
) -> Result<Session, StoreError> {
    let now = micros(new.now);
    let row = sqlx::query(concat!(
        "WITH touched AS (UPDATE users SET last_login = $5 WHERE id = $2 RETURNING id), \
         started AS (INSERT INTO sessions (id, user_id, counter, user_agent, ip, created_at, \
         last_used_at, rotated_at, expires_at, revoked_at) \
         SELECT $1, touched.id, 0, $3, $4, $5, $5, NULL, $6, NULL FROM touched RETURNING ",
        session_columns!(),
        "), recorded AS (INSERT INTO audit_log (event, actor_id, target_id, ip, user_agent, \
         detail, at) SELECT $7, $8, $9, $10, $11, $12, $13 FROM started \
         WHERE $7::text IS NOT NULL) \
         SELECT * FROM started"
    ))
    .bind(new.id.0)
    .bind(new.user_id.0)
    .bind(&new.user_agent)
    .bind(&new.ip)
    .bind(now)
    .bind(micros(new.expires_at))
    .bind(login.map(|e| e.event.as_str()))
    .bind(login.and_then(|e| e.actor.map(|u| u.0)))
    .bind(login.and_then(|e| e.target.map(|u| u.0)))
    .bind(login.map(|e| e.ip.as_str()))
    .bind(login.map(|e| e.user_agent.as_str()))
    .bind(login.map(|e| e.detail.as_str()))
    .bind(login.map(|e| micros(e.at)))
    .fetch_optional(pool)
    .await
    .map_err(user_reference)?
    .ok_or(StoreError::NotFound)?;
    session_from_row(&row)
}

pub(crate) async fn by_id(pool: &PgPool, id: SessionId) -> Result<Option<Session>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(session_from_row)
    .transpose()
}

/// The whole batch in one statement, so one round trip and one commit serve many rotations.
/// Steps go in sorted by session id: two nodes' batches then lock shared rows in the same order.
pub(crate) async fn advance(
    conn: &mut PgConnection,
    steps: &[Advance],
) -> Result<Vec<Option<UserId>>, StoreError> {
    let mut distinct = distinct_steps(steps);
    if distinct.is_empty() {
        return Ok(Vec::new());
    }
    distinct.sort_by_key(|s| s.id);
    let moved: Vec<(Uuid, i64, i64)> = sqlx::query_as(
        "UPDATE sessions s SET counter = s.counter + 1, rotated_at = step.now, \
         last_used_at = step.now, expires_at = step.expires_at \
         FROM unnest($1::uuid[], $2::int8[], $3::timestamptz[], $4::timestamptz[]) \
           AS step(id, from_counter, now, expires_at) \
         WHERE s.id = step.id AND s.counter = step.from_counter AND s.revoked_at IS NULL \
           AND s.expires_at > step.now \
         RETURNING s.id, s.counter - 1, s.user_id",
    )
    .bind(column(&distinct, |a| a.id.0))
    .bind(column(&distinct, |a| a.from))
    .bind(column(&distinct, |a| micros(a.now)))
    .bind(column(&distinct, |a| micros(a.expires_at)))
    .fetch_all(conn)
    .await
    .map_err(db)?;
    let moved: Vec<_> = moved
        .into_iter()
        .map(|(id, from, user)| (SessionId(id), from, UserId(user)))
        .collect();
    Ok(answer_steps(steps, &moved))
}

/// One field of every step: a column for `unnest`.
fn column<T>(steps: &[Advance], field: impl Fn(&Advance) -> T) -> Vec<T> {
    steps.iter().map(field).collect()
}

pub(crate) async fn revoke(
    pool: &PgPool,
    id: SessionId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(micros(now))
    .bind(id.0)
    .bind(user.0)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every unrevoked session of `user` but `keep`, returning their ids.
pub(crate) async fn revoke_all(
    conn: impl PgExecutor<'_>,
    user: UserId,
    keep: Option<SessionId>,
    now: DateTime<Utc>,
) -> Result<Vec<SessionId>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE user_id = $2 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3) \
         RETURNING id",
    )
    .bind(micros(now))
    .bind(user.0)
    .bind(keep.map(|k| k.0))
    .fetch_all(conn)
    .await
    .map_err(db)?;
    Ok(ids.into_iter().map(SessionId).collect())
}

pub(crate) async fn change_password(
    pool: &PgPool,
    user: UserId,
    hash: &str,
    keep: SessionId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    notice: &NewJob,
) -> Result<Vec<SessionId>, StoreError> {
    let mut tx = pool.begin().await.map_err(db)?;
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    let revoked = revoke_all(&mut *tx, user, Some(keep), now).await?;
    // `keep` must be a live session of this user, or nothing happens at all.
    let kept = sqlx::query(
        "UPDATE sessions SET counter = counter + 1, rotated_at = $1, last_used_at = $1, \
         expires_at = $2 WHERE id = $3 AND user_id = $4 AND revoked_at IS NULL",
    )
    .bind(micros(now))
    .bind(micros(expires_at))
    .bind(keep.0)
    .bind(user.0)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    found(kept.rows_affected())?;
    crate::jobs::insert(&mut *tx, notice).await?;
    tx.commit().await.map_err(db)?;
    Ok(revoked)
}

pub(crate) async fn live(
    pool: &PgPool,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<Session>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
          ORDER BY created_at DESC, id DESC"
    ))
    .bind(user.0)
    .bind(micros(now))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(session_from_row)
    .collect()
}

pub(crate) async fn revoked_since(
    pool: &PgPool,
    since: DateTime<Utc>,
) -> Result<Vec<RevokedSession>, StoreError> {
    let rows: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, revoked_at FROM sessions WHERE revoked_at >= $1 ORDER BY revoked_at",
    )
    .bind(micros(since))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, revoked_at)| RevokedSession {
            id: SessionId(id),
            revoked_at,
        })
        .collect())
}

pub(crate) async fn prune(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1")
        .bind(micros(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

fn session_from_row(row: &PgRow) -> Result<Session, StoreError> {
    Ok(Session {
        id: SessionId(row.try_get("id").map_err(db)?),
        user_id: UserId(row.try_get("user_id").map_err(db)?),
        counter: row.try_get("counter").map_err(db)?,
        user_agent: row.try_get("user_agent").map_err(db)?,
        ip: row.try_get("ip").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        last_used_at: row.try_get("last_used_at").map_err(db)?,
        rotated_at: row.try_get("rotated_at").map_err(db)?,
        expires_at: row.try_get("expires_at").map_err(db)?,
        revoked_at: row.try_get("revoked_at").map_err(db)?,
    })
}
