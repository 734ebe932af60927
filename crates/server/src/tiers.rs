//! The operator's support tier catalogue (`--tiers FILE`, TOML; `docs/tiers.example.toml` is the
//! demo's illustrative one): the tiers from lowest to highest with what each includes, response
//! times per severity, hours, phone, account team and price rule, plus the organization's time zone
//! and public holidays. Read and checked at start ([`TierFile::load`]); every problem names the file,
//! the tier and the field.
//!
//! The file is the source of truth; the `support_tiers` table (which migration 0001 fills with the
//! same illustrative catalogue, so a server started without `--tiers` behaves as before) is
//! rewritten from it at every start in one transaction (`Tx::replace_support_tiers`): tiers are
//! matched by `key`, so organizations and upgrade requests keep pointing at them, and a tier that
//! the file drops while an organization or a request still uses it stops the start with an error.

use std::fmt;
use std::path::{Path, PathBuf};

use api::{PriceRule, ResponseTime, ResponseTimes, SupportTier};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

/// When a tier's response-time minutes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hours {
    /// Around the clock, every day.
    AllWeek,
    /// Around the clock, Monday to Friday.
    Weekdays,
    /// Monday to Friday, public holidays excepted (response times in business days).
    BusinessDays,
}

impl Hours {
    /// How the Support page shows it.
    pub fn label(self) -> &'static str {
        match self {
            Hours::AllWeek => "24/7",
            Hours::Weekdays => "24/5",
            Hours::BusinessDays => "Business days",
        }
    }

    /// Reads the label back (as stored in `support_tiers.hours`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "24/7" => Some(Hours::AllWeek),
            "24/5" => Some(Hours::Weekdays),
            "business days" => Some(Hours::BusinessDays),
            _ => None,
        }
    }
}

/// The organization's calendar: its time zone and public holidays.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub time_zone: jiff::tz::TimeZone,
    /// Sorted, without duplicates.
    pub holidays: Vec<jiff::civil::Date>,
}

impl Default for Calendar {
    /// UTC, no holidays: what a server without `--tiers` counts with.
    fn default() -> Self {
        Self {
            time_zone: jiff::tz::TimeZone::UTC,
            holidays: Vec::new(),
        }
    }
}

/// A checked tier file.
#[derive(Debug, Clone)]
pub struct TierFile {
    /// Lowest rank first; `rank` is the position.
    pub tiers: Vec<SupportTier>,
    pub calendar: Calendar,
}

/// A problem with the tier file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierFileError {
    pub file: PathBuf,
    /// `tier "essential"`, or `None` for the file's top level.
    pub tier: Option<String>,
    /// The field, as written in the file (`response_times.high`).
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for TierFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tier file {}", self.file.display())?;
        if let Some(tier) = &self.tier {
            write!(f, ", tier {tier:?}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for TierFileError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    time_zone: Option<String>,
    #[serde(default)]
    holidays: Vec<String>,
    tiers: Vec<RawTier>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    key: String,
    name: String,
    summary: String,
    hours: String,
    phone: String,
    account_team: String,
    price: RawPrice,
    response_times: RawResponseTimes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponseTimes {
    low: String,
    high: String,
    critical: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrice {
    kind: String,
    percent: Option<f64>,
    minimum_usd: Option<u32>,
}

impl TierFile {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Self, TierFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| TierFileError {
            file: path.to_owned(),
            tier: None,
            field: None,
            message: format!("cannot be read: {e}"),
        })?;
        Self::parse(path, &text)
    }

    /// Checks `text` as the content of the file at `path` (named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Self, TierFileError> {
        let error = |tier: Option<&str>, field: Option<&str>, message: String| TierFileError {
            file: path.to_owned(),
            tier: tier.map(str::to_owned),
            field: field.map(str::to_owned),
            message,
        };
        // TOML's own message names the line, the column and the key.
        let raw: RawFile =
            toml::from_str(text).map_err(|e| error(None, None, e.to_string().trim().to_owned()))?;
        let calendar = check_calendar(raw.time_zone.as_deref(), &raw.holidays)
            .map_err(|(field, message)| error(None, Some(&field), message))?;
        if raw.tiers.is_empty() {
            return Err(error(None, Some("tiers"), "lists no tier".into()));
        }
        let mut tiers: Vec<SupportTier> = Vec::new();
        for (rank, t) in raw.tiers.into_iter().enumerate() {
            let label = if t.key.trim().is_empty() {
                format!("#{}", rank + 1)
            } else {
                t.key.trim().to_owned()
            };
            let tier = check_tier(rank, &t, &tiers)
                .map_err(|(field, message)| error(Some(&label), Some(field), message))?;
            tiers.push(tier);
        }
        Ok(Self { tiers, calendar })
    }
}

