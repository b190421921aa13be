//! The `jobs` table: side effects queued in the transaction that causes them, run by workers
//! under a lease.
//!
//! A claim is one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING` inside `BEGIN IMMEDIATE`:
//! SQLite has a single writer, so two claimers can never select the same row. Every later step
//! (`finish`, `retry`, `bury`) is a compare-and-set on `state = 'running' AND locked_by`, so a
//! worker whose lease expired and whose job was taken over changes nothing.

use chrono::{DateTime, Utc};
use gatehouse_domain::{JobId, JobPage, JobRecord, JobState, NewJob, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteExecutor, SqlitePool};

use crate::codec::{self, get_time, get_time_opt};
use crate::error::{Corrupt, db};

/// The longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 2000;

macro_rules! job_columns {
    () => {
        "id, kind, payload, state, attempts, run_at, lease_until, locked_by, last_error, \
         created_at, finished_at"
    };
}

/// Queues `job` inside the caller's transaction (or on its own).
pub(crate) async fn insert(
    conn: impl SqliteExecutor<'_>,
    job: &NewJob,
) -> Result<JobId, StoreError> {
    // `NewJob` carries no creation time: it is when the row is written.
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, run_at, created_at) \
         VALUES (?, ?, 'queued', ?, ?) RETURNING id",
    )
    .bind(&job.kind)
    .bind(&job.payload)
    .bind(codec::micros(job.run_at))
    .bind(codec::micros(Utc::now()))
    // To the end, not `fetch_one`: the crate docs say why (the automatic checkpoint).
    .fetch_all(conn)
    .await
    .map_err(db)?
    .first()
    .map(|&id| JobId(id))
    .ok_or(StoreError::NotFound)
}

pub(crate) async fn claim(
    pool: &SqlitePool,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<JobRecord>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let rows = sqlx::query(concat!(
        "UPDATE jobs SET state = 'running', locked_by = ?1, lease_until = ?2, \
           attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM jobs \
           WHERE (state = 'queued' AND run_at <= ?3) OR (state = 'running' AND lease_until < ?3) \
           ORDER BY run_at, id LIMIT ?4) \
         RETURNING ",
        job_columns!()
    ))
    .bind(worker)
    .bind(codec::micros(lease_until))
    .bind(codec::micros(now))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    // RETURNING has no defined order.
    let mut jobs = rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|job| (job.run_at, job.id));
    Ok(jobs)
}

pub(crate) async fn finish(
    pool: &SqlitePool,
    id: JobId,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // The payload goes: an email job carries the code it sends.
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = ?, payload = '', lease_until = NULL \
         WHERE id = ? AND state = 'running' AND locked_by = ?",
    )
    .bind(codec::micros(now))
    .bind(id.0)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn retry(
    pool: &SqlitePool,
    id: JobId,
    worker: &str,
    error: &str,
    run_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, lease_until = NULL, \
         locked_by = '' WHERE id = ? AND state = 'running' AND locked_by = ?",
    )
    .bind(codec::micros(run_at))
    .bind(truncated(error))
    .bind(id.0)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn bury(
    pool: &SqlitePool,
    id: JobId,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // The payload stays, so an operator can put the job back in the queue.
    let done = sqlx::query(
        "UPDATE jobs SET state = 'dead', finished_at = ?, last_error = ?, lease_until = NULL \
         WHERE id = ? AND state = 'running' AND locked_by = ?",
    )
    .bind(codec::micros(now))
    .bind(truncated(error))
    .bind(id.0)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn by_id(pool: &SqlitePool, id: JobId) -> Result<Option<JobRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        job_columns!(),
        " FROM jobs WHERE id = ?"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(job_from_row)
    .transpose()
}

pub(crate) async fn prune(pool: &SqlitePool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < ?")
        .bind(codec::micros(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

pub(crate) async fn list(
    pool: &SqlitePool,
    state: Option<JobState>,
    offset: u64,
    limit: u32,
) -> Result<JobPage, StoreError> {
    let state = state.map(JobState::as_str);
    let mut tx = pool.begin().await.map_err(db)?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE ?1 IS NULL OR state = ?1")
        .bind(state)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let rows = sqlx::query(concat!(
        "SELECT ",
        job_columns!(),
        " FROM jobs WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
    ))
    .bind(state)
    .bind(i64::from(limit))
    .bind(i64::try_from(offset).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(JobPage {
        total: u64::try_from(total).unwrap_or(0),
        jobs: rows.iter().map(job_from_row).collect::<Result<_, _>>()?,
    })
}

pub(crate) async fn requeue_dead(
    pool: &SqlitePool,
    id: JobId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // `last_error` stays until the next attempt replaces it: it says why the job died.
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL,          locked_by = '' WHERE id = ? AND state = 'dead'",
    )
    .bind(codec::micros(now))
    .bind(id.0)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

/// `error` cut to its first `MAX_ERROR_CHARS` characters.
fn truncated(error: &str) -> &str {
    error
        .char_indices()
        .nth(MAX_ERROR_CHARS)
        .map_or(error, |(end, _)| &error[..end])
}

fn job_from_row(row: &SqliteRow) -> Result<JobRecord, StoreError> {
    let state: String = row.try_get("state").map_err(db)?;
    Ok(JobRecord {
        id: JobId(row.try_get("id").map_err(db)?),
        kind: row.try_get("kind").map_err(db)?,
        payload: row.try_get("payload").map_err(db)?,
        state: JobState::from_str_opt(&state).ok_or_else(|| Corrupt::store("state", &state))?,
        attempts: row.try_get("attempts").map_err(db)?,
        run_at: get_time(row, "run_at")?,
        lease_until: get_time_opt(row, "lease_until")?,
        locked_by: row.try_get("locked_by").map_err(db)?,
        last_error: row.try_get("last_error").map_err(db)?,
        created_at: get_time(row, "created_at")?,
        finished_at: get_time_opt(row, "finished_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::{MAX_ERROR_CHARS, truncated};

    #[test]
    fn errors_are_cut_at_a_character_boundary() {
        assert_eq!(truncated("short"), "short");
        let long = "é".repeat(MAX_ERROR_CHARS + 5);
        assert_eq!(truncated(&long).chars().count(), MAX_ERROR_CHARS);
    }
}
