//! The one conversion PostgreSQL needs on the way in: timestamps to whole microseconds.
//!
//! `TIMESTAMPTZ` keeps microseconds; truncating here (rather than leaving it to the driver, which
//! rounds toward 2000-01-01) makes the stored value exactly what the SQLite store keeps too, and
//! what a caller reads back.

use chrono::{DateTime, SubsecRound, Utc};

/// `at` without its sub-microsecond part (floored).
pub(crate) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::micros;

    #[test]
    fn truncates_below_a_microsecond() {
        let fine: Result<DateTime<Utc>, _> = "1999-12-31T23:59:59.123456789Z".parse();
        let coarse: Result<DateTime<Utc>, _> = "1999-12-31T23:59:59.123456Z".parse();
        assert_eq!(fine.map(micros), coarse);
    }
}
