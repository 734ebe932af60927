//! Every route, written once. Each path segment is a constant; the router's typed paths ([`path`]) and
//! the links (the functions below) are both built from them, so no path string is written twice.
//! (`leptos_router::path!("/support/tickets/:id")` expands to exactly these segment tuples, but it only
//! takes a string literal, which would be a second copy of the path.)
//!
//! Paths are relative to the router's base, which is exactly the Support page (`/support` standalone,
//! e.g. `/org/acme/support` inside the console): `<A>` and navigation prepend it. The router takes
//! over only same-origin links under its base, so a base that is the Support page itself keeps the
//! console's own links (`/org/acme/billing`) the console's.

use leptos::Params;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use leptos_router::params::Params;

const TICKETS: &str = "tickets";
const NEW: &str = "new";
const UPGRADE: &str = "upgrade";
/// The ticket page's parameter: the name of [`TicketParams::id`].
const TICKET_ID: &str = "id";

/// The typed paths the router matches, one per page.
pub mod path {
    use leptos_router::{ParamSegment, PossibleRouteMatch, StaticSegment};

    use super::{NEW, TICKET_ID, TICKETS, UPGRADE};

    /// The base itself (`/support` standalone).
    pub fn support() -> impl PossibleRouteMatch + Clone + Send + 'static {
        StaticSegment("")
    }

    /// `upgrade`
    pub fn upgrade() -> impl PossibleRouteMatch + Clone + Send + 'static {
        StaticSegment(UPGRADE)
    }

    /// `tickets`
    pub fn tickets() -> impl PossibleRouteMatch + Clone + Send + 'static {
        StaticSegment(TICKETS)
    }

    /// `tickets/new`
    pub fn new_ticket() -> impl PossibleRouteMatch + Clone + Send + 'static {
        (StaticSegment(TICKETS), StaticSegment(NEW))
    }

    /// `tickets/:id`
    pub fn ticket() -> impl PossibleRouteMatch + Clone + Send + 'static {
        (StaticSegment(TICKETS), ParamSegment(TICKET_ID))
    }
}

/// The ticket page's parameters. `id` is `None` when the segment is not a number.
#[derive(Params, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketParams {
    /// The ticket's id.
    pub id: Option<i64>,
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

/// `path` (one of the paths above, possibly with a query) as a link's `href`. `<A>` resolves only
/// relative hrefs against the router's base, and ours start with `/`, so the base is put in front
/// here; navigation ([`Navigator`]) takes the paths above as they are. Call it while rendering (it
/// reads the app's configuration from the context).
pub fn href(path: &str) -> String {
    let base = use_context::<crate::AppConfig>()
        .map(|config| config.base)
        .unwrap_or_default();
    under(&base, path)
}

/// `path` under `base`, without the trailing slash the Support page's `/` would leave.
fn under(base: &str, path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) if rest.is_empty() || rest.starts_with('?') => {
            let root = if base.is_empty() { "/" } else { base };
            format!("{root}{rest}")
        }
        _ => format!("{base}{path}"),
    }
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

#[cfg(test)]
mod tests {
    use super::under;

    #[test]
    fn links_go_under_the_base_without_a_trailing_slash() {
        assert_eq!(under("/org/acme/support", "/"), "/org/acme/support");
        assert_eq!(under("/org/acme/support", "/?x=1"), "/org/acme/support?x=1");
        assert_eq!(
            under("/org/acme/support", "/tickets/7"),
            "/org/acme/support/tickets/7"
        );
        assert_eq!(
            under("/support", "/upgrade?step=billing"),
            "/support/upgrade?step=billing"
        );
        assert_eq!(under("", "/"), "/");
    }
}
