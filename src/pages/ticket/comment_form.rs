//! Add to conversation: CC, a comment, files and Submit. Like Create ticket, it keeps a draft in
//! localStorage from the first keystroke and is safe to send again (one idempotency key per draft).

use api::{CommentContext, Field, FieldMessage, NewComment, Ticket};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::TicketState;
use crate::api::ApiClient;
use crate::components::focus_by_id;
use crate::components::form::{
    Autosave, COMMENT_DRAFT_PREFIX, CcCheck, CcField, CcForm, CcInput, DraftForm, ErrorSummary,
    FieldErrors, FileField, SendFailureText, TextArea, Uploads, draft_key, draft_problems, new_key,
};
use crate::session::Session;
use crate::storage;

/// The prefix of the form's element ids (`comment-body`).
const PREFIX: &str = "comment";
const SUMMARY: &str = "comment-summary";
/// What Add to conversation says when Submit fails.
const SEND_FAILURE: SendFailureText = SendFailureText {
    reused: "An earlier version of this comment was already sent and may have been added. Check the conversation first: Submit now adds this version as a new comment.",
    offline: "We could not reach the server, so we cannot tell whether your comment was added. Click Submit again when you are back online: it will not be added twice. Everything you wrote is still here.",
    failed: "Your comment was not added.",
    kept: "Everything you wrote is still here.",
};

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

/// The Add to conversation button, or the form once it was clicked (at once when a draft is waiting).
pub(super) fn add_to_conversation(state: TicketState) -> impl IntoView {
    let me = expect_context::<Session>().me();
    let my_email = me
        .as_ref()
        .map(|m| m.user.email.clone())
        .unwrap_or_default();
    let user_id = me.as_ref().map(|m| m.user.id).unwrap_or_default();
    let TicketState {
        org_id,
        ticket_id,
        current,
        announcement,
        typing,
        ..
    } = state;
    let draft_key = draft_key(
        COMMENT_DRAFT_PREFIX,
        user_id,
        &format!("{org_id}:{ticket_id}"),
    );
    let composing =
        RwSignal::new(storage::load::<CommentDraft>(&draft_key).is_some_and(|d| d.has_content()));
    // Only a change of this flag may rebuild the comment form (a poll must not drop its files).
    let can_comment = Memo::new(move |_| current.with(|t| t.permissions.can_comment));
    let on_done = Callback::new(move |fresh: Option<Ticket>| {
        if let Some(fresh) = fresh {
            announcement.set("Your comment was added.".into());
            state.replace(fresh);
        }
        composing.set(false);
        typing.set(false);
        focus_by_id("ticket-add");
    });
    move || {
        if !can_comment.get() {
            return None;
        }
        Some(if composing.get() {
            let t = current.get_untracked();
            let held = || {
                t.attachments
                    .iter()
                    .chain(t.activity.iter().flat_map(|a| a.attachments.iter()))
            };
            let existing_files = held().count();
            let existing_bytes = held().map(|a| a.size).sum();
            let check = CcCheck {
                own: my_email.clone(),
                submitter: t.submitter_email,
                existing: t.cc,
            };
            view! {
                <CommentForm
                    state=state
                    draft_key=draft_key.clone()
                    check=check
                    existing_files=existing_files
                    existing_bytes=existing_bytes
                    on_done=on_done
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
                        focus_by_id(format!("{PREFIX}-{}", Field::Cc.as_str()));
                    }
                >
                    "Add to conversation"
                </button>
            }
            .into_any()
        })
    }
}

/// The comment's fields as signals.
#[derive(Clone, Copy)]
struct CommentFields {
    cc: CcField,
    body: RwSignal<String>,
    key: RwSignal<String>,
}

