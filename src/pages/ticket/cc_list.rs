//! The CC section: who gets the ticket's emails, and Remove for those allowed to take people off.

use leptos::prelude::*;

use super::{TicketState, failed};
use crate::api::ApiClient;
use crate::components::focus_by_id;

pub(super) fn cc_list(state: TicketState) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let TicketState {
        org_id,
        ticket_id,
        current,
        announcement,
        cc_error,
        poll,
        ..
    } = state;
    // A plain task, as for the status button (header.rs).
    let remove_cc = move |email: String| {
        leptos::task::spawn_local(async move {
            match client.remove_cc(org_id, ticket_id, &email).await {
                Ok(()) => {
                    cc_error.set(None);
                    announcement.set(format!("{email} was removed from CC."));
                    poll.invalidate();
                    current.update(|t| t.cc.retain(|c| *c != email));
                    focus_by_id("ticket-cc-heading");
                    poll.now();
                }
                Err(e) => cc_error.set(Some(failed(
                    &format!("{email} was not removed from CC."),
                    &e,
                ))),
            }
        })
    };
    view! {
        <section class="sa-panel" aria-labelledby="ticket-cc-heading">
            <h2 id="ticket-cc-heading" tabindex="-1">"CC"</h2>
            {move || cc_error.get().map(|m| view! { <p class="sa-banner sa-banner-error" role="alert">{m}</p> })}
            {move || {
                let (list, can_remove) = current.with(|t| (t.cc.clone(), t.permissions.can_remove_cc));
                if list.is_empty() {
                    return view! { <p class="sa-muted">"Nobody is CCed on this ticket."</p> }.into_any();
                }
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
                                                on:click=move |_| { remove_cc(remove.clone()) }
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
            }}
        </section>
    }
}
