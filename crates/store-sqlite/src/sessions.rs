//! The `sessions` table: one row per login, advanced by compare-and-set on each refresh.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    Advance, NewAuditEntry, NewJob, NewSession, RevokedSession, Session, SessionId, StoreError,
    UserId, answer_steps, distinct_steps,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteExecutor, SqlitePool};

use crate::codec::{self, get_session_id, get_time, get_time_opt};
use crate::error::{db, found, user_reference};

macro_rules! session_columns {
    () => {
        "id, user_id, counter, user_agent, ip, created_at, last_used_at, rotated_at, expires_at, \
         revoked_at"
    };
}

/// One statement, an INSERT into the view `session_starts` (migration 0009), whose trigger
/// writes the session and `login`, the audit entry recording it, when there is one; the trigger
/// `sessions_start_sets_last_login` (migration 0008) moves the user's `last_login` within it,
/// and an unknown user fails the foreign key, which undoes both rows. RETURNING gives back the
/// values the session was inserted with.
pub(crate) async fn start(
    pool: &SqlitePool,
    new: NewSession,
    login: Option<&NewAuditEntry>,
) -> Result<Session, StoreError> {
    let now = codec::micros(new.now);
    let rows = sqlx::query(concat!(
        "INSERT INTO session_starts (id, user_id, counter, user_agent, ip, created_at, \
         last_used_at, rotated_at, expires_at, revoked_at, entry_event, entry_actor_id, \
         entry_target_id, entry_ip, entry_user_agent, entry_detail, entry_at) \
         VALUES (?1, ?2, 0, ?3, ?4, ?5, ?5, NULL, ?6, NULL, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         RETURNING ",
        session_columns!()
    ))
    .bind(codec::uuid(new.id.0))
    .bind(new.user_id.0)
    .bind(&new.user_agent)
    .bind(&new.ip)
    .bind(now)
    .bind(codec::micros(new.expires_at))
    .bind(login.map(|e| e.event.as_str()))
    .bind(login.and_then(|e| e.actor.map(|u| u.0)))
    .bind(login.and_then(|e| e.target.map(|u| u.0)))
    .bind(login.map(|e| e.ip.as_str()))
    .bind(login.map(|e| e.user_agent.as_str()))
    .bind(login.map(|e| e.detail.as_str()))
    .bind(login.map(|e| codec::micros(e.at)))
    // To the end, not `fetch_one`: the crate docs say why (the automatic checkpoint).
    .fetch_all(pool)
    .await
    .map_err(user_reference)?;
    session_from_row(rows.first().ok_or(StoreError::NotFound)?)
}

pub(crate) async fn by_id(pool: &SqlitePool, id: SessionId) -> Result<Option<Session>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = ?"
    ))
    .bind(codec::uuid(id.0))
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(session_from_row)
    .transpose()
}

/// A batch of rotations: `?1` is a JSON array of `[id, from, now, expires_at]` steps.
///
/// The `+` in `+sessions.revoked_at` keeps the planner off any index on `revoked_at`: with the
/// full one there was before migration 0007, SQLite scanned every live session for each step
/// instead of looking each step's session up by id (measured: 17 refreshes/s).
/// `tests::a_rotation_batch_looks_sessions_up_by_id` holds the plan.
pub(crate) const ADVANCE: &str = "UPDATE sessions SET counter = counter + 1, \
     rotated_at = step.value ->> 2, last_used_at = step.value ->> 2, expires_at = step.value ->> 3 \
     FROM json_each(?1) AS step \
     WHERE sessions.id = step.value ->> 0 AND sessions.counter = step.value ->> 1 \
       AND +sessions.revoked_at IS NULL AND sessions.expires_at > step.value ->> 2 \
     RETURNING sessions.id, sessions.counter - 1 AS moved_from, sessions.user_id";