impl CommentFields {
    fn restore(draft: CommentDraft, check: CcCheck) -> Self {
        let cc = CcField::new(draft.cc, draft.cc_text, check, |check, pending, token| {
            api::conversation::check_new_cc(context(check), pending, token)
        });
        Self {
            cc,
            body: RwSignal::new(draft.body),
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
        self.body.track();
    }

    /// Whether nothing has been typed (tracked).
    fn is_blank(&self) -> bool {
        self.body.with(|b| b.trim().is_empty())
            && self.cc.text.with(|t| t.trim().is_empty())
            && self.cc.emails.with(Vec::is_empty)
    }

    /// The current values, or `None` once the form is gone (its signals disposed).
    fn snapshot(&self) -> Option<CommentDraft> {
        Some(CommentDraft {
            cc: self.cc.emails.try_get_untracked()?,
            cc_text: self.cc.text.try_get_untracked()?,
            body: self.body.try_get_untracked()?,
            key: self.key.try_get_untracked()?,
        })
    }
}

/// Whom a new CC is checked against.
fn context(check: &CcCheck) -> CommentContext<'_> {
    CommentContext {
        cc: &check.existing,
        submitter: &check.submitter,
        author: &check.own,
    }
}

/// Add to conversation: CC, a comment, files, Submit. `on_done` gets the updated ticket after a
/// successful submit, or `None` when the user cancels.
#[component]
fn CommentForm(
    state: TicketState,
    draft_key: String,
    check: CcCheck,
    existing_files: usize,
    existing_bytes: u64,
    on_done: Callback<Option<Ticket>>,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let TicketState {
        org_id,
        ticket_id,
        current,
        typing,
        ..
    } = state;
    let restored = storage::load::<CommentDraft>(&draft_key).unwrap_or_default();
    let f = CommentFields::restore(restored, check.clone());
    let check = StoredValue::new(check);
    let uploads = Uploads::with_existing(org_id, PREFIX, existing_files, existing_bytes);
    let autosave = Autosave::start(
        draft_key,
        move || f.track(),
        move || f.snapshot(),
        CommentDraft::has_content,
    );
    // The ticket says whether the server has a reply address (an older server's never does, and the
    // hint then promises only the emails: never a reply path that does not exist).
    let replies_by_email = Memo::new(move |_| current.with(|t| t.replies_by_email));
    // The page holds back new replies while there is something in the box.
    Effect::new(move |_| typing.set(!(f.is_blank() && uploads.is_empty())));
    on_cleanup(move || typing.set(false));

    let input = move || NewComment {
        cc: f.cc.emails.get_untracked(),
        body: f.body.get_untracked(),
        attachment_ids: uploads.done_ids(),
    };
    let check_all = move || -> Vec<FieldMessage> {
        let messages = check.with_value(|c| input().validate(context(c)).err().unwrap_or_default());
        draft_problems(messages, f.cc, uploads)
    };
    let form = DraftForm {
        errors: FieldErrors::new(PREFIX, &Field::COMMENT_ORDER).rechecked_by(check_all),
        form_error: RwSignal::new(None),
        summary: SUMMARY,
        autosave,
        uploads,
        cc: f.cc,
        key: f.key,
        text: &SEND_FAILURE,
    };
    // Tells the console (nothing when standalone).
    let host = use_context::<crate::embed::Host>().unwrap_or_default();
    let submit = form.sender(
        move |comment: NewComment, key: String| async move {
            client.add_comment(org_id, ticket_id, &comment, &key).await
        },
        move |ticket: Ticket| {
            host.comment_added(ticket.id);
            on_done.run(Some(ticket))
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit(submit, check_all, input);
    };
    let cancel = move |_| {
        uploads.clear();
        f.cc.clear();
        f.body.set(String::new());
        autosave.finish();
        on_done.run(None);
    };

    view! {
        <section class="sa-panel sa-comment" aria-labelledby="comment-heading">
            <h2 id="comment-heading">"Add to conversation"</h2>
            <ErrorSummary id=SUMMARY errors=form.errors form_error=form.form_error />
            <form
                class="sa-form"
                novalidate
                on:submit=on_submit
                on:paste=move |ev| uploads.paste(&ev)
            >
                <fieldset class="sa-plain-fieldset sa-form" disabled=move || submit.pending().get()>
                <CcInput errors=form.errors field=f.cc form=CcForm::Comment replies_by_email=replies_by_email />
                <TextArea errors=form.errors field=Field::Body label="Comment" value=f.body rows="6" />
                <FileField uploads=uploads errors=form.errors />
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
