//! An organization's support: the tier in effect and what the Support page shows.

use api::{Links, PlanKind, SupportStatus, SupportTier, UpgradeStatus};

use crate::clock;
use crate::error::Result;
use crate::rules::auth::Member;
use crate::store::Store;

/// The tier in effect for the organization this month, with its details; `None` for organizations on
/// free services.
pub async fn current_tier(
    store: &Store,
    org_id: i64,
    plan: PlanKind,
) -> Result<Option<SupportTier>> {
    if plan == PlanKind::Free {
        return Ok(None);
    }
    let Some(key) = store
        .effective_tier_key(org_id, clock::current_month())
        .await?
    else {
        return Ok(None);
    };
    let tiers = store.support_tiers().await?;
    let tier = tiers
        .into_iter()
        .find(|t| t.key == key)
        .ok_or_else(|| anyhow::anyhow!("organization {org_id} has unknown tier {key:?}"))?;
    Ok(Some(tier))
}

/// Everything the Support page shows `member` about their organization; `brand` and `links` come from
/// the configuration.
pub async fn status(
    store: &Store,
    member: Member,
    brand: String,
    links: Links,
) -> Result<SupportStatus> {
    let org_id = member.organization.id;
    let account_team_email = store.account_team_email(org_id).await?;
    let tier_key = store
        .effective_tier_key(org_id, clock::current_month())
        .await?;
    let tiers = store.support_tiers().await?;
    let current_tier = match (member.organization.plan, tier_key) {
        (PlanKind::Paid, Some(key)) => tiers.iter().find(|t| t.key == key).cloned(),
        _ => None,
    };
    let upgrade_request = store.latest_upgrade_request(org_id).await?;
    let admins = store.admin_emails(org_id).await?;

    let higher_exists = current_tier
        .as_ref()
        .is_some_and(|current| tiers.iter().any(|t| t.rank > current.rank));
    let pending = upgrade_request
        .as_ref()
        .is_some_and(|r| r.status == UpgradeStatus::Pending);
    let can_upgrade = member.is_admin() && higher_exists && !pending;

    Ok(SupportStatus {
        brand,
        organization: member.organization.name,
        plan: member.organization.plan,
        // The account team is only a contact on tiers that include one.
        account_team_email: account_team_email
            .filter(|_| current_tier.as_ref().is_some_and(|t| t.rank > 0)),
        current_tier,
        tiers,
        upgrade_request,
        can_upgrade,
        admins,
        links,
    })
}
