//! The support tier upgrade request: start months, the input and its validation, and the estimate.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validate::FieldError;
use crate::{FieldMessage, PriceRule, SupportTier};

/// How many months after the current one a new tier may start.
pub const MAX_MONTHS_AHEAD: u32 = 12;

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

/// Checks a start month against the current month.
pub fn check_start_month(input: &str, current: YearMonth) -> Result<YearMonth, FieldError> {
    let field = "start_month";
    if input.trim().is_empty() {
        return Err(FieldError::new(
            field,
            "Start date: choose the month the new tier starts.",
        ));
    }
    let month = YearMonth::parse(input.trim())
        .ok_or_else(|| FieldError::new(field, "Start date: choose a month from the list."))?;
    let ahead = current.months_until(month);
    if ahead < 0 {
        return Err(FieldError::new(
            field,
            format!(
                "Start date: {} is in the past. Choose {} or later.",
                month.label(),
                current.label()
            ),
        ));
    }
    if ahead > MAX_MONTHS_AHEAD as i32 {
        return Err(FieldError::new(
            field,
            format!(
                "Start date: choose a month no later than {}.",
                YearMonth::start_choices(current)
                    .last()
                    .copied()
                    .unwrap_or(current)
                    .label()
            ),
        ));
    }
    Ok(month)
}

/// A billing group of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingGroup {
    /// Stable id.
    pub id: i64,
    /// Name, e.g. `Acme Default`.
    pub name: String,
    /// How it pays, e.g. `Visa ending 4242`.
    pub payment_method: String,
}

/// `GET /organizations/{id}/upgrade-options`: what the wizard needs besides the tier catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeOptions {
    /// The current billing month (UTC), the earliest possible start.
    pub current_month: YearMonth,
    /// The organization's billing groups.
    pub billing_groups: Vec<BillingGroup>,
    /// Current monthly service spend in US cents, the base of the estimate.
    pub monthly_spend_usd_cents: u64,
}

/// `POST /organizations/{id}/upgrade-requests` body, as the form has it (strings, so that every problem
/// can be reported per field instead of as a malformed request).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeRequestInput {
    /// Key of the chosen tier.
    pub tier: String,
    /// `YYYY-MM`.
    pub start_month: String,
    /// Id of the chosen billing group.
    pub billing_group_id: Option<i64>,
}

/// A validated request, ready for the organization-specific checks (tier rank, billing group owner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidUpgrade<'a> {
    /// The chosen tier.
    pub tier: &'a SupportTier,
    /// The start month.
    pub start_month: YearMonth,
    /// The chosen billing group.
    pub billing_group_id: i64,
}

impl UpgradeRequestInput {
    /// Checks every field against the catalogue, the current tier and the current month.
    pub fn validate<'a>(
        &self,
        tiers: &'a [SupportTier],
        current_tier_rank: u32,
        current_month: YearMonth,
    ) -> Result<ValidUpgrade<'a>, Vec<FieldMessage>> {
        let tier = match tiers.iter().find(|t| t.key == self.tier) {
            None if self.tier.is_empty() => Err(FieldError::new(
                "tier",
                "Choose tier: pick the support tier you want.",
            )),
            None => Err(FieldError::new(
                "tier",
                "Choose tier: that support tier does not exist.",
            )),
            Some(t) if t.rank <= current_tier_rank => Err(FieldError::new(
                "tier",
                format!(
                    "Choose tier: {} is not above your current tier. To downgrade, contact your account team.",
                    t.name
                ),
            )),
            Some(t) => Ok(t),
        };
        let start = check_start_month(&self.start_month, current_month);
        let group = self.billing_group_id.ok_or_else(|| {
            FieldError::new(
                "billing_group_id",
                "Billing group: choose the billing group that pays for support.",
            )
        });
        match (tier, start, group) {
            (Ok(tier), Ok(start_month), Ok(billing_group_id)) => Ok(ValidUpgrade {
                tier,
                start_month,
                billing_group_id,
            }),
            (tier, start, group) => Err([tier.err(), start.err(), group.err()]
                .into_iter()
                .flatten()
                .map(FieldMessage::from)
                .collect()),
        }
    }
}

/// What the new tier is expected to cost, in US cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    /// The percentage applied to the monthly spend, before the minimum.
    pub percentage_cents: u64,
    /// The minimum monthly charge.
    pub minimum_cents: u64,
    /// What a month costs: the larger of the two.
    pub monthly_cents: u64,
    /// Charged for the start month when it is the current month (the whole month, from the 1st).
    pub current_month_cents: Option<u64>,
}

