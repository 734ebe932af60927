//! Time helpers, so every timestamp is formatted one way.

use api::YearMonth;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// RFC 3339 text of `t` in UTC, whole seconds.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// RFC 3339 text of now.
pub fn now_rfc3339() -> String {
    rfc3339(now())
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
