//! One ticket: its fields, CC list, description and files. (The conversation comes with the next
//! release.) Arriving with `?created=1` right after Create ticket shows the confirmation.

use api::Ticket;
use api::ticket::format_bytes;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{ErrorPanel, PageSkeleton, focus_by_id, local_time, set_document_title};
use crate::pages::NotFound;
use crate::routes;
use crate::session::Session;

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
    let just_created = move || query.read().get("created").is_some();

    view! {
        <Transition fallback=|| view! { <div class="sa-page"><PageSkeleton cards=2 /></div> }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Ok(Some(t)) => {
                        set_document_title(&format!("#{} {}", t.id, t.subject));
                        view! { <TicketView ticket=t org_id=org_id.unwrap_or_default() created=just_created() /> }
                            .into_any()
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
fn TicketView(ticket: Ticket, org_id: i64, created: bool) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    if created {
        focus_by_id("ticket-created");
    }
    let t = ticket;
    let where_ = match (&t.project, &t.service) {
        (Some(p), Some(s)) => format!("{} / {}", p.name, s.name),
        (Some(p), None) => p.name.clone(),
        _ => "Not specified".to_owned(),
    };
    let cc = if t.cc.is_empty() {
        "Nobody".to_owned()
    } else {
        t.cc.join(", ")
    };
    let files = t.attachments.clone();
    let ticket_id = t.id;
    view! {
        <div class="sa-page sa-narrow">
            <nav class="sa-breadcrumb" aria-label="Breadcrumb">
                <A href=routes::support()>"Support"</A>
                " / "
                <A href=routes::tickets()>"My tickets"</A>
            </nav>
            {created.then(|| view! {
                <div id="ticket-created" class="sa-callout sa-callout-success" role="status" tabindex="-1">
                    <h2>"Ticket created"</h2>
                    <p>
                        {format!("Your ticket #{} was created. We sent a confirmation to you", t.id)}
                        {if t.cc.is_empty() { "." } else { " and the people you CCed." }}
                        " You can follow it here and on the My tickets page."
                    </p>
                </div>
            })}
            <h1>{t.subject.clone()}</h1>
            <p class="sa-ticket-meta">
                <span>{format!("#{}", t.id)}</span>
                <span class="sa-status">{t.status.label()}</span>
                <span class=format!("sa-severity sa-severity-{}", t.severity.label().to_lowercase())>
                    {format!("{} severity", t.severity.label())}
                </span>
            </p>
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
                    <div>
                        <dt>"CC"</dt>
                        <dd>{cc}</dd>
                    </div>
                </dl>
            </div>
            <section class="sa-panel" aria-labelledby="ticket-description-heading">
                <h2 id="ticket-description-heading">"Description"</h2>
                // Plain text: line breaks are kept by CSS, and nothing the user wrote is read as HTML.
                <div class="sa-plain-text">{t.description.clone()}</div>
            </section>
            <section class="sa-panel" aria-labelledby="ticket-files-heading">
                <h2 id="ticket-files-heading">"Files"</h2>
                {if files.is_empty() {
                    view! { <p class="sa-muted">"No files attached."</p> }.into_any()
                } else {
                    view! {
                        <ul class="sa-file-list">
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
                    }
                        .into_any()
                }}
            </section>
        </div>
    }
}
