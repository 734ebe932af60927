//! Support tier upgrade requests: what the wizard offers, requesting and cancelling an upgrade, and
//! the emails that report each step. Operators decide requests with `support-server upgrades`
//! (`cli::upgrades`).

use api::{
    DowngradeContact, Field, FieldMessage, PlanKind, UpgradeOptions, UpgradeRequest,
    UpgradeRequestInput, YearMonth,
};

use crate::clock;
use crate::error::{Error, Result};
use crate::rules::auth::Member;
use crate::store::upgrades::{Decision, NewUpgradeRequest, UpgradeRecord};
use crate::store::{Store, Tx};

/// 403 for members who try to upgrade.
pub const ADMINS_ONLY: &str = "Only organization admins can upgrade the support tier.";
/// 403 for members asking for the wizard's options (billing groups and spend).
pub const ADMINS_ONLY_OPTIONS: &str =
    "Only organization admins can see the billing groups and spend an upgrade is based on.";
/// 403 for members who try to cancel.
pub const ADMINS_ONLY_CANCEL: &str = "Only organization admins can cancel an upgrade request.";
/// 409 when the organization already has a pending request.
pub const ALREADY_PENDING: &str =
    "An upgrade request is already pending. Cancel it or wait until it is processed.";
/// 409 when cancelling a request that is no longer pending.
pub const NOT_PENDING: &str = "Only a pending upgrade request can be cancelled. This one has already been processed or cancelled.";
/// 422 `tier` for organizations on free services.
pub const FREE_PLAN: &str = "Choose tier: organizations on free services have no support tier to upgrade. Ask the community forum instead.";
/// 422 `billing_group_id` for a group the organization does not own (or that does not exist).
pub const FOREIGN_BILLING_GROUP: &str =
    "Billing group: choose one of your organization's billing groups.";

/// What the wizard needs besides the tier catalogue. Admins only (403 [`ADMINS_ONLY_OPTIONS`]): only
/// they upgrade (the user documentation's "Upgrade your support tier"), and the billing groups'
/// payment methods and the monthly spend are billing details members do not see.
pub async fn options(store: &Store, member: &Member) -> Result<UpgradeOptions> {
    if !member.is_admin() {
        return Err(Error::Forbidden(ADMINS_ONLY_OPTIONS));
    }
    let org_id = member.organization.id;
    let billing_groups = store.billing_groups(org_id).await?;
    let monthly_spend_usd_cents = store.monthly_spend_usd_cents(org_id).await?;
    Ok(UpgradeOptions {
        current_month: clock::current_month(),
        billing_groups,
        monthly_spend_usd_cents,
    })
}

/// An admin asks for a higher tier: checks the request (`check`), records it as pending (one at a
/// time) and emails it.
pub async fn request(
    store: &Store,
    member: &Member,
    input: &UpgradeRequestInput,
) -> Result<UpgradeRequest> {
    if !member.is_admin() {
        return Err(Error::Forbidden(ADMINS_ONLY));
    }
    let org_id = member.organization.id;
    let checked = check(store, member, input).await?;
    let mut tx = store.begin_write().await?;
    let id = tx
        .insert_upgrade_request(&NewUpgradeRequest {
            organization_id: org_id,
            tier_key: &checked.tier_key,
            start_month: checked.start_month,
            billing_group_id: checked.billing_group_id,
            requested_by: member.user.id,
            requested_at: clock::now_timestamp(),
        })
        .await?
        .ok_or_else(|| Error::Conflict(ALREADY_PENDING.into()))?;
    let record = tx
        .upgrade_record(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("upgrade request {id} vanished in its transaction"))?;
    notify(&mut tx, &record, Event::Requested).await?;
    tx.commit().await?;
    tracing::info!(
        request_id = id,
        org_id,
        tier = %record.tier_key,
        start_month = %record.start_month,
        "upgrade requested"
    );
    record.to_api()
}

/// A request that passed [`check`].
struct CheckedRequest {
    tier_key: String,
    start_month: YearMonth,
    billing_group_id: i64,
}

/// Every problem with the request at once, in form order (the billing group comes last): the tier
/// must be above the current one (organizations on free services have none), the month not past,
/// the billing group the organization's.
async fn check(
    store: &Store,
    member: &Member,
    input: &UpgradeRequestInput,
) -> Result<CheckedRequest> {
    let org_id = member.organization.id;
    let month = clock::current_month();
    let current_key = match member.organization.plan {
        PlanKind::Free => None,
        PlanKind::Paid => store.effective_tier_key(org_id, month).await?,
    };
    let Some(current_key) = current_key else {
        return Err(Error::Invalid(vec![FieldMessage::new(
            Field::Tier,
            FREE_PLAN,
        )]));
    };
    let tiers = store.support_tiers().await?;
    let current_rank = tiers
        .iter()
        .find(|t| t.key == current_key)
        .map(|t| t.rank)
        .ok_or_else(|| anyhow::anyhow!("organization {org_id} has unknown tier {current_key:?}"))?;
    let group_is_ours = match input.billing_group_id {
        Some(group_id) => store.owns_billing_group(org_id, group_id).await?,
        // `validate` reports the missing group.
        None => true,
    };
    // As the Support page has it: the account team is a contact only on tiers above Basic.
    let has_account_team = current_rank > 0 && store.account_team_email(org_id).await?.is_some();
    let contact = DowngradeContact::new(has_account_team);
    match (
        input.validate(&tiers, current_rank, month, contact),
        group_is_ours,
    ) {
        (Ok(valid), true) => Ok(CheckedRequest {
            tier_key: valid.tier.key.clone(),
            start_month: valid.start_month,
            billing_group_id: valid.billing_group_id,
        }),
        (result, group_is_ours) => {
            let mut fields = result.err().unwrap_or_default();
            if !group_is_ours {
                fields.push(FieldMessage::new(
                    Field::BillingGroupId,
                    FOREIGN_BILLING_GROUP,
                ));
            }
            Err(Error::Invalid(fields))
        }
    }
}

