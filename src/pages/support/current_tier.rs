//! Current support tier: the tier's response times, hours, phone support and account team, the latest
//! upgrade request and what the user may do about the tier.

use crate::router::A;
use api::{Role, Severity, SupportStatus, SupportTier, UpgradeRequest, UpgradeStatus};
use leptos::prelude::*;

use super::contact_line;
use crate::components::time_view;
use crate::routes;

/// Current support tier: its response times and hours, an upgrade request, and the way to upgrade.
#[component]
pub(super) fn CurrentTier(
    status: SupportStatus,
    role: Role,
    on_cancel: Option<Callback<i64>>,
) -> impl IntoView {
    let brand = status.brand.clone();
    let body = match status.current_tier.clone() {
        None => {
            let forum = format!("{brand} Community Forum");
            view! {
                <p class="sa-tier-name">"No support tier"</p>
                <p>
                    "Your organization uses only free services, so it has no support tier. You can ask questions in the "
                    <a href=status.links.forum.clone()>{forum}</a>
                    ". The Basic support tier is included as soon as you run a paid service."
                </p>
            }
                .into_any()
        }
        Some(tier) => view! {
            <TierSummary tier=tier />
            {status
                .upgrade_request
                .clone()
                .map(|request| {
                    let cancel = on_cancel.filter(|_| role == Role::Admin);
                    let has_team = status.account_team_email.is_some();
                    view! { <RequestStatus request=request on_cancel=cancel has_account_team=has_team /> }
                })}
            <UpgradeControl status=status.clone() role=role />
        }
        .into_any(),
    };
    view! {
        <section class="sa-panel sa-current-tier" aria-labelledby="sa-current-heading">
            <h2 id="sa-current-heading">"Current support tier"</h2>
            {body}
        </section>
    }
}

#[component]
fn TierSummary(tier: SupportTier) -> impl IntoView {
    view! {
        <p class="sa-tier-name">{tier.name.clone()}</p>
        <p class="sa-muted">{tier.summary.clone()}</p>
        <h3 class="sa-subheading">"First response times"</h3>
        <dl class="sa-response-times">
            {Severity::ALL
                .map(|severity| {
                    view! {
                        <div class="sa-response-time">
                            <dt>{severity.label()}</dt>
                            <dd>{tier.response_time(severity).to_string()}</dd>
                        </div>
                    }
                })}
        </dl>
        <dl class="sa-facts">
            <div>
                <dt>"Support hours"</dt>
                <dd>{tier.hours.clone()}</dd>
            </div>
            <div>
                <dt>"Phone support"</dt>
                <dd>{tier.phone.clone()}</dd>
            </div>
            <div>
                <dt>"Account team"</dt>
                <dd>{tier.account_team.clone()}</dd>
            </div>
        </dl>
    }
}

#[component]
fn RequestStatus(
    request: UpgradeRequest,
    on_cancel: Option<Callback<i64>>,
    has_account_team: bool,
) -> impl IntoView {
    let request_id = request.id;
    let cancel = on_cancel
        .filter(|_| request.status == UpgradeStatus::Pending)
        .map(|cb| {
            view! {
                <button type="button" class="sa-button" on:click=move |_| cb.run(request_id)>
                    "Cancel upgrade request"
                </button>
            }
        });
    let (title, note) = match request.status {
        UpgradeStatus::Pending => (
            format!("Upgrade to {} requested", request.tier_name),
            "It typically takes 1-2 business days to set up the new support tier.".to_owned(),
        ),
        UpgradeStatus::Active => (
            format!("Upgrade to {} approved", request.tier_name),
            format!(
                "The {} tier applies from {}.",
                request.tier_name,
                request.start_month.label()
            ),
        ),
        UpgradeStatus::Rejected => (
            format!("Upgrade to {} was not approved", request.tier_name),
            request.reason.clone().unwrap_or_else(|| {
                // Only an organization with an account team has one to ask.
                if has_account_team {
                    "Contact your account team for details.".into()
                } else {
                    "Contact the sales team for details.".into()
                }
            }),
        ),
    };
    view! {
        <div class="sa-request" class:sa-request-rejected=request.status == UpgradeStatus::Rejected>
            <h3 class="sa-subheading">{title}</h3>
            <p>{note}</p>
            <dl class="sa-facts">
                <div>
                    <dt>"Status"</dt>
                    <dd>
                        <span class="sa-badge">{request.status.label()}</span>
                    </dd>
                </div>
                <div>
                    <dt>"Start date"</dt>
                    <dd>{request.start_month.label()}</dd>
                </div>
                <div>
                    <dt>"Billing group"</dt>
                    <dd>{request.billing_group.clone()}</dd>
                </div>
                <div>
                    <dt>"Requested by"</dt>
                    <dd>{request.requested_by.clone()}</dd>
                </div>
                <div>
                    <dt>"Requested at"</dt>
                    <dd>
                        {time_view(request.requested_at)}
                    </dd>
                </div>
            </dl>
            {cancel}
        </div>
    }
}

#[component]
fn UpgradeControl(status: SupportStatus, role: Role) -> impl IntoView {
    let current_rank = status.current_tier.as_ref().map(|t| t.rank).unwrap_or(0);
    let top_tier = !status.tiers.iter().any(|t| t.rank > current_rank);
    let pending = status
        .upgrade_request
        .as_ref()
        .is_some_and(|r| r.status == UpgradeStatus::Pending);
    let contact = contact_line(
        status.account_team_email.clone(),
        status.links.sales_email.clone(),
    );

    let action = if top_tier {
        view! { <p>"Your organization has the highest support tier."</p> }.into_any()
    } else if role != Role::Admin {
        let admins = status.admins.clone();
        view! {
            <p class="sa-note">
                "Only organization admins can upgrade the support tier. Ask an admin: "
                {admins
                    .into_iter()
                    .enumerate()
                    .map(|(i, email)| {
                        view! {
                            {(i > 0).then_some(", ")}
                            <a href=format!("mailto:{email}")>{email.clone()}</a>
                        }
                    })
                    .collect_view()}
                "."
            </p>
        }
        .into_any()
    } else if pending {
        view! {
            <p class="sa-note">
                "You can request another change once this request has been processed."
            </p>
        }
        .into_any()
    } else {
        view! {
            <A href=routes::href(&routes::upgrade())>
                <span class="sa-button sa-button-primary">"Upgrade to Enterprise"</span>
            </A>
        }
        .into_any()
    };

    view! {
        <div class="sa-upgrade">
            {action}
            <p class="sa-muted">
                "If you have questions or want to downgrade your support tier, " {contact}
            </p>
        </div>
    }
}
