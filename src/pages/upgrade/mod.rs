//! The upgrade wizard: Choose tier -> Start date -> Billing group, which shows the request and ends with
//! Upgrade tier (the documentation's steps, with no review step of its own).
//!
//! Every choice lives in the URL (`?step=billing&tier=advanced&month=2027-01&group=2`), so a reload, a
//! shared link or the browser's back button keeps both the step and what was chosen. Choices are
//! written with `replace` while the user picks, and each step change is a history entry.

mod billing;
mod confirmation;
mod review;
mod start;
mod step;
mod tier;

use crate::router::A;
use api::{
    DowngradeContact, Role, SupportStatus, SupportTier, UpgradeOptions, UpgradeRequest,
    UpgradeRequestInput, UpgradeStatus,
};
use leptos::prelude::*;

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{Placeholder, focus_by_id, loaded, set_document_title};
use crate::routes;
use crate::session::Session;
use billing::BillingStep;
use confirmation::Confirmation;
use start::StartStep;
use step::{Choices, Step, Steps, WizardUrl};
use tier::TierStep;

#[component]
pub fn UpgradePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Upgrade your support tier");

    let org_id = Memo::new(move |_| session.me().map(|me| me.organization.id));
    let role = move || session.me().map(|me| me.role).unwrap_or(Role::Member);
    let data = LocalResource::new(move || {
        let org_id = org_id.get();
        let admin = role() == Role::Admin;
        async move {
            let signal = abort_on_cleanup();
            let id = org_id.ok_or(ClientError::Unauthenticated)?;
            let status = client.support_status(id, signal.clone()).await?;
            // Billing groups and spend are for admins only (a member gets 403): a member's wizard
            // only says whom to ask.
            let options = if admin {
                Some(client.upgrade_options(id, signal).await?)
            } else {
                None
            };
            Ok((id, status, options))
        }
    });

    view! {
        <div class="sa-page sa-wizard">
            <p class="sa-breadcrumb">
                <A href=routes::href(&routes::support())>"Support"</A>
            </p>
            <h1>"Upgrade your support tier"</h1>
            {loaded(data, Placeholder::InPage(1), move |(org_id, status, options)| {
                view! { <Wizard org_id=org_id status=status options=options role=role() /> }
            })}
        </div>
    }
}

/// The wizard at the URL's step, or why this organization cannot use it.
#[component]
fn Wizard(
    org_id: i64,
    status: SupportStatus,
    /// `None` for a member, whom [`blocked_reason`] stops before any step.
    options: Option<UpgradeOptions>,
    role: Role,
) -> impl IntoView {
    let url = WizardUrl::new();
    let created = RwSignal::new(None::<UpgradeRequest>);
    // The wizard is only for admins of paid organizations with somewhere to go and nothing pending;
    // the confirmation stays reachable after the request exists.
    let blocked = blocked_reason(&status, role);
    // Focus follows the step, so keyboard and screen reader users start at the new step's heading.
    Effect::new(move |previous: Option<Step>| {
        let now = url.step.get();
        if previous.is_some_and(|p| p != now) {
            focus_by_id("sa-step-heading");
        }
        now
    });
    let pending = status
        .upgrade_request
        .clone()
        .filter(|r| r.status == UpgradeStatus::Pending);
    let steps = options.map(|options| {
        StoredValue::new(WizardSteps {
            org_id,
            status,
            options,
        })
    });

    move || {
        let step_now = url.step.get();
        if step_now == Step::Done {
            // Only confirm a request that exists; a stale or hand-typed `step=done` falls through to
            // the explanation or the first step below.
            if let Some(request) = created.get().or_else(|| pending.clone()) {
                return view! { <Confirmation request=request /> }.into_any();
            }
        }
        if let Some(message) = blocked.clone() {
            return view! {
                <div class="sa-panel">
                    <p class="sa-note">{message}</p>
                    <p>
                        <A href=routes::href(&routes::support())>"Back to Support"</A>
                    </p>
                </div>
            }
            .into_any();
        }
        // Only a member has no options, and a member is stopped above.
        let Some(steps) = steps else {
            return ().into_any();
        };
        let step_now = if step_now == Step::Done {
            Step::Tier
        } else {
            step_now
        };
        let body = steps.with_value(|s| s.view(step_now, url, created));
        view! {
            <Steps current=step_now />
            <section class="sa-panel sa-step" aria-labelledby="sa-step-heading">{body}</section>
        }
        .into_any()
    }
}