/// The time zone (UTC when left out) and the holidays; an error names its field.
fn check_calendar(time_zone: Option<&str>, days: &[String]) -> Result<Calendar, (String, String)> {
    let time_zone = match time_zone.map(str::trim) {
        None | Some("UTC") => jiff::tz::TimeZone::UTC,
        Some(name) => jiff::tz::TimeZone::get(name).map_err(|_| {
            (
                "time_zone".to_owned(),
                format!(
                    "{name:?} is not a time zone; use an IANA name such as \"Europe/Helsinki\""
                ),
            )
        })?,
    };
    let date_format = format_description!("[year]-[month]-[day]");
    let mut holidays = Vec::new();
    for (i, day) in days.iter().enumerate() {
        // Strictly YYYY-MM-DD (time's parser), then as jiff's date for the calendar.
        let date = Date::parse(day.trim(), &date_format)
            .ok()
            .and_then(|d| {
                jiff::civil::Date::new(d.year() as i16, u8::from(d.month()) as i8, d.day() as i8)
                    .ok()
            })
            .ok_or_else(|| {
                (
                    format!("holidays[{i}]"),
                    format!("{day:?} is not a date; write YYYY-MM-DD"),
                )
            })?;
        holidays.push(date);
    }
    holidays.sort();
    holidays.dedup();
    Ok(Calendar {
        time_zone,
        holidays,
    })
}

/// Checks one tier, `rank`th from the lowest, against the ones before it; an error names its field.
fn check_tier(
    rank: usize,
    t: &RawTier,
    tiers: &[SupportTier],
) -> Result<SupportTier, (&'static str, String)> {
    let fail = |field: &'static str, message: String| (field, message);
    let key = t.key.trim();
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        return Err(fail(
            "key",
            format!("{key:?} is not a key: use lower-case letters, digits, - and _"),
        ));
    }
    if tiers.iter().any(|other| other.key == key) {
        return Err(fail("key", "is used by another tier too".into()));
    }
    for (field, value) in [
        ("name", &t.name),
        ("summary", &t.summary),
        ("phone", &t.phone),
        ("account_team", &t.account_team),
    ] {
        if value.trim().is_empty() {
            return Err(fail(field, "is empty".into()));
        }
    }
    if tiers
        .iter()
        .any(|other| other.name.eq_ignore_ascii_case(t.name.trim()))
    {
        return Err(fail("name", "is used by another tier too".into()));
    }
    let hours = Hours::parse(&t.hours).ok_or_else(|| {
        fail(
            "hours",
            format!(
                "{:?} is not one of \"24/7\", \"24/5\" or \"business days\"",
                t.hours
            ),
        )
    })?;
    let mut times = [ResponseTime::Minutes(0); 3];
    for (slot, (field, text)) in times.iter_mut().zip([
        ("response_times.low", &t.response_times.low),
        ("response_times.high", &t.response_times.high),
        ("response_times.critical", &t.response_times.critical),
    ]) {
        *slot = parse_response_time(text).map_err(|m| fail(field, m))?;
        if hours == Hours::BusinessDays && matches!(slot, ResponseTime::Minutes(_)) {
            return Err(fail(
                field,
                "a tier with business-day hours gives its response times in business days".into(),
            ));
        }
    }
    let price = parse_price(&t.price).map_err(|(field, m)| fail(field, m))?;
    if rank == 0 && price != PriceRule::Included {
        return Err(fail(
            "price",
            "the first tier is the one every paid plan includes: its price must be { kind = \"included\" }"
                .into(),
        ));
    }
    Ok(SupportTier {
        key: key.to_owned(),
        name: t.name.trim().to_owned(),
        rank: u32::try_from(rank).unwrap_or(u32::MAX),
        summary: t.summary.trim().to_owned(),
        response_times: ResponseTimes {
            low: times[0],
            high: times[1],
            critical: times[2],
        },
        hours: hours.label().to_owned(),
        phone: t.phone.trim().to_owned(),
        account_team: t.account_team.trim().to_owned(),
        price,
    })
}

/// `15 min`, `4 h`, `1 business day`, `2 business days`.
fn parse_response_time(text: &str) -> Result<ResponseTime, String> {
    let bad = || {
        format!("{text:?} is not a response time; write \"30 min\", \"4 h\" or \"1 business day\"")
    };
    let (number, unit) = text.trim().split_once(' ').ok_or_else(bad)?;
    let n: u32 = number.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err(format!("{text:?}: a response time must be more than zero"));
    }
    match unit.trim() {
        "min" | "mins" | "minutes" => Ok(ResponseTime::Minutes(n)),
        "h" | "hours" | "hour" => n.checked_mul(60).map(ResponseTime::Minutes).ok_or_else(bad),
        "business day" | "business days" => Ok(ResponseTime::BusinessDays(n)),
        _ => Err(bad()),
    }
}

