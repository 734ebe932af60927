//! When the first answer to a ticket is due.

use api::ResponseTime;
use time::{Duration, OffsetDateTime, UtcOffset, Weekday};

/// When the first answer is due for a ticket created at `created` with `target`.
///
/// Minutes run around the clock. Business days skip Saturdays and Sundays (UTC; public holidays are not
/// modelled): the answer is due at the same time of day on the `n`th weekday after the creation day.
/// So Friday 15:00 + 1 business day is Monday 15:00, and a ticket created on Saturday or Sunday at
/// 15:00 is also due Monday 15:00: the weekend does not count, and the creation day is never the first
/// business day.
pub fn first_response_due(created: OffsetDateTime, target: ResponseTime) -> OffsetDateTime {
    let created = created.to_offset(UtcOffset::UTC);
    match target {
        ResponseTime::Minutes(minutes) => created + Duration::minutes(i64::from(minutes)),
        ResponseTime::BusinessDays(days) => {
            let mut due = created;
            for _ in 0..days {
                due += Duration::days(1);
                while matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    due += Duration::days(1);
                }
            }
            due
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn due(created: OffsetDateTime, target: ResponseTime) -> OffsetDateTime {
        first_response_due(created, target)
    }

    #[test]
    fn minutes_run_around_the_clock() {
        // Friday evening + 30 min lands on Saturday: minute targets ignore weekends.
        assert_eq!(
            due(datetime!(2026-11-27 23:45 UTC), ResponseTime::Minutes(30)),
            datetime!(2026-11-28 00:15 UTC)
        );
        assert_eq!(
            due(datetime!(2026-11-27 10:00 UTC), ResponseTime::Minutes(720)),
            datetime!(2026-11-27 22:00 UTC)
        );
    }

    #[test]
    fn business_days_skip_weekends_and_keep_the_time_of_day() {
        let one = ResponseTime::BusinessDays(1);
        // 2026-11-26 is a Thursday.
        assert_eq!(
            due(datetime!(2026-11-26 15:00 UTC), one),
            datetime!(2026-11-27 15:00 UTC)
        );
        // Friday, Saturday and Sunday all wait for Monday.
        for created in [
            datetime!(2026-11-27 15:00 UTC),
            datetime!(2026-11-28 15:00 UTC),
            datetime!(2026-11-29 15:00 UTC),
        ] {
            assert_eq!(
                due(created, one),
                datetime!(2026-11-30 15:00 UTC),
                "{created}"
            );
        }
        // Friday + 3 is Wednesday.
        assert_eq!(
            due(
                datetime!(2026-11-27 09:30 UTC),
                ResponseTime::BusinessDays(3)
            ),
            datetime!(2026-12-02 09:30 UTC)
        );
        // Times in other offsets count in UTC: Friday 01:00 in Helsinki is Thursday in UTC.
        assert_eq!(
            due(datetime!(2026-11-27 01:00 +02:00), one),
            datetime!(2026-11-27 23:00 UTC)
        );
    }
}
