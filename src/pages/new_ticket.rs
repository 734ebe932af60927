//! The Create ticket form, in the documentation's order: CC, Subject, Severity, optional project and
//! service, Product and reason, Description, optional files, Create ticket.
//!
//! Nothing typed is ever lost: the form is a draft in localStorage (per user and organization) from the
//! first keystroke until the server confirms the ticket, so a reload, a crash, an expired session or a
//! failed request all come back to the same text. The draft carries the idempotency key it was started
//! with, so sending it again after an unclear failure can never create a second ticket.

use api::ticket::{
    ALLOWED_EXTENSIONS, ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, ATTACHMENTS_TOTAL_MAX_BYTES,
    DESCRIPTION_MAX_CHARS, SUBJECT_MAX_CHARS, check_attachment, check_attachment_room,
    check_cc_address, format_bytes, group_thousands, split_addresses,
};
use api::{Email, ErrorCode, FieldMessage, Me, NewTicket, Severity, TicketContext, TicketOptions};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{
    ErrorPanel, ErrorSummary, PageSkeleton, focus_by_id, local_time, set_document_title,
};
use crate::session::Session;
use crate::{routes, storage};

/// Where drafts live: `support-app:ticket-draft:{user}:{organization}`.
const DRAFT_PREFIX: &str = "support-app:ticket-draft";
/// Quiet time after the last keystroke before the draft is written.
const SAVE_DELAY_MS: u64 = 300;
/// Field order, for sorting merged messages the way the form reads.
const FIELDS: [&str; 9] = [
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
                                view! { <TicketForm options=options me=me /> }.into_any()
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
    cc: RwSignal<Vec<String>>,
    cc_text: RwSignal<String>,
    subject: RwSignal<String>,
    severity: RwSignal<Option<Severity>>,
    project: RwSignal<Option<i64>>,
    service: RwSignal<Option<i64>>,
    product: RwSignal<String>,
    reason: RwSignal<String>,
    description: RwSignal<String>,
    key: RwSignal<String>,
}

impl Fields {
    fn new(draft: Draft) -> Self {
        Self {
            cc: RwSignal::new(draft.cc),
            cc_text: RwSignal::new(draft.cc_text),
            subject: RwSignal::new(draft.subject),
            severity: RwSignal::new(draft.severity),
            project: RwSignal::new(draft.project),
            service: RwSignal::new(draft.service),
            product: RwSignal::new(draft.product),
            reason: RwSignal::new(draft.reason),
            description: RwSignal::new(draft.description),
            key: RwSignal::new(if draft.key.is_empty() {
                new_key()
            } else {
                draft.key
            }),
        }
    }

    /// Subscribes the running effect to every field.
    fn track(&self) {
        self.cc.track();
        self.cc_text.track();
        self.subject.track();
        self.severity.track();
        self.project.track();
        self.service.track();
        self.product.track();
        self.reason.track();
        self.description.track();
    }

    /// The current values, or `None` once the form is gone (its signals disposed).
    fn snapshot(&self) -> Option<Draft> {
        Some(Draft {
            cc: self.cc.try_get_untracked()?,
            cc_text: self.cc_text.try_get_untracked()?,
            subject: self.subject.try_get_untracked()?,
            severity: self.severity.try_get_untracked()?,
            project: self.project.try_get_untracked()?,
            service: self.service.try_get_untracked()?,
            product: self.product.try_get_untracked()?,
            reason: self.reason.try_get_untracked()?,
            description: self.description.try_get_untracked()?,
            key: self.key.try_get_untracked()?,
            saved_at: js_sys::Date::now(),
        })
    }

    fn reset(&self) {
        self.cc.set(Vec::new());
        self.cc_text.set(String::new());
        self.subject.set(String::new());
        self.severity.set(None);
        self.project.set(None);
        self.service.set(None);
        self.product.set(String::new());
        self.reason.set(String::new());
        self.description.set(String::new());
        self.key.set(new_key());
    }

    fn input(&self, attachment_ids: Vec<i64>) -> NewTicket {
        NewTicket {
            cc: self.cc.get_untracked(),
            subject: self.subject.get_untracked(),
            severity: self.severity.get_untracked(),
            project_id: self.project.get_untracked(),
            service_id: self.service.get_untracked(),
            product: self.product.get_untracked(),
            reason: self.reason.get_untracked(),
            description: self.description.get_untracked(),
            attachment_ids,
            follow_up_of: None,
        }
    }
}