/// An admin takes back a pending request. 404 for a request of another organization or none.
pub async fn cancel(store: &Store, member: &Member, request_id: i64) -> Result<()> {
    if !member.is_admin() {
        return Err(Error::Forbidden(ADMINS_ONLY_CANCEL));
    }
    let org_id = member.organization.id;
    match store
        .cancel_upgrade_request(org_id, request_id, clock::now_timestamp())
        .await?
    {
        Decision::Done => {
            tracing::info!(request_id, org_id, "upgrade request cancelled");
            Ok(())
        }
        Decision::NotPending { .. } => Err(Error::Conflict(NOT_PENDING.into())),
        Decision::NotFound => Err(Error::NotFound),
    }
}

/// What happened to a request, for the emails about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Requested,
    Activated,
    Rejected,
}

/// Records the emails about `event` in `tx`: one to the requesting admin and one to the account team,
/// if the organization has one.
pub async fn notify(tx: &mut Tx, record: &UpgradeRecord, event: Event) -> Result<()> {
    let (subject, body) = email(record, event);
    for recipient in recipients(record) {
        tx.enqueue_email(recipient, &subject, &body).await?;
    }
    Ok(())
}

fn recipients(record: &UpgradeRecord) -> Vec<&str> {
    let mut recipients = vec![record.requested_by.as_str()];
    if let Some(team) = record
        .account_team_email
        .as_deref()
        .map(str::trim)
        .filter(|team| !team.is_empty() && !team.eq_ignore_ascii_case(&record.requested_by))
    {
        recipients.push(team);
    }
    recipients
}

/// Subject and plain-text body.
fn email(r: &UpgradeRecord, event: Event) -> (String, String) {
    let month = r.start_month_label();
    let details = format!(
        "Organization: {}\nSupport tier: {}\nStart month: {month}\nBilling group: {}\nRequested by: {}\nRequested at: {}\n",
        r.organization, r.tier_name, r.billing_group, r.requested_by, r.requested_at
    );
    match event {
        Event::Requested => (
            format!(
                "Support tier upgrade requested: {} to {} from {month}",
                r.organization, r.tier_name
            ),
            format!(
                "{} asked to upgrade the support tier of {} to {} from {month}.\n\n{details}\n\
                 Setting up a new support tier typically takes 1-2 business days. The status of the \
                 request is shown on the Support page under Current support tier.\n",
                r.requested_by, r.organization, r.tier_name
            ),
        ),
        Event::Activated => (
            format!(
                "Support tier upgrade active: {} is on {} from {month}",
                r.organization, r.tier_name
            ),
            format!(
                "The {} support tier is active for {} from {month}. Its costs go on the invoice of \
                 the billing group {}.\n\n{details}",
                r.tier_name, r.organization, r.billing_group
            ),
        ),
        Event::Rejected => (
            format!(
                "Support tier upgrade rejected: {} to {}",
                r.organization, r.tier_name
            ),
            format!(
                "The request to upgrade {} to the {} support tier from {month} was rejected.\n\n\
                 Reason: {}\n\n{details}\n\
                 The current support tier stays as it is. For questions, contact your account team \
                 or open a support ticket.\n",
                r.organization,
                r.tier_name,
                r.reason.as_deref().unwrap_or("none given")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(account_team_email: Option<&str>) -> UpgradeRecord {
        UpgradeRecord {
            id: 7,
            organization_id: 2,
            organization: "Globex".into(),
            account_team_email: account_team_email.map(Into::into),
            tier_key: "premium".into(),
            tier_name: "Premium".into(),
            start_month: "2027-01".into(),
            billing_group: "Globex Billing".into(),
            requested_by: "admin@globex.example".into(),
            requested_at: "2026-11-27T10:00:00Z".into(),
            status: "rejected".into(),
            reason: Some("Contract renewal first.".into()),
            decided_at: None,
        }
    }

    #[test]
    fn the_account_team_is_copied_once_when_there_is_one() {
        assert_eq!(
            recipients(&record(Some("team@accounts.example"))),
            ["admin@globex.example", "team@accounts.example"]
        );
        assert_eq!(recipients(&record(None)), ["admin@globex.example"]);
        assert_eq!(recipients(&record(Some("  "))), ["admin@globex.example"]);
        assert_eq!(
            recipients(&record(Some("Admin@Globex.example"))),
            ["admin@globex.example"]
        );
    }

    #[test]
    fn emails_name_the_organization_tier_month_and_billing_group() {
        for event in [Event::Requested, Event::Activated, Event::Rejected] {
            let (subject, body) = email(&record(None), event);
            assert!(subject.contains("Globex"), "{subject}");
            assert!(subject.contains("Premium"), "{subject}");
            for part in ["Globex", "Premium", "January 2027", "Globex Billing"] {
                assert!(body.contains(part), "{event:?} body lacks {part}: {body}");
            }
        }
        let (_, rejected) = email(&record(None), Event::Rejected);
        assert!(rejected.contains("Reason: Contract renewal first."));
        let (_, requested) = email(&record(None), Event::Requested);
        assert!(requested.contains("1-2 business days"));
    }
}