/// The estimate for `price` given the monthly spend, or `None` for tiers that are included.
pub fn estimate(
    price: PriceRule,
    monthly_spend_usd_cents: u64,
    starts_this_month: bool,
) -> Option<Estimate> {
    match price {
        PriceRule::Included => None,
        PriceRule::PercentOfSpend {
            basis_points,
            minimum_usd,
        } => {
            // Round half up to the cent; basis points are hundredths of a percent.
            let percentage_cents =
                (monthly_spend_usd_cents * u64::from(basis_points) + 5_000) / 10_000;
            let minimum_cents = u64::from(minimum_usd) * 100;
            let monthly_cents = percentage_cents.max(minimum_cents);
            Some(Estimate {
                percentage_cents,
                minimum_cents,
                monthly_cents,
                current_month_cents: starts_this_month.then_some(monthly_cents),
            })
        }
    }
}

/// `123456` cents -> `USD 1,234.56`.
pub fn format_usd(cents: u64) -> String {
    let dollars = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("USD {grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ResponseTime;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
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
    fn start_month_rules() {
        let now = ym("2026-12");
        assert_eq!(check_start_month("2026-12", now).unwrap(), now);
        assert_eq!(check_start_month("2027-12", now).unwrap(), ym("2027-12"));
        let past = check_start_month("2026-11", now).unwrap_err();
        assert_eq!(past.field, "start_month");
        assert!(
            past.message.contains("November 2026 is in the past"),
            "{}",
            past.message
        );
        let far = check_start_month("2028-01", now).unwrap_err();
        assert!(
            far.message.contains("no later than December 2027"),
            "{}",
            far.message
        );
        assert!(
            check_start_month("", now)
                .unwrap_err()
                .message
                .starts_with("Start date:")
        );
        assert!(check_start_month("soon", now).is_err());
    }

    fn tier(key: &str, rank: u32, price: PriceRule) -> SupportTier {
        SupportTier {
            key: key.into(),
            name: key.to_uppercase(),
            rank,
            summary: String::new(),
            low: ResponseTime::Minutes(1),
            high: ResponseTime::Minutes(1),
            critical: ResponseTime::Minutes(1),
            hours: String::new(),
            phone: String::new(),
            account_team: String::new(),
            price,
        }
    }

    #[test]
    fn validation_reports_every_field_and_refuses_downgrades() {
        let tiers = [
            tier("basic", 0, PriceRule::Included),
            tier(
                "essential",
                1,
                PriceRule::PercentOfSpend {
                    basis_points: 450,
                    minimum_usd: 500,
                },
            ),
        ];
        let now = ym("2026-11");
        let empty = UpgradeRequestInput::default()
            .validate(&tiers, 0, now)
            .unwrap_err();
        let fields: Vec<_> = empty.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tier", "start_month", "billing_group_id"]);
        assert!(empty[2].message.starts_with("Billing group:"));

        let same = UpgradeRequestInput {
            tier: "basic".into(),
            start_month: "2026-11".into(),
            billing_group_id: Some(1),
        };
        assert!(
            same.validate(&tiers, 0, now).unwrap_err()[0]
                .message
                .contains("not above your current tier")
        );

        let ok = UpgradeRequestInput {
            tier: "essential".into(),
            start_month: "2027-01".into(),
            billing_group_id: Some(7),
        };
        let valid = ok.validate(&tiers, 0, now).unwrap();
        assert_eq!(
            (
                valid.tier.key.as_str(),
                valid.start_month,
                valid.billing_group_id
            ),
            ("essential", ym("2027-01"), 7)
        );
    }

    #[test]
    fn estimates_apply_the_percentage_and_the_minimum() {
        let essential = PriceRule::PercentOfSpend {
            basis_points: 450,
            minimum_usd: 500,
        };
        // 4.5% of USD 8,400 is USD 378: below the minimum, so the minimum applies.
        let low = estimate(essential, 840_000, false).unwrap();
        assert_eq!(
            (low.percentage_cents, low.minimum_cents, low.monthly_cents),
            (37_800, 50_000, 50_000)
        );
        assert_eq!(low.current_month_cents, None);
        // 4.5% of USD 52,000 is USD 2,340.
        let high = estimate(essential, 5_200_000, true).unwrap();
        assert_eq!(high.monthly_cents, 234_000);
        assert_eq!(high.current_month_cents, Some(234_000));
        // Half a cent rounds up.
        assert_eq!(
            estimate(essential, 1_111, false).unwrap().percentage_cents,
            50
        );
        assert_eq!(estimate(PriceRule::Included, 1_000_000, true), None);
    }

    #[test]
    fn formats_dollars() {
        assert_eq!(format_usd(0), "USD 0.00");
        assert_eq!(format_usd(50_000), "USD 500.00");
        assert_eq!(format_usd(123_456_789), "USD 1,234,567.89");
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
