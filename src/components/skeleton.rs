use leptos::prelude::*;

/// Grey placeholder blocks in the page's shape while data loads, so the layout does not jump.
#[component]
pub fn PageSkeleton(
    /// How many card-sized blocks to show.
    #[prop(default = 2)]
    cards: usize,
) -> impl IntoView {
    view! {
        <div class="sa-skeleton" aria-busy="true">
            <span class="sa-visually-hidden" role="status">
                "Loading\u{2026}"
            </span>
            {(0..cards)
                .map(|_| {
                    view! {
                        <div class="sa-skeleton-card" aria-hidden="true">
                            <div class="sa-skeleton-line sa-skeleton-title"></div>
                            <div class="sa-skeleton-line"></div>
                            <div class="sa-skeleton-line sa-skeleton-short"></div>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}