/// The price table; errors name their field.
fn parse_price(raw: &RawPrice) -> Result<PriceRule, (&'static str, String)> {
    match raw.kind.as_str() {
        "included" => {
            if raw.percent.is_some() || raw.minimum_usd.is_some() {
                return Err((
                    "price",
                    "an included tier has no percent or minimum_usd".into(),
                ));
            }
            Ok(PriceRule::Included)
        }
        "percent_of_spend" => {
            let percent = raw
                .percent
                .ok_or(("price.percent", "is missing".to_owned()))?;
            let basis_points = percent * 100.0;
            if !(percent > 0.0 && percent <= 100.0)
                || (basis_points - basis_points.round()).abs() > 1e-6
            {
                return Err((
                    "price.percent",
                    format!(
                        "{percent} is not a percentage above 0 and at most 100 with up to two decimals"
                    ),
                ));
            }
            let minimum_usd = raw
                .minimum_usd
                .ok_or(("price.minimum_usd", "is missing".to_owned()))?;
            Ok(PriceRule::PercentOfSpend {
                // In range: 0 < percent <= 100 with two decimals.
                basis_points: basis_points.round() as u32,
                minimum_usd,
            })
        }
        other => Err((
            "price.kind",
            format!("{other:?} is not \"included\" or \"percent_of_spend\""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/tiers.example.toml"
        ))
        .unwrap()
    }

    fn parse(text: &str) -> Result<TierFile, TierFileError> {
        TierFile::parse(Path::new("tiers.toml"), text)
    }

    #[test]
    fn the_example_is_the_demo_catalogue() {
        let file = parse(&example()).unwrap();
        let keys: Vec<&str> = file.tiers.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["basic", "essential", "advanced", "premium"]);
        let essential = &file.tiers[1];
        assert_eq!(essential.rank, 1);
        assert_eq!(essential.response_times.high, ResponseTime::Minutes(240));
        assert_eq!(essential.hours, "24/5");
        assert_eq!(
            essential.price,
            PriceRule::PercentOfSpend {
                basis_points: 450,
                minimum_usd: 500
            }
        );
        assert_eq!(
            file.tiers[0].response_times.low,
            ResponseTime::BusinessDays(1)
        );
        assert_eq!(file.calendar.holidays.len(), 3);
        assert_eq!(file.calendar.time_zone, jiff::tz::TimeZone::UTC);
    }

    #[test]
    fn errors_name_the_file_the_tier_and_the_field() {
        let text = example().replace("high = \"4 h\"", "high = \"4 hrs\"");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.tier.as_deref(), Some("essential"));
        assert_eq!(e.field.as_deref(), Some("response_times.high"));
        assert!(
            e.to_string().starts_with(
                "tier file tiers.toml, tier \"essential\", field response_times.high: \"4 hrs\""
            ),
            "{e}"
        );

        let text = example().replace("hours = \"24/7\"", "hours = \"always\"");
        let e = parse(&text).unwrap_err();
        assert_eq!(
            (e.tier.as_deref(), e.field.as_deref()),
            (Some("advanced"), Some("hours"))
        );

        let text = example().replace("percent = 7,", "percent = 7.125,");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("price.percent"));

        let text = example().replace("key = \"premium\"", "key = \"advanced\"");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("key"));

        let text = example().replace("time_zone = \"UTC\"", "time_zone = \"Mars/Olympus\"");
        let e = parse(&text).unwrap_err();
        assert_eq!((e.tier, e.field.as_deref()), (None, Some("time_zone")));

        let text = example().replace("\"2026-12-26\"", "\"26.12.2026\"");
        assert_eq!(
            parse(&text).unwrap_err().field.as_deref(),
            Some("holidays[1]")
        );

        let text = example().replace(
            "response_times = { low = \"1 business day\"",
            "response_times = { low = \"4 h\"",
        );
        let e = parse(&text).unwrap_err();
        assert_eq!(
            (e.tier.as_deref(), e.field.as_deref()),
            (Some("basic"), Some("response_times.low"))
        );
    }

    #[test]
    fn toml_mistakes_are_reported_with_their_place() {
        let e = parse("tiers = [ { key = \"basic\" } ]").unwrap_err();
        assert!(e.to_string().contains("missing field `name`"), "{e}");
        let e = parse(&example().replace("phone = \"No\"", "telephone = \"No\"")).unwrap_err();
        assert!(e.to_string().contains("telephone"), "{e}");
    }

    #[test]
    fn a_real_time_zone_is_accepted() {
        let text = example().replace("time_zone = \"UTC\"", "time_zone = \"Europe/Helsinki\"");
        let file = parse(&text).unwrap();
        assert_eq!(file.calendar.time_zone.iana_name(), Some("Europe/Helsinki"));
    }
}
