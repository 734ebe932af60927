//! The support tier upgrade request: start months, the input and its validation, and the estimate.

use serde::{Deserialize, Serialize};

use crate::error::FieldMessage;
use crate::field::Field;
use crate::support::{PriceRule, SupportTier};
use crate::validate::FieldError;

// Kept under their old paths (`api::upgrade::...`).
pub use crate::calendar::{MAX_MONTHS_AHEAD, YearMonth};
pub use crate::format::format_usd;

/// Checks a start month against the current month.
pub fn check_start_month(input: &str, current: YearMonth) -> Result<YearMonth, FieldError> {
    let field = Field::StartMonth;
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpgradeOptions {
    /// The current billing month (UTC), the earliest possible start.
    pub current_month: YearMonth,
    /// The organization's billing groups.
    pub billing_groups: Vec<BillingGroup>,
    /// Current monthly service spend in US cents, the base of the estimate.
    pub monthly_spend_usd_cents: u64,
}

/// `POST /organizations/{id}/upgrade-requests` body, as the form has it (strings, so that every problem
/// can be reported per field instead of as a malformed request: `start_month` stays text, not a
/// [`YearMonth`], so "2026-13" gets the Start date message rather than a 400).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpgradeRequestInput {
    /// Key of the chosen tier.
    pub tier: String,
    /// `YYYY-MM`.
    pub start_month: String,
    /// Id of the chosen billing group.
    pub billing_group_id: Option<i64>,
}

/// Who an organization asks about a downgrade: its account team when it has one (tiers above Basic
/// that name one), otherwise the sales team. The two are different people, so messages never mix them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DowngradeContact {
    /// The organization's own account team.
    AccountTeam,
    /// The sales team, for organizations without an account team.
    SalesTeam,
}

impl DowngradeContact {
    /// The account team when the organization has one, otherwise the sales team.
    pub fn new(has_account_team: bool) -> Self {
        if has_account_team {
            Self::AccountTeam
        } else {
            Self::SalesTeam
        }
    }

    /// Who to contact, as a sentence ends it: "your account team" or "the sales team".
    pub fn phrase(self) -> &'static str {
        match self {
            Self::AccountTeam => "your account team",
            Self::SalesTeam => "the sales team",
        }
    }
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
    /// Checks every field against the catalogue, the current tier and the current month; failures come
    /// in [`Field::UPGRADE_ORDER`]. A tier that is not above the current one points to `contact`.
    pub fn validate<'a>(
        &self,
        tiers: &'a [SupportTier],
        current_tier_rank: u32,
        current_month: YearMonth,
        contact: DowngradeContact,
    ) -> Result<ValidUpgrade<'a>, Vec<FieldMessage>> {
        let tier = match tiers.iter().find(|t| t.key == self.tier) {
            None if self.tier.is_empty() => Err(FieldError::new(
                Field::Tier,
                "Choose tier: pick the support tier you want.",
            )),
            None => Err(FieldError::new(
                Field::Tier,
                "Choose tier: that support tier does not exist.",
            )),
            Some(t) if t.rank <= current_tier_rank => Err(FieldError::new(
                Field::Tier,
                format!(
                    "Choose tier: {} is not above your current tier. To downgrade, contact {}.",
                    t.name,
                    contact.phrase()
                ),
            )),
            Some(t) => Ok(t),
        };
        let start = check_start_month(&self.start_month, current_month);
        let group = self.billing_group_id.ok_or_else(|| {
            FieldError::new(
                Field::BillingGroupId,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::{ResponseTime, ResponseTimes};

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
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
            response_times: ResponseTimes {
                low: ResponseTime::Minutes(1),
                high: ResponseTime::Minutes(1),
                critical: ResponseTime::Minutes(1),
            },
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
            .validate(&tiers, 0, now, DowngradeContact::SalesTeam)
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
            same.validate(&tiers, 0, now, DowngradeContact::SalesTeam)
                .unwrap_err()[0]
                .message
                .contains("not above your current tier")
        );

        let ok = UpgradeRequestInput {
            tier: "essential".into(),
            start_month: "2027-01".into(),
            billing_group_id: Some(7),
        };
        let valid = ok
            .validate(&tiers, 0, now, DowngradeContact::SalesTeam)
            .unwrap();
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
    fn a_downgrade_points_to_the_account_team_only_when_there_is_one() {
        let tiers = [
            tier("basic", 0, PriceRule::Included),
            tier("essential", 1, PriceRule::Included),
        ];
        let downgrade = UpgradeRequestInput {
            tier: "basic".into(),
            start_month: "2026-12".into(),
            billing_group_id: Some(1),
        };
        let message = |has_team| {
            downgrade
                .validate(&tiers, 1, ym("2026-11"), DowngradeContact::new(has_team))
                .unwrap_err()
                .remove(0)
                .message
        };
        assert_eq!(
            message(true),
            "Choose tier: BASIC is not above your current tier. To downgrade, contact your account team."
        );
        assert_eq!(
            message(false),
            "Choose tier: BASIC is not above your current tier. To downgrade, contact the sales team."
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
}
