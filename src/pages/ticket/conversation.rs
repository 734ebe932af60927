//! The conversation: the description first, then every comment, CC change and status change in time
//! order, and the notice that holds new replies back while the user is typing.
//!
//! Everything people wrote is rendered as text nodes (line breaks kept by CSS, web addresses as links);
//! nothing is ever parsed as HTML.

use api::format::format_bytes;
use api::text::{Piece, pieces};
use api::{Activity, ActivityKind, Attachment, AuthorKind, TicketStatus, Timestamp};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::TicketState;
use crate::api::ApiClient;
use crate::components::{focus_by_id, time_view};

/// How a conversation is drawn: the page with its description and a first slice of entries, then a slice each frame,
/// sized by how long the frames take. Drawn at once, 200 entries were one task of 115-164 ms with a 4x slower CPU
/// (scripts/bench.sh); in fixed slices of 40, still 90-130 ms per frame there, while an unthrottled CPU
/// draws 40 in a few milliseconds. Pacing keeps each frame short on a slow device and the whole draw short
/// on a fast one.
const FIRST_SLICE: usize = 10;
const MAX_SLICE: usize = 200;
/// A frame longer than this halves the next slice (a task over 50 ms is a long task).
const LONG_FRAME_MS: f64 = 34.0;
/// A frame shorter than this makes the next slice half again as large.
const SHORT_FRAME_MS: f64 = 20.0;

/// The next slice after one of `slice` entries, when the frame that drew it took `frame_ms` (None before the
/// first slice).
fn next_slice(slice: usize, frame_ms: Option<f64>) -> usize {
    match frame_ms {
        Some(ms) if ms > LONG_FRAME_MS => (slice / 2).max(1),
        Some(ms) if ms < SHORT_FRAME_MS => (slice + slice.div_ceil(2)).min(MAX_SLICE),
        _ => slice,
    }
}

/// The Conversation section. Entries are keyed by id, so a poll that brings new replies draws only those:
/// the entries already on screen stay, with the focus or the selection the user has in them.
pub(super) fn conversation(state: TicketState) -> impl IntoView {
    let TicketState {
        org_id,
        ticket_id,
        current,
        waiting,
        ..
    } = state;
    // The description, redrawn only if the ticket's own first message changes (never, in practice).
    let first = Memo::new(move |_| {
        current.with(|t| {
            (
                t.submitter_name.clone(),
                t.created_at,
                t.description.clone(),
                t.attachments.clone(),
            )
        })
    });
    // How many entries are drawn: a first slice with the conversation (in the page's last stage, whose
    // task it shares with the comment form), then one more slice each frame until all are.
    // `pace`: the slice being drawn and when its frame began; a frame's length is the time between two
    // frames' starts (drawing, layout and paint).
    let shown = RwSignal::new(FIRST_SLICE);
    let pace = StoredValue::new((FIRST_SLICE, None::<f64>));
    Effect::new(move |_| {
        if shown.get() < current.with(|t| t.activity.len()) {
            let draw = move || {
                let now = js_sys::Date::now();
                let slice =
                    pace.with_value(|&(slice, began)| next_slice(slice, began.map(|b| now - b)));
                pace.set_value((slice, Some(now)));
                shown.try_update(|n| *n += slice);
            };
            // The second slice waits a frame more: the page's first frame lays out the whole page (about
            // 20 ms with a 4x slower CPU), and a slice drawn on top of that made it a task of 46-59 ms.
            if pace.with_value(|(_, began)| began.is_none()) {
                request_animation_frame(move || request_animation_frame(draw));
            } else {
                request_animation_frame(draw);
            }
        }
    });
    view! {
        <section aria-labelledby="ticket-conversation-heading">
            <h2 id="ticket-conversation-heading" tabindex="-1">"Conversation"</h2>
            <ol class="sa-thread">
                {move || {
                    let (author, at, body, files) = first.get();
                    view! {
                        <Message
                            author=author
                            agent=false
                            at=at
                            body=body
                            files=files
                            org_id=org_id
                            ticket_id=ticket_id
                        />
                    }
                }}
                <For
                    each=move || current.with(|t| t.activity.iter().take(shown.get()).cloned().collect::<Vec<_>>())
                    key=|a| a.id
                    let:activity
                >
                    <Entry activity=activity org_id=org_id ticket_id=ticket_id />
                </For>
            </ol>
            {move || waiting.with(Option::is_some).then(|| view! {
                <div class="sa-callout sa-new-replies" role="status">
                    <p>"There are new replies on this ticket."</p>
                    <button type="button" class="sa-button" on:click=move |_| {
                        if let Some(fresh) = waiting.get_untracked() {
                            state.apply(fresh);
                            focus_by_id("ticket-conversation-heading");
                        }
                    }>"Show new replies"</button>
                </div>
            })}
        </section>
    }
}

