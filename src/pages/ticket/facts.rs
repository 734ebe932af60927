//! What the ticket is about and where it stands: product and reason, projects and services, the expected
//! first response (and whether it was met), who submitted it and when, and what it follows up.

use crate::router::A;
use api::{AffectedResource, Ticket, Timestamp};
use leptos::prelude::*;

use crate::components::time_view;
use crate::routes;

pub(super) fn facts(current: RwSignal<Ticket>) -> impl IntoView {
    // Read in place: the ticket carries its whole conversation, which these facts never need a copy of.
    move || {
        current.with(|t| {
            let now = Timestamp::from_unix_seconds((js_sys::Date::now() / 1000.0).floor() as i64);
            let met = match t.first_response_met(now) {
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
                            <dt>"Projects and services"</dt>
                            <dd>{resources(&t.resources)}</dd>
                        </div>
                        <div>
                            <dt>"Expected first response"</dt>
                            <dd>
                                "Within " {t.first_response_target.to_string()} ", by "
                                {time_view(t.first_response_due_at)}
                                {met}
                            </dd>
                        </div>
                        <div>
                            <dt>"Submitted by"</dt>
                            <dd>{format!("{} ({})", t.submitter_name, t.submitter_email)}</dd>
                        </div>
                        <div>
                            <dt>"Created"</dt>
                            <dd>{time_view(t.created_at)}</dd>
                        </div>
                        {t.follow_up_of.map(|id| view! {
                            <div>
                                <dt>"Follows up"</dt>
                                <dd><A href=routes::href(&routes::ticket(id))>{format!("Ticket #{id}")}</A></dd>
                            </div>
                        })}
                    </dl>
                </div>
            }
        })
    }
}

/// The affected projects and services by ID, one per line, or "Not specified".
fn resources(list: &[AffectedResource]) -> AnyView {
    if list.is_empty() {
        return "Not specified".into_any();
    }
    let items = list
        .iter()
        .map(|r| view! { <li>{r.id_text()}</li> })
        .collect_view();
    view! { <ul>{items}</ul> }.into_any()
}
