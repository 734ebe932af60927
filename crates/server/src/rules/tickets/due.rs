//! When the first answer to a ticket is due, in the tier's hours and the organization's calendar.

use api::ResponseTime;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use time::OffsetDateTime;

use crate::tiers::{Calendar, Hours};

/// When the first answer is due for a ticket created at `created` with `target`, for a tier with
/// `hours`, in the organization's `calendar` (its time zone and public holidays):
///
/// - Minutes run around the clock on a `24/7` tier. On a `24/5` tier they run from Monday 00:00 to
///   Saturday 00:00 in the organization's time zone: a ticket created at the weekend starts counting
///   on Monday, and minutes left on Friday night continue on Monday. (Holidays do not stop them.)
/// - Business days skip Saturdays, Sundays and the calendar's public holidays: the answer is due at
///   the same local time of day on the `n`th business day after the local creation day. So Friday
///   15:00 + 1 business day is Monday 15:00, a ticket created at the weekend at 15:00 is also due
///   Monday 15:00, and the creation day is never the first business day. Across a daylight-saving
///   change the local time of day is kept (a time the change skips moves forward).
pub fn first_response_due_in(
    created: OffsetDateTime,
    target: ResponseTime,
    hours: Hours,
    calendar: &Calendar,
) -> OffsetDateTime {
    let tz = &calendar.time_zone;
    let Ok(start) = Timestamp::new(created.unix_timestamp(), created.nanosecond() as i32) else {
        return created;
    };
    let local = start.to_zoned_datetime(tz.clone());
    let due = match (target, hours) {
        (ResponseTime::Minutes(minutes), Hours::Weekdays) => weekday_minutes(&local, minutes, tz),
        (ResponseTime::Minutes(minutes), _) => {
            Some(start + jiff::SignedDuration::from_mins(i64::from(minutes)))
        }
        (ResponseTime::BusinessDays(days), _) => business_days(&local, days, calendar),
    };
    due.and_then(|due| OffsetDateTime::from_unix_timestamp(due.as_second()).ok())
        .unwrap_or(created)
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Midnight at the start of `date` in `tz` (the first instant of the day if a change skips midnight).
fn start_of(date: Date, tz: &TimeZone) -> Option<Timestamp> {
    date.to_zoned_datetime(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// `minutes` counted only from Monday 00:00 to Saturday 00:00, local time.
fn weekday_minutes(local: &ZonedDateTime, minutes: u32, tz: &TimeZone) -> Option<Timestamp> {
    let mut date = local.date();
    let mut at = local.timestamp();
    let mut left = jiff::SignedDuration::from_mins(i64::from(minutes));
    loop {
        while is_weekend(date) {
            date = date.tomorrow().ok()?;
            at = start_of(date, tz)?;
        }
        // The coming Saturday, 00:00: where this run of weekdays ends.
        let mut saturday = date;
        while saturday.weekday() != Weekday::Saturday {
            saturday = saturday.tomorrow().ok()?;
        }
        let end = start_of(saturday, tz)?;
        let room = at.duration_until(end);
        if left <= room {
            return at.checked_add(left).ok();
        }
        left -= room;
        date = saturday;
    }
}

/// `days` business days after the local creation day, at the same local time of day.
fn business_days(local: &ZonedDateTime, days: u32, calendar: &Calendar) -> Option<Timestamp> {
    let mut date = local.date();
    for _ in 0..days {
        date = date.tomorrow().ok()?;
        while is_weekend(date) || calendar.holidays.contains(&date) {
            date = date.tomorrow().ok()?;
        }
    }
    date.to_datetime(local.time())
        .to_zoned_datetime(calendar.time_zone.clone())
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    /// Around the clock, in UTC, without holidays.
    fn due(created: OffsetDateTime, target: ResponseTime) -> OffsetDateTime {
        first_response_due_in(created, target, Hours::AllWeek, &Calendar::default())
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

    fn calendar(zone: &str, holidays: &[&str]) -> Calendar {
        Calendar {
            time_zone: TimeZone::get(zone).unwrap(),
            holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn a_24_5_tiers_minutes_stop_for_the_weekend() {
        let utc = Calendar::default();
        let due = |created, minutes| {
            first_response_due_in(
                created,
                ResponseTime::Minutes(minutes),
                Hours::Weekdays,
                &utc,
            )
        };
        // Friday 23:00 + 4 h: one hour on Friday, three on Monday.
        assert_eq!(
            due(datetime!(2026-11-27 23:00 UTC), 240),
            datetime!(2026-11-30 03:00 UTC)
        );
        // Created on Saturday or Sunday: counting starts Monday 00:00.
        assert_eq!(
            due(datetime!(2026-11-28 10:00 UTC), 60),
            datetime!(2026-11-30 01:00 UTC)
        );
        assert_eq!(
            due(datetime!(2026-11-29 23:59 UTC), 60),
            datetime!(2026-11-30 01:00 UTC)
        );
        // Within the week nothing changes.
        assert_eq!(
            due(datetime!(2026-11-25 10:00 UTC), 720),
            datetime!(2026-11-25 22:00 UTC)
        );
        // Exactly up to Saturday 00:00 still counts as Friday.
        assert_eq!(
            due(datetime!(2026-11-27 23:00 UTC), 60),
            datetime!(2026-11-28 00:00 UTC)
        );
        // A 24/7 tier keeps running.
        let all_week = first_response_due_in(
            datetime!(2026-11-27 23:00 UTC),
            ResponseTime::Minutes(240),
            Hours::AllWeek,
            &utc,
        );
        assert_eq!(all_week, datetime!(2026-11-28 03:00 UTC));
    }

    #[test]
    fn the_weekend_is_the_organizations_local_weekend() {
        // Helsinki is UTC+2 in winter: Friday 21:30 UTC is already Friday 23:30 local; half an hour
        // runs, the weekend pauses, Monday 00:00 local is Sunday 22:00 UTC.
        let helsinki = calendar("Europe/Helsinki", &[]);
        let due = first_response_due_in(
            datetime!(2026-11-27 21:30 UTC),
            ResponseTime::Minutes(60),
            Hours::Weekdays,
            &helsinki,
        );
        assert_eq!(due, datetime!(2026-11-29 22:30 UTC));
    }

    #[test]
    fn business_days_skip_public_holidays() {
        let christmas = calendar("UTC", &["2026-12-24", "2026-12-25"]);
        let one = ResponseTime::BusinessDays(1);
        // Wednesday 23 Dec + 1: Thursday and Friday are holidays, then the weekend: Monday 28th.
        assert_eq!(
            first_response_due_in(
                datetime!(2026-12-23 10:00 UTC),
                one,
                Hours::BusinessDays,
                &christmas
            ),
            datetime!(2026-12-28 10:00 UTC)
        );
        // Created on a holiday: the next business day.
        assert_eq!(
            first_response_due_in(
                datetime!(2026-12-24 10:00 UTC),
                one,
                Hours::BusinessDays,
                &christmas
            ),
            datetime!(2026-12-28 10:00 UTC)
        );
        // Without the holidays: Thursday.
        assert_eq!(
            first_response_due_in(
                datetime!(2026-12-23 10:00 UTC),
                one,
                Hours::BusinessDays,
                &Calendar::default()
            ),
            datetime!(2026-12-24 10:00 UTC)
        );
    }

    #[test]
    fn business_days_count_in_the_local_calendar_across_a_dst_change() {
        // New York: Friday 6 March 2026 20:00 UTC is 15:00 EST. The clocks go forward on Sunday
        // 8 March, so Monday 15:00 local is EDT, 19:00 UTC: the local time of day is kept.
        let new_york = calendar("America/New_York", &[]);
        assert_eq!(
            first_response_due_in(
                datetime!(2026-03-06 20:00 UTC),
                ResponseTime::BusinessDays(1),
                Hours::BusinessDays,
                &new_york
            ),
            datetime!(2026-03-09 19:00 UTC)
        );
        // Thursday 03:00 UTC is still Wednesday 22:00 in New York: due Thursday 22:00 local.
        assert_eq!(
            first_response_due_in(
                datetime!(2026-11-26 03:00 UTC),
                ResponseTime::BusinessDays(1),
                Hours::BusinessDays,
                &new_york
            ),
            datetime!(2026-11-27 03:00 UTC)
        );
    }

    #[test]
    fn a_24_5_run_across_a_dst_change_counts_real_minutes() {
        // Helsinki moves to summer time on Sunday 29 March 2026. Friday 27 March 23:00 local
        // (21:00 UTC) + 2 h: one hour on Friday, one from Monday 00:00 EEST (Sunday 21:00 UTC).
        let helsinki = calendar("Europe/Helsinki", &[]);
        assert_eq!(
            first_response_due_in(
                datetime!(2026-03-27 21:00 UTC),
                ResponseTime::Minutes(120),
                Hours::Weekdays,
                &helsinki
            ),
            datetime!(2026-03-29 22:00 UTC)
        );
    }
}
