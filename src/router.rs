//! The router: the address the app shows, the links that change it without a page load, and the browser's
//! history. Ours rather than leptos_router's: the app has five fixed routes and no nested ones, and
//! leptos_router's generic nested-route matching, its async route loading and its link resolution were 52 KB of
//! the main module's code before wasm-opt (7.6 % of it, in every first visit; docs/performance.md has the
//! profile and the sizes before and after). Which page a path shows is [`crate::routes`]; this module only knows
//! the base the app is mounted under.
//!
//! What it keeps from leptos_router's behaviour: a click on a link to a path under the base (left button, no
//! modifier key, no `target`, `download` or `rel="external"`) is taken over and becomes a history entry; the
//! browser's back and forward buttons change the page; navigation scrolls to the top unless told not to; a
//! query parameter given twice reads as its last value. A link that only changes the fragment (the skip link)
//! is left to the browser, which moves the focus to its target.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent};

/// An address the app shows, as the address bar has it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Url {
    /// The path, base included (`/support/tickets`).
    pub path: String,
    /// The query, without its `?` (`scope=organization`), empty when there is none.
    pub search: String,
}

impl Url {
    /// `href` (a path with an optional query and fragment); the fragment is not part of the page's address.
    pub fn parse(href: &str) -> Self {
        let href = href.split('#').next().unwrap_or_default();
        let (path, search) = href.split_once('?').unwrap_or((href, ""));
        Self {
            path: path.to_owned(),
            search: search.to_owned(),
        }
    }

    /// What the address bar shows now.
    fn current() -> Self {
        let location = window().location();
        Self {
            path: location.pathname().unwrap_or_default(),
            search: location
                .search()
                .unwrap_or_default()
                .trim_start_matches('?')
                .to_owned(),
        }
    }

    /// The path with its query: `/support/tickets?scope=organization`.
    pub fn full(&self) -> String {
        if self.search.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.search)
        }
    }
}

/// The query parameters of the address, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(search: &str) -> Self {
        Self(api::decode_query(search))
    }

    /// The value of `key`; its last one when it is given more than once (as `URLSearchParams` reads them).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter, in the address's order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// How to navigate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavigateOptions {
    /// Rewrite the current history entry instead of adding one.
    pub replace: bool,
    /// Scroll to the top of the page.
    pub scroll: bool,
}

impl Default for NavigateOptions {
    fn default() -> Self {
        Self {
            replace: false,
            scroll: true,
        }
    }
}

/// The router, as a context value: `Copy`, so event handlers and timers can hold it.
#[derive(Debug, Clone, Copy)]
pub struct RouterContext {
    base: StoredValue<String>,
    url: RwSignal<Url>,
    path: Memo<String>,
    query: Memo<Query>,
}

impl RouterContext {
    /// The base the app is mounted under (`/support` standalone), without a trailing slash.
    pub fn base(&self) -> String {
        self.base.get_value()
    }

    /// The address (tracked).
    pub fn url(&self) -> Url {
        self.url.get()
    }

    /// The path, base included (tracked; changes only when the path does, not the query).
    pub fn path(&self) -> Memo<String> {
        self.path
    }

    /// The query parameters (tracked; changes only when the query does).
    pub fn query(&self) -> Memo<Query> {
        self.query
    }

    /// Shows `path` (under the base: `/tickets?scope=organization`, or `/` for the Support page).
    pub fn navigate(&self, path: &str, options: NavigateOptions) {
        let Some(base) = self.base.try_get_value() else {
            return;
        };
        self.go(&under_base(&base, path), options);
    }

    /// Shows `href` (a whole path, base included): a new history entry (or the current one rewritten), then
    /// the page. Going to the address already shown adds no entry.
    fn go(&self, href: &str, options: NavigateOptions) {
        let url = Url::parse(href);
        let Some(current) = self.url.try_get_untracked() else {
            return;
        };
        if let Ok(history) = window().history() {
            let full = url.full();
            if options.replace {
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&full));
            } else if current != url {
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&full));
            }
        }
        if current != url {
            self.url.set(url);
        }
        if options.scroll {
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// A click anywhere in the page: if it follows a link to a path under the base, the router shows it.
    fn on_click(&self, ev: &MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.alt_key()
            || ev.ctrl_key()
            || ev.shift_key()
        {
            return;
        }
        // The first link on the event's way up, inside a shadow root too (the embedded app's).
        let path = ev.composed_path();
        let Some(link) =
            (0..path.length()).find_map(|i| path.get(i).dyn_into::<HtmlAnchorElement>().ok())
        else {
            return;
        };
        let rel = link.rel();
        if !link.target().is_empty()
            || link.has_attribute("download")
            || rel.split_ascii_whitespace().any(|r| r == "external")
        {
            return;
        }
        let Ok(target) = web_sys::Url::new(&link.href()) else {
            return;
        };
        let location = window().location();
        if location.origin().ok().as_deref() != Some(target.origin().as_str()) {
            return;
        }
        let base = self.base.get_value();
        let path = target.pathname();
        if !is_under(&path, &base) {
            return;
        }
        let url = Url {
            path,
            search: target.search().trim_start_matches('?').to_owned(),
        };
        // Only the fragment changes (the skip link): the browser scrolls and moves the focus.
        if !target.hash().is_empty() && self.url.get_untracked() == url {
            return;
        }
        ev.prevent_default();
        self.go(&url.full(), NavigateOptions::default());
    }
}

