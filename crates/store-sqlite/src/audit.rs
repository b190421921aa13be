//! The `audit_log` table: append, read newest first with filters, prune by age.

use chrono::{DateTime, Utc};
use gatehouse_domain::{
    AuditEntry, AuditEvent, AuditPage, AuditQuery, NewAuditEntry, StoreError, UserId,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::codec::{self, get_time};
use crate::error::{Corrupt, db};

/// Parameters ?1 user (actor or target), ?2 event, ?3 since, ?4 until.
macro_rules! filter {
    () => {
        "WHERE (?1 IS NULL OR actor_id = ?1 OR target_id = ?1) \
         AND (?2 IS NULL OR event = ?2) AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)"
    };
}

pub(crate) async fn record(pool: &SqlitePool, entry: &NewAuditEntry) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (event, actor_id, target_id, ip, user_agent, detail, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.event.as_str())
    .bind(entry.actor.map(|u| u.0))
    .bind(entry.target.map(|u| u.0))
    .bind(&entry.ip)
    .bind(&entry.user_agent)
    .bind(&entry.detail)
    .bind(codec::micros(entry.at))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn entries(
    pool: &SqlitePool,
    query: &AuditQuery,
) -> Result<AuditPage, StoreError> {
    let user = query.user.map(|u| u.0);
    let event = query.event.map(AuditEvent::as_str);
    let since = query.since.map(codec::micros);
    let until = query.until.map(codec::micros);
    let mut tx = pool.begin().await.map_err(db)?;
    let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM audit_log ", filter!()))
        .bind(user)
        .bind(event)
        .bind(since)
        .bind(until)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let rows = sqlx::query(concat!(
        "SELECT id, event, actor_id, target_id, ip, user_agent, detail, at FROM audit_log ",
        filter!(),
        " ORDER BY at DESC, id DESC LIMIT ?5 OFFSET ?6"
    ))
    .bind(user)
    .bind(event)
    .bind(since)
    .bind(until)
    .bind(i64::from(query.limit))
    .bind(i64::try_from(query.offset).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(AuditPage {
        total: u64::try_from(total).unwrap_or(0),
        entries: rows.iter().map(entry_from_row).collect::<Result<_, _>>()?,
    })
}

pub(crate) async fn prune(pool: &SqlitePool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM audit_log WHERE at < ?")
        .bind(codec::micros(before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

fn entry_from_row(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let event: String = row.try_get("event").map_err(db)?;
    let event = AuditEvent::parse(&event).ok_or_else(|| Corrupt::store("event", &event))?;
    Ok(AuditEntry {
        id: row.try_get("id").map_err(db)?,
        entry: NewAuditEntry {
            event,
            actor: row
                .try_get::<Option<i64>, _>("actor_id")
                .map_err(db)?
                .map(UserId),
            target: row
                .try_get::<Option<i64>, _>("target_id")
                .map_err(db)?
                .map(UserId),
            ip: row.try_get("ip").map_err(db)?,
            user_agent: row.try_get("user_agent").map_err(db)?,
            detail: row.try_get("detail").map_err(db)?,
            at: get_time(row, "at")?,
        },
    })
}
