//! The form: its fields in the documentation's order, checked as the user goes and again before
//! sending, with the restored-draft notice above it.

use api::ticket::{DESCRIPTION_MAX_CHARS, SUBJECT_MAX_CHARS};
use api::{FieldMessage, Me, NewTicket, TicketContext, TicketOptions};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::choices::{ProductAndReason, ProjectAndService, SeverityChoice};
use super::draft::{DRAFT_PREFIX, Draft, Fields};
use crate::api::ApiClient;
use crate::components::form::{
    Autosave, CcInput, Counter, ErrorSummary, FieldErrors, FileField, SendFailureText, TextArea,
    TextField, Uploads, new_key, ready_to_send, report_send_failure,
};
use crate::components::{focus_by_id, local_time};
use crate::{routes, storage};

/// Field order, for sorting merged messages the way the form reads.
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
const SUMMARY: &str = "ticket-summary";
/// What the form says when Create ticket fails.
const SEND_FAILURE: SendFailureText = SendFailureText {
    // The earlier send may have created a ticket with the text as it was then; a deliberate second
    // click sends this version as a new ticket.
    reused: "An earlier version of this form was already sent and may have created a ticket. Check My tickets first: clicking Create ticket again sends this version as a new ticket.",
    offline: "We could not reach the server, so we cannot tell whether the ticket was created. Click Create ticket again when you are back online: it will not be created twice. Everything you entered is still here.",
    failed: "The ticket was not created.",
    kept: "Everything you entered is still here.",
};
/// The server remembers idempotency keys for 24 hours; a draft older than this may outlive its key.
const KEY_SAFE_MS: f64 = 23.0 * 3600.0 * 1000.0;

#[component]
pub(super) fn TicketForm(options: TicketOptions, me: Me, follow_up: Option<i64>) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let navigate = use_navigate();
    let org_id = me.organization.id;
    let submitter = StoredValue::new(me.user.email.clone());
    let options = StoredValue::new(options);
    let draft_key = format!("{DRAFT_PREFIX}:{}:{org_id}", me.user.id);

    let restored = storage::load::<Draft>(&draft_key).filter(Draft::has_content);
    let restored_at = RwSignal::new(restored.as_ref().map(|d| d.saved_at));
    // An older draft whose last send was never confirmed may have created a ticket, and its key no
    // longer protects a retry: use a new key and say so.
    let stale = restored
        .as_ref()
        .is_some_and(|d| js_sys::Date::now() - d.saved_at > KEY_SAFE_MS);
    let f = Fields::new(restored.unwrap_or_default(), &me.user.email);
    if stale {
        f.key.set(new_key());
    }
    if follow_up.is_some() {
        f.follow_up.set(follow_up);
    }

    let uploads = Uploads::new(org_id, "ticket");
    let autosave = Autosave::start(
        draft_key,
        move || f.track(),
        move || f.snapshot(),
        Draft::has_content,
    );
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
    let errors = FieldErrors::new("ticket", FIELDS).rechecked_by(check_all);
    let form_error = RwSignal::new(None::<String>);

    let create = Action::new_local(move |(input, key): &(NewTicket, String)| {
        let (input, key) = (input.clone(), key.clone());
        async move { client.create_ticket(org_id, &input, &key).await }
    });
    Effect::new(move |_| match create.value().get() {
        None => {}
        Some(Ok(ticket)) => {
            autosave.finish();
            uploads.sent();
            navigate(
                &format!("{}?created=1", routes::ticket(ticket.id)),
                Default::default(),
            );
        }
        Some(Err(error)) => {
            // The old key belongs to content that may already have been accepted.
            let reused = report_send_failure(error, errors, form_error, SUMMARY, &SEND_FAILURE);
            if reused {
                f.key.set(new_key());
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
        if !ready_to_send(check_all(), errors, SUMMARY) {
            return;
        }
        autosave.save_now();
        create.dispatch_local((f.input(uploads.done_ids()), f.key.get_untracked()));
    };
    let discard = Callback::new(move |()| {
        uploads.clear();
        f.reset();
        f.follow_up.set(follow_up);
        errors.set_all(Vec::new());
        form_error.set(None);
        restored_at.set(None);
        autosave.discard();
        focus_by_id("ticket-cc");
    });

    view! {
        <ErrorSummary id=SUMMARY errors=errors form_error=form_error />
        <RestoredDraft restored_at=restored_at stale=stale discard=discard />
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
                errors=errors
                field=f.cc
                hint="All new comments and updates will be sent to these emails. Separate addresses with spaces, commas or new lines. People who are console users of your organization can also open the ticket and comment; others only get email (replying by email is not supported yet)."
            />
            <TextField
                errors=errors
                field="subject"
                label="Subject"
                value=f.subject
                counter=Counter { max: SUBJECT_MAX_CHARS, shown_from: 80 }
                check_on_blur=true
            />
            <SeverityChoice f=f errors=errors options=options />
            <ProjectAndService f=f errors=errors options=options />
            <ProductAndReason f=f errors=errors options=options />
            <TextArea
                errors=errors
                field="description"
                label="Description"
                value=f.description
                rows="10"
                guide=|| view! { <DescriptionGuide /> }
                hint="ticket-description-guide"
                counter=Counter { max: DESCRIPTION_MAX_CHARS, shown_from: 90 }
                check_on_blur=true
            />
            <FileField uploads=uploads errors=errors />
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

/// What to put in the description, from the documentation.
#[component]
fn DescriptionGuide() -> impl IntoView {
    view! {
        <div id="ticket-description-guide" class="sa-callout sa-guide">
            <p>"Include the following information in the description to help the support team provide timely assistance:"</p>
            <ul>
                <li>"The affected functionality (for example, networking, metrics, deployment)"</li>
                <li>"Steps to reproduce the problem"</li>
                <li>"Any error messages"</li>
                <li>"Any languages or frameworks you are using"</li>
            </ul>
        </div>
    }
}

/// "We restored your unsent draft", with Discard draft, until the user discards it.
#[component]
fn RestoredDraft(
    restored_at: RwSignal<Option<f64>>,
    stale: bool,
    discard: Callback<()>,
) -> impl IntoView {
    move || {
        restored_at.get().map(|at| {
            let when = local_time(&js_sys::Date::new(&at.into()).to_iso_string().as_string().unwrap_or_default());
            view! {
                <div class="sa-callout sa-draft-notice" role="status">
                    <p>
                        "We restored your unsent draft (last saved " {when} "). Files are not kept in drafts; add them again if you need them."
                        {stale.then_some(" If you sent it before and it was not confirmed, check My tickets first: it could be created again.")}
                    </p>
                    <button type="button" class="sa-button" on:click=move |_| discard.run(())>
                        "Discard draft"
                    </button>
                </div>
            }
        })
    }
}
