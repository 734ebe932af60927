//! Points in time and calendar months as they travel between SPA and server.
//!
//! Both are small newtypes rather than a date library: the SPA only needs to carry, compare and show
//! them, and a full calendar crate would cost the wasm bundle far more than these few functions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How many months after the current one a new tier may start.
pub const MAX_MONTHS_AHEAD: u32 = 12;

const SECONDS_PER_DAY: i64 = 24 * 60 * 60;

/// A moment, to the second, in UTC. On the wire (and in the database) it is RFC 3339 text with whole
/// seconds and a `Z`, e.g. `2026-11-27T00:36:52Z`; ordering is chronological.
///
/// Only years 0000 to 9999 have an RFC 3339 form; [`Timestamp::parse`] never produces others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a text is not a [`Timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected an RFC 3339 time with whole seconds, e.g. 2026-11-27T00:36:52Z")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl Timestamp {
    /// The moment `seconds` after 1970-01-01T00:00:00Z (negative: before it).
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` followed by `Z` or an offset such as `+00:00` (converted to UTC).
    /// Fractions of a second, leap seconds and impossible dates are refused: nothing we store has them.
    pub fn parse(text: &str) -> Result<Self, InvalidTimestamp> {
        let b = text.as_bytes();
        if b.len() < 20 {
            return Err(InvalidTimestamp);
        }
        let number = |from: usize, to: usize| -> Result<i64, InvalidTimestamp> {
            let digits = &b[from..to];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(InvalidTimestamp);
            }
            Ok(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
        };
        let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
        if separators.iter().any(|&(at, c)| b[at] != c) || !matches!(b[10], b'T' | b't') {
            return Err(InvalidTimestamp);
        }
        let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
        let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
        let month_ok = (1..=12).contains(&month);
        if !month_ok
            || day < 1
            || day > i64::from(days_in_month(year, month as u8))
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(InvalidTimestamp);
        }
        let offset = match &b[19..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (h, m) = (number(20, 22)?, number(23, 25)?);
                if h > 23 || m > 59 {
                    return Err(InvalidTimestamp);
                }
                let seconds = h * 3600 + m * 60;
                if *sign == b'+' { seconds } else { -seconds }
            }
            _ => return Err(InvalidTimestamp),
        };
        let days = days_from_civil(year, month as u8, day as u8);
        Ok(Self(
            days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset,
        ))
    }

    /// The billing month this moment falls in (UTC).
    pub fn month(self) -> YearMonth {
        let (year, month, _) = civil_from_days(self.0.div_euclid(SECONDS_PER_DAY));
        YearMonth {
            year: year as i32,
            month,
        }
    }
}

impl fmt::Display for Timestamp {
    /// The RFC 3339 form the server writes: `2026-11-27T00:36:52Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, second_of_day) = (
            self.0.div_euclid(SECONDS_PER_DAY),
            self.0.rem_euclid(SECONDS_PER_DAY),
        );
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )
    }
}

/// A timestamp equals the text it travels as (`"2026-11-27T00:36:52Z"`), so tests and logs can
/// compare with the wire form directly.
impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        displays_as(self, other)
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Timestamp {
    type Error = InvalidTimestamp;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl TryFrom<&str> for Timestamp {
    type Error = InvalidTimestamp;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

// RFC 3339 text on the wire (see the type's doc), not a number of seconds.
#[cfg(feature = "openapi")]
string_schema!(Timestamp, |s| s
    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
        utoipa::openapi::KnownFormat::DateTime
    )))
    .description(Some(
        "UTC, RFC 3339 with whole seconds, e.g. 2026-11-27T00:36:52Z"
    ))
    .examples(["2026-11-27T00:36:52Z"]));

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&InvalidTimestamp, f)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// Whether `value`'s `Display` output is exactly `text`, without building the string.
fn displays_as(value: &impl fmt::Display, text: &str) -> bool {
    struct Match<'a>(Option<&'a str>);
    impl fmt::Write for Match<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.and_then(|rest| rest.strip_prefix(s));
            Ok(())
        }
    }
    let mut matcher = Match(Some(text));
    fmt::write(&mut matcher, format_args!("{value}")).is_ok() && matcher.0 == Some("")
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar. Counting years from
/// March puts the leap day last, so each 400-year era has the same shape (Howard Hinnant's method).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days lie between 0000-03-01 (the start of era 0) and 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u8, day as u8)
}

/// A calendar month, the unit support is billed in. Months are the organization's billing months in
/// UTC, so the server's clock decides which month is "current", never the browser's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    /// 1..=12
    month: u8,
}