/// A fresh idempotency key. `crypto.randomUUID` needs a secure context (https or localhost); elsewhere
/// two random 53-bit numbers are unique enough for one user's drafts (the server scopes keys per user).
fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        // Calling it where it is missing would throw, and a throw in wasm is a crash.
        .filter(|c| js_sys::Reflect::has(c, &"randomUUID".into()).unwrap_or(false))
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            // Integers, not f64 formatting: float printing would add about 10 KB to the bundle.
            let part = || (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
            format!("{:x}-{:x}", part(), part())
        })
}

/// Where one file stands.
#[derive(Debug, Clone, PartialEq)]
enum UploadState {
    Uploading,
    Done(i64),
    Failed(String),
}

/// A file the user added. Signals are reference-counted (`Arc*`): items are created in event handlers,
/// outside any component, and must live exactly as long as the list holds them.
#[derive(Clone)]
struct UploadItem {
    id: u32,
    name: String,
    size: u64,
    progress: ArcRwSignal<f64>,
    state: ArcRwSignal<UploadState>,
    file: SendWrapper<web_sys::File>,
    xhr: ArcStoredValue<Option<SendWrapper<web_sys::XmlHttpRequest>>>,
}

#[component]
fn TicketForm(options: TicketOptions, me: Me) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let navigate = use_navigate();
    let org_id = me.organization.id;
    let submitter = StoredValue::new(me.user.email.clone());
    let options = StoredValue::new(options);
    let draft_key = StoredValue::new(format!("{DRAFT_PREFIX}:{}:{org_id}", me.user.id));

    let restored = storage::load::<Draft>(&draft_key.get_value()).filter(Draft::has_content);
    let restored_at = RwSignal::new(restored.as_ref().map(|d| d.saved_at));
    let f = Fields::new(restored.unwrap_or_default());

    let errors = RwSignal::new(Vec::<FieldMessage>::new());
    let form_error = RwSignal::new(None::<String>);
    let uploads = RwSignal::new(Vec::<UploadItem>::new());
    let next_upload_id = StoredValue::new(0u32);
    let dragging = RwSignal::new(false);
    // Set once the ticket exists: from then on nothing may write the draft back.
    let finished = StoredValue::new(false);

    // ---- Draft autosave ------------------------------------------------------------------------
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let save_now = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if finished.try_get_value().unwrap_or(true) {
            return;
        }
        let (Some(draft), Some(key)) = (f.snapshot(), draft_key.try_get_value()) else {
            return;
        };
        if draft.has_content() {
            storage::save(&key, &draft);
        } else {
            storage::remove(&key);
        }
    };
    Effect::new(move |first: Option<()>| {
        f.track();
        if first.is_none() {
            return;
        }
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let handle =
            set_timeout_with_handle(save_now, std::time::Duration::from_millis(SAVE_DELAY_MS)).ok();
        timer.set_value(handle);
    });
    // A reload or closed tab within the quiet time still keeps the last keystrokes.
    let pagehide = window_event_listener(leptos::ev::pagehide, move |_| save_now());
    on_cleanup(move || {
        pagehide.remove();
        save_now();
    });

    // ---- Validation ----------------------------------------------------------------------------
    let submitter_email = move || submitter.get_value();
    let check_all = move || -> Vec<FieldMessage> {
        let input = f.input(Vec::new());
        let mut messages = options.with_value(|o| {
            input
                .validate(TicketContext {
                    products: &o.products,
                    projects: &o.projects,
                    submitter: &submitter_email(),
                })
                .err()
                .unwrap_or_default()
        });
        // Text still in the CC box is an address that did not pass.
        if messages.iter().all(|m| m.field != "cc") && !f.cc_text.get_untracked().trim().is_empty()
        {
            messages.push(cc_error_for(
                &f.cc_text.get_untracked(),
                f,
                &submitter_email(),
            ));
        }
        if let Some(message) = uploads.with_untracked(|list| upload_problem(list)) {
            messages.push(FieldMessage {
                field: "attachments".into(),
                message,
            });
        }
        messages.sort_by_key(|m| FIELDS.iter().position(|f| *f == m.field));
        messages
    };
    // Re-checks `fields` only, leaving other messages as they are.
    let recheck = move |fields: &[&str]| {
        let fresh = check_all();
        errors.update(|list| {
            list.retain(|m| !fields.contains(&m.field.as_str()));
            list.extend(
                fresh
                    .into_iter()
                    .filter(|m| fields.contains(&m.field.as_str())),
            );
            list.sort_by_key(|m| FIELDS.iter().position(|f| *f == m.field));
        });
    };
    let has_error = move |field: &'static str| errors.with(|l| l.iter().any(|m| m.field == field));
    // On input: a shown error goes away as soon as the field is fixed.
    let recheck_if_shown = move |field: &'static str| {
        if has_error(field) {
            recheck(&[field]);
        }
    };
    // On blur: check what was typed (an untouched empty field is not an error yet).
    let recheck_if_filled = move |field: &'static str, filled: bool| {
        if filled || has_error(field) {
            recheck(&[field]);
        }
    };
    let error_for = move |field: &'static str| {
        move || {
            errors.with(|l| {
                l.iter()
                    .find(|m| m.field == field)
                    .map(|m| m.message.clone())
            })
        }
    };

    // ---- CC ------------------------------------------------------------------------------------
    // Moves complete addresses from the text box to the chip list; what does not pass stays in the
    // box with its error. `all` also takes the last word (blur, Enter, submit).
    let commit_cc = move |all: bool| {
        let text = f.cc_text.get_untracked();
        let ends_with_separator =
            text.ends_with(|c: char| c.is_whitespace() || c == ',' || c == ';');
        let tokens: Vec<&str> = split_addresses(&text).collect();
        let complete = if all || ends_with_separator {
            tokens.len()
        } else {
            tokens.len().saturating_sub(1)
        };
        if complete == 0 {
            return;
        }
        let mut list: Vec<Email> =
            f.cc.get_untracked()
                .iter()
                .filter_map(|s| Email::parse(s).ok())
                .collect();
        let mut rejected = Vec::new();
        let mut first_error = None;
        for token in &tokens[..complete] {
            match check_cc_address(&list, token, &submitter_email()) {
                Ok(email) => list.push(email),
                Err(e) => {
                    first_error.get_or_insert(e.message);
                    rejected.push(*token);
                }
            }
        }
        let mut rest = rejected.join(" ");
        if complete < tokens.len() {
            if !rest.is_empty() {
                rest.push(' ');
            }
            rest.push_str(tokens[complete]);
        }
        f.cc.set(list.into_iter().map(String::from).collect());
        f.cc_text.set(rest);
        errors.update(|l| {
            l.retain(|m| m.field != "cc");
            if let Some(message) = first_error {
                l.push(FieldMessage {
                    field: "cc".into(),
                    message,
                });
                l.sort_by_key(|m| FIELDS.iter().position(|f| *f == m.field));
            }
        });
    };
    let remove_cc = move |email: String| {
        f.cc.update(|l| l.retain(|e| *e != email));
        focus_by_id("ticket-cc");
    };

    // ---- Files ---------------------------------------------------------------------------------
    let start_upload = move |item: UploadItem| {
        item.state.set(UploadState::Uploading);
        item.progress.set(0.0);
        let progress = item.progress.clone();
        match client.upload(org_id, &item.file, &item.name, move |p| progress.set(p)) {
            Ok(upload) => {
                item.xhr.set_value(Some(upload.aborter()));
                leptos::task::spawn_local(async move {
                    let state = match upload.finish().await {
                        Ok(attachment) => UploadState::Done(attachment.id),
                        Err(ClientError::Api(body)) => UploadState::Failed(
                            body.field("attachments")
                                .unwrap_or(&body.message)
                                .to_owned(),
                        ),
                        Err(e) => UploadState::Failed(e.message()),
                    };
                    item.xhr.set_value(None);
                    item.state.set(state);
                });
            }
            Err(e) => item.state.set(UploadState::Failed(e.message())),
        }
    };
    let add_files = move |files: Vec<web_sys::File>, pasted: bool| {
        let mut problems = Vec::new();
        for file in files {
            let size = file.size() as u64;
            let mut name = file.name();
            if pasted && (name.is_empty() || name == "image.png") {
                name = format!("screenshot-{}.png", next_upload_id.get_value() + 1);
            }
            let (count, total) = uploads.with_untracked(|l| {
                let kept = l
                    .iter()
                    .filter(|u| !matches!(u.state.get_untracked(), UploadState::Failed(_)));
                kept.fold((0, 0), |(c, t), u| (c + 1, t + u.size))
            });
            if let Err(e) = check_attachment(&name, size)
                .and_then(|_| check_attachment_room(&name, size, count, total))
            {
                problems.push(e.message);
                continue;
            }
            next_upload_id.update_value(|n| *n += 1);
            let item = UploadItem {
                id: next_upload_id.get_value(),
                name,
                size,
                progress: ArcRwSignal::new(0.0),
                state: ArcRwSignal::new(UploadState::Uploading),
                file: SendWrapper::new(file),
                xhr: ArcStoredValue::new(None),
            };
            uploads.update(|l| l.push(item.clone()));
            start_upload(item);
        }
        errors.update(|l| {
            l.retain(|m| m.field != "attachments");
            if !problems.is_empty() {
                l.push(FieldMessage {
                    field: "attachments".into(),
                    message: problems.join(" "),
                });
                l.sort_by_key(|m| FIELDS.iter().position(|f| *f == m.field));
            }
        });
    };
    let remove_upload = move |id: u32| {
        let Some(item) = uploads.with_untracked(|l| l.iter().find(|u| u.id == id).cloned()) else {
            return;
        };
        if let Some(xhr) = item.xhr.get_value() {
            let _ = xhr.abort();
        }
        if let UploadState::Done(attachment_id) = item.state.get_untracked() {
            // Best effort: the server also sweeps uploads no ticket claimed.
            leptos::task::spawn_local(async move {
                let _ = client.delete_upload(org_id, attachment_id).await;
            });
        }
        uploads.update(|l| l.retain(|u| u.id != id));
        recheck_if_shown("attachments");
        focus_by_id("ticket-attachments");
    };

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
                    finished.set_value(true);
                    storage::remove(&draft_key.get_value());
                    navigate(
                        &format!("{}?created=1", routes::ticket(ticket.id)),
                        Default::default(),
                    );
                }
                // The app is showing sign-in; the draft is saved and comes back afterwards.
                Err(ClientError::Unauthenticated) => {}
                Err(ClientError::Api(body)) if body.code == ErrorCode::IdempotencyKeyReused => {
                    // The earlier send did create a ticket, with the text as it was then. Say so, and
                    // let a deliberate second click send this version as a new ticket.
                    f.key.set(new_key());
                    form_error.set(Some(
                        "A ticket was already created from an earlier version of this form. Check My tickets before you send it again; clicking Create ticket now creates a second ticket.".into(),
                    ));
                    focus_by_id("ticket-summary");
                }
                Err(ClientError::Api(body)) if !body.fields.is_empty() => {
                    errors.set(body.fields);
                    form_error.set(None);
                    focus_by_id("ticket-summary");
                }
                Err(e) => {
                    form_error.set(Some(format!(
                        "The ticket was not created. {} Everything you entered is still here.",
                        e.message()
                    )));
                    focus_by_id("ticket-summary");
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        commit_cc(true);
        form_error.set(None);
        let problems = check_all();
        if !problems.is_empty() {
            errors.set(problems);
            focus_by_id("ticket-summary");
            return;
        }
        errors.set(Vec::new());
        save_now();
        let ids = uploads.with_untracked(|l| {
            l.iter()
                .filter_map(|u| match u.state.get_untracked() {
                    UploadState::Done(id) => Some(id),
                    _ => None,
                })
                .collect()
        });
        create.dispatch_local((f.input(ids), f.key.get_untracked()));
    };
    let discard = move |_| {
        for id in uploads.with_untracked(|l| l.iter().map(|u| u.id).collect::<Vec<_>>()) {
            remove_upload(id);
        }
        f.reset();
        errors.set(Vec::new());
        form_error.set(None);
        restored_at.set(None);
        storage::remove(&draft_key.get_value());
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

    view! {
        <ErrorSummary id="ticket-summary" prefix="ticket" errors=errors form_error=form_error />
        {move || {
            restored_at
                .get()
                .map(|at| {
                    let when = local_time(&js_sys::Date::new(&at.into()).to_iso_string().as_string().unwrap_or_default());
                    view! {
                        <div class="sa-callout sa-draft-notice" role="status">
                            <p>
                                "We restored your unsent draft (last saved " {when} "). Files are not kept in drafts; add them again if you need them."
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
            on:paste=move |ev: leptos::ev::ClipboardEvent| {
                let files = ev.clipboard_data().and_then(|d| d.files()).map(file_list).unwrap_or_default();
                if !files.is_empty() {
                    ev.prevent_default();
                    add_files(files, true);
                }
            }
        >
            // CC
            <div class="sa-field">
                <label for="ticket-cc">"CC"</label>
                <p id="ticket-cc-hint" class="sa-hint">
                    "All new comments and updates will be sent to these emails. Separate addresses with spaces, commas or new lines. People who are console users of your organization can also open the ticket and comment; others only get email (replying by email is not supported yet)."
                </p>
                <ul class="sa-chips" aria-label="CC addresses" hidden=move || f.cc.with(Vec::is_empty)>
                    <For each=move || f.cc.get() key=|e| e.clone() let(email)>
                        <li class="sa-chip">
                            <span>{email.clone()}</span>
                            <button
                                type="button"
                                class="sa-chip-remove"
                                aria-label=format!("Remove {email}")
                                on:click={
                                    let email = email.clone();
                                    move |_| remove_cc(email.clone())
                                }
                            >
                                "\u{d7}"
                            </button>
                        </li>
                    </For>
                </ul>
                <input
                    id="ticket-cc"
                    type="text"
                    inputmode="email"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || f.cc_text.get()
                    on:input=move |ev| {
                        f.cc_text.set(event_target_value(&ev));
                        commit_cc(false);
                    }
                    on:blur=move |_| commit_cc(true)
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            commit_cc(true);
                        }
                    }
                    aria-invalid=invalid("cc")
                    aria-describedby=described("cc", "ticket-cc-hint")
                />
                <FieldError field="cc" message=Signal::derive(error_for("cc")) />
            </div>

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
                <FieldError field="subject" message=Signal::derive(error_for("subject")) />
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
                <FieldError field="severity" message=Signal::derive(error_for("severity")) />
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
                    <FieldError field="project_id" message=Signal::derive(error_for("project_id")) />
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
                    <FieldError field="service_id" message=Signal::derive(error_for("service_id")) />
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
                    <FieldError field="product" message=Signal::derive(error_for("product")) />
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
                    <FieldError field="reason" message=Signal::derive(error_for("reason")) />
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
                <FieldError field="description" message=Signal::derive(error_for("description")) />
            </div>

            // Files
            <div class="sa-field" role="group" aria-labelledby="ticket-files-label">
                <span id="ticket-files-label" class="sa-label">"Files (optional)"</span>
                <p id="ticket-files-hint" class="sa-hint">
                    {format!(
                        "Screenshots, logs or HAR files: up to {ATTACHMENTS_MAX} files, {} each and {} in total. Accepted types: {ALLOWED_EXTENSIONS}.",
                        format_bytes(ATTACHMENT_MAX_BYTES),
                        format_bytes(ATTACHMENTS_TOTAL_MAX_BYTES),
                    )}
                </p>
                <p class="sa-callout sa-callout-important">
                    <strong>"Remove secrets first. "</strong>
                    "Logs and HAR files often contain passwords, API tokens and session cookies. Delete them from the file before you upload it."
                </p>
                <div
                    class="sa-dropzone"
                    class:sa-dropzone-active=move || dragging.get()
                    on:dragover=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(false);
                        let files = ev.data_transfer().and_then(|d| d.files()).map(file_list).unwrap_or_default();
                        add_files(files, false);
                    }
                >
                    <input
                        id="ticket-attachments"
                        class="sa-visually-hidden sa-file-input"
                        type="file"
                        multiple
                        accept=".png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.log,.json,.har,.csv,.zip,.gz"
                        aria-describedby=described("attachments", "ticket-files-hint")
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            let files = input.files().map(file_list).unwrap_or_default();
                            // Clear it so choosing the same file again (after removing it) fires `change`.
                            input.set_value("");
                            add_files(files, false);
                        }
                    />
                    <label for="ticket-attachments" class="sa-button">"Choose files"</label>
                    <span class="sa-muted">" or drag them here, or paste a screenshot."</span>
                </div>
                <FieldError field="attachments" message=Signal::derive(error_for("attachments")) />
                <ul class="sa-uploads" hidden=move || uploads.with(Vec::is_empty) aria-label="Files to attach">
                    <For each=move || uploads.get() key=|u| u.id let(item)>
                        <UploadRow
                            item=item.clone()
                            retry=Callback::new({
                                let item = item.clone();
                                move |_| start_upload(item.clone())
                            })
                            remove=Callback::new(move |_| remove_upload(item.id))
                        />
                    </For>
                </ul>
            </div>

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
        </form>
    }
}

/// A field's error message, with the id its input's `aria-describedby` points at.
#[component]
fn FieldError(field: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p id=format!("ticket-{field}-error") class="sa-field-error">{m}</p> })
    }
}

