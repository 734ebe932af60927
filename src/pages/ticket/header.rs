//! The top of the ticket page: the subject, id, status, severity, Mark as solved or Reopen ticket,
//! and what to do about a closed ticket.

use crate::router::A;
use api::{StatusChange, TicketStatus};
use leptos::prelude::*;

use super::{TicketState, failed};
use crate::api::ApiClient;
use crate::components::focus_by_id;
use crate::routes;

pub(super) fn header(state: TicketState) -> impl IntoView {
    let TicketState {
        ticket_id,
        current,
        status_error,
        ..
    } = state;
    let status = move || current.with(|t| t.status);
    view! {
        <h1>{move || current.with(|t| t.subject.clone())}</h1>
        <div class="sa-ticket-meta">
            <span>{format!("#{ticket_id}")}</span>
            <span id="ticket-status" tabindex="-1" class=move || format!("sa-status sa-status-{}", status().as_str())>{move || status().label()}</span>
            <span class=move || format!("sa-severity sa-severity-{}", current.with(|t| t.severity.key()))>
                {move || format!("{} severity", current.with(|t| t.severity.label()))}
            </span>
            <span class="sa-ticket-actions">
                {status_button(state)}
            </span>
        </div>
        {move || status_error.get().map(|m| view! { <p class="sa-banner sa-banner-error" role="alert">{m}</p> })}
        {move || (status() == TicketStatus::Closed).then(|| view! {
            <div class="sa-callout">
                <p>
                    "This ticket is closed and cannot be reopened. If the problem is back, "
                    <A href=routes::href(&format!("{}?follow_up={ticket_id}", routes::new_ticket()))>"create a follow-up ticket"</A>
                    " that links to this one."
                </p>
            </div>
        })}
    }
}

/// Mark as solved (open tickets) or Reopen ticket (solved ones), for those allowed to.
fn status_button(state: TicketState) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let TicketState {
        org_id,
        ticket_id,
        current,
        announcement,
        status_error,
        ..
    } = state;
    // A plain task rather than an Action: nothing shows its progress, and each Action is its own
    // instance of the reactive machinery in this page's chunk.
    let change_status = move |status: TicketStatus| {
        leptos::task::spawn_local(async move {
            match client
                .change_status(org_id, ticket_id, StatusChange { status })
                .await
            {
                Ok(fresh) => {
                    status_error.set(None);
                    announcement.set(format!(
                        "The ticket is now {}.",
                        status.label().to_lowercase()
                    ));
                    state.replace(fresh);
                    focus_by_id("ticket-status");
                }
                Err(e) => status_error.set(Some(failed(
                    match status {
                        TicketStatus::Solved => "The ticket was not marked as solved.",
                        _ => "The ticket was not reopened.",
                    },
                    &e,
                ))),
            }
        })
    };
    move || {
        let (status, allowed) = current.with(|t| (t.status, t.permissions.can_change_status));
        let (label, to) = match status {
            TicketStatus::Open | TicketStatus::AwaitingCustomer if allowed => {
                ("Mark as solved", TicketStatus::Solved)
            }
            TicketStatus::Solved if allowed => ("Reopen ticket", TicketStatus::Open),
            _ => return None,
        };
        Some(view! {
            <button type="button" class="sa-button" on:click=move |_| { change_status(to) }>
                {label}
            </button>
        })
    }
}