impl YearMonth {
    /// `None` unless `month` is 1..=12 and the year has four digits.
    pub fn new(year: i32, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && (1000..=9999).contains(&year)).then_some(Self { year, month })
    }

    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Whole months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: Self) -> i32 {
        (later.year - self.year) * 12 + i32::from(later.month) - i32::from(self.month)
    }

    /// The months an upgrade may start in when `current` is this month: it and the next 12.
    pub fn start_choices(current: Self) -> Vec<Self> {
        std::iter::successors(Some(current), |m| Some(m.next()))
            .take(MAX_MONTHS_AHEAD as usize + 1)
            .collect()
    }

    /// `December 2026`.
    pub fn label(self) -> String {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A month equals the text it travels as (`"2027-01"`).
impl PartialEq<&str> for YearMonth {
    fn eq(&self, other: &&str) -> bool {
        displays_as(self, other)
    }
}

#[cfg(feature = "openapi")]
string_schema!(YearMonth, |s| s
    .pattern(Some(r"^[0-9]{4}-(0[1-9]|1[0-2])$"))
    .description(Some("A calendar month, YYYY-MM"))
    .examples(["2027-01"]));

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a month as YYYY-MM"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn timestamps_round_trip_as_the_server_writes_them() {
        for text in [
            "2026-11-27T00:36:52Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2000-02-29T12:00:00Z",
            "0000-03-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(ts(text).to_string(), text);
            let json = serde_json::to_string(&ts(text)).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), ts(text));
        }
        assert_eq!(ts("1970-01-01T00:00:00Z").unix_seconds(), 0);
        assert_eq!(ts("2026-11-27T00:36:52+00:00"), "2026-11-27T00:36:52Z");
        assert!(ts("2026-11-27T00:36:52Z") != "2026-11-27T00:36:52+00:00");
        assert_eq!(ym("2027-01"), "2027-01");
        assert_eq!(ts("2026-11-27T00:36:52Z").unix_seconds(), 1_795_739_812);
        assert_eq!(
            Timestamp::from_unix_seconds(1_795_739_812).to_string(),
            "2026-11-27T00:36:52Z"
        );
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        assert_eq!(ts("2026-11-27T00:36:52+00:00"), ts("2026-11-27T00:36:52Z"));
        assert_eq!(ts("2027-01-01T01:30:00+02:00"), ts("2026-12-31T23:30:00Z"));
        assert_eq!(ts("2026-12-31T23:30:00-01:00"), ts("2027-01-01T00:30:00Z"));
        assert_eq!(ts("2026-11-27t00:36:52z"), ts("2026-11-27T00:36:52Z"));
    }

    #[test]
    fn timestamps_order_chronologically_not_as_text() {
        let mut times = [
            ts("2026-11-27T10:00:00+02:00"),
            ts("2026-11-27T09:00:00Z"),
            ts("1999-12-31T23:59:59Z"),
        ];
        times.sort();
        assert_eq!(
            times.map(|t| t.to_string()),
            [
                "1999-12-31T23:59:59Z",
                "2026-11-27T08:00:00Z",
                "2026-11-27T09:00:00Z"
            ]
        );
        assert!(ts("2026-11-27T00:36:53Z") > ts("2026-11-27T00:36:52Z"));
    }

    #[test]
    fn garbage_and_impossible_times_are_refused() {
        for bad in [
            "",
            "2026-11-27",
            "2026-11-27T00:36:52",
            "2026-11-27 00:36:52Z",
            "2026-11-27T00:36:52.123Z",
            "2026-11-27T00:36:60Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T00:60:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-11-00T00:00:00Z",
            "2026-11-31T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-11-27T00:36:52+0000",
            "2026-11-27T00:36:52+24:00",
            "2026-11-27T00:36:52ZZ",
            "+026-11-27T00:36:52Z",
            "2026-1a-27T00:36:52Z",
            "２０２６-11-27T00:36:52Z",
        ] {
            assert_eq!(Timestamp::parse(bad), Err(InvalidTimestamp), "{bad}");
        }
        assert!(serde_json::from_str::<Timestamp>("\"soon\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("1795739812").is_err());
    }

    #[test]
    fn leap_days_and_century_rules_match_the_calendar() {
        assert!(
            Timestamp::parse("2000-02-29T00:00:00Z").is_ok(),
            "400 divides 2000"
        );
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_ok());
        assert_eq!(
            ts("2024-03-01T00:00:00Z").unix_seconds() - ts("2024-02-28T00:00:00Z").unix_seconds(),
            2 * SECONDS_PER_DAY
        );
        assert_eq!(
            ts("2100-03-01T00:00:00Z").unix_seconds() - ts("2100-02-28T00:00:00Z").unix_seconds(),
            SECONDS_PER_DAY
        );
        // Every day from 1600 to 2400 maps to a date and back.
        let first = days_from_civil(1600, 1, 1);
        let last = days_from_civil(2400, 12, 31);
        for days in first..=last {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(last - first + 1, 2 * 146_097 + 366, "two eras, then 2400");
    }

    #[test]
    fn a_timestamp_knows_its_utc_month() {
        assert_eq!(ts("2026-12-31T23:30:00Z").month(), ym("2026-12"));
        assert_eq!(ts("2027-01-01T00:30:00+02:00").month(), ym("2026-12"));
        assert_eq!(ts("2026-12-31T23:30:00-01:00").month(), ym("2027-01"));
    }

    #[test]
    fn parses_and_prints_months() {
        assert_eq!(ym("2026-11").to_string(), "2026-11");
        assert_eq!(ym("2026-11").label(), "November 2026");
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "2026-1a", "+026-11",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn december_rolls_over_to_january() {
        assert_eq!(ym("2026-12").next(), ym("2027-01"));
        assert_eq!(ym("2026-12").months_until(ym("2027-01")), 1);
        assert_eq!(ym("2027-01").months_until(ym("2026-12")), -1);
    }

    #[test]
    fn start_choices_are_this_month_and_the_next_twelve() {
        let choices = YearMonth::start_choices(ym("2026-11"));
        assert_eq!(choices.len(), 13);
        assert_eq!(choices[0], ym("2026-11"));
        assert_eq!(choices[2], ym("2027-01"));
        assert_eq!(*choices.last().unwrap(), ym("2027-11"));
    }

    #[test]
    fn months_travel_as_strings() {
        assert_eq!(
            serde_json::to_string(&ym("2027-01")).unwrap(),
            r#""2027-01""#
        );
        assert!(serde_json::from_str::<YearMonth>(r#""2027-13""#).is_err());
    }
}