/// One file in the list: name, size, progress or outcome, Retry and Remove.
#[component]
fn UploadRow(item: UploadItem, retry: Callback<()>, remove: Callback<()>) -> impl IntoView {
    let name = item.name.clone();
    let state = item.state.clone();
    let progress = item.progress.clone();
    let status = {
        let state = state.clone();
        move || match state.get() {
            UploadState::Uploading => {
                format!("Uploading, {}%", (progress.get() * 100.0).round() as u32)
            }
            UploadState::Done(_) => "Uploaded".to_owned(),
            UploadState::Failed(message) => message,
        }
    };
    let failed = {
        let state = state.clone();
        move || matches!(state.get(), UploadState::Failed(_))
    };
    view! {
        <li class="sa-upload" class:sa-upload-failed=failed.clone()>
            <span class="sa-upload-name">{name.clone()}</span>
            <span class="sa-muted">{format_bytes(item.size)}</span>
            <progress
                max="1"
                prop:value={
                    let progress = item.progress.clone();
                    let state = state.clone();
                    move || if matches!(state.get(), UploadState::Done(_)) { 1.0 } else { progress.get() }
                }
                aria-label=format!("Upload of {name}")
            ></progress>
            <span class="sa-upload-status" role="status">{status}</span>
            <span class="sa-upload-actions">
                <Show when=failed.clone()>
                    <button type="button" class="sa-link-button" on:click=move |_| retry.run(()) aria-label=format!("Retry {}", item.name)>
                        "Retry"
                    </button>
                </Show>
                <button type="button" class="sa-link-button" on:click=move |_| remove.run(()) aria-label=format!("Remove {name}")>
                    "Remove"
                </button>
            </span>
        </li>
    }
}

