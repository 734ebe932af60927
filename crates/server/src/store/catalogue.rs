//! The catalogues every installation starts with and operators edit: the support tiers and the
//! products tickets are about. Also which tier an organization has in a month.

use api::{PriceRule, Product, Reason, ResponseTimes, SupportTier, YearMonth};

use super::{Store, Tx, codec};
use crate::error::{Error, Result};

#[derive(sqlx::FromRow)]
struct TierRow {
    key: String,
    name: String,
    rank: i64,
    summary: String,
    low_unit: String,
    low_value: i64,
    high_unit: String,
    high_value: i64,
    critical_unit: String,
    critical_value: i64,
    hours: String,
    phone: String,
    account_team: String,
    price_basis_points: Option<i64>,
    price_minimum_usd: Option<i64>,
}

impl TryFrom<TierRow> for SupportTier {
    type Error = Error;
    fn try_from(r: TierRow) -> Result<Self> {
        let price = match (r.price_basis_points, r.price_minimum_usd) {
            (Some(bp), Some(min)) => PriceRule::PercentOfSpend {
                basis_points: u32::try_from(bp).map_err(anyhow::Error::from)?,
                minimum_usd: u32::try_from(min).map_err(anyhow::Error::from)?,
            },
            _ => PriceRule::Included,
        };
        Ok(SupportTier {
            rank: u32::try_from(r.rank).map_err(anyhow::Error::from)?,
            response_times: ResponseTimes {
                low: codec::response_time(&r.low_unit, r.low_value)?,
                high: codec::response_time(&r.high_unit, r.high_value)?,
                critical: codec::response_time(&r.critical_unit, r.critical_value)?,
            },
            key: r.key,
            name: r.name,
            summary: r.summary,
            hours: r.hours,
            phone: r.phone,
            account_team: r.account_team,
            price,
        })
    }
}

impl Store {
    /// The whole tier catalogue, lowest rank first.
    pub async fn support_tiers(&self) -> Result<Vec<SupportTier>> {
        on_pool!(self, |pool| {
            let rows: Vec<TierRow> = sqlx::query_as("SELECT * FROM support_tiers ORDER BY rank")
                .fetch_all(pool)
                .await?;
            rows.into_iter().map(SupportTier::try_from).collect()
        })
    }

    /// The key of the tier in effect for the organization in `month`: the organization's base tier,
    /// raised by any active upgrade request whose start month has come. When several have, the
    /// highest tier wins: an upgrade never lowers the tier (downgrades go through the account team),
    /// whatever order requests were made or activated in. `None` for organizations on free services.
    pub async fn effective_tier_key(
        &self,
        org_id: i64,
        month: YearMonth,
    ) -> Result<Option<String>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COALESCE(
                 (SELECT r.tier FROM upgrade_requests r JOIN support_tiers t ON t.key = r.tier
                  WHERE r.organization_id = $1 AND r.status = 'active' AND r.start_month <= $2
                  ORDER BY t.rank DESC LIMIT 1),
                 (SELECT support_tier FROM organizations WHERE id = $1))",
            )
            .bind(org_id)
            .bind(month.to_string())
            .fetch_one(pool)
            .await?)
        })
    }

    /// The ticket product catalogue in display order, each product with its reasons in display order.
    pub async fn products(&self) -> Result<Vec<Product>> {
        on_pool!(self, |pool| {
            let rows: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT p.key, p.name, r.key, r.label
             FROM products p JOIN product_reasons r ON r.product_key = p.key
             ORDER BY p.position, r.position",
            )
            .fetch_all(pool)
            .await?;
            let mut products: Vec<Product> = Vec::new();
            for (key, name, reason_key, label) in rows {
                if products.last().is_none_or(|p| p.key != key) {
                    products.push(Product {
                        key,
                        name,
                        reasons: Vec::new(),
                    });
                }
                if let Some(product) = products.last_mut() {
                    product.reasons.push(Reason {
                        key: reason_key,
                        label,
                    });
                }
            }
            Ok(products)
        })
    }
}

