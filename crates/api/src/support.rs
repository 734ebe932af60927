//! The support tier catalogue and an organization's support status.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::auth::PlanKind;
use crate::calendar::{Timestamp, YearMonth};
use crate::format::{format_basis_points, group_thousands};

/// How urgent a ticket is. The definitions are the documentation's, word for word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Secondary functionality is affected.
    Low,
    /// Primary functions work but are severely limited or slow.
    High,
    /// Primary functions do not work and there is no workaround.
    Critical,
}

impl Severity {
    /// Every severity, least urgent first.
    pub const ALL: [Severity; 3] = [Severity::Low, Severity::High, Severity::Critical];

    /// The visible label.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// The wire name: `low`, `high` or `critical`.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses [`Self::key`]'s output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == s)
    }

    /// The documentation's definition.
    pub fn definition(self) -> &'static str {
        match self {
            Severity::Low => {
                "The primary functions are working, but some secondary functionality is not working."
            }
            Severity::High => "The primary functions are working, but severely limited or slow.",
            Severity::Critical => {
                "The primary functions are not working and it's not possible to find workarounds."
            }
        }
    }
}

// Wire shapes. The enums below are (de)serialised through these plain structs because serde's tagged-enum
// support buffers input through a generic `Content` tree that costs tens of kilobytes in the wasm bundle;
// the JSON is the same either way.

#[derive(Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
enum TimeUnit {
    BusinessDays,
    Minutes,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct ResponseTimeWire {
    unit: TimeUnit,
    value: u32,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
enum PriceKind {
    Included,
    PercentOfSpend,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct PriceRuleWire {
    kind: PriceKind,
    #[serde(default, skip_serializing_if = "is_zero")]
    basis_points: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    minimum_usd: u32,
}

/// A first-response target. On the wire: `{"unit": "minutes", "value": 30}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ResponseTimeWire", into = "ResponseTimeWire")]
pub enum ResponseTime {
    /// Within this many business days.
    BusinessDays(u32),
    /// Within this many minutes, around the clock within the tier's hours.
    Minutes(u32),
}

#[cfg(feature = "openapi")]
schema_as!(ResponseTime, ResponseTimeWire);

impl fmt::Display for ResponseTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ResponseTime::BusinessDays(1) => f.write_str("1 business day"),
            ResponseTime::BusinessDays(n) => write!(f, "{n} business days"),
            ResponseTime::Minutes(m) if m >= 60 && m % 60 == 0 => write!(f, "{} h", m / 60),
            ResponseTime::Minutes(m) => write!(f, "{m} min"),
        }
    }
}

impl From<ResponseTimeWire> for ResponseTime {
    fn from(w: ResponseTimeWire) -> Self {
        match w.unit {
            TimeUnit::BusinessDays => ResponseTime::BusinessDays(w.value),
            TimeUnit::Minutes => ResponseTime::Minutes(w.value),
        }
    }
}

impl From<ResponseTime> for ResponseTimeWire {
    fn from(t: ResponseTime) -> Self {
        match t {
            ResponseTime::BusinessDays(value) => Self {
                unit: TimeUnit::BusinessDays,
                value,
            },
            ResponseTime::Minutes(value) => Self {
                unit: TimeUnit::Minutes,
                value,
            },
        }
    }
}

/// How a tier is priced. On the wire: `{"kind": "included"}` or
/// `{"kind": "percent_of_spend", "basis_points": 450, "minimum_usd": 500}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PriceRuleWire", into = "PriceRuleWire")]
pub enum PriceRule {
    /// No extra charge (Basic, with every paid plan).
    Included,
    /// A share of the organization's monthly service spend, with a floor.
    PercentOfSpend {
        /// Hundredths of a percent: 450 means 4.5 %. Integers keep money exact.
        basis_points: u32,
        /// Minimum monthly charge in whole US dollars.
        minimum_usd: u32,
    },
}

