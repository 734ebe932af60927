//! Time helpers, so every timestamp is formatted one way.

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
