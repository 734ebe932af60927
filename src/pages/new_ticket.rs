//! The Create ticket form, in the documentation's order: CC, Subject, Severity, optional project and
//! service, Product and reason, Description, optional files, Create ticket.
//!
//! Nothing typed is ever lost: the form is a draft in localStorage (per user and organization) from the
//! first keystroke until the server confirms the ticket, so a reload, a crash, an expired session or a
//! failed request all come back to the same text. The draft carries the idempotency key it was started
//! with, so sending it again after an unclear failure can never create a second ticket.

use api::ticket::{DESCRIPTION_MAX_CHARS, SUBJECT_MAX_CHARS, check_cc_address};
use api::{FieldMessage, Me, NewTicket, Severity, TicketContext, TicketOptions};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::cc_input::{CcCheck, CcField, CcInput};
use crate::components::form::{
    Autosave, FieldError, FieldErrors, SendFailureText, counter_text, new_key, ready_to_send,
    report_send_failure,
};
use crate::components::uploads::{FileField, Uploads};
use crate::components::{
    ErrorPanel, ErrorSummary, PageSkeleton, focus_by_id, local_time, set_document_title,
};
use crate::session::Session;
use crate::{routes, storage};

/// Where drafts live: `support-app:ticket-draft:{user}:{organization}`.
const DRAFT_PREFIX: &str = "support-app:ticket-draft";
/// Field order, for sorting merged messages the way the form reads.
/// What the form says when Create ticket fails.
const SEND_FAILURE: SendFailureText = SendFailureText {
    // The earlier send may have created a ticket with the text as it was then; a deliberate second
    // click sends this version as a new ticket.
    reused: "An earlier version of this form was already sent and may have created a ticket. Check My tickets first: clicking Create ticket again sends this version as a new ticket.",
    offline: "We could not reach the server, so we cannot tell whether the ticket was created. Click Create ticket again when you are back online: it will not be created twice. Everything you entered is still here.",
    failed: "The ticket was not created.",
    kept: "Everything you entered is still here.",
};
const FIELDS: &[&str] = &[
    "cc",
    "subject",
    "severity",
    "project_id",
    "service_id",
    "product",
    "reason",
    "description",
    "attachments",
];

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Create ticket");

    let me = session.me();
    let org_id = me.as_ref().map(|me| me.organization.id);
    let query = use_query_map();
    let follow_up = query
        .read_untracked()
        .get("follow_up")
        .and_then(|id| id.parse::<i64>().ok());
    let options = LocalResource::new(move || async move {
        let signal = abort_on_cleanup();
        match org_id {
            Some(id) => client.ticket_options(id, signal).await,
            None => Err(ClientError::Unauthenticated),
        }
    });

    view! {
        <div class="sa-page sa-narrow">
            <nav class="sa-breadcrumb" aria-label="Breadcrumb">
                <A href=routes::support()>"Support"</A>
                " / "
                <A href=routes::tickets()>"My tickets"</A>
            </nav>
            <h1>"Create ticket"</h1>
            <Transition fallback=|| view! { <PageSkeleton cards=3 /> }>
                {move || Suspend::new({
                    let me = me.clone();
                    async move {
                        match (options.await, me) {
                            (Ok(options), Some(me)) if options.tier_name.is_some() => {
                                view! { <TicketForm options=options me=me follow_up=follow_up /> }.into_any()
                            }
                            (Ok(options), _) => view! { <NoTier forum_url=options.forum_url /> }.into_any(),
                            (Err(error), _) => {
                                view! { <ErrorPanel error=error retry=Callback::new(move |_| options.refetch()) /> }
                                    .into_any()
                            }
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

/// Organizations on free services have no support tier and get help in the community forum.
#[component]
fn NoTier(forum_url: String) -> impl IntoView {
    view! {
        <div class="sa-panel">
            <p>
                "Your organization runs only free services, so it has no support tier and cannot open tickets. Ask in the "
                <a href=forum_url>"community forum"</a> ", or upgrade to a paid plan to get support."
            </p>
        </div>
    }
}

/// What is saved while the user types. Files are not: they are uploaded as they are added and a
/// reload starts them over.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Draft {
    cc: Vec<String>,
    cc_text: String,
    subject: String,
    severity: Option<Severity>,
    project: Option<i64>,
    service: Option<i64>,
    product: String,
    reason: String,
    description: String,
    /// The closed ticket this one follows up.
    follow_up: Option<i64>,
    /// The idempotency key of this draft's ticket.
    key: String,
    /// Milliseconds since the epoch.
    saved_at: f64,
}

impl Draft {
    fn has_content(&self) -> bool {
        !(self.cc.is_empty()
            && self.cc_text.trim().is_empty()
            && self.subject.trim().is_empty()
            && self.severity.is_none()
            && self.project.is_none()
            && self.product.is_empty()
            && self.description.trim().is_empty())
    }
}

/// The form's fields as signals.
#[derive(Clone, Copy)]
struct Fields {
    cc: CcField,
    subject: RwSignal<String>,
    severity: RwSignal<Option<Severity>>,
    project: RwSignal<Option<i64>>,
    service: RwSignal<Option<i64>>,
    product: RwSignal<String>,
    reason: RwSignal<String>,
    description: RwSignal<String>,
    follow_up: RwSignal<Option<i64>>,
    key: RwSignal<String>,
}

impl Fields {
    fn new(draft: Draft, submitter: &str) -> Self {
        let check = CcCheck {
            own: submitter.to_owned(),
            ..Default::default()
        };
        Self {
            cc: CcField::new(draft.cc, draft.cc_text, check, |check, list, token| {
                check_cc_address(list, token, &check.own)
            }),
            subject: RwSignal::new(draft.subject),
            severity: RwSignal::new(draft.severity),
            project: RwSignal::new(draft.project),
            service: RwSignal::new(draft.service),
            product: RwSignal::new(draft.product),
            reason: RwSignal::new(draft.reason),
            description: RwSignal::new(draft.description),
            follow_up: RwSignal::new(draft.follow_up),
            key: RwSignal::new(if draft.key.is_empty() {
                new_key()
            } else {
                draft.key
            }),
        }
    }

    /// Subscribes the running effect to every field.
    fn track(&self) {
        self.cc.emails.track();
        self.cc.text.track();
        self.subject.track();
        self.severity.track();
        self.project.track();
        self.service.track();
        self.product.track();
        self.reason.track();
        self.description.track();
        self.follow_up.track();
    }

    /// The current values, or `None` once the form is gone (its signals disposed).
    fn snapshot(&self) -> Option<Draft> {
        Some(Draft {
            cc: self.cc.emails.try_get_untracked()?,
            cc_text: self.cc.text.try_get_untracked()?,
            subject: self.subject.try_get_untracked()?,
            severity: self.severity.try_get_untracked()?,
            project: self.project.try_get_untracked()?,
            service: self.service.try_get_untracked()?,
            product: self.product.try_get_untracked()?,
            reason: self.reason.try_get_untracked()?,
            description: self.description.try_get_untracked()?,
            follow_up: self.follow_up.try_get_untracked()?,
            key: self.key.try_get_untracked()?,
            saved_at: js_sys::Date::now(),
        })
    }

    fn reset(&self) {
        self.cc.clear();
        self.subject.set(String::new());
        self.severity.set(None);
        self.project.set(None);
        self.service.set(None);
        self.product.set(String::new());
        self.reason.set(String::new());
        self.description.set(String::new());
        self.follow_up.set(None);
        self.key.set(new_key());
    }

    fn input(&self, attachment_ids: Vec<i64>) -> NewTicket {
        NewTicket {
            cc: self.cc.emails.get_untracked(),
            subject: self.subject.get_untracked(),
            severity: self.severity.get_untracked(),
            project_id: self.project.get_untracked(),
            service_id: self.service.get_untracked(),
            product: self.product.get_untracked(),
            reason: self.reason.get_untracked(),
            description: self.description.get_untracked(),
            attachment_ids,
            follow_up_of: self.follow_up.get_untracked(),
        }
    }
}

#[component]
fn TicketForm(options: TicketOptions, me: Me, follow_up: Option<i64>) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let navigate = use_navigate();
    let org_id = me.organization.id;
    let submitter = StoredValue::new(me.user.email.clone());
    let options = StoredValue::new(options);
    let draft_key = format!("{DRAFT_PREFIX}:{}:{org_id}", me.user.id);

    let restored = storage::load::<Draft>(&draft_key).filter(Draft::has_content);
    let restored_at = RwSignal::new(restored.as_ref().map(|d| d.saved_at));
    // The server remembers idempotency keys for 24 hours. An older draft whose last send was never
    // confirmed may have created a ticket, and its key no longer protects a retry: use a new key and say so.
    let stale = restored
        .as_ref()
        .is_some_and(|d| js_sys::Date::now() - d.saved_at > 23.0 * 3600.0 * 1000.0);
    let f = Fields::new(restored.unwrap_or_default(), &me.user.email);
    if stale {
        f.key.set(new_key());
    }
    if follow_up.is_some() {
        f.follow_up.set(follow_up);
    }

    let errors = FieldErrors::new(FIELDS);
    let form_error = RwSignal::new(None::<String>);
    let uploads = Uploads::new(org_id, "ticket");
    let autosave = Autosave::start(
        draft_key,
        move || f.track(),
        move || f.snapshot(),
        Draft::has_content,
    );

    // ---- Validation ----------------------------------------------------------------------------
    let check_all = move || -> Vec<FieldMessage> {
        let input = f.input(Vec::new());
        let mut messages = options.with_value(|o| {
            submitter.with_value(|email| {
                input
                    .validate(TicketContext {
                        products: &o.products,
                        projects: &o.projects,
                        submitter: email,
                    })
                    .err()
                    .unwrap_or_default()
            })
        });
        // Text still in the CC box is an address that did not pass.
        f.cc.report_leftover(&mut messages);
        if let Some(message) = uploads.problem() {
            messages.push(FieldMessage {
                field: "attachments".into(),
                message,
            });
        }
        messages
    };
    // On input: a shown message goes away as soon as the field is fixed.
    let recheck_if_shown = move |field: &'static str| {
        if errors
            .list
            .with_untracked(|l| l.iter().any(|m| m.field == field))
        {
            errors.refresh(&[field], check_all());
        }
    };
    // On blur: check what was typed (an untouched empty field is not an error yet).
    let recheck_if_filled = move |field: &'static str, filled: bool| {
        if filled {
            errors.refresh(&[field], check_all());
        } else {
            recheck_if_shown(field);
        }
    };
    let on_cc_message = Callback::new(move |message: Option<String>| errors.set("cc", message));

    // ---- Submit --------------------------------------------------------------------------------
    let create = Action::new_local(move |(input, key): &(NewTicket, String)| {
        let (input, key) = (input.clone(), key.clone());
        async move { client.create_ticket(org_id, &input, &key).await }
    });
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            let Some(result) = create.value().get() else {
                return;
            };
            match result {
                Ok(ticket) => {
                    autosave.finish();
                    uploads.sent();
                    navigate(
                        &format!("{}?created=1", routes::ticket(ticket.id)),
                        Default::default(),
                    );
                }
                Err(error) => {
                    if report_send_failure(
                        error,
                        errors,
                        form_error,
                        "ticket-summary",
                        &SEND_FAILURE,
                    ) {
                        f.key.set(new_key());
                    }
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        f.cc.commit(true);
        form_error.set(None);
        if !ready_to_send(check_all(), errors, "ticket-summary") {
            return;
        }
        autosave.save_now();
        create.dispatch_local((f.input(uploads.done_ids()), f.key.get_untracked()));
    };
    let discard = move |_| {
        uploads.clear();
        f.reset();
        f.follow_up.set(follow_up);
        errors.set_all(Vec::new());
        form_error.set(None);
        restored_at.set(None);
        autosave.discard();
        focus_by_id("ticket-cc");
    };

    // ---- View ----------------------------------------------------------------------------------
    let severity_times = move |severity: Severity| {
        options.with_value(|o| {
            let index = Severity::ALL
                .iter()
                .position(|s| *s == severity)
                .unwrap_or(0);
            o.response_times
                .get(index)
                .map(|t| {
                    format!(
                        "Expected first response: {t} on your {} tier.",
                        o.tier_name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default()
        })
    };
    let services = move || {
        let project = f.project.get();
        options.with_value(|o| {
            o.projects
                .iter()
                .find(|p| Some(p.id) == project)
                .map(|p| p.services.clone())
        })
    };
    let reasons = move || {
        let product = f.product.get();
        options.with_value(|o| {
            o.products
                .iter()
                .find(|p| p.key == product)
                .map(|p| p.reasons.clone())
        })
    };
    let subject_count = move || f.subject.with(|s| s.trim().chars().count());
    let description_count = move || f.description.with(|s| s.trim().chars().count());
    let has_error = move |field: &'static str| errors.has(field);
    let invalid = move |field: &'static str| move || has_error(field).then_some("true");
    let described = move |field: &'static str, hint: &'static str| {
        move || {
            if has_error(field) {
                format!("ticket-{field}-error {hint}")
            } else {
                hint.to_owned()
            }
        }
    };
    let error_for = move |field: &'static str| errors.message(field);

    view! {
        <ErrorSummary id="ticket-summary" prefix="ticket" errors=errors.list form_error=form_error />
        {move || {
            restored_at
                .get()
                .map(|at| {
                    let when = local_time(&js_sys::Date::new(&at.into()).to_iso_string().as_string().unwrap_or_default());
                    view! {
                        <div class="sa-callout sa-draft-notice" role="status">
                            <p>
                                "We restored your unsent draft (last saved " {when} "). Files are not kept in drafts; add them again if you need them."
                                {stale.then_some(" If you sent it before and it was not confirmed, check My tickets first: it could be created again.")}
                            </p>
                            <button type="button" class="sa-button" on:click=discard>
                                "Discard draft"
                            </button>
                        </div>
                    }
                })
        }}
        <form
            class="sa-form sa-panel sa-ticket-form"
            novalidate
            on:submit=on_submit
            on:paste=move |ev| uploads.paste(&ev)
        >
            // Read-only while the ticket is being created: what is sent is what the user sees.
            <fieldset class="sa-plain-fieldset sa-form" disabled=move || create.pending().get()>
            {move || f.follow_up.get().map(|id| view! {
                <p class="sa-callout">
                    {format!("This ticket follows up the closed ticket #{id}; it will link back to it.")}
                </p>
            })}
            <CcInput
                prefix="ticket"
                field=f.cc
                hint="All new comments and updates will be sent to these emails. Separate addresses with spaces, commas or new lines. People who are console users of your organization can also open the ticket and comment; others only get email (replying by email is not supported yet)."
                message=error_for("cc")
                on_message=on_cc_message
            />

            // Subject
            <div class="sa-field">
                <label for="ticket-subject">"Subject"</label>
                <input
                    id="ticket-subject"
                    type="text"
                    prop:value=move || f.subject.get()
                    on:input=move |ev| {
                        f.subject.set(event_target_value(&ev));
                        recheck_if_shown("subject");
                    }
                    on:blur=move |_| recheck_if_filled("subject", subject_count() > 0)
                    aria-invalid=invalid("subject")
                    aria-describedby=described("subject", "ticket-subject-count")
                />
                <p id="ticket-subject-count" class="sa-hint sa-counter" class:sa-counter-over=move || { subject_count() > SUBJECT_MAX_CHARS }>
                    {move || {
                        let n = subject_count();
                        (n * 5 >= SUBJECT_MAX_CHARS * 4).then(|| counter_text(n, SUBJECT_MAX_CHARS))
                    }}
                </p>
                <FieldError prefix="ticket" field="subject" message=error_for("subject") />
            </div>

            // Severity
            <fieldset class="sa-fieldset" aria-describedby=move || has_error("severity").then_some("ticket-severity-error")>
                <legend>"Severity"</legend>
                {Severity::ALL
                    .into_iter()
                    .map(|severity| {
                        let id = if severity == Severity::Low {
                            "ticket-severity".to_owned()
                        } else {
                            format!("ticket-severity-{}", severity.label().to_lowercase())
                        };
                        view! {
                            <div class="sa-radio">
                                <input
                                    type="radio"
                                    id=id.clone()
                                    name="severity"
                                    prop:checked=move || f.severity.get() == Some(severity)
                                    on:change=move |_| {
                                        f.severity.set(Some(severity));
                                        recheck_if_shown("severity");
                                    }
                                    aria-describedby=format!("{id}-help")
                                />
                                <label for=id.clone()>{severity.label()}</label>
                                <p id=format!("{id}-help") class="sa-radio-help">
                                    {severity.definition()} <span class="sa-muted">{" "}{severity_times(severity)}</span>
                                </p>
                            </div>
                        }
                    })
                    .collect_view()}
                <FieldError prefix="ticket" field="severity" message=error_for("severity") />
            </fieldset>

            // Project and service
            <div class="sa-field-row">
                <div class="sa-field">
                    <label for="ticket-project_id">"Project (optional)"</label>
                    <select
                        id="ticket-project_id"
                        on:change=move |ev| {
                            let id = event_target_value(&ev).parse().ok();
                            f.project.set(id);
                            // A service belongs to one project: drop it if the project changed under it.
                            let keep = services().is_some_and(|s| s.iter().any(|s| Some(s.id) == f.service.get_untracked()));
                            if !keep {
                                f.service.set(None);
                            }
                            recheck_if_shown("project_id");
                            recheck_if_shown("service_id");
                        }
                        aria-invalid=invalid("project_id")
                        aria-describedby=move || has_error("project_id").then_some("ticket-project_id-error")
                    >
                        <option value="" selected=move || f.project.get().is_none()>"No specific project"</option>
                        {options
                            .with_value(|o| o.projects.clone())
                            .into_iter()
                            .map(|p| {
                                let id = p.id;
                                view! {
                                    <option value=id.to_string() selected=move || f.project.get() == Some(id)>
                                        {p.name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldError prefix="ticket" field="project_id" message=error_for("project_id") />
                </div>
                <div class="sa-field">
                    <label for="ticket-service_id">"Service (optional)"</label>
                    <select
                        id="ticket-service_id"
                        on:change=move |ev| {
                            f.service.set(event_target_value(&ev).parse().ok());
                            recheck_if_shown("service_id");
                        }
                        aria-invalid=invalid("service_id")
                        aria-describedby=move || has_error("service_id").then_some("ticket-service_id-error")
                    >
                        {move || match services() {
                            None => view! { <option value="">"Choose a project first"</option> }.into_any(),
                            Some(list) => {
                                view! {
                                    <option value="" selected=move || f.service.get().is_none()>"No specific service"</option>
                                    {list
                                        .into_iter()
                                        .map(|s| {
                                            let id = s.id;
                                            view! {
                                                <option value=id.to_string() selected=move || f.service.get() == Some(id)>
                                                    {s.name}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                }
                                    .into_any()
                            }
                        }}
                    </select>
                    <FieldError prefix="ticket" field="service_id" message=error_for("service_id") />
                </div>
            </div>

            // Product and reason
            <div class="sa-field-row">
                <div class="sa-field">
                    <label for="ticket-product">"Product"</label>
                    <select
                        id="ticket-product"
                        on:change=move |ev| {
                            f.product.set(event_target_value(&ev));
                            let keep = reasons().is_some_and(|r| r.iter().any(|r| r.key == f.reason.get_untracked()));
                            if !keep {
                                f.reason.set(String::new());
                            }
                            recheck_if_shown("product");
                            recheck_if_shown("reason");
                        }
                        aria-invalid=invalid("product")
                        aria-describedby=move || has_error("product").then_some("ticket-product-error")
                    >
                        <option value="" selected=move || f.product.with(String::is_empty)>"Choose a product"</option>
                        {options
                            .with_value(|o| o.products.clone())
                            .into_iter()
                            .map(|p| {
                                let key = p.key.clone();
                                view! {
                                    <option value=p.key selected=move || f.product.with(|k| *k == key)>
                                        {p.name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldError prefix="ticket" field="product" message=error_for("product") />
                </div>
                <div class="sa-field">
                    <label for="ticket-reason">"Reason"</label>
                    <select
                        id="ticket-reason"
                        on:change=move |ev| {
                            f.reason.set(event_target_value(&ev));
                            recheck_if_shown("reason");
                        }
                        aria-invalid=invalid("reason")
                        aria-describedby=move || has_error("reason").then_some("ticket-reason-error")
                    >
                        {move || match reasons() {
                            None => view! { <option value="">"Choose a product first"</option> }.into_any(),
                            Some(list) => {
                                view! {
                                    <option value="" selected=move || f.reason.with(String::is_empty)>"Choose a reason"</option>
                                    {list
                                        .into_iter()
                                        .map(|r| {
                                            let key = r.key.clone();
                                            view! {
                                                <option value=r.key selected=move || f.reason.with(|k| *k == key)>
                                                    {r.label}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                }
                                    .into_any()
                            }
                        }}
                    </select>
                    <FieldError prefix="ticket" field="reason" message=error_for("reason") />
                </div>
            </div>

            // Description
            <div class="sa-field">
                <label for="ticket-description">"Description"</label>
                <div id="ticket-description-guide" class="sa-callout sa-guide">
                    <p>"Include the following information in the description to help the support team provide timely assistance:"</p>
                    <ul>
                        <li>"The affected functionality (for example, networking, metrics, deployment)"</li>
                        <li>"Steps to reproduce the problem"</li>
                        <li>"Any error messages"</li>
                        <li>"Any languages or frameworks you are using"</li>
                    </ul>
                </div>
                <textarea
                    id="ticket-description"
                    rows="10"
                    prop:value=move || f.description.get()
                    on:input=move |ev| {
                        f.description.set(event_target_value(&ev));
                        recheck_if_shown("description");
                    }
                    on:blur=move |_| recheck_if_filled("description", description_count() > 0)
                    aria-invalid=invalid("description")
                    aria-describedby=described("description", "ticket-description-guide ticket-description-count")
                ></textarea>
                <p id="ticket-description-count" class="sa-hint sa-counter" class:sa-counter-over=move || { description_count() > DESCRIPTION_MAX_CHARS }>
                    {move || {
                        let n = description_count();
                        (n * 10 >= DESCRIPTION_MAX_CHARS * 9).then(|| counter_text(n, DESCRIPTION_MAX_CHARS))
                    }}
                </p>
                <FieldError prefix="ticket" field="description" message=error_for("description") />
            </div>

            <FileField uploads=uploads message=error_for("attachments") />

            <div class="sa-actions">
                <button
                    type="submit"
                    class="sa-button sa-button-primary"
                    aria-busy=move || create.pending().get().then_some("true")
                >
                    {move || if create.pending().get() { "Creating ticket\u{2026}" } else { "Create ticket" }}
                </button>
                <A href=routes::tickets()>"Cancel"</A>
                <span class="sa-muted sa-draft-state">"Your draft is saved in this browser as you type."</span>
            </div>
        </fieldset>
        </form>
    }
}
