//! The form: its fields in the documentation's order, checked as the user goes and again before
//! sending, with the restored-draft notice above it.

use crate::router::A;
use api::ticket::{DESCRIPTION_MAX_CHARS, SUBJECT_MAX_CHARS};
use api::{Field, FieldMessage, Me, NewTicket, Ticket, TicketContext, TicketOptions, Timestamp};
use leptos::prelude::*;

use super::choices::{product_and_reason, severity_choice};
use super::draft::{Draft, Fields, Restored};
use super::resources::{self, resources_field};
use crate::api::ApiClient;
use crate::components::form::{
    Autosave, CcForm, CcInput, Counter, DraftForm, ErrorSummary, FieldErrors, FileField,
    SendFailureText, TICKET_DRAFT_PREFIX, TextArea, TextField, Uploads, draft_key, draft_problems,
};
use crate::components::{Stages, focus_by_id, time_view};
use crate::routes::{self, Navigator};

/// The prefix of the form's element ids (`ticket-subject`).
const PREFIX: &str = "ticket";
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

#[component]
pub(super) fn TicketForm(options: TicketOptions, me: Me, follow_up: Option<i64>) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let navigate = Navigator::new();
    let org_id = me.organization.id;
    let submitter = StoredValue::new(me.user.email.clone());
    let options = StoredValue::new(options);
    let draft_key = draft_key(TICKET_DRAFT_PREFIX, me.user.id, &org_id.to_string());
    let Restored {
        fields: f,
        saved_at,
        stale,
    } = Restored::load(&draft_key, &me.user.email, follow_up);
    let restored_at = RwSignal::new(saved_at);

    let uploads = Uploads::new(org_id, PREFIX);
    let check_all = move || -> Vec<FieldMessage> {
        let input = f.input(Vec::new());
        let messages = options.with_value(|o| {
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
        let mut messages = draft_problems(messages, f.cc, uploads);
        resources::report_leftover(f, options, &mut messages);
        messages
    };
    let form = DraftForm {
        errors: FieldErrors::new(PREFIX, &Field::NEW_TICKET_ORDER).rechecked_by(check_all),
        form_error: RwSignal::new(None),
        summary: SUMMARY,
        autosave: Autosave::start(
            draft_key,
            move || f.track(),
            move || f.snapshot(),
            Draft::has_content,
        ),
        uploads,
        cc: f.cc,
        key: f.key,
        text: &SEND_FAILURE,
    };
    // Tells the console (nothing when standalone).
    let host = use_context::<crate::embed::Host>().unwrap_or_default();
    let create = form.sender(
        move |input: NewTicket, key: String| async move {
            client.create_ticket(org_id, &input, &key).await
        },
        move |ticket: Ticket| {
            host.ticket_created(ticket.id);
            navigate.go(
                &format!("{}?created=1", routes::ticket(ticket.id)),
                Default::default(),
            )
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // As the CC field's: what is still in the box becomes chips; check_all reports the rest.
        resources::commit(f, options, true);
        form.submit(create, check_all, || f.input(uploads.done_ids()));
    };
    let discard = Callback::new(move |()| {
        uploads.clear();
        f.reset();
        f.follow_up.set(follow_up);
        form.errors.set_all(Vec::new());
        form.form_error.set(None);
        restored_at.set(None);
        form.autosave.discard();
        focus_by_id(form.errors.id(Field::Cc));
    });

    // In four tasks (see Stages): with a 4x slower CPU the whole form was one task of 52-65 ms. The first
    // sets the form up (its draft, its checks) and draws no field.
    let stages = Stages::new(4);
    let page = view! {
        <ErrorSummary id=SUMMARY errors=form.errors form_error=form.form_error />
        {restored_draft(restored_at, stale, discard)}
        <form
            class="sa-form sa-panel sa-ticket-form"
            novalidate
            on:submit=on_submit
            on:paste=move |ev| uploads.paste(&ev)
        >
            // Read-only while the ticket is being created: what is sent is what the user sees.
            <fieldset class="sa-plain-fieldset sa-form" disabled=move || create.pending().get()>
                {ticket_fields(f, form.errors, options, uploads, stages)}
                <div class="sa-actions">
                    <button
                        type="submit"
                        class="sa-button sa-button-primary"
                        aria-busy=move || create.pending().get().then_some("true")
                    >
                        {move || if create.pending().get() { "Creating ticket\u{2026}" } else { "Create ticket" }}
                    </button>
                    <A href=routes::href(&routes::tickets())>"Cancel"</A>
                    <span class="sa-muted sa-draft-state">"Your draft is saved in this browser as you type."</span>
                </div>
            </fieldset>
        </form>
    };
    stages.page(super::PLACEHOLDER, page.into_any())
}

/// The fields, in the documentation's order.
fn ticket_fields(
    f: Fields,
    errors: FieldErrors,
    options: StoredValue<TicketOptions>,
    uploads: Uploads,
    stages: Stages,
) -> impl IntoView {
    view! {
        {move || f.follow_up.get().map(|id| view! {
            <p class="sa-callout">
                {format!("This ticket follows up the closed ticket #{id}; it will link back to it.")}
            </p>
        })}
        {stages.at(2, move || view! {
            <CcInput
                errors=errors
                field=f.cc
                form=CcForm::NewTicket
                replies_by_email=options.with_value(|o| o.replies_by_email)
            />
            <TextField
                errors=errors
                field=Field::Subject
                label="Subject"
                value=f.subject
                counter=Counter { max: SUBJECT_MAX_CHARS, shown_from: 80 }
                check_on_blur=true
            />
        })}
        {stages.at(3, move || view! {
            {severity_choice(f, errors, options)}
            {resources_field(f, errors, options)}
        })}
        {stages.at(4, move || view! {
            {product_and_reason(f, errors, options)}
            <TextArea
                errors=errors
                field=Field::Description
                label="Description"
                value=f.description
                rows="10"
                guide=description_guide
                counter=Counter { max: DESCRIPTION_MAX_CHARS, shown_from: 90 }
                check_on_blur=true
            />
            <FileField uploads=uploads errors=errors />
        })}
    }
}

/// What to put in the description, from the documentation.
fn description_guide() -> impl IntoView {
    view! {
        <p>"Include the following information in the description to help the support team provide timely assistance:"</p>
        <ul>
            <li>"The affected functionality (for example, networking, metrics, deployment)"</li>
            <li>"Steps to reproduce the problem"</li>
            <li>"Any error messages"</li>
            <li>"Any languages or frameworks you are using"</li>
        </ul>
    }
}

/// "We restored your unsent draft", with Discard draft, until the user discards it.
fn restored_draft(
    restored_at: RwSignal<Option<f64>>,
    stale: bool,
    discard: Callback<()>,
) -> impl IntoView {
    move || {
        restored_at.get().map(|at| {
            let when = time_view(Timestamp::from_unix_seconds((at / 1000.0).floor() as i64));
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