/// The description or a comment: author, time, text with links, files.
#[component]
fn Message(
    author: String,
    agent: bool,
    at: Timestamp,
    body: String,
    files: Vec<Attachment>,
    org_id: i64,
    ticket_id: i64,
    /// It arrived as a reply to one of the ticket's emails.
    #[prop(optional)]
    by_email: bool,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    view! {
        <li class="sa-message" class:sa-message-agent=agent>
            <p class="sa-message-head">
                <strong>{author}</strong>
                {agent.then(|| view! { <span class="sa-badge">"Support team"</span> })}
                {by_email.then(|| view! { <span class="sa-muted">" by email"</span> })}
                " "
                <span class="sa-muted">{time_view(at)}</span>
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
                            let (id, name) = (file.id, file.file_name.clone());
                            view! {
                                <li>
                                    <a
                                        href=client.attachment_url(org_id, ticket_id, file.id)
                                        download=file.file_name.clone()
                                        on:click=move |ev| {
                                            if client.auth().is_token_mode() {
                                                ev.prevent_default();
                                                download_with_token(client, org_id, ticket_id, id, name.clone());
                                            }
                                        }
                                    >
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
    let note = |text: String, at: Timestamp| {
        view! {
            <li class="sa-event">
                {text} " " <span class="sa-muted">{time_view(at)}</span>
            </li>
        }
        .into_any()
    };
    match a.kind {
        ActivityKind::Comment => view! {
            <Message author=a.author_name agent=agent at=a.created_at body=a.body files=a.attachments org_id=org_id ticket_id=ticket_id by_email=a.by_email />
        }
        .into_any(),
        ActivityKind::CcAdded => {
            let how = if a.by_email { " by email" } else { "" };
            note(format!("{who} added {} to CC{how}.", a.emails.join(", ")), a.created_at)
        }
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

/// Token mode: the link cannot carry the token, so the file is fetched with it and saved from a
/// `blob:` URL under its own name. (A failure leaves the page as it is; the link stays for a retry.)
fn download_with_token(client: ApiClient, org_id: i64, ticket_id: i64, id: i64, name: String) {
    leptos::task::spawn_local(async move {
        let Ok(url) = client.attachment_blob_url(org_id, ticket_id, id).await else {
            return;
        };
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(a) = document
            .and_then(|d| d.create_element("a").ok())
            .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&url);
            a.set_download(&name);
            a.click();
        }
        // The download has started from the URL; it can go once the click is handled.
        set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(10),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_shrink_after_a_long_frame_and_grow_after_a_short_one() {
        let cases = [
            // (slice, frame ms, next slice)
            (FIRST_SLICE, None, FIRST_SLICE),
            (10, Some(LONG_FRAME_MS + 1.0), 5),
            (1, Some(200.0), 1),
            (10, Some(SHORT_FRAME_MS - 1.0), 15),
            (1, Some(5.0), 2),
            (150, Some(5.0), MAX_SLICE),
            (10, Some(25.0), 10),
        ];
        for (slice, frame_ms, next) in cases {
            assert_eq!(
                next_slice(slice, frame_ms),
                next,
                "slice {slice} after a frame of {frame_ms:?} ms"
            );
        }
    }
}