/// `12 characters left` or `3 characters over the limit`.
fn counter_text(count: usize, max: usize) -> String {
    if count <= max {
        format!(
            "{} of {} characters used",
            group_thousands(count as u64),
            group_thousands(max as u64)
        )
    } else {
        format!(
            "{} characters over the limit",
            group_thousands((count - max) as u64)
        )
    }
}

/// The error for CC text that is still in the box (it did not become a chip).
fn cc_error_for(text: &str, f: Fields, submitter: &str) -> FieldMessage {
    let list: Vec<Email> =
        f.cc.get_untracked()
            .iter()
            .filter_map(|s| Email::parse(s).ok())
            .collect();
    let message = split_addresses(text)
        .find_map(|t| check_cc_address(&list, t, submitter).err())
        .map(|e| e.message)
        .unwrap_or_else(|| "CC: check the addresses.".into());
    FieldMessage {
        field: "cc".into(),
        message,
    }
}

/// Why the files cannot be sent yet, if anything.
fn upload_problem(list: &[UploadItem]) -> Option<String> {
    list.iter().find_map(|u| match u.state.get_untracked() {
        UploadState::Uploading => Some(format!(
            "Files: {} is still uploading. Wait until it has finished, or remove it.",
            u.name
        )),
        UploadState::Failed(_) => Some(format!(
            "Files: {} did not upload. Retry it or remove it.",
            u.name
        )),
        UploadState::Done(_) => None,
    })
}

fn file_list(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