/// The whole batch in one statement (the steps as a JSON array), so one call to the connection's
/// thread and one commit serve many rotations.
pub(crate) async fn advance(
    conn: impl SqliteExecutor<'_>,
    steps: &[Advance],
) -> Result<Vec<Option<UserId>>, StoreError> {
    let distinct = distinct_steps(steps);
    if distinct.is_empty() {
        return Ok(Vec::new());
    }
    let batch: Vec<_> = distinct
        .iter()
        .map(|s| {
            serde_json::json!([
                codec::uuid(s.id.0),
                s.from,
                codec::micros(s.now),
                codec::micros(s.expires_at)
            ])
        })
        .collect();
    let rows = sqlx::query(ADVANCE)
        .bind(serde_json::Value::Array(batch).to_string())
        .fetch_all(conn)
        .await
        .map_err(db)?;
    let moved = rows
        .iter()
        .map(|row| {
            let from: i64 = row.try_get("moved_from").map_err(db)?;
            let user: i64 = row.try_get("user_id").map_err(db)?;
            Ok((get_session_id(row, "id")?, from, UserId(user)))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(answer_steps(steps, &moved))
}

pub(crate) async fn revoke(
    pool: &SqlitePool,
    id: SessionId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
    )
    .bind(codec::micros(now))
    .bind(codec::uuid(id.0))
    .bind(user.0)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every unrevoked session of `user` but `keep`, returning their ids.
pub(crate) async fn revoke_all(
    conn: impl SqliteExecutor<'_>,
    user: UserId,
    keep: Option<SessionId>,
    now: DateTime<Utc>,
) -> Result<Vec<SessionId>, StoreError> {
    sqlx::query(
        "UPDATE sessions SET revoked_at = ?1 \
         WHERE user_id = ?2 AND revoked_at IS NULL AND (?3 IS NULL OR id <> ?3) RETURNING id",
    )
    .bind(codec::micros(now))
    .bind(user.0)
    .bind(keep.map(|k| codec::uuid(k.0)))
    .fetch_all(conn)
    .await
    .map_err(db)?
    .iter()
    .map(|row| get_session_id(row, "id"))
    .collect()
}

pub(crate) async fn change_password(
    pool: &SqlitePool,
    user: UserId,
    hash: &str,
    keep: SessionId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    notice: &NewJob,
) -> Result<Vec<SessionId>, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    found(done.rows_affected())?;
    let revoked = revoke_all(&mut *tx, user, Some(keep), now).await?;
    // `keep` must be a live session of this user, or nothing happens at all.
    let kept = sqlx::query(
        "UPDATE sessions SET counter = counter + 1, rotated_at = ?1, last_used_at = ?1, \
         expires_at = ?2 WHERE id = ?3 AND user_id = ?4 AND revoked_at IS NULL",
    )
    .bind(codec::micros(now))
    .bind(codec::micros(expires_at))
    .bind(codec::uuid(keep.0))
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
    pool: &SqlitePool,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<Session>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? \
          ORDER BY created_at DESC, id DESC"
    ))
    .bind(user.0)
    .bind(codec::micros(now))
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(session_from_row)
    .collect()
}

/// The sessions revoked since `?1`, read from the index that holds only revoked sessions.
pub(crate) const REVOKED_SINCE: &str =
    "SELECT id, revoked_at FROM sessions WHERE revoked_at >= ?1 ORDER BY revoked_at";

pub(crate) async fn revoked_since(
    pool: &SqlitePool,
    since: DateTime<Utc>,
) -> Result<Vec<RevokedSession>, StoreError> {
    sqlx::query(REVOKED_SINCE)
        .bind(codec::micros(since))
        .fetch_all(pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            Ok(RevokedSession {
                id: get_session_id(row, "id")?,
                revoked_at: get_time(row, "revoked_at")?,
            })
        })
        .collect()
}

/// Ended sessions are found by reads and deleted this many at a time.
const PRUNE_CHUNK: i64 = 500;

/// Deletes the sessions that expired or were revoked before `before`. No index covers
/// `expires_at` (every rotation moves it), so finding them is a scan; it runs as reads, in id
/// order a chunk at a time, and only the deletes write, each chunk in its own short statement,
/// so rotations never wait for the scan. A delete checks the condition again: a session found
/// expired that was refreshed since stays.
pub(crate) async fn prune(pool: &SqlitePool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let before = codec::micros(before);
    let mut after = String::new();
    let mut deleted = 0;
    loop {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE id > ?1 AND (expires_at < ?2 OR revoked_at < ?2) \
             ORDER BY id LIMIT ?3",
        )
        .bind(&after)
        .bind(before)
        .bind(PRUNE_CHUNK)
        .fetch_all(pool)
        .await
        .map_err(db)?;
        let Some(last) = ids.last() else {
            return Ok(deleted);
        };
        after.clone_from(last);
        let done = sqlx::query(PRUNE_CHUNK_DELETE)
            .bind(serde_json::json!(ids).to_string())
            .bind(before)
            .execute(pool)
            .await
            .map_err(db)?;
        deleted += done.rows_affected();
    }
}

pub(crate) const PRUNE_CHUNK_DELETE: &str = "DELETE FROM sessions \
     WHERE id IN (SELECT value FROM json_each(?1)) AND (expires_at < ?2 OR revoked_at < ?2)";

fn session_from_row(row: &SqliteRow) -> Result<Session, StoreError> {
    Ok(Session {
        id: get_session_id(row, "id")?,
        user_id: UserId(row.try_get("user_id").map_err(db)?),
        counter: row.try_get("counter").map_err(db)?,
        user_agent: row.try_get("user_agent").map_err(db)?,
        ip: row.try_get("ip").map_err(db)?,
        created_at: get_time(row, "created_at")?,
        last_used_at: get_time(row, "last_used_at")?,
        rotated_at: get_time_opt(row, "rotated_at")?,
        expires_at: get_time(row, "expires_at")?,
        revoked_at: get_time_opt(row, "revoked_at")?,
    })
}
