//! The upgrade wizard: Choose tier -> Start date -> Billing group -> review -> Upgrade tier.
//!
//! Every choice lives in the URL (`?step=billing&tier=advanced&month=2027-01&group=2`), so a reload, a
//! shared link or the browser's back button keeps both the step and what was chosen. Choices are
//! written with `replace` while the user picks, and each step change is a history entry.

use api::{
    BillingGroup, PriceRule, Role, SupportStatus, SupportTier, UpgradeOptions, UpgradeRequest,
    UpgradeRequestInput, UpgradeStatus, YearMonth, estimate, format_usd,
};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{ErrorPanel, PageSkeleton, focus_by_id, set_document_title};
use crate::routes;
use crate::session::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Tier,
    Start,
    Billing,
    Review,
    Done,
}

impl Step {
    const WIZARD: [Step; 4] = [Step::Tier, Step::Start, Step::Billing, Step::Review];

    fn parse(s: Option<&str>) -> Self {
        match s {
            Some("start") => Step::Start,
            Some("billing") => Step::Billing,
            Some("review") => Step::Review,
            Some("done") => Step::Done,
            _ => Step::Tier,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Step::Tier => "tier",
            Step::Start => "start",
            Step::Billing => "billing",
            Step::Review => "review",
            Step::Done => "done",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Step::Tier => "Choose tier",
            Step::Start => "Start date",
            Step::Billing => "Billing group",
            Step::Review => "Review",
            Step::Done => "Request sent",
        }
    }
}

/// What has been chosen so far, as read from the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Choices {
    tier: Option<String>,
    month: Option<String>,
    group: Option<i64>,
}

impl Choices {
    fn query(&self, step: Step) -> String {
        let mut q = format!("step={}", step.key());
        // Values are tier keys, YYYY-MM and ids: URL-safe once anything else is dropped.
        let clean = |s: &str| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        };
        if let Some(t) = &self.tier {
            q.push_str(&format!("&tier={}", clean(t)));
        }
        if let Some(m) = &self.month {
            q.push_str(&format!("&month={}", clean(m)));
        }
        if let Some(g) = self.group {
            q.push_str(&format!("&group={g}"));
        }
        q
    }
}

