//! The wizard's steps, what has been chosen (as it is written in the URL), and the parts every step
//! shares.

use crate::router::NavigateOptions;
use crate::router::use_query_map;
use leptos::prelude::*;

use crate::routes::{self, Navigator};

/// The prefix of the wizard's element ids (`upgrade-start_month`).
pub(super) const PREFIX: &str = "upgrade";

/// A step of the wizard, and the confirmation after it. The billing-group step ends with **Upgrade
/// tier**, as the documentation's steps do: there is no separate review step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Tier,
    Start,
    Billing,
    Done,
}

impl Step {
    pub(super) const WIZARD: [Step; 3] = [Step::Tier, Step::Start, Step::Billing];

    pub(super) fn parse(s: Option<&str>) -> Self {
        match s {
            Some("start") => Step::Start,
            // `review` was a step of its own; its links (bookmarks, history) land where it is now.
            Some("billing" | "review") => Step::Billing,
            Some("done") => Step::Done,
            _ => Step::Tier,
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Step::Tier => "tier",
            Step::Start => "start",
            Step::Billing => "billing",
            Step::Done => "done",
        }
    }

    pub(super) fn title(self) -> &'static str {
        match self {
            Step::Tier => "Choose tier",
            Step::Start => "Start date",
            Step::Billing => "Billing group",
            Step::Done => "Request sent",
        }
    }
}

/// What has been chosen so far, as read from the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Choices {
    pub(super) tier: Option<String>,
    pub(super) month: Option<String>,
    pub(super) group: Option<i64>,
}

impl Choices {
    pub(super) fn query(&self, step: Step) -> String {
        let mut q = format!("step={}", step.key());
        // Values are tier keys, YYYY-MM and ids: URL-safe once anything else is dropped.
        let clean = |s: &str| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        };
        if let Some(t) = &self.tier {
            q.push_str(&format!("&tier={}", clean(t)));
        }
        if let Some(m) = &self.month {
            q.push_str(&format!("&month={}", clean(m)));
        }
        if let Some(g) = self.group {
            q.push_str(&format!("&group={g}"));
        }
        q
    }
}

/// The wizard's state, which lives in the URL: the step, and the choices so far.
#[derive(Clone, Copy)]
pub(super) struct WizardUrl {
    pub(super) step: Memo<Step>,
    /// What was chosen on any step so far.
    pub(super) choices: Memo<Choices>,
    navigate: Navigator,
}

impl WizardUrl {
    /// Reads the current URL (and follows it).
    pub(super) fn new() -> Self {
        let query = use_query_map();
        let step = Memo::new(move |_| query.with(|q| Step::parse(q.get("step"))));
        let from_url = Memo::new(move |_| {
            query.with(|q| Choices {
                tier: q.get("tier").filter(|s| !s.is_empty()).map(str::to_owned),
                month: q.get("month").filter(|s| !s.is_empty()).map(str::to_owned),
                group: q.get("group").and_then(|g| g.parse().ok()),
            })
        });
        // The browser's back button can return to an entry written before a later choice was made;
        // the wizard still remembers that choice.
        let remembered = RwSignal::new(from_url.get_untracked());
        Effect::new(move |_| {
            let url = from_url.get();
            remembered.update(|r| {
                r.tier = url.tier.or(r.tier.take());
                r.month = url.month.or(r.month.take());
                r.group = url.group.or(r.group);
            });
        });
        let choices = Memo::new(move |_| {
            let url = from_url.get();
            remembered.with(|r| Choices {
                tier: url.tier.or_else(|| r.tier.clone()),
                month: url.month.or_else(|| r.month.clone()),
                group: url.group.or(r.group),
            })
        });
        Self {
            step,
            choices,
            navigate: Navigator::new(),
        }
    }

    /// Goes to `step` with `choices`; `replace` rewrites the current history entry (a choice made on
    /// the step) instead of adding one (a step change).
    pub(super) fn go(&self, step: Step, choices: Choices, replace: bool) {
        let url = format!("{}?{}", routes::upgrade(), choices.query(step));
        self.navigate.go(
            &url,
            NavigateOptions {
                replace,
                scroll: !replace,
            },
        );
    }

    /// Goes to `step`, keeping every choice.
    pub(super) fn go_to(&self, step: Step) {
        self.go(step, self.choices.get_untracked(), false);
    }

    /// Records a choice made on `step`.
    pub(super) fn choose(&self, step: Step, change: impl FnOnce(&mut Choices)) {
        let mut next = self.choices.get_untracked();
        change(&mut next);
        self.go(step, next, true);
    }
}

/// Where the user is: the wizard's steps, numbered, the current one marked.
#[component]
pub(super) fn Steps(current: Step) -> impl IntoView {
    view! {
        <ol class="sa-steps" aria-label="Steps">
            {Step::WIZARD
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let state = if *s == current { Some("step") } else { None };
                    view! {
                        <li class:sa-step-current=*s == current aria-current=state>
                            <span class="sa-step-number">{i + 1}</span>
                            {s.title()}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The current step's heading, where focus goes when the step changes.
pub(super) fn step_heading(text: &'static str) -> impl IntoView {
    view! {
        <h2 id="sa-step-heading" tabindex="-1">
            {text}
        </h2>
    }
}

/// The Back and Continue buttons of a step form (Continue submits it).
pub(super) fn back_and_continue(on_back: Callback<()>) -> impl IntoView {
    view! {
        <div class="sa-actions">
            <button type="button" class="sa-button" on:click=move |_| on_back.run(())>
                "Back"
            </button>
            <button type="submit" class="sa-button sa-button-primary">
                "Continue"
            </button>
        </div>
    }
}