impl From<PriceRuleWire> for PriceRule {
    fn from(w: PriceRuleWire) -> Self {
        match w.kind {
            PriceKind::Included => PriceRule::Included,
            PriceKind::PercentOfSpend => PriceRule::PercentOfSpend {
                basis_points: w.basis_points,
                minimum_usd: w.minimum_usd,
            },
        }
    }
}

impl From<PriceRule> for PriceRuleWire {
    fn from(p: PriceRule) -> Self {
        match p {
            PriceRule::Included => Self {
                kind: PriceKind::Included,
                basis_points: 0,
                minimum_usd: 0,
            },
            PriceRule::PercentOfSpend {
                basis_points,
                minimum_usd,
            } => Self {
                kind: PriceKind::PercentOfSpend,
                basis_points,
                minimum_usd,
            },
        }
    }
}

#[cfg(feature = "openapi")]
schema_as!(PriceRule, PriceRuleWire);

impl fmt::Display for PriceRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PriceRule::Included => f.write_str("Included"),
            PriceRule::PercentOfSpend {
                basis_points,
                minimum_usd,
            } => {
                write!(
                    f,
                    "{} of monthly spend, min USD {}",
                    format_basis_points(basis_points),
                    group_thousands(u64::from(minimum_usd))
                )
            }
        }
    }
}

impl PriceRule {
    /// The share of the monthly spend as people read it (`4.5%`), or `None` for an included tier.
    pub fn percentage(self) -> Option<String> {
        match self {
            PriceRule::Included => None,
            PriceRule::PercentOfSpend { basis_points, .. } => {
                Some(format_basis_points(basis_points))
            }
        }
    }
}

/// The first-response targets of a tier, one per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTimes {
    /// For low-severity tickets.
    pub low: ResponseTime,
    /// For high-severity tickets.
    pub high: ResponseTime,
    /// For critical tickets.
    pub critical: ResponseTime,
}

impl ResponseTimes {
    /// The target for `severity`.
    pub fn get(self, severity: Severity) -> ResponseTime {
        match severity {
            Severity::Low => self.low,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }
}

/// One support tier of the catalogue, as the backend serves it. On the wire the three targets are
/// the tier's own `low`, `high` and `critical` members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SupportTierWire", into = "SupportTierWire")]
pub struct SupportTier {
    /// Stable key, e.g. `essential`.
    pub key: String,
    /// Display name, e.g. `Essential`.
    pub name: String,
    /// Order in the catalogue; higher is more support. Upgrades go to a higher rank only.
    pub rank: u32,
    /// One sentence on who the tier is for.
    pub summary: String,
    /// First-response targets per severity.
    pub response_times: ResponseTimes,
    /// When support is staffed, e.g. `24/7`.
    pub hours: String,
    /// Phone support, e.g. `Critical only`.
    pub phone: String,
    /// Named people, e.g. `Account manager`.
    pub account_team: String,
    /// Price rule.
    pub price: PriceRule,
}

#[cfg(feature = "openapi")]
schema_as!(SupportTier, SupportTierWire);

impl SupportTier {
    /// The first-response target for `severity`.
    pub fn response_time(&self, severity: Severity) -> ResponseTime {
        self.response_times.get(severity)
    }
}

// A plain struct with the targets side by side, rather than `#[serde(flatten)]`, which buffers the
// input like tagged enums do (see the wire shapes above).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct SupportTierWire {
    key: String,
    name: String,
    rank: u32,
    summary: String,
    low: ResponseTime,
    high: ResponseTime,
    critical: ResponseTime,
    hours: String,
    phone: String,
    account_team: String,
    price: PriceRule,
}

impl From<SupportTierWire> for SupportTier {
    fn from(w: SupportTierWire) -> Self {
        Self {
            key: w.key,
            name: w.name,
            rank: w.rank,
            summary: w.summary,
            response_times: ResponseTimes {
                low: w.low,
                high: w.high,
                critical: w.critical,
            },
            hours: w.hours,
            phone: w.phone,
            account_team: w.account_team,
            price: w.price,
        }
    }
}