#[component]
pub fn UpgradePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Upgrade your support tier");

    let org_id = Memo::new(move |_| session.me().map(|me| me.organization.id));
    let data = LocalResource::new(move || {
        let org_id = org_id.get();
        async move {
            let signal = abort_on_cleanup();
            let Some(id) = org_id else {
                return Err(ClientError::Unauthenticated);
            };
            let status = client.support_status(id, signal.clone()).await?;
            let options = client.upgrade_options(id, signal).await?;
            Ok((id, status, options))
        }
    });
    let role = move || session.me().map(|me| me.role).unwrap_or(Role::Member);

    view! {
        <div class="sa-page sa-wizard">
            <p class="sa-breadcrumb">
                <A href=routes::support()>"Support"</A>
            </p>
            <h1>"Upgrade your support tier"</h1>
            <Transition fallback=|| view! { <PageSkeleton cards=1 /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((org_id, status, options)) => {
                            view! { <Wizard org_id=org_id status=status options=options role=role() /> }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <ErrorPanel error=error retry=Callback::new(move |_| data.refetch()) /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Wizard(
    org_id: i64,
    status: SupportStatus,
    options: UpgradeOptions,
    role: Role,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let query = use_query_map();
    let navigate = use_navigate();

    let step = Memo::new(move |_| query.with(|q| Step::parse(q.get("step").as_deref())));
    let from_url = Memo::new(move |_| {
        query.with(|q| Choices {
            tier: q.get("tier").filter(|s| !s.is_empty()),
            month: q.get("month").filter(|s| !s.is_empty()),
            group: q.get("group").and_then(|g| g.parse().ok()),
        })
    });
    // What was chosen on any step so far. The browser's back button can return to an entry written
    // before a later choice was made; the wizard still remembers that choice.
    let remembered = RwSignal::new(from_url.get_untracked());
    Effect::new(move |_| {
        let url = from_url.get();
        remembered.update(|r| {
            r.tier = url.tier.or(r.tier.take());
            r.month = url.month.or(r.month.take());
            r.group = url.group.or(r.group);
        });
    });
    let choices = Memo::new(move |_| {
        let url = from_url.get();
        remembered.with(|r| Choices {
            tier: url.tier.or_else(|| r.tier.clone()),
            month: url.month.or_else(|| r.month.clone()),
            group: url.group.or(r.group),
        })
    });
    let go = {
        let navigate = navigate.clone();
        move |step: Step, choices: Choices, replace: bool| {
            navigate(
                &format!("{}?{}", routes::upgrade(), choices.query(step)),
                NavigateOptions {
                    replace,
                    scroll: !replace,
                    ..Default::default()
                },
            );
        }
    };

    let current_rank = status.current_tier.as_ref().map(|t| t.rank).unwrap_or(0);
    let higher: Vec<SupportTier> = status
        .tiers
        .iter()
        .filter(|t| t.rank > current_rank)
        .cloned()
        .collect();
    let created = RwSignal::new(None::<UpgradeRequest>);

    // The wizard is only for admins of paid organizations with somewhere to go and nothing pending;
    // the confirmation stays reachable after the request exists.
    let blocked = blocked_reason(&status, role);

    // Focus follows the step, so keyboard and screen reader users start at the new step's heading.
    Effect::new(move |previous: Option<Step>| {
        let now = step.get();
        if previous.is_some_and(|p| p != now) {
            focus_by_id("sa-step-heading");
        }
        now
    });

    let tiers = StoredValue::new(status.tiers.clone());
    let higher = StoredValue::new(higher);
    let options = StoredValue::new(options);
    let status = StoredValue::new(status);
    let go = StoredValue::new(go);

    move || {
        let step_now = step.get();
        if step_now == Step::Done {
            let request = created.get().or_else(|| {
                status.with_value(|s| {
                    s.upgrade_request
                        .clone()
                        .filter(|r| r.status == UpgradeStatus::Pending)
                })
            });
            // Only confirm a request that exists; a stale or hand-typed `step=done` falls through to
            // the explanation or the first step below.
            if let Some(request) = request {
                return view! { <Confirmation request=request /> }.into_any();
            }
        }
        if let Some(message) = blocked.clone() {
            return view! {
                <div class="sa-panel">
                    <p class="sa-note">{message}</p>
                    <p>
                        <A href=routes::support()>"Back to Support"</A>
                    </p>
                </div>
            }
            .into_any();
        }
        let step_now = if step_now == Step::Done {
            Step::Tier
        } else {
            step_now
        };
        let c = choices.get();
        let body = match step_now {
            Step::Tier | Step::Done => view! {
                <TierStep
                    tiers=higher.get_value()
                    chosen=c.tier.clone()
                    on_choose=Callback::new(move |key: String| {
                        let mut next = choices.get_untracked();
                        next.tier = Some(key);
                        go.with_value(|go| go(Step::Start, next, false));
                    })
                    contact=status.with_value(|s| s.account_team_email.clone().unwrap_or_else(|| s.links.sales_email.clone()))
                />
            }
            .into_any(),
            Step::Start => view! {
                <StartStep
                    current=options.with_value(|o| o.current_month)
                    chosen=c.month.clone()
                    on_change=Callback::new(move |month: String| {
                        let mut next = choices.get_untracked();
                        next.month = Some(month).filter(|m| !m.is_empty());
                        go.with_value(|go| go(Step::Start, next, true));
                    })
                    on_back=Callback::new(move |_| go.with_value(|go| go(Step::Tier, choices.get_untracked(), false)))
                    on_next=Callback::new(move |_| go.with_value(|go| go(Step::Billing, choices.get_untracked(), false)))
                />
            }
            .into_any(),
            Step::Billing => view! {
                <BillingStep
                    groups=options.with_value(|o| o.billing_groups.clone())
                    chosen=c.group
                    on_change=Callback::new(move |group: Option<i64>| {
                        let mut next = choices.get_untracked();
                        next.group = group;
                        go.with_value(|go| go(Step::Billing, next, true));
                    })
                    on_back=Callback::new(move |_| go.with_value(|go| go(Step::Start, choices.get_untracked(), false)))
                    on_next=Callback::new(move |_| go.with_value(|go| go(Step::Review, choices.get_untracked(), false)))
                />
            }
            .into_any(),
            Step::Review => {
                let input = UpgradeRequestInput {
                    tier: c.tier.clone().unwrap_or_default(),
                    start_month: c.month.clone().unwrap_or_default(),
                    billing_group_id: c.group,
                };
                view! {
                    <ReviewStep
                        org_id=org_id
                        input=input
                        tiers=tiers.get_value()
                        current_rank=current_rank
                        options=options.get_value()
                        on_edit=Callback::new(move |step: Step| go.with_value(|go| go(step, choices.get_untracked(), false)))
                        on_created=Callback::new(move |request: UpgradeRequest| {
                            created.set(Some(request));
                            go.with_value(|go| go(Step::Done, Choices::default(), true));
                        })
                        client=client
                    />
                }
                .into_any()
            }
        };
        view! {
            <Steps current=step_now />
            <section class="sa-panel sa-step" aria-labelledby="sa-step-heading">{body}</section>
        }
        .into_any()
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

#[component]
fn Steps(current: Step) -> impl IntoView {
    view! {
        <ol class="sa-steps" aria-label="Steps">
            {Step::WIZARD
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let state = if *s == current { Some("step") } else { None };
                    view! {
                        <li class:sa-step-current=*s == current aria-current=state>
                            <span class="sa-step-number">{i + 1}</span>
                            {s.title()}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

fn step_heading(text: &'static str) -> impl IntoView {
    view! {
        <h2 id="sa-step-heading" tabindex="-1">
            {text}
        </h2>
    }
}

#[component]
fn TierStep(
    tiers: Vec<SupportTier>,
    chosen: Option<String>,
    on_choose: Callback<String>,
    contact: String,
) -> impl IntoView {
    view! {
        {step_heading("Choose a support tier")}
        <div class="sa-tier-cards">
            {tiers
                .into_iter()
                .map(|tier| {
                    let heading_id = format!("sa-tier-{}", tier.key);
                    let (labelled_by, described_by) = (heading_id.clone(), heading_id.clone());
                    let selected = chosen.as_deref() == Some(tier.key.as_str());
                    let key = tier.key.clone();
                    view! {
                        <article class="sa-tier-card" class:sa-tier-card-selected=selected aria-labelledby=labelled_by>
                            <h3 id=heading_id>{tier.name.clone()}</h3>
                            <p class="sa-muted">{tier.summary.clone()}</p>
                            <dl class="sa-facts sa-facts-compact">
                                <div><dt>"Low"</dt><dd>{tier.low.to_string()}</dd></div>
                                <div><dt>"High"</dt><dd>{tier.high.to_string()}</dd></div>
                                <div><dt>"Critical"</dt><dd>{tier.critical.to_string()}</dd></div>
                                <div><dt>"Support hours"</dt><dd>{tier.hours.clone()}</dd></div>
                                <div><dt>"Phone support"</dt><dd>{tier.phone.clone()}</dd></div>
                                <div><dt>"Account team"</dt><dd>{tier.account_team.clone()}</dd></div>
                                <div><dt>"Price"</dt><dd>{tier.price.to_string()}</dd></div>
                            </dl>
                            <button
                                type="button"
                                class="sa-button sa-button-primary"
                                aria-describedby=described_by
                                on:click=move |_| on_choose.run(key.clone())
                            >
                                "Choose tier"
                            </button>
                        </article>
                    }
                })
                .collect_view()}
        </div>
        <p class="sa-muted">
            "Only tiers above your current one can be requested here. If you have questions or want to downgrade your support tier, contact your account team at "
            <a href=format!("mailto:{contact}")>{contact.clone()}</a>
            "."
        </p>
    }
}

/// The Back and Continue buttons of a step form (Continue submits it).
fn back_and_continue(on_back: Callback<()>) -> impl IntoView {
    view! {
        <div class="sa-actions">
            <button type="button" class="sa-button" on:click=move |_| on_back.run(())>
                "Back"
            </button>
            <button type="submit" class="sa-button sa-button-primary">
                "Continue"
            </button>
        </div>
    }
}

/// The error shown under a step's field.
fn step_error(error: RwSignal<Option<String>>, id: &'static str) -> impl IntoView {
    move || {
        error
            .get()
            .map(|m| view! { <p id=id class="sa-field-error" role="alert">{m}</p> })
    }
}

#[component]
fn StartStep(
    current: YearMonth,
    chosen: Option<String>,
    on_change: Callback<String>,
    on_back: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let value = RwSignal::new(chosen.unwrap_or_default());
    let is_current = move || value.with(|v| YearMonth::parse(v) == Some(current));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match api::upgrade::check_start_month(&value.get_untracked(), current) {
            Ok(_) => {
                error.set(None);
                on_next.run(());
            }
            Err(e) => {
                error.set(Some(e.message));
                focus_by_id("sa-start-month");
            }
        }
    };
    view! {
        {step_heading("Select a start date")}
        <form class="sa-form" novalidate on:submit=submit>
            <div class="sa-field">
                <label for="sa-start-month">"Start date"</label>
                <select
                    id="sa-start-month"
                    prop:value=move || value.get()
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=move || if error.with(Option::is_some) { "sa-start-error sa-start-hint" } else { "sa-start-hint" }
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        value.set(v.clone());
                        error.set(None);
                        on_change.run(v);
                    }
                >
                    <option value="">"Choose a month"</option>
                    {YearMonth::start_choices(current)
                        .into_iter()
                        .map(|m| {
                            let label = if m == current { format!("{} (this month)", m.label()) } else { m.label() };
                            view! { <option value=m.to_string()>{label}</option> }
                        })
                        .collect_view()}
                </select>
                <p id="sa-start-hint" class="sa-muted">"The new tier starts on the first day of the month you choose."</p>
                {step_error(error, "sa-start-error")}
            </div>
            <Show when=is_current>
                <div class="sa-callout" role="note">
                    <strong>"Note: "</strong>
                    "If you select the current month, you will be charged a percentage of the total service spend for the whole month, starting from the 1st."
                </div>
            </Show>
            {back_and_continue(on_back)}
        </form>
    }
}

#[component]
fn BillingStep(
    groups: Vec<BillingGroup>,
    chosen: Option<i64>,
    on_change: Callback<Option<i64>>,
    on_back: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let value = RwSignal::new(chosen.filter(|id| groups.iter().any(|g| g.id == *id)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if value.get_untracked().is_some() {
            error.set(None);
            on_next.run(());
        } else {
            error.set(Some(
                "Billing group: choose the billing group that pays for support.".into(),
            ));
            focus_by_id("sa-billing-group");
        }
    };
    view! {
        {step_heading("Select a billing group")}
        <form class="sa-form" novalidate on:submit=submit>
            <div class="sa-field">
                <label for="sa-billing-group">"Billing group"</label>
                <select
                    id="sa-billing-group"
                    prop:value=move || value.get().map(|id| id.to_string()).unwrap_or_default()
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=move || error.with(Option::is_some).then_some("sa-billing-error")
                    on:change=move |ev| {
                        let id = event_target_value(&ev).parse().ok();
                        value.set(id);
                        error.set(None);
                        on_change.run(id);
                    }
                >
                    <option value="">"Choose a billing group"</option>
                    {groups
                        .into_iter()
                        .map(|g| view! { <option value=g.id.to_string()>{format!("{} \u{2013} {}", g.name, g.payment_method)}</option> })
                        .collect_view()}
                </select>
                {step_error(error, "sa-billing-error")}
            </div>
            <div class="sa-callout sa-callout-important" role="note">
                <strong>"Important: "</strong>
                "The support costs for all current and future services in the selected organization and all of its organizational units will be added to the invoice for this billing group."
            </div>
            {back_and_continue(on_back)}
        </form>
    }
}

#[component]
fn ReviewStep(
    org_id: i64,
    input: UpgradeRequestInput,
    tiers: Vec<SupportTier>,
    current_rank: u32,
    options: UpgradeOptions,
    on_edit: Callback<Step>,
    on_created: Callback<UpgradeRequest>,
    client: ApiClient,
) -> impl IntoView {
    // Check locally first: a hand-edited URL must not reach the server half-filled.
    let local = input
        .validate(&tiers, current_rank, options.current_month)
        .map(|valid| {
            (
                valid.tier.clone(),
                valid.start_month,
                options
                    .billing_groups
                    .iter()
                    .find(|g| g.id == valid.billing_group_id)
                    .cloned(),
            )
        });
    let errors = RwSignal::new(match &local {
        Ok((_, _, None)) => vec![api::FieldMessage {
            field: "billing_group_id".into(),
            message: "Billing group: choose one of your organization's billing groups.".into(),
        }],
        Ok(_) => Vec::new(),
        Err(fields) => fields.clone(),
    });
    let form_error = RwSignal::new(None::<String>);

    let submit = Action::new_local(move |input: &UpgradeRequestInput| {
        let input = input.clone();
        async move { client.request_upgrade(org_id, &input).await }
    });
    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            match result {
                Ok(request) => on_created.run(request),
                Err(ClientError::Api(body)) if !body.fields.is_empty() => {
                    errors.set(body.fields.clone());
                    focus_by_id("sa-review-summary");
                }
                Err(e) => {
                    form_error.set(Some(e.message()));
                    focus_by_id("sa-review-summary");
                }
            }
        }
    });

    let summary = move || {
        let items: Vec<(String, Option<Step>)> = errors
            .get()
            .into_iter()
            .map(|f| {
                let step = match f.field.as_str() {
                    "tier" => Some(Step::Tier),
                    "start_month" => Some(Step::Start),
                    "billing_group_id" => Some(Step::Billing),
                    _ => None,
                };
                (f.message, step)
            })
            .chain(form_error.get().map(|m| (m, None)))
            .collect();
        (!items.is_empty()).then(|| {
            view! {
                <div id="sa-review-summary" class="sa-error-summary" role="alert" tabindex="-1">
                    <h3 class="sa-error-summary-title">"There is a problem"</h3>
                    <ul>
                        {items
                            .into_iter()
                            .map(|(message, step)| {
                                view! {
                                    <li>
                                        {message}
                                        {step.map(|s| view! {
                                            " "
                                            <button type="button" class="sa-link-button" on:click=move |_| on_edit.run(s)>
                                                {format!("Change {}", s.title().to_lowercase())}
                                            </button>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    };

    let details = local.ok().map(|(tier, month, group)| {
        let starts_now = month == options.current_month;
        let spend = options.monthly_spend_usd_cents;
        let estimate_text = match (tier.price, estimate(tier.price, spend, starts_now)) {
            (PriceRule::PercentOfSpend { .. }, Some(e)) => {
                let mut text = format!(
                    "{} of your current monthly service spend ({}) is {}. The minimum is {}, so the estimated monthly charge is {}.",
                    tier.price.to_string().split(" of ").next().unwrap_or_default(),
                    format_usd(spend),
                    format_usd(e.percentage_cents),
                    format_usd(e.minimum_cents),
                    format_usd(e.monthly_cents),
                );
                if let Some(now) = e.current_month_cents {
                    text.push_str(&format!(
                        " Because the tier starts this month, {} is charged for the whole of {}, from the 1st.",
                        format_usd(now),
                        month.label()
                    ));
                }
                text
            }
            _ => "Included with your plan.".to_owned(),
        };
        let group_text = group.map(|g| format!("{} \u{2013} {}", g.name, g.payment_method)).unwrap_or_default();
        view! {
            <dl class="sa-review">
                <div>
                    <dt>"Support tier"</dt>
                    <dd>{tier.name.clone()} " " <button type="button" class="sa-link-button" on:click=move |_| on_edit.run(Step::Tier)>"Change tier"</button></dd>
                </div>
                <div>
                    <dt>"Start date"</dt>
                    <dd>{month.label()} " " <button type="button" class="sa-link-button" on:click=move |_| on_edit.run(Step::Start)>"Change start date"</button></dd>
                </div>
                <div>
                    <dt>"Billing group"</dt>
                    <dd>{group_text} " " <button type="button" class="sa-link-button" on:click=move |_| on_edit.run(Step::Billing)>"Change billing group"</button></dd>
                </div>
                <div>
                    <dt>"Estimate"</dt>
                    <dd>{estimate_text}</dd>
                </div>
            </dl>
        }
    });

    let can_submit = errors.with_untracked(Vec::is_empty);
    let input = StoredValue::new(input);
    view! {
        {step_heading("Review your request")}
        {summary}
        {details}
        <p class="sa-muted">"It typically takes 1-2 business days to set up the new support tier."</p>
        <div class="sa-actions">
            <button type="button" class="sa-button" on:click=move |_| on_edit.run(Step::Billing)>"Back"</button>
            <Show when=move || can_submit>
                <button
                    type="button"
                    class="sa-button sa-button-primary"
                    aria-busy=move || submit.pending().get().then_some("true")
                    on:click=move |_| {
                        if !submit.pending().get_untracked() {
                            errors.set(Vec::new());
                            form_error.set(None);
                            submit.dispatch_local(input.get_value());
                        }
                    }
                >
                    "Upgrade tier"
                </button>
            </Show>
        </div>
    }
}

#[component]
fn Confirmation(request: UpgradeRequest) -> impl IntoView {
    view! {
        <section class="sa-panel sa-step" aria-labelledby="sa-step-heading">
            {step_heading("Your upgrade request was sent")}
            <p>
                {format!(
                    "You asked for the {} support tier from {}, billed to {}.",
                    request.tier_name,
                    YearMonth::parse(&request.start_month).map_or_else(|| request.start_month.clone(), YearMonth::label),
                    request.billing_group,
                )}
            </p>
            <p>
                "It typically takes 1-2 business days to set up the new support tier. You can view the status of your request on the support page under Current support tier."
            </p>
            <p>
                <A href=routes::support()>"Back to Support"</A>
            </p>
        </section>
    }
}
