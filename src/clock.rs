//! Time as coopol stores it: Unix microseconds (UTC) in 64-bit integers, the one timestamp
//! representation sqlx's `Any` driver reads the same way from SQLite and PostgreSQL.

use chrono::{DateTime, SecondsFormat, Utc};
use std::time::Duration;

/// The current time in Unix microseconds.
pub fn now() -> i64 {
    Utc::now().timestamp_micros()
}

/// The time `d` from now, in Unix microseconds.
pub fn after(d: Duration) -> i64 {
    now().saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// A stored timestamp as a `DateTime`.
pub fn to_datetime(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// A stored timestamp in the format Mastodon's API uses (`2026-11-21T10:00:00.000Z`).
pub fn to_rfc3339(micros: i64) -> String {
    to_datetime(micros).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored timestamp as a calendar date (`2026-11-21`), for Mastodon's `last_status_at`.
pub fn to_date(micros: i64) -> String {
    to_datetime(micros).format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_mastodon() {
        assert_eq!(to_rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            to_rfc3339(1_700_000_000_123_456),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(to_date(1_700_000_000_000_000), "2023-11-14");
        assert!(after(Duration::from_secs(1)) > now());
    }
}