impl From<SupportTier> for SupportTierWire {
    fn from(t: SupportTier) -> Self {
        Self {
            key: t.key,
            name: t.name,
            rank: t.rank,
            summary: t.summary,
            low: t.response_times.low,
            high: t.response_times.high,
            critical: t.response_times.critical,
            hours: t.hours,
            phone: t.phone,
            account_team: t.account_team,
            price: t.price,
        }
    }
}

/// Where an upgrade request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStatus {
    /// Waiting for the support team to set the tier up.
    Pending,
    /// The new tier is in effect from the start month.
    Active,
    /// Declined; see the reason.
    Rejected,
}

impl UpgradeStatus {
    /// The visible label.
    pub fn label(self) -> &'static str {
        match self {
            UpgradeStatus::Pending => "Pending",
            UpgradeStatus::Active => "Active",
            UpgradeStatus::Rejected => "Rejected",
        }
    }
}

/// A request to move the organization to a higher tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpgradeRequest {
    /// Stable id.
    pub id: i64,
    /// Key of the requested tier.
    pub tier_key: String,
    /// Name of the requested tier.
    pub tier_name: String,
    /// First month of the new tier (`YYYY-MM` on the wire).
    pub start_month: YearMonth,
    /// Name of the billing group that pays for it.
    pub billing_group: String,
    /// Email of the admin who asked.
    pub requested_by: String,
    /// When it was asked for.
    pub requested_at: Timestamp,
    /// Where it stands.
    pub status: UpgradeStatus,
    /// Why it was rejected, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Links and contacts that come from configuration, not code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Links {
    /// The service level agreement.
    pub sla: String,
    /// The community forum for free-plan users.
    pub forum: String,
    /// The page describing the support tiers.
    pub support_services: String,
    /// Sales contact address.
    pub sales_email: String,
}