/// What the steps are built from.
struct WizardSteps {
    org_id: i64,
    status: SupportStatus,
    options: UpgradeOptions,
}

impl WizardSteps {
    /// The body of `step`, wired to the URL.
    fn view(
        &self,
        step: Step,
        url: WizardUrl,
        created: RwSignal<Option<UpgradeRequest>>,
    ) -> AnyView {
        // Untracked: a choice made on a step is already on screen (the step keeps it), so writing it
        // into the URL must not draw the step again, which would take focus from the field just used.
        // Steps change through `url.step`, which the caller follows.
        let c = url.choices.get_untracked();
        let current_rank = self
            .status
            .current_tier
            .as_ref()
            .map(|t| t.rank)
            .unwrap_or(0);
        match step {
            Step::Tier | Step::Done => {
                let higher: Vec<SupportTier> = self
                    .status
                    .tiers
                    .iter()
                    .filter(|t| t.rank > current_rank)
                    .cloned()
                    .collect();
                view! {
                    <TierStep
                        tiers=higher
                        chosen=c.tier
                        on_choose=Callback::new(move |key: String| {
                            let mut next = url.choices.get_untracked();
                            next.tier = Some(key);
                            url.go(Step::Start, next, false);
                        })
                        account_team=self.status.account_team_email.clone()
                        sales_email=self.status.links.sales_email.clone()
                    />
                }
                .into_any()
            }
            Step::Start => view! {
                <StartStep
                    current=self.options.current_month
                    chosen=c.month
                    on_change=Callback::new(move |month: String| {
                        url.choose(Step::Start, |next| next.month = Some(month).filter(|m| !m.is_empty()));
                    })
                    on_back=Callback::new(move |_| url.go_to(Step::Tier))
                    on_next=Callback::new(move |_| url.go_to(Step::Billing))
                />
            }
            .into_any(),
            Step::Billing => {
                let input = UpgradeRequestInput {
                    tier: c.tier.unwrap_or_default(),
                    start_month: c.month.unwrap_or_default(),
                    billing_group_id: c.group,
                };
                view! {
                    <BillingStep
                        org_id=self.org_id
                        input=input
                        tiers=self.status.tiers.clone()
                        current_rank=current_rank
                        contact=DowngradeContact::new(self.status.account_team_email.is_some())
                        options=self.options.clone()
                        on_change=Callback::new(move |group: Option<i64>| {
                            url.choose(Step::Billing, |next| next.group = group);
                        })
                        on_edit=Callback::new(move |step: Step| url.go_to(step))
                        on_created=Callback::new(move |request: UpgradeRequest| {
                            created.set(Some(request));
                            url.go(Step::Done, Choices::default(), true);
                        })
                    />
                }
                .into_any()
            }
        }
    }
}

fn blocked_reason(status: &SupportStatus, role: Role) -> Option<String> {
    let current_rank = status.current_tier.as_ref().map(|t| t.rank);
    let message: String = if current_rank.is_none() {
        "Your organization uses only free services, so it has no support tier to upgrade.".into()
    } else if role != Role::Admin {
        format!(
            "Only organization admins can upgrade the support tier. Ask an admin: {}.",
            status.admins.join(", ")
        )
    } else if status
        .upgrade_request
        .as_ref()
        .is_some_and(|r| r.status == UpgradeStatus::Pending)
    {
        "An upgrade request is already pending. Its status is shown on the Support page under Current support tier.".into()
    } else if !status.tiers.iter().any(|t| Some(t.rank) > current_rank) {
        "Your organization has the highest support tier.".into()
    } else {
        return None;
    };
    Some(message)
}
