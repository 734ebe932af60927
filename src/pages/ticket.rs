//! One ticket: its status and facts, the CC list, and the conversation (the description first, then
//! every comment, CC change and status change in time order), with Add to conversation.
//!
//! The page polls the ticket with an ETag, so replies from the support team appear without a reload. New
//! entries never move what the user is typing: while the comment box has text they wait behind a
//! "Show new replies" notice.
//!
//! Everything people wrote is rendered as text nodes (line breaks kept by CSS, web addresses as links);
//! nothing is ever parsed as HTML.

use api::text::{Piece, pieces};
use api::ticket::format_bytes;
use api::{
    Activity, ActivityKind, Attachment, AuthorKind, CommentContext, NewComment, StatusChange,
    Ticket, TicketStatus,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::cc_input::{CcCheck, CcField, CcInput};
use crate::components::form::{
    Autosave, FieldError, FieldErrors, SendFailureText, new_key, ready_to_send, report_send_failure,
};
use crate::components::uploads::{FileField, Uploads};
use crate::components::{
    ErrorPanel, ErrorSummary, PageSkeleton, focus_by_id, local_time, set_document_title,
};
use crate::pages::NotFound;
use crate::session::Session;
use crate::{routes, storage};

/// How often an open ticket page asks whether anything changed.
const POLL_MS: u64 = 5_000;
/// Where comment drafts live: `support-app:comment-draft:{user}:{organization}:{ticket}`.
const DRAFT_PREFIX: &str = "support-app:comment-draft";
const FIELDS: &[&str] = &["cc", "body", "attachments"];
/// What Add to conversation says when Submit fails.
const SEND_FAILURE: SendFailureText = SendFailureText {
    reused: "An earlier version of this comment was already sent and may have been added. Check the conversation first: Submit now adds this version as a new comment.",
    offline: "We could not reach the server, so we cannot tell whether your comment was added. Click Submit again when you are back online: it will not be added twice. Everything you wrote is still here.",
    failed: "Your comment was not added.",
    kept: "Everything you wrote is still here.",
};

#[component]
pub fn TicketPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    let params = use_params_map();
    let query = use_query_map();
    let org_id = session.me().map(|me| me.organization.id);

    let ticket_id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let ticket = LocalResource::new(move || {
        let id = ticket_id.get();
        async move {
            let signal = abort_on_cleanup();
            match (org_id, id) {
                (Some(org), Some(id)) => client.ticket(org, id, signal).await.map(Some),
                (None, _) => Err(ClientError::Unauthenticated),
                (_, None) => Ok(None),
            }
        }
    });
    let just_created = move || query.read_untracked().get("created").is_some();

    view! {
        <Transition fallback=|| view! { <div class="sa-page"><PageSkeleton cards=2 /></div> }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Ok(Some((t, etag))) => {
                        set_document_title(&format!("#{} {}", t.id, t.subject));
                        view! { <TicketView ticket=t etag=etag created=just_created() /> }.into_any()
                    }
                    Ok(None) | Err(ClientError::Api(api::ErrorBody { status: 404, .. })) => {
                        view! { <NotFound /> }.into_any()
                    }
                    Err(error) => {
                        view! {
                            <div class="sa-page">
                                <ErrorPanel error=error retry=Callback::new(move |_| ticket.refetch()) />
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn TicketView(ticket: Ticket, etag: Option<String>, created: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    let me = session.me();
    let org_id = me.as_ref().map(|m| m.organization.id).unwrap_or_default();
    let my_email = me
        .as_ref()
        .map(|m| m.user.email.clone())
        .unwrap_or_default();
    let user_id = me.as_ref().map(|m| m.user.id).unwrap_or_default();
    let my_name = StoredValue::new(me.as_ref().map(|m| m.user.name.clone()).unwrap_or_default());
    let ticket_id = ticket.id;
    if created {
        focus_by_id("ticket-created");
    }

    let current = RwSignal::new(ticket);
    let etag = StoredValue::new(etag);
    // A newer copy that waits while the user is typing a comment.
    let waiting = RwSignal::new(None::<Ticket>);
    let announcement = RwSignal::new(String::new());
    let composing = RwSignal::new(false);
    let typing = RwSignal::new(false);
    // Bumped by every change the user makes here: a poll answered before it is older than what is shown.
    let generation = StoredValue::new(0u32);
    let polling = StoredValue::new(false);

    let apply = move |fresh: Ticket| {
        let before = current.with_untracked(|t| t.activity.len());
        let newest = fresh
            .activity
            .iter()
            .skip(before)
            .rev()
            .find(|a| {
                a.kind == ActivityKind::Comment
                    && (a.author_kind == AuthorKind::Agent
                        || my_name.with_value(|me| *me != a.author_name))
            })
            .map(|a| a.author_name.clone());
        if let Some(name) = newest {
            announcement.set(format!("New reply from {name}."));
        }
        current.set(fresh);
        waiting.set(None);
    };
    let poll = move || {
        // (Also called after an action whose page may be gone by then.)
        let (Some(tag), Some(sent_at)) = (etag.try_get_value(), generation.try_get_value()) else {
            return;
        };
        if polling.get_value() {
            return;
        }
        polling.set_value(true);
        leptos::task::spawn_local(async move {
            let answer = client
                .ticket_if_changed(org_id, ticket_id, tag.as_deref())
                .await;
            polling.try_set_value(false);
            let Ok(Some((fresh, new_tag))) = answer else {
                return;
            };
            if generation.try_get_value() != Some(sent_at) {
                return;
            }
            etag.set_value(new_tag);
            if typing.get_untracked() {
                waiting.set(Some(fresh));
            } else {
                apply(fresh);
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_millis(POLL_MS)) {
        on_cleanup(move || handle.clear());
    }
    // After our own change the answer is the new ticket; the next poll fetches its ETag.
    let replace = move |fresh: Ticket| {
        generation.update_value(|g| *g += 1);
        etag.set_value(None);
        current.set(fresh);
        waiting.set(None);
    };

    let action_error = RwSignal::new(None::<String>);
    let change_status = Action::new_local(move |status: &TicketStatus| {
        let status = *status;
        async move {
            match client
                .change_status(org_id, ticket_id, StatusChange { status })
                .await
            {
                Ok(fresh) => {
                    action_error.set(None);
                    announcement.set(format!(
                        "The ticket is now {}.",
                        status.label().to_lowercase()
                    ));
                    replace(fresh);
                    focus_by_id("ticket-status");
                }
                Err(e) => action_error.set(Some(e.message())),
            }
        }
    });
    let remove_cc = Action::new_local(move |email: &String| {
        let email = email.clone();
        async move {
            match client.remove_cc(org_id, ticket_id, &email).await {
                Ok(()) => {
                    action_error.set(None);
                    announcement.set(format!("{email} was removed from CC."));
                    generation.update_value(|g| *g += 1);
                    current.update(|t| t.cc.retain(|c| *c != email));
                    etag.set_value(None);
                    focus_by_id("ticket-cc-heading");
                    poll();
                }
                Err(e) => action_error.set(Some(e.message())),
            }
        }
    });

    let t = move || current.get();
    let status = move || current.with(|t| t.status);
    let permissions = move || current.with(|t| t.permissions);
    // Only a change of this flag may rebuild the comment form (a poll must not drop its files).
    let can_comment = Memo::new(move |_| current.with(|t| t.permissions.can_comment));
    let draft_key = format!("{DRAFT_PREFIX}:{user_id}:{org_id}:{ticket_id}");
    let has_draft = storage::load::<CommentDraft>(&draft_key).is_some_and(|d| d.has_content());
    if has_draft {
        composing.set(true);
    }

    view! {
        <div class="sa-page sa-narrow">
            <nav class="sa-breadcrumb" aria-label="Breadcrumb">
                <A href=routes::support()>"Support"</A>
                " / "
                <A href=routes::tickets()>"My tickets"</A>
            </nav>
            {created.then(|| {
                let cced = !current.with_untracked(|t| t.cc.is_empty());
                view! {
                    <div id="ticket-created" class="sa-callout sa-callout-success" role="status" tabindex="-1">
                        <h2>"Ticket created"</h2>
                        <p>
                            {format!("Your ticket #{ticket_id} was created. We sent a confirmation to you")}
                            {if cced { " and the people you CCed." } else { "." }}
                            " You can follow it here and on the My tickets page."
                        </p>
                    </div>
                }
            })}
            <p class="sa-visually-hidden" role="status" aria-live="polite">{move || announcement.get()}</p>
            <h1>{move || current.with(|t| t.subject.clone())}</h1>
            <div class="sa-ticket-meta">
                <span>{format!("#{ticket_id}")}</span>
                <span id="ticket-status" tabindex="-1" class=move || format!("sa-status sa-status-{}", status().as_str())>{move || status().label()}</span>
                <span class=move || format!("sa-severity sa-severity-{}", current.with(|t| t.severity.key()))>
                    {move || format!("{} severity", current.with(|t| t.severity.label()))}
                </span>
                <span class="sa-ticket-actions">
                    {move || {
                        let p = permissions();
                        match status() {
                            TicketStatus::Open | TicketStatus::AwaitingCustomer if p.can_change_status => {
                                view! {
                                    <button type="button" class="sa-button" on:click=move |_| { change_status.dispatch_local(TicketStatus::Solved); }>
                                        "Mark as solved"
                                    </button>
                                }
                                    .into_any()
                            }
                            TicketStatus::Solved if p.can_change_status => {
                                view! {
                                    <button type="button" class="sa-button" on:click=move |_| { change_status.dispatch_local(TicketStatus::Open); }>
                                        "Reopen ticket"
                                    </button>
                                }
                                    .into_any()
                            }
                            _ => ().into_any(),
                        }
                    }}
                </span>
            </div>
            {move || action_error.get().map(|m| view! { <p class="sa-banner sa-banner-error" role="alert">{m}</p> })}
            {move || (status() == TicketStatus::Closed).then(|| view! {
                <div class="sa-callout">
                    <p>
                        "This ticket is closed and cannot be reopened. If the problem is back, "
                        <A href=format!("{}?follow_up={ticket_id}", routes::new_ticket())>"create a follow-up ticket"</A>
                        " that links to this one."
                    </p>
                </div>
            })}
            {move || {
                let t = t();
                let where_ = match (&t.project, &t.service) {
                    (Some(p), Some(s)) => format!("{} / {}", p.name, s.name),
                    (Some(p), None) => p.name.clone(),
                    _ => "Not specified".to_owned(),
                };
                let now = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
                let met = match t.first_response_met(&now) {
                    Some(true) => " (met)",
                    Some(false) => " (missed)",
                    None => "",
                };
                view! {
                    <div class="sa-panel">
                        <dl class="sa-facts">
                            <div>
                                <dt>"Product"</dt>
                                <dd>{format!("{} \u{2013} {}", t.product_name, t.reason_label)}</dd>
                            </div>
                            <div>
                                <dt>"Project and service"</dt>
                                <dd>{where_}</dd>
                            </div>
                            <div>
                                <dt>"Expected first response"</dt>
                                <dd>
                                    "Within " {t.first_response_target.to_string()} ", by "
                                    <time datetime=t.first_response_due_at.clone()>{local_time(&t.first_response_due_at)}</time>
                                    {met}
                                </dd>
                            </div>
                            <div>
                                <dt>"Submitted by"</dt>
                                <dd>{format!("{} ({})", t.submitter_name, t.submitter_email)}</dd>
                            </div>
                            <div>
                                <dt>"Created"</dt>
                                <dd><time datetime=t.created_at.clone()>{local_time(&t.created_at)}</time></dd>
                            </div>
                            {t.follow_up_of.map(|id| view! {
                                <div>
                                    <dt>"Follows up"</dt>
                                    <dd><A href=routes::ticket(id)>{format!("Ticket #{id}")}</A></dd>
                                </div>
                            })}
                        </dl>
                    </div>
                }
            }}
            <section class="sa-panel" aria-labelledby="ticket-cc-heading">
                <h2 id="ticket-cc-heading" tabindex="-1">"CC"</h2>
                {move || {
                    let list = current.with(|t| t.cc.clone());
                    let can_remove = permissions().can_remove_cc;
                    if list.is_empty() {
                        view! { <p class="sa-muted">"Nobody is CCed on this ticket."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="sa-cc-list">
                                {list
                                    .into_iter()
                                    .map(|email| {
                                        let remove = email.clone();
                                        view! {
                                            <li>
                                                <span>{email.clone()}</span>
                                                {can_remove.then(|| view! {
                                                    <button
                                                        type="button"
                                                        class="sa-link-button"
                                                        aria-label=format!("Remove {email} from CC")
                                                        on:click=move |_| { remove_cc.dispatch_local(remove.clone()); }
                                                    >
                                                        "Remove"
                                                    </button>
                                                })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
            <section aria-labelledby="ticket-conversation-heading">
                <h2 id="ticket-conversation-heading" tabindex="-1">"Conversation"</h2>
                <ol class="sa-thread">
                    {move || {
                        let t = t();
                        let first = view! {
                            <Message
                                author=t.submitter_name.clone()
                                agent=false
                                at=t.created_at.clone()
                                body=t.description.clone()
                                files=t.attachments.clone()
                                org_id=org_id
                                ticket_id=ticket_id
                            />
                        };
                        let rest = t
                            .activity
                            .into_iter()
                            .map(|a| view! { <Entry activity=a org_id=org_id ticket_id=ticket_id /> })
                            .collect_view();
                        (first, rest)
                    }}
                </ol>
                {move || waiting.with(Option::is_some).then(|| view! {
                    <div class="sa-callout sa-new-replies" role="status">
                        <p>"There are new replies on this ticket."</p>
                        <button type="button" class="sa-button" on:click=move |_| {
                            if let Some(fresh) = waiting.get_untracked() {
                                apply(fresh);
                                focus_by_id("ticket-conversation-heading");
                            }
                        }>"Show new replies"</button>
                    </div>
                })}
            </section>
            {move || {
                if !can_comment.get() {
                    return None;
                }
                Some(if composing.get() {
                    let t = current.get_untracked();
                    view! {
                        <CommentForm
                            org_id=org_id
                            ticket_id=ticket_id
                            draft_key=draft_key.clone()
                            check=CcCheck {
                                own: my_email.clone(),
                                submitter: t.submitter_email.clone(),
                                existing: t.cc.clone(),
                            }
                            existing_bytes=t
                                .attachments
                                .iter()
                                .chain(t.activity.iter().flat_map(|a| a.attachments.iter()))
                                .map(|a| a.size)
                                .sum()
                            typing=typing
                            on_done=Callback::new(move |fresh: Option<Ticket>| {
                                if let Some(fresh) = fresh {
                                    announcement.set("Your comment was added.".into());
                                    replace(fresh);
                                }
                                composing.set(false);
                                typing.set(false);
                                focus_by_id("ticket-add");
                            })
                        />
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            id="ticket-add"
                            type="button"
                            class="sa-button sa-button-primary"
                            on:click=move |_| {
                                composing.set(true);
                                focus_by_id("comment-cc");
                            }
                        >
                            "Add to conversation"
                        </button>
                    }
                        .into_any()
                })
            }}
        </div>
    }
}

/// The description or a comment: author, time, text with links, files.
#[component]
fn Message(
    author: String,
    agent: bool,
    at: String,
    body: String,
    files: Vec<Attachment>,
    org_id: i64,
    ticket_id: i64,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    view! {
        <li class="sa-message" class:sa-message-agent=agent>
            <p class="sa-message-head">
                <strong>{author}</strong>
                {agent.then(|| view! { <span class="sa-badge">"Support team"</span> })}
                " "
                <time class="sa-muted" datetime=at.clone()>{local_time(&at)}</time>
            </p>
            <div class="sa-plain-text">
                {pieces(&body)
                    .into_iter()
                    .map(|piece| match piece {
                        Piece::Text(text) => text.to_owned().into_any(),
                        Piece::Link(url) => {
                            view! { <a href=url.to_owned() rel="noopener noreferrer nofollow" target="_blank">{url.to_owned()}</a> }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </div>
            {(!files.is_empty()).then(|| view! {
                <ul class="sa-file-list" aria-label="Files">
                    {files
                        .into_iter()
                        .map(|file| {
                            view! {
                                <li>
                                    <a href=client.attachment_url(org_id, ticket_id, file.id) download=file.file_name.clone()>
                                        {file.file_name.clone()}
                                    </a>
                                    <span class="sa-muted">{format!(" ({})", format_bytes(file.size))}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            })}
        </li>
    }
}

/// One entry after the description.
#[component]
fn Entry(activity: Activity, org_id: i64, ticket_id: i64) -> impl IntoView {
    let a = activity;
    let agent = a.author_kind == AuthorKind::Agent;
    let who = if agent {
        format!("{} (Support team)", a.author_name)
    } else {
        a.author_name.clone()
    };
    let note = |text: String, at: String| {
        view! {
            <li class="sa-event">
                {text} " " <time class="sa-muted" datetime=at.clone()>{local_time(&at)}</time>
            </li>
        }
        .into_any()
    };
    match a.kind {
        ActivityKind::Comment => view! {
            <Message author=a.author_name agent=agent at=a.created_at body=a.body files=a.attachments org_id=org_id ticket_id=ticket_id />
        }
        .into_any(),
        ActivityKind::CcAdded => note(format!("{who} added {} to CC.", a.emails.join(", ")), a.created_at),
        ActivityKind::CcRemoved => note(format!("{who} removed {} from CC.", a.emails.join(", ")), a.created_at),
        ActivityKind::StatusChanged => note(
            format!(
                "{who} changed the status to {}.",
                a.status.map(TicketStatus::label).unwrap_or("unknown")
            ),
            a.created_at,
        ),
    }
}

/// What is saved while a comment is written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct CommentDraft {
    cc: Vec<String>,
    cc_text: String,
    body: String,
    key: String,
}

impl CommentDraft {
    fn has_content(&self) -> bool {
        !(self.cc.is_empty() && self.cc_text.trim().is_empty() && self.body.trim().is_empty())
    }
}

/// Add to conversation: CC, a comment, files, Submit. `on_done` gets the updated ticket after a
/// successful submit, or `None` when the user cancels.
#[component]
fn CommentForm(
    org_id: i64,
    ticket_id: i64,
    draft_key: String,
    check: CcCheck,
    existing_bytes: u64,
    typing: RwSignal<bool>,
    on_done: Callback<Option<Ticket>>,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let restored = storage::load::<CommentDraft>(&draft_key).unwrap_or_default();
    let check = StoredValue::new(check);
    let cc = CcField::new(
        restored.cc,
        restored.cc_text,
        check.get_value(),
        |check, pending, token| {
            api::conversation::check_new_cc(
                CommentContext {
                    cc: &check.existing,
                    submitter: &check.submitter,
                    author: &check.own,
                },
                pending,
                token,
            )
        },
    );
    let body = RwSignal::new(restored.body);
    let key = RwSignal::new(if restored.key.is_empty() {
        new_key()
    } else {
        restored.key
    });
    let errors = FieldErrors::new(FIELDS);
    let form_error = RwSignal::new(None::<String>);
    let uploads = Uploads::with_existing(org_id, "comment", existing_bytes);
    let autosave = Autosave::start(
        draft_key,
        move || {
            cc.emails.track();
            cc.text.track();
            body.track();
        },
        move || {
            Some(CommentDraft {
                cc: cc.emails.try_get_untracked()?,
                cc_text: cc.text.try_get_untracked()?,
                body: body.try_get_untracked()?,
                key: key.try_get_untracked()?,
            })
        },
        CommentDraft::has_content,
    );
    // The page holds back new replies while there is something in the box.
    Effect::new(move |_| {
        let busy = !(body.with(|b| b.trim().is_empty())
            && cc.text.with(|t| t.trim().is_empty())
            && cc.emails.with(Vec::is_empty)
            && uploads.is_empty());
        typing.set(busy);
    });
    on_cleanup(move || typing.set(false));

    let input = move || NewComment {
        cc: cc.emails.get_untracked(),
        body: body.get_untracked(),
        attachment_ids: uploads.done_ids(),
    };
    let check_all = move || -> Vec<api::FieldMessage> {
        let mut messages = check.with_value(|c| {
            input()
                .validate(CommentContext {
                    cc: &c.existing,
                    submitter: &c.submitter,
                    author: &c.own,
                })
                .err()
                .unwrap_or_default()
        });
        cc.report_leftover(&mut messages);
        if let Some(message) = uploads.problem() {
            messages.push(api::FieldMessage {
                field: "attachments".into(),
                message,
            });
        }
        messages
    };

    let submit = Action::new_local(move |(comment, key): &(NewComment, String)| {
        let (comment, key) = (comment.clone(), key.clone());
        async move { client.add_comment(org_id, ticket_id, &comment, &key).await }
    });
    Effect::new(move |_| {
        let Some(result) = submit.value().get() else {
            return;
        };
        match result {
            Ok(ticket) => {
                autosave.finish();
                uploads.sent();
                on_done.run(Some(ticket));
            }
            Err(error) => {
                if report_send_failure(error, errors, form_error, "comment-summary", &SEND_FAILURE)
                {
                    key.set(new_key());
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submit.pending().get_untracked() {
            return;
        }
        cc.commit(true);
        form_error.set(None);
        if !ready_to_send(check_all(), errors, "comment-summary") {
            return;
        }
        autosave.save_now();
        submit.dispatch_local((input(), key.get_untracked()));
    };
    let cancel = move |_| {
        uploads.clear();
        cc.clear();
        body.set(String::new());
        autosave.finish();
        on_done.run(None);
    };
    let has_body_error = move || errors.has("body");

    view! {
        <section class="sa-panel sa-comment" aria-labelledby="comment-heading">
            <h2 id="comment-heading">"Add to conversation"</h2>
            <ErrorSummary id="comment-summary" prefix="comment" errors=errors.list form_error=form_error />
            <form
                class="sa-form"
                novalidate
                on:submit=on_submit
                on:paste=move |ev| uploads.paste(&ev)
            >
                <fieldset class="sa-plain-fieldset sa-form" disabled=move || submit.pending().get()>
                <CcInput
                    prefix="comment"
                    field=cc
                    hint="Add the email addresses separated by a space. They get every new comment and update by email; console users of your organization can also open this ticket, comment and CC others, while other people only get email (replying by email is not supported yet)."
                    message=errors.message("cc")
                    on_message=Callback::new(move |m| errors.set("cc", m))
                />
                <div class="sa-field">
                    <label for="comment-body">"Comment"</label>
                    <textarea
                        id="comment-body"
                        rows="6"
                        prop:value=move || body.get()
                        on:input=move |ev| {
                            body.set(event_target_value(&ev));
                            if errors.list.with_untracked(|l| l.iter().any(|m| m.field == "body")) {
                                errors.refresh(&["body"], check_all());
                            }
                        }
                        aria-invalid=move || has_body_error().then_some("true")
                        aria-describedby=move || has_body_error().then_some("comment-body-error")
                    ></textarea>
                    <FieldError prefix="comment" field="body" message=errors.message("body") />
                </div>
                <FileField uploads=uploads message=errors.message("attachments") />
                <div class="sa-actions">
                    <button
                        type="submit"
                        class="sa-button sa-button-primary"
                        aria-busy=move || submit.pending().get().then_some("true")
                    >
                        {move || if submit.pending().get() { "Submitting\u{2026}" } else { "Submit" }}
                    </button>
                    <button type="button" class="sa-button" on:click=cancel>"Cancel"</button>
                    <span class="sa-muted sa-draft-state">"Your comment is saved in this browser as you type."</span>
                </div>
                </fieldset>
            </form>
        </section>
    }
}
