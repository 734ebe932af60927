//! The Support page: the organization's current support tier, the way to upgrade it, the tier
//! comparison, the SLA, and the way into the Support Center. Labels follow the documentation.

mod comparison;
mod current_tier;

use crate::router::A;
use api::{PlanKind, Role, SupportStatus};
use leptos::prelude::*;

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{Placeholder, loaded, set_document_title};
use crate::routes;
use crate::session::Session;
use comparison::TierComparison;
use current_tier::CurrentTier;

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
                        <A href=routes::href(&routes::tickets())>
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

/// "contact your account team at …" when the organization has one (the API names it only on tiers
/// above Basic that have an address), otherwise "contact the sales team at …": the two are different
/// people and never mixed in one phrase.
pub(crate) fn contact_line(account_team: Option<String>, sales_email: String) -> impl IntoView {
    let (who, address) = match account_team {
        Some(team) => ("contact your account team at ", team),
        None => ("contact the sales team at ", sales_email),
    };
    view! {
        {who}
        <a href=format!("mailto:{address}")>{address.clone()}</a>
        "."
    }
}
