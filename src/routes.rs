//! Every route, written once. Each path segment is a constant; which page a path shows ([`Route::of`]) and
//! the links (the functions below) are both built from them, so no path string is written twice.
//!
//! Paths are relative to the router's base, which is exactly the Support page (`/support` standalone,
//! e.g. `/org/acme/support` inside the console): links and navigation prepend it. The router takes
//! over only same-origin links under its base, so a base that is the Support page itself keeps the
//! console's own links (`/org/acme/billing`) the console's.

use leptos::prelude::*;

use crate::router::{NavigateOptions, RouterContext, below, under_base, use_router};

const TICKETS: &str = "tickets";
const NEW: &str = "new";
const UPGRADE: &str = "upgrade";

/// The pages, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The base itself.
    Support,
    /// `upgrade`
    Upgrade,
    /// `tickets`
    Tickets,
    /// `tickets/new`
    NewTicket,
    /// `tickets/<anything else>`: one ticket ([`ticket_id`] reads which).
    Ticket,
    /// Any other path.
    NotFound,
}

impl Route {
    /// The page `path` (base included) shows under `base`. A trailing slash changes nothing.
    pub fn of(base: &str, path: &str) -> Self {
        let Some(segments) = segments(base, path) else {
            return Self::NotFound;
        };
        match segments.as_slice() {
            [] => Self::Support,
            [UPGRADE] => Self::Upgrade,
            [TICKETS] => Self::Tickets,
            [TICKETS, NEW] => Self::NewTicket,
            [TICKETS, _] => Self::Ticket,
            _ => Self::NotFound,
        }
    }
}

/// The segments of `path` below `base` (`None` when it is not below it).
fn segments<'a>(base: &str, path: &'a str) -> Option<Vec<&'a str>> {
    Some(
        below(base, path)?
            .split('/')
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// The ticket a ticket page's `path` names; `None` when its segment is not a number.
pub fn ticket_id(base: &str, path: &str) -> Option<i64> {
    match segments(base, path)?.as_slice() {
        [TICKETS, id] => id.parse().ok(),
        _ => None,
    }
}

/// The Support page: the base itself. (`/`, not ``: leptos_router resolves `/` to the base with no
/// trailing slash, while an empty href would resolve to the current page.)
pub fn support() -> String {
    "/".to_owned()
}

/// My tickets (the Support Center).
pub fn tickets() -> String {
    format!("/{TICKETS}")
}

/// The create-ticket form.
pub fn new_ticket() -> String {
    format!("/{TICKETS}/{NEW}")
}

/// The upgrade wizard.
pub fn upgrade() -> String {
    format!("/{UPGRADE}")
}

/// One ticket's page.
pub fn ticket(id: i64) -> String {
    format!("/{TICKETS}/{id}")
}

/// `path` (one of the paths above, possibly with a query) as a link's `href`: under the router's base.
/// Call it while rendering (it reads the router from the context).
pub fn href(path: &str) -> String {
    let base = use_context::<RouterContext>()
        .map(|router| router.base())
        .unwrap_or_default();
    under_base(&base, path)
}

/// The router's navigation, as a `Copy` value that state structs can hold and timers can call (once
/// the page that made it is gone, it does nothing). Make it inside the router.
#[derive(Clone, Copy)]
pub struct Navigator(StoredValue<RouterContext>);

impl Navigator {
    /// Navigation for the current router.
    pub fn new() -> Self {
        Self(StoredValue::new(use_router()))
    }

    /// Goes to `url` (relative to the router's base).
    pub fn go(&self, url: &str, options: NavigateOptions) {
        if let Some(router) = self.0.try_get_value() {
            router.navigate(url, options);
        }
    }
}

impl Default for Navigator {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{Route, ticket_id};

    #[test]
    fn each_path_under_the_base_shows_its_page() {
        let base = "/org/acme/support";
        for (path, route) in [
            (base, Route::Support),
            ("/org/acme/support/", Route::Support),
            ("/org/acme/support/upgrade", Route::Upgrade),
            ("/org/acme/support/tickets/", Route::Tickets),
            ("/org/acme/support/tickets/new", Route::NewTicket),
            ("/org/acme/support/tickets/7", Route::Ticket),
            ("/org/acme/support/tickets/7/x", Route::NotFound),
            ("/org/acme/supportx", Route::NotFound),
            ("/org/acme/billing", Route::NotFound),
        ] {
            assert_eq!(Route::of(base, path), route, "{path}");
        }
    }

    #[test]
    fn a_ticket_page_names_its_ticket_by_number() {
        assert_eq!(ticket_id("/support", "/support/tickets/42"), Some(42));
        assert_eq!(ticket_id("/support", "/support/tickets/abc"), None);
        assert_eq!(ticket_id("/support", "/support/tickets"), None);
    }
}