/// `GET /api/v1/support`: everything the Support page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportStatus {
    /// Product brand, e.g. `Aiven` in "Go to Aiven Support Center".
    pub brand: String,
    /// The organization's name.
    pub organization: String,
    /// Free or paid.
    pub plan: PlanKind,
    /// The tier in effect today; `None` for free-plan organizations.
    pub current_tier: Option<SupportTier>,
    /// The whole catalogue, lowest rank first.
    pub tiers: Vec<SupportTier>,
    /// The most recent upgrade request, if it is pending or was decided recently.
    pub upgrade_request: Option<UpgradeRequest>,
    /// Whether this user may start an upgrade now (admin, paid plan, a higher tier exists, nothing pending).
    pub can_upgrade: bool,
    /// Emails of the organization's admins, so members know whom to ask.
    pub admins: Vec<String>,
    /// The account team's contact, on tiers that have one.
    pub account_team_email: Option<String>,
    /// Configured links.
    pub links: Links,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_times_read_like_the_catalogue() {
        assert_eq!(ResponseTime::BusinessDays(1).to_string(), "1 business day");
        assert_eq!(ResponseTime::BusinessDays(2).to_string(), "2 business days");
        assert_eq!(ResponseTime::Minutes(720).to_string(), "12 h");
        assert_eq!(ResponseTime::Minutes(60).to_string(), "1 h");
        assert_eq!(ResponseTime::Minutes(30).to_string(), "30 min");
        assert_eq!(ResponseTime::Minutes(90).to_string(), "90 min");
    }

    #[test]
    fn price_rules_read_like_the_catalogue() {
        assert_eq!(PriceRule::Included.to_string(), "Included");
        let essential = PriceRule::PercentOfSpend {
            basis_points: 450,
            minimum_usd: 500,
        };
        assert_eq!(essential.to_string(), "4.5% of monthly spend, min USD 500");
        let premium = PriceRule::PercentOfSpend {
            basis_points: 1000,
            minimum_usd: 10_000,
        };
        assert_eq!(premium.to_string(), "10% of monthly spend, min USD 10,000");
        let odd = PriceRule::PercentOfSpend {
            basis_points: 1_025,
            minimum_usd: 1_234_567,
        };
        assert_eq!(
            odd.to_string(),
            "10.25% of monthly spend, min USD 1,234,567"
        );
        assert_eq!(essential.percentage().as_deref(), Some("4.5%"));
        assert_eq!(premium.percentage().as_deref(), Some("10%"));
        assert_eq!(PriceRule::Included.percentage(), None);
    }

    #[test]
    fn wire_format_is_tagged_and_stable() {
        let json = serde_json::to_string(&ResponseTime::Minutes(30)).unwrap();
        assert_eq!(json, r#"{"unit":"minutes","value":30}"#);
        let json = serde_json::to_string(&PriceRule::Included).unwrap();
        assert_eq!(json, r#"{"kind":"included"}"#);
        let back: PriceRule = serde_json::from_str(
            r#"{"kind":"percent_of_spend","basis_points":700,"minimum_usd":2500}"#,
        )
        .unwrap();
        assert_eq!(
            back,
            PriceRule::PercentOfSpend {
                basis_points: 700,
                minimum_usd: 2500
            }
        );
    }

    #[test]
    fn severities_carry_the_documented_definitions() {
        assert_eq!(
            Severity::ALL.map(Severity::label),
            ["Low", "High", "Critical"]
        );
        assert!(
            Severity::Critical
                .definition()
                .contains("not possible to find workarounds")
        );
    }

    fn tier() -> SupportTier {
        SupportTier {
            key: "advanced".into(),
            name: "Advanced".into(),
            rank: 2,
            summary: "s".into(),
            response_times: ResponseTimes {
                low: ResponseTime::Minutes(720),
                high: ResponseTime::Minutes(60),
                critical: ResponseTime::Minutes(30),
            },
            hours: "24/7".into(),
            phone: "Critical only".into(),
            account_team: "-".into(),
            price: PriceRule::Included,
        }
    }

    #[test]
    fn a_tier_keeps_its_targets_side_by_side_on_the_wire() {
        let json = serde_json::to_string(&tier()).unwrap();
        assert_eq!(
            json,
            r#"{"key":"advanced","name":"Advanced","rank":2,"summary":"s","low":{"unit":"minutes","value":720},"high":{"unit":"minutes","value":60},"critical":{"unit":"minutes","value":30},"hours":"24/7","phone":"Critical only","account_team":"-","price":{"kind":"included"}}"#
        );
        assert_eq!(serde_json::from_str::<SupportTier>(&json).unwrap(), tier());
        assert_eq!(
            tier().response_time(Severity::Critical),
            ResponseTime::Minutes(30)
        );
        assert_eq!(
            Severity::ALL.map(|s| tier().response_times.get(s)),
            [
                ResponseTime::Minutes(720),
                ResponseTime::Minutes(60),
                ResponseTime::Minutes(30)
            ]
        );
    }

    #[test]
    fn upgrade_requests_carry_their_month_and_time_as_text() {
        let request = UpgradeRequest {
            id: 1,
            tier_key: "advanced".into(),
            tier_name: "Advanced".into(),
            start_month: YearMonth::new(2027, 1).unwrap(),
            billing_group: "Acme Default".into(),
            requested_by: "admin@acme.example".into(),
            requested_at: Timestamp::parse("2026-11-27T00:36:52Z").unwrap(),
            status: UpgradeStatus::Pending,
            reason: None,
        };
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(
            json,
            r#"{"id":1,"tier_key":"advanced","tier_name":"Advanced","start_month":"2027-01","billing_group":"Acme Default","requested_by":"admin@acme.example","requested_at":"2026-11-27T00:36:52Z","status":"pending"}"#
        );
        assert_eq!(
            serde_json::from_str::<UpgradeRequest>(&json).unwrap(),
            request
        );
    }
}
