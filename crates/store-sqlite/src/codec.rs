//! Conversions between domain values and their SQLite storage form, in one place.
//!
//! Timestamps are INTEGER microseconds since the Unix epoch, so SQL compares them numerically and
//! a value written and read back is equal (anything finer than a microsecond is truncated on
//! the way in, as PostgreSQL does). Dates are TEXT `YYYY-MM-DD`, uuids hyphenated TEXT.

use chrono::{DateTime, NaiveDate, Utc};
use gatehouse_domain::{SessionId, StoreError};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::error::{Corrupt, db};

const DATE_FORMAT: &str = "%Y-%m-%d";

/// A timestamp as stored: whole microseconds since the epoch (floored).
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub(crate) fn date(value: Option<chrono::NaiveDate>) -> Option<String> {
    value.map(|d| d.format(DATE_FORMAT).to_string())
}

pub(crate) fn uuid(id: Uuid) -> String {
    id.hyphenated().to_string()
}

pub(crate) fn get_time(row: &SqliteRow, column: &'static str) -> Result<DateTime<Utc>, StoreError> {
    let value: i64 = row.try_get(column).map_err(db)?;
    from_micros(column, value)
}

pub(crate) fn get_time_opt(
    row: &SqliteRow,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let value: Option<i64> = row.try_get(column).map_err(db)?;
    value.map(|v| from_micros(column, v)).transpose()
}

pub(crate) fn get_date_opt(
    row: &SqliteRow,
    column: &'static str,
) -> Result<Option<NaiveDate>, StoreError> {
    let value: Option<String> = row.try_get(column).map_err(db)?;
    value
        .map(|text| {
            NaiveDate::parse_from_str(&text, DATE_FORMAT).map_err(|e| Corrupt::store(column, &e))
        })
        .transpose()
}

pub(crate) fn get_uuid(row: &SqliteRow, column: &'static str) -> Result<Uuid, StoreError> {
    let value: String = row.try_get(column).map_err(db)?;
    Uuid::parse_str(&value).map_err(|e| Corrupt::store(column, &e))
}

pub(crate) fn get_session_id(
    row: &SqliteRow,
    column: &'static str,
) -> Result<SessionId, StoreError> {
    get_uuid(row, column).map(SessionId)
}

fn from_micros(column: &'static str, value: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(value)
        .ok_or_else(|| Corrupt::store(column, &format!("{value} µs is out of range")))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

    use super::{date, from_micros, micros};

    #[test]
    fn timestamps_round_trip_at_microsecond_precision() -> Result<(), chrono::ParseError> {
        for raw in ["2024-02-29T23:59:59.123456Z", "1969-12-31T23:59:59.999999Z"] {
            let at: DateTime<Utc> = raw.parse()?;
            assert_eq!(from_micros("t", micros(at)).ok(), Some(at));
        }
        let fine: DateTime<Utc> = "2024-01-01T00:00:00.123456789Z".parse()?;
        let coarse: DateTime<Utc> = "2024-01-01T00:00:00.123456Z".parse()?;
        assert_eq!(micros(fine), micros(coarse));
        assert!(from_micros("t", i64::MAX).is_err());
        Ok(())
    }

    #[test]
    fn dates_are_iso() {
        let d = NaiveDate::from_ymd_opt(1901, 2, 3);
        assert_eq!(date(d).as_deref(), Some("1901-02-03"));
    }
}