impl Tx {
    /// Makes `tiers` (the operator's file, lowest rank first) the catalogue: tiers are matched by
    /// key, so organizations and upgrade requests keep theirs; a tier no longer listed is deleted,
    /// or, while an organization or an upgrade request uses it, the whole change is refused with
    /// an error naming it.
    pub async fn replace_support_tiers(&mut self, tiers: &[SupportTier]) -> anyhow::Result<()> {
        on_tx!(self, |conn, pg| {
            // Out of the way first: ranks and names are unique, and the file may reorder or rename.
            sqlx::query("UPDATE support_tiers SET rank = rank + 1000000, name = '~' || key")
                .execute(&mut *conn)
                .await?;
            for tier in tiers {
                let (low_unit, low_value) = codec::response_time_columns(tier.response_times.low);
                let (high_unit, high_value) =
                    codec::response_time_columns(tier.response_times.high);
                let (critical_unit, critical_value) =
                    codec::response_time_columns(tier.response_times.critical);
                let (basis_points, minimum_usd) = match tier.price {
                    PriceRule::Included => (None, None),
                    PriceRule::PercentOfSpend {
                        basis_points,
                        minimum_usd,
                    } => (Some(basis_points), Some(minimum_usd)),
                };
                sqlx::query(
                    "INSERT INTO support_tiers
                     (key, name, rank, summary, low_unit, low_value, high_unit, high_value,
                      critical_unit, critical_value, hours, phone, account_team,
                      price_basis_points, price_minimum_usd)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 ON CONFLICT (key) DO UPDATE SET
                     name = excluded.name, rank = excluded.rank, summary = excluded.summary,
                     low_unit = excluded.low_unit, low_value = excluded.low_value,
                     high_unit = excluded.high_unit, high_value = excluded.high_value,
                     critical_unit = excluded.critical_unit,
                     critical_value = excluded.critical_value, hours = excluded.hours,
                     phone = excluded.phone, account_team = excluded.account_team,
                     price_basis_points = excluded.price_basis_points,
                     price_minimum_usd = excluded.price_minimum_usd",
                )
                .bind(&tier.key)
                .bind(&tier.name)
                .bind(i64::from(tier.rank))
                .bind(&tier.summary)
                .bind(low_unit)
                .bind(i64::from(low_value))
                .bind(high_unit)
                .bind(i64::from(high_value))
                .bind(critical_unit)
                .bind(i64::from(critical_value))
                .bind(&tier.hours)
                .bind(&tier.phone)
                .bind(&tier.account_team)
                .bind(basis_points.map(i64::from))
                .bind(minimum_usd.map(i64::from))
                .execute(&mut *conn)
                .await?;
            }
            let keys: Vec<&str> = tiers.iter().map(|t| t.key.as_str()).collect();
            let keys = serde_json::to_string(&keys)?;
            let in_use: Vec<String> = sqlx::query_scalar(if pg {
                "SELECT key FROM support_tiers
             WHERE key NOT IN (SELECT value FROM json_array_elements_text($1::json))
               AND (key IN (SELECT support_tier FROM organizations WHERE support_tier IS NOT NULL)
                    OR key IN (SELECT tier FROM upgrade_requests))
             ORDER BY key"
            } else {
                "SELECT key FROM support_tiers
             WHERE key NOT IN (SELECT value FROM json_each($1))
               AND (key IN (SELECT support_tier FROM organizations WHERE support_tier IS NOT NULL)
                    OR key IN (SELECT tier FROM upgrade_requests))
             ORDER BY key"
            })
            .bind(&keys)
            .fetch_all(&mut *conn)
            .await?;
            anyhow::ensure!(
                in_use.is_empty(),
                "the tier file leaves out {}, which organizations or upgrade requests in the database use; \
             keep {} in the file",
                in_use.join(", "),
                if in_use.len() == 1 { "it" } else { "them" }
            );
            sqlx::query(if pg {
                "DELETE FROM support_tiers
             WHERE key NOT IN (SELECT value FROM json_array_elements_text($1::json))"
            } else {
                "DELETE FROM support_tiers WHERE key NOT IN (SELECT value FROM json_each($1))"
            })
            .bind(&keys)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }
}
