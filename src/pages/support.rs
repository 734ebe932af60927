//! The Support page: the organization's current support tier, the way to upgrade it, the tier
//! comparison, the SLA, and the way into the Support Center. Labels follow the documentation.

use api::{PlanKind, Role, Severity, SupportStatus, SupportTier, UpgradeRequest, UpgradeStatus};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{Placeholder, loaded, local_time, set_document_title};
use crate::routes;
use crate::session::Session;

#[component]
pub fn SupportPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Support");

    let org_id = Memo::new(move |_| session.me().map(|me| me.organization.id));
    let status = LocalResource::new(move || {
        let org_id = org_id.get();
        async move {
            let signal = abort_on_cleanup();
            let id = org_id.ok_or(ClientError::Unauthenticated)?;
            client.support_status(id, signal).await
        }
    });
    let role = move || session.me().map(|me| me.role).unwrap_or(Role::Member);
    let cancel_error = RwSignal::new(None::<String>);
    let cancel = Action::new_local(move |request_id: &i64| {
        let request_id = *request_id;
        async move {
            let Some(org) = org_id.get_untracked() else {
                return;
            };
            match client.cancel_upgrade(org, request_id).await {
                Ok(()) => {
                    cancel_error.set(None);
                    status.refetch();
                }
                Err(e) => cancel_error.set(Some(format!(
                    "The request could not be cancelled. {}",
                    e.message()
                ))),
            }
        }
    });
    let on_cancel = Callback::new(move |id: i64| {
        if !cancel.pending().get_untracked() {
            cancel.dispatch_local(id);
        }
    });

    view! {
        <div class="sa-page">
            <h1>"Support"</h1>
            {move || cancel_error.get().map(|m| view! { <p class="sa-banner sa-banner-error" role="alert">{m}</p> })}
            {loaded(status, Placeholder::InPage(3), move |status| {
                set_document_title(&format!("Support \u{b7} {}", status.organization));
                view! { <SupportContent status=status role=role() on_cancel=on_cancel /> }
            })}
        </div>
    }
}

/// The page body for a loaded status; public so component tests can render it with fixed data.
#[component]
pub fn SupportContent(
    status: SupportStatus,
    role: Role,
    /// Withdraws the pending upgrade request with this id (admins only).
    #[prop(optional)]
    on_cancel: Option<Callback<i64>>,
) -> impl IntoView {
    let brand = status.brand.clone();
    let paid = status.plan == PlanKind::Paid;
    let sales = status.links.sales_email.clone();
    view! {
        <p class="sa-lead">
            {format!(
                "The Basic support tier is provided to all customers on paid service plans. {brand} offers three additional support tiers with faster response times, phone support, and other services. ",
            )}
            <a href=status.links.support_services.clone()>"More about the support tiers"</a>
            "."
        </p>

        <CurrentTier status=status.clone() role=role on_cancel=on_cancel />

        {paid
            .then(|| {
                let center = format!("Go to {brand} Support Center");
                view! {
                    <section class="sa-panel" aria-labelledby="sa-center-heading">
                        <h2 id="sa-center-heading">{format!("{brand} Support Center")}</h2>
                        <p>
                            "Create and track support tickets in the Support Center. For other services included in your support tier, such as business reviews or disaster recovery planning, contact the sales team at "
                            <a href=format!("mailto:{sales}")>{sales.clone()}</a> "."
                        </p>
                        <A href=routes::tickets()>
                            <span class="sa-button sa-button-primary">{center}</span>
                        </A>
                    </section>
                }
            })}

        <TierComparison tiers=status.tiers.clone() current=status.current_tier.as_ref().map(|t| t.key.clone()) />

        <section class="sa-panel" aria-labelledby="sa-sla-heading">
            <h2 id="sa-sla-heading">"Service level agreement"</h2>
            <p>
                {format!("The {brand} service level agreement (SLA) details can be found at ")}
                <a href=status.links.sla.clone()>{display_url(&status.links.sla)}</a>
                "."
            </p>
            <p>
                "Custom SLAs are available for premium plans. Contact us at "
                <a href=format!("mailto:{}", status.links.sales_email)>{status.links.sales_email.clone()}</a>
                " for more details."
            </p>
        </section>
    }
}

/// `https://aiven.io/sla` -> `aiven.io/sla`, as the documentation writes it.
fn display_url(url: &str) -> String {
    url.trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

#[component]
fn CurrentTier(
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
                    view! { <RequestStatus request=request on_cancel=cancel /> }
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
fn RequestStatus(request: UpgradeRequest, on_cancel: Option<Callback<i64>>) -> impl IntoView {
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
            request
                .reason
                .clone()
                .unwrap_or_else(|| "Contact your account team for details.".into()),
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
                        <time datetime=request.requested_at.to_string()>{local_time(request.requested_at)}</time>
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
    let contact = status
        .account_team_email
        .clone()
        .unwrap_or_else(|| status.links.sales_email.clone());

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
            <A href=routes::upgrade()>
                <span class="sa-button sa-button-primary">"Upgrade to Enterprise"</span>
            </A>
        }
        .into_any()
    };

    view! {
        <div class="sa-upgrade">
            {action}
            <p class="sa-muted">
                "If you have questions or want to downgrade your support tier, contact your account team at "
                <a href=format!("mailto:{contact}")>{contact.clone()}</a>
                "."
            </p>
        </div>
    }
}

#[component]
fn TierComparison(tiers: Vec<SupportTier>, current: Option<String>) -> impl IntoView {
    type Cell = fn(&SupportTier) -> String;
    let rows: [(&str, Cell); 7] = [
        ("Low severity", |t| t.response_times.low.to_string()),
        ("High severity", |t| t.response_times.high.to_string()),
        ("Critical severity", |t| {
            t.response_times.critical.to_string()
        }),
        ("Support hours", |t| t.hours.clone()),
        ("Phone support", |t| t.phone.clone()),
        ("Account team", |t| t.account_team.clone()),
        ("Price", |t| t.price.to_string()),
    ];
    let is_current = move |t: &SupportTier| current.as_deref() == Some(t.key.as_str());
    let header_cells = tiers
        .iter()
        .map(|t| {
            let current = is_current(t);
            view! {
                <th scope="col" class:sa-current-column=current>
                    {t.name.clone()}
                    {current.then(|| view! { <span class="sa-badge">"Current"</span> })}
                </th>
            }
        })
        .collect_view();
    let body = rows
        .iter()
        .map(|(label, cell)| {
            view! {
                <tr>
                    <th scope="row">{*label}</th>
                    {tiers
                        .iter()
                        .map(|t| view! { <td class:sa-current-column=is_current(t)>{cell(t)}</td> })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="sa-panel" aria-labelledby="sa-compare-heading">
            <h2 id="sa-compare-heading">"Support tiers"</h2>
            // Narrow screens scroll the table, not the page; the region is focusable so keyboard users can too.
            <div class="sa-table-scroll" role="region" aria-label="Compare support tiers, scrollable" tabindex="0">
                <table class="sa-table">
                    <caption>"Compare support tiers"</caption>
                    <thead>
                        <tr>
                            <td></td>
                            {header_cells}
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}