/// Whether `path` is `base` or below it.
fn is_under(path: &str, base: &str) -> bool {
    below(base, path).is_some()
}

/// What follows `base` in `path` (empty, or starting with `/`); `None` when `path` is not `base` or below it.
pub fn below<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    path.strip_prefix(base)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `path` (relative to the base, starting with `/`) under `base`, without the trailing slash the Support
/// page's `/` would leave.
pub fn under_base(base: &str, path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) if rest.is_empty() || rest.starts_with('?') => {
            let root = if base.is_empty() { "/" } else { base };
            format!("{root}{rest}")
        }
        _ => format!("{base}{path}"),
    }
}

/// Provides the router to `children`: reads the address, follows it as the user clicks links and goes back
/// and forward. `base` is the path of the Support page (no trailing slash).
#[component]
pub fn Router(#[prop(into)] base: String, children: Children) -> impl IntoView {
    let url = RwSignal::new(Url::current());
    let router = RouterContext {
        base: StoredValue::new(base),
        url,
        path: Memo::new(move |_| url.with(|u| u.path.clone())),
        query: Memo::new(move |_| url.with(|u| Query::parse(&u.search))),
    };
    provide_context(router);
    let click = window_event_listener(ev::click, move |ev| router.on_click(&ev));
    let popstate = window_event_listener(ev::popstate, move |_| {
        let now = Url::current();
        if url.get_untracked() != now {
            url.set(now);
        }
    });
    on_cleanup(move || {
        click.remove();
        popstate.remove();
    });
    children()
}

/// The router (inside [`Router`]).
pub fn use_router() -> RouterContext {
    expect_context::<RouterContext>()
}

/// The query parameters of the address (inside [`Router`]).
pub fn use_query_map() -> Memo<Query> {
    use_router().query()
}

/// A link inside the app. `href` is a whole path (see `routes::href`); the router takes the click over. It is
/// marked as the current page (`aria-current="page"`) when it leads to the address shown; with `section`, also
/// when the address is below it (the header's Support link stays marked on every Support page).
#[component]
pub fn A(
    #[prop(into)] href: String,
    #[prop(optional)] section: bool,
    children: Children,
) -> impl IntoView {
    let router = use_router();
    let to = Url::parse(&href);
    let current = move || {
        let here = router.url.read();
        let shown = if section {
            here.path == to.path || is_under(&here.path, to.path.trim_end_matches('/'))
        } else {
            *here == to
        };
        shown.then_some("page")
    };
    view! {
        <a href=href aria-current=current>
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::{Url, is_under, under_base};

    #[test]
    fn links_go_under_the_base_without_a_trailing_slash() {
        assert_eq!(under_base("/org/acme/support", "/"), "/org/acme/support");
        assert_eq!(
            under_base("/org/acme/support", "/?x=1"),
            "/org/acme/support?x=1"
        );
        assert_eq!(
            under_base("/org/acme/support", "/tickets/7"),
            "/org/acme/support/tickets/7"
        );
        assert_eq!(
            under_base("/support", "/upgrade?step=billing"),
            "/support/upgrade?step=billing"
        );
        assert_eq!(under_base("", "/"), "/");
    }

    #[test]
    fn an_address_splits_into_path_and_query_without_the_fragment() {
        let url = Url::parse("/support/tickets?scope=organization#top");
        assert_eq!(url.path, "/support/tickets");
        assert_eq!(url.search, "scope=organization");
        assert_eq!(url.full(), "/support/tickets?scope=organization");
        assert_eq!(Url::parse("/support").full(), "/support");
    }

    #[test]
    fn only_paths_at_or_below_the_base_are_the_apps() {
        assert!(is_under("/support", "/support"));
        assert!(is_under("/support/tickets/7", "/support"));
        assert!(!is_under("/supportx", "/support"));
        assert!(!is_under("/org/acme/billing", "/org/acme/support"));
    }
}
