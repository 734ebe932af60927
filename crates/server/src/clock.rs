//! Time helpers: the server's clock, and the step between `time` (arithmetic, calendars) and
//! [`api::Timestamp`] (whole seconds, what is stored and sent).

use api::{Timestamp, YearMonth};
use time::OffsetDateTime;

use crate::error::Result;

/// Now, UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `t` in whole seconds.
pub fn timestamp(t: OffsetDateTime) -> Timestamp {
    Timestamp::from_unix_seconds(t.unix_timestamp())
}

/// Now, in Unix milliseconds (the limiters' counters).
pub fn now_ms() -> i64 {
    (now().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Now, in whole seconds.
pub fn now_timestamp() -> Timestamp {
    timestamp(now())
}

/// `ts` for arithmetic and calendars, in UTC.
pub fn datetime(ts: Timestamp) -> Result<OffsetDateTime> {
    Ok(OffsetDateTime::from_unix_timestamp(ts.unix_seconds()).map_err(anyhow::Error::from)?)
}

/// The billing month `t` falls in, in UTC.
pub fn month_of(t: OffsetDateTime) -> YearMonth {
    let t = t.to_offset(time::UtcOffset::UTC);
    YearMonth::new(t.year(), u8::from(t.month())).expect("a calendar date has a month 1..=12")
}

/// The current billing month, UTC: the server's clock decides, never the browser's time zone.
pub fn current_month() -> YearMonth {
    month_of(now())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::month_of;

    #[test]
    fn the_billing_month_is_the_utc_month() {
        assert_eq!(
            month_of(datetime!(2026-12-31 23:30 UTC)).to_string(),
            "2026-12"
        );
        // 00:30 on 1 January in Helsinki is still December in UTC.
        assert_eq!(
            month_of(datetime!(2027-01-01 00:30 +02:00)).to_string(),
            "2026-12"
        );
        assert_eq!(
            month_of(datetime!(2026-12-31 23:30 -01:00)).to_string(),
            "2027-01"
        );
    }
}
