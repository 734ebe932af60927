//! My tickets, the Support Center's home: the tickets the user submitted or is CCed on, and the way to
//! Create ticket.

use api::TicketSummary;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{ErrorPanel, PageSkeleton, local_time, set_document_title};
use crate::routes;
use crate::session::Session;

#[component]
pub fn TicketsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("My tickets");

    let org_id = session.me().map(|me| me.organization.id);
    let tickets = LocalResource::new(move || async move {
        let signal = abort_on_cleanup();
        match org_id {
            Some(id) => client.tickets(id, signal).await,
            None => Err(ClientError::Unauthenticated),
        }
    });

    view! {
        <div class="sa-page">
            <nav class="sa-breadcrumb" aria-label="Breadcrumb">
                <A href=routes::support()>"Support"</A>
            </nav>
            <div class="sa-page-header">
                <h1>"My tickets"</h1>
                <A href=routes::new_ticket()>
                    <span class="sa-button sa-button-primary">"Create ticket"</span>
                </A>
            </div>
            <Transition fallback=|| view! { <PageSkeleton cards=1 /> }>
                {move || Suspend::new(async move {
                    match tickets.await {
                        Ok(list) if list.is_empty() => view! { <EmptyState /> }.into_any(),
                        Ok(list) => view! { <TicketTable tickets=list /> }.into_any(),
                        Err(error) => {
                            view! { <ErrorPanel error=error retry=Callback::new(move |_| tickets.refetch()) /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <div class="sa-panel sa-empty">
            <h2>"No tickets yet"</h2>
            <p>"Tickets you create, and tickets you are CCed on, appear here with their status."</p>
            <A href=routes::new_ticket()>
                <span class="sa-button sa-button-primary">"Create ticket"</span>
            </A>
        </div>
    }
}

#[component]
fn TicketTable(tickets: Vec<TicketSummary>) -> impl IntoView {
    view! {
        <div class="sa-table-scroll sa-panel" role="region" aria-labelledby="sa-tickets-caption" tabindex="0">
            <table class="sa-table sa-tickets-table">
                <caption id="sa-tickets-caption" class="sa-visually-hidden">"Your tickets, most recently updated first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"ID"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Updated"</th>
                    </tr>
                </thead>
                <tbody>
                    {tickets
                        .into_iter()
                        .map(|t| {
                            view! {
                                <tr>
                                    <td>
                                        <A href=routes::ticket(t.id)>{t.subject}</A>
                                    </td>
                                    <td>{format!("#{}", t.id)}</td>
                                    <td>{t.severity.label()}</td>
                                    <td>
                                        <span class="sa-status">{t.status.label()}</span>
                                    </td>
                                    <td>{t.product_name}</td>
                                    <td>
                                        <time datetime=t.created_at.clone()>{local_time(&t.created_at)}</time>
                                    </td>
                                    <td>
                                        <time datetime=t.updated_at.clone()>{local_time(&t.updated_at)}</time>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
