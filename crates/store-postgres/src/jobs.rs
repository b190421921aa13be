//! The `jobs` table: side effects queued in the transaction that causes them, run by workers
//! under a lease.
//!
//! A claim is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`: claimers
//! running at once lock disjoint rows and never wait on each other. Every later step
//! (`finish`, `retry`, `bury`) is a compare-and-set on `state = 'running' AND locked_by`, so a
//! worker whose lease expired and whose job was taken over changes nothing.

use chrono::{DateTime, Utc};
use gatehouse_domain::{JobId, JobPage, JobRecord, JobState, NewJob, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, PgPool, Row};

use crate::codec::micros;
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
pub(crate) async fn insert(conn: impl PgExecutor<'_>, job: &NewJob) -> Result<JobId, StoreError> {
    // `NewJob` carries no creation time: it is when the row is written.
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, run_at, created_at) \
         VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
    )
    .bind(&job.kind)
    .bind(&job.payload)
    .bind(micros(job.run_at))
    .bind(micros(Utc::now()))
    .fetch_one(conn)
    .await
    .map(JobId)
    .map_err(db)
}

pub(crate) async fn claim(
    pool: &PgPool,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<JobRecord>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(concat!(
        "UPDATE jobs SET state = 'running', locked_by = $1, lease_until = $2, \
           attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM jobs \
           WHERE (state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3) \
           ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
         RETURNING ",
        job_columns!()
    ))
    .bind(worker)
    .bind(micros(lease_until))
    .bind(micros(now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    // RETURNING has no defined order.
    let mut jobs = rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|job| (job.run_at, job.id));
    Ok(jobs)
}

pub(crate) async fn finish(
    pool: &PgPool,
    id: JobId,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // The payload goes: an email job carries the code it sends.
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $1, payload = '', lease_until = NULL \
         WHERE id = $2 AND state = 'running' AND locked_by = $3",
    )
    .bind(micros(now))
    .bind(id.0)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn retry(
    pool: &PgPool,
    id: JobId,
    worker: &str,
    error: &str,
    run_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = $1, last_error = $2, lease_until = NULL, \
         locked_by = '' WHERE id = $3 AND state = 'running' AND locked_by = $4",
    )
    .bind(micros(run_at))
    .bind(truncated(error))
    .bind(id.0)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn bury(
    pool: &PgPool,
    id: JobId,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // The payload stays, so an operator can put the job back in the queue.
    let done = sqlx::query(
        "UPDATE jobs SET state = 'dead', finished_at = $1, last_error = $2, lease_until = NULL \
         WHERE id = $3 AND state = 'running' AND locked_by = $4",
    )
    .bind(micros(now))
    .bind(truncated(error))
    .bind(id.0)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn by_id(pool: &PgPool, id: JobId) -> Result<Option<JobRecord>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        job_columns!(),
        " FROM jobs WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .as_ref()
    .map(job_from_row)
    .transpose()
}

pub(crate) async fn prune(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
        .bind(micros(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

pub(crate) async fn list(
    pool: &PgPool,
    state: Option<JobState>,
    offset: u64,
    limit: u32,
) -> Result<JobPage, StoreError> {
    let state = state.map(JobState::as_str);
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE $1::text IS NULL OR state = $1")
            .bind(state)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
    let rows = sqlx::query(concat!(
        "SELECT ",
        job_columns!(),
        " FROM jobs WHERE $1::text IS NULL OR state = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
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
    pool: &PgPool,
    id: JobId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // `last_error` stays until the next attempt replaces it: it says why the job died.
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, finished_at = NULL,          locked_by = '' WHERE id = $2 AND state = 'dead'",
    )
    .bind(micros(now))
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

fn job_from_row(row: &PgRow) -> Result<JobRecord, StoreError> {
    let state: String = row.try_get("state").map_err(db)?;
    Ok(JobRecord {
        id: JobId(row.try_get("id").map_err(db)?),
        kind: row.try_get("kind").map_err(db)?,
        payload: row.try_get("payload").map_err(db)?,
        state: JobState::from_str_opt(&state).ok_or_else(|| Corrupt::store("state", &state))?,
        attempts: row.try_get("attempts").map_err(db)?,
        run_at: row.try_get("run_at").map_err(db)?,
        lease_until: row.try_get("lease_until").map_err(db)?,
        locked_by: row.try_get("locked_by").map_err(db)?,
        last_error: row.try_get("last_error").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        finished_at: row.try_get("finished_at").map_err(db)?,
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
