//! After the request: what was asked for, and what happens next.

use crate::router::A;
use api::UpgradeRequest;
use leptos::prelude::*;

use super::step::step_heading;
use crate::routes;

#[component]
pub(super) fn Confirmation(request: UpgradeRequest) -> impl IntoView {
    view! {
        <section class="sa-panel sa-step" aria-labelledby="sa-step-heading">
            {step_heading("Your upgrade request was sent")}
            <p>
                {format!(
                    "You asked for the {} support tier from {}, billed to {}.",
                    request.tier_name,
                    request.start_month.label(),
                    request.billing_group,
                )}
            </p>
            <p>
                "It typically takes 1-2 business days to set up the new support tier. You can view the status of your request on the support page under Current support tier."
            </p>
            <p>
                <A href=routes::href(&routes::support())>"Back to Support"</A>
            </p>
        </section>
    }
}
