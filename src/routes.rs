//! Every route, written once. Each path segment is a constant; the router's typed paths ([`path`]) and
//! the links (the functions below) are both built from them, so no path string is written twice.
//! (`leptos_router::path!("/support/tickets/:id")` expands to exactly these segment tuples, but it only
//! takes a string literal, which would be a second copy of the path.)
//!
//! Paths are relative to the router's base, which the embedding console configures; `<A>` and
//! navigation prepend it.

use leptos::Params;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use leptos_router::params::Params;

const SUPPORT: &str = "support";
const TICKETS: &str = "tickets";
const NEW: &str = "new";
const UPGRADE: &str = "upgrade";
/// The ticket page's parameter: the name of [`TicketParams::id`].
const TICKET_ID: &str = "id";

/// The typed paths the router matches, one per page.
pub mod path {
    use leptos_router::{ParamSegment, PossibleRouteMatch, StaticSegment};

    use super::{NEW, SUPPORT, TICKET_ID, TICKETS, UPGRADE};

    /// `/`
    pub fn root() -> impl PossibleRouteMatch + Clone + Send + 'static {
        StaticSegment("")
    }

    /// `/support`
    pub fn support() -> impl PossibleRouteMatch + Clone + Send + 'static {
        StaticSegment(SUPPORT)
    }

    /// `/support/upgrade`
    pub fn upgrade() -> impl PossibleRouteMatch + Clone + Send + 'static {
        (StaticSegment(SUPPORT), StaticSegment(UPGRADE))
    }

    /// `/support/tickets`
    pub fn tickets() -> impl PossibleRouteMatch + Clone + Send + 'static {
        (StaticSegment(SUPPORT), StaticSegment(TICKETS))
    }

    /// `/support/tickets/new`
    pub fn new_ticket() -> impl PossibleRouteMatch + Clone + Send + 'static {
        (
            StaticSegment(SUPPORT),
            StaticSegment(TICKETS),
            StaticSegment(NEW),
        )
    }

    /// `/support/tickets/:id`
    pub fn ticket() -> impl PossibleRouteMatch + Clone + Send + 'static {
        (
            StaticSegment(SUPPORT),
            StaticSegment(TICKETS),
            ParamSegment(TICKET_ID),
        )
    }
}

/// The ticket page's parameters. `id` is `None` when the segment is not a number.
#[derive(Params, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketParams {
    /// The ticket's id.
    pub id: Option<i64>,
}

/// The Support page.
pub fn support() -> String {
    format!("/{SUPPORT}")
}

/// My tickets (the Support Center).
pub fn tickets() -> String {
    format!("/{SUPPORT}/{TICKETS}")
}

/// The create-ticket form.
pub fn new_ticket() -> String {
    format!("/{SUPPORT}/{TICKETS}/{NEW}")
}

/// The upgrade wizard.
pub fn upgrade() -> String {
    format!("/{SUPPORT}/{UPGRADE}")
}

/// One ticket's page.
pub fn ticket(id: i64) -> String {
    format!("/{SUPPORT}/{TICKETS}/{id}")
}

/// What `use_navigate` returns, boxed so it can be stored.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// The router's navigation, as a `Copy` value that state structs can hold and timers can call (once
/// the page that made it is gone, it does nothing). Make it inside the router.
#[derive(Clone, Copy)]
pub struct Navigator(StoredValue<Navigate, LocalStorage>);

impl Navigator {
    /// Navigation for the current router.
    pub fn new() -> Self {
        Self(StoredValue::new_local(Box::new(use_navigate())))
    }

    /// Goes to `url` (relative to the router's base).
    pub fn go(&self, url: &str, options: NavigateOptions) {
        self.0.try_with_value(|navigate| navigate(url, options));
    }
}

impl Default for Navigator {
    fn default() -> Self {
        Self::new()
    }
}
