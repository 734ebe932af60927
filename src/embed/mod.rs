//! Entry points for a page that embeds the app: `mount(element, options)` from JavaScript, and the
//! `<support-center>` custom element built on it (`element.js`). Loading the bundle mounts nothing;
//! the standalone `index.html` calls `mount` itself.

mod host;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

pub use host::Host;

use crate::api::Auth;
use crate::{App, AppConfig};

/// What `mount` is told, read from its JavaScript options object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountOptions {
    /// `base`: the path of the Support page, e.g. `/org/acme/support`; its other pages are under it
    /// (`/org/acme/support/tickets/7`). Empty means `/support` (the standalone app's).
    pub base: String,
    /// `apiBase`: URL prefix of the API; empty for the page's origin.
    pub api_base: String,
    /// `brand`: the name the app's region is labelled with (and the standalone header shows).
    pub brand: Option<String>,
    /// `token`: present (even `null`) means token mode; a string is the first token.
    pub token: Option<Option<String>>,
    /// `standalone`: draw our own header and sign-in form, and set `document.title`.
    pub standalone: bool,
    /// `manageTitle`: set `document.title` even when embedded.
    pub manage_title: Option<bool>,
    /// `stylesheet`: URL of the app's stylesheet, linked inside the embedded app's shadow root (the
    /// console's styles and ours never meet); standalone the page links it itself.
    pub stylesheet: Option<String>,
}

impl MountOptions {
    /// Reads the options object (missing keys take their defaults; `undefined` is an empty object).
    pub fn from_js(options: &JsValue) -> Self {
        let get = |key: &str| {
            if options.is_object() {
                js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            }
        };
        let has = |key: &str| {
            options.is_object()
                && js_sys::Reflect::has(options, &JsValue::from_str(key)).unwrap_or(false)
        };
        Self {
            base: get("base").as_string().unwrap_or_default(),
            api_base: get("apiBase").as_string().unwrap_or_default(),
            brand: get("brand").as_string().filter(|b| !b.is_empty()),
            token: has("token").then(|| get("token").as_string()),
            standalone: get("standalone").as_bool().unwrap_or(false),
            manage_title: get("manageTitle").as_bool(),
            stylesheet: get("stylesheet").as_string().filter(|s| !s.is_empty()),
        }
    }

    /// The app's configuration these options describe.
    pub fn config(&self) -> AppConfig {
        AppConfig {
            base: router_base(&self.base),
            api_base: self.api_base.clone(),
            standalone: self.standalone,
            brand: self.brand.clone(),
            manage_title: self.manage_title.unwrap_or(self.standalone),
        }
    }
}

/// The router's base: exactly the Support page, so the router (whose click and popstate listeners
/// are on `window`) takes over only links under it and leaves the console's own routes alone.
pub fn router_base(base: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.is_empty() {
        format!("/{STANDALONE_SEGMENT}")
    } else if base.starts_with('/') {
        base.to_owned()
    } else {
        format!("/{base}")
    }
}

/// The standalone app's base segment, which `navigate` also accepts as a prefix inside the console
/// (`/support/tickets` is the app's own name for its My tickets page wherever it is mounted).
const STANDALONE_SEGMENT: &str = "support";

/// `path` relative to the router's `base`: a whole path under `base` (as `support:navigate`
/// reports it), or one of the app's own under `/support`; anything else is taken as relative.
pub fn relative_path(base: &str, path: &str) -> String {
    let own = format!("/{STANDALONE_SEGMENT}");
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
    };
    let rest = under(base).or_else(|| under(&own)).unwrap_or(path);
    if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    }
}

/// The router's navigate function, once the router is up: lets the host's `navigate(path)` reach it.
#[derive(Clone)]
pub struct Navigator(SendWrapper<Rc<RefCell<Option<NavigateFn>>>>);

/// The router's navigate, for a path relative to the base.
type NavigateFn = Box<dyn Fn(&str)>;

impl Default for Navigator {
    fn default() -> Self {
        Self(SendWrapper::new(Rc::default()))
    }
}

impl Navigator {
    fn go(&self, path: &str) {
        if let Some(navigate) = self.0.borrow().as_ref() {
            navigate(path);
        }
    }
}

/// What the app shares with the page that mounted it.
#[derive(Clone, Default)]
pub struct Embedding {
    /// Where events go.
    pub host: Host,
    /// The token the host hands over (cookie mode unless told otherwise).
    pub auth: Option<Auth>,
    /// Filled in by [`HostBridge`] inside the router.
    pub navigator: Navigator,
    /// `early`: answers the page already asked for (URL -> `Promise<Response>`), see
    /// [`crate::api::ApiClient::with_early`].
    pub early: Option<SendWrapper<js_sys::Object>>,
}

/// Inside the router: tells the host about each navigation and lets it navigate the app.
#[component]
pub fn HostBridge() -> impl IntoView {
    let embedding = use_context::<Embedding>().unwrap_or_default();
    let router = crate::router::use_router();
    *embedding.navigator.0.borrow_mut() = Some(Box::new(move |path: &str| {
        router.navigate(path, Default::default())
    }));
    let slot = embedding.navigator.clone();
    on_cleanup(move || {
        slot.0.borrow_mut().take();
    });
    let host = embedding.host;
    Effect::new(move |_| host.navigated(&router.url().full()));
}

/// A mounted app, as the host sees it. `unmount()` removes it and releases everything it held.
#[wasm_bindgen]
pub struct MountHandle {
    mounted: Option<Box<dyn std::any::Any>>,
    /// The app's root reactive owner, held here so it outlives the view (see `unmount`).
    owner: Option<Owner>,
    base: String,
    auth: Auth,
    navigator: Navigator,
    /// The embedded app's own element inside the shadow root (none standalone).
    shadow: Option<web_sys::HtmlElement>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Removes the app: its DOM, listeners, timers, polls and requests (pending ones are aborted,
    /// requests waiting for a token give up). Calling it twice does nothing.
    pub fn unmount(&mut self) {
        // Side effects stop first: removing the DOM blurs a focused field, whose blur check updates the
        // form's signals, and the effects that read them would otherwise run once more, after the
        // teardown has freed those signals (a panic, which aborts the whole wasm module). Then the view
        // goes (Leptos' handle removes the DOM and drops the view's state), then the last reference to
        // the root owner, whose disposal runs every `on_cleanup` (timers, polls, window listeners,
        // AbortControllers) and frees every signal.
        if let Some(owner) = &self.owner {
            owner.pause();
        }
        self.mounted.take();
        self.owner.take();
        self.auth.close();
        if let Some(container) = self.shadow.take() {
            crate::components::forget_root(&container);
            container.remove();
        }
    }

    /// Shows `path`: a whole path as `support:navigate` reports it (`/org/acme/support/tickets`), or
    /// one of the app's own (`/support/tickets`).
    pub fn navigate(&self, path: &str) {
        self.navigator.go(&relative_path(&self.base, path));
    }

    /// The host's new token (`null` or empty clears it). Switches to token mode; requests waiting
    /// for a token are sent again with it.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(&self, token: Option<String>) {
        self.auth.set(token);
    }
}

impl Drop for MountHandle {
    /// A handle the host lets go of (wasm-bindgen frees it once JavaScript garbage-collects it, or on
    /// `free()`) leaves the app mounted: only `unmount()` removes it.
    fn drop(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            std::mem::forget(mounted);
        }
        if let Some(owner) = self.owner.take() {
            std::mem::forget(owner);
        }
    }
}

/// Mounts the app inside `element` (see the README's "Embedding into the console" for the options).
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, options: JsValue) -> MountHandle {
    let early = early_requests(&options);
    let options = MountOptions::from_js(&options);
    let config = options.config();
    let auth = match &options.token {
        Some(token) => Auth::token(token.clone()),
        None => Auth::cookie(),
    };
    let embedding = Embedding {
        host: if options.standalone {
            Host::default()
        } else {
            Host::new(element.clone())
        },
        auth: Some(auth.clone()),
        navigator: Navigator::default(),
        early,
    };
    let navigator = embedding.navigator.clone();
    let base = router_base(&options.base);
    // Standalone, `/` shows the Support page: the router only sees paths under its base.
    if options.standalone
        && let Some(window) = web_sys::window()
        && window.location().pathname().is_ok_and(|p| p == "/")
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&base));
    }
    // Embedded, the app lives in an open shadow root: the console's styles do not reach it and ours
    // do not reach the console. Standalone the page is ours, and the page links the stylesheet.
    let shadow = (!options.standalone)
        .then(|| open_shadow(&element, options.stylesheet.as_deref().unwrap_or_default()));
    if let Some(container) = &shadow {
        crate::components::remember_root(container);
    }
    let owner = Rc::new(RefCell::new(None));
    let mounted = leptos::mount::mount_to(shadow.clone().unwrap_or(element), {
        let owner = owner.clone();
        move || {
            *owner.borrow_mut() = Owner::current();
            view! { <App config=config embedding=embedding /> }
        }
    });
    let owner = owner.borrow_mut().take();
    MountHandle {
        mounted: Some(Box::new(mounted)),
        owner,
        base,
        auth,
        navigator,
        shadow,
    }
}

/// The options' `early` object, if it is one.
fn early_requests(options: &JsValue) -> Option<SendWrapper<js_sys::Object>> {
    if !options.is_object() {
        return None;
    }
    js_sys::Reflect::get(options, &JsValue::from_str("early"))
        .ok()?
        .dyn_into::<js_sys::Object>()
        .ok()
        .map(SendWrapper::new)
}

#[wasm_bindgen(module = "/src/embed/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = defineSupportCenter)]
    fn define_support_center(mount: &js_sys::Function);

    /// The element the embedded app mounts in: inside `element`'s open shadow root, after a
    /// `<link rel="stylesheet" href=stylesheet>` (the CSP allows no inline `<style>`).
    #[wasm_bindgen(js_name = openShadow)]
    fn open_shadow(element: &web_sys::HtmlElement, stylesheet: &str) -> web_sys::HtmlElement;
}

/// Registers `<support-center>` (once per page). Called when the bundle loads; mounts nothing.
pub fn register_element() {
    let mount = Closure::<dyn Fn(web_sys::HtmlElement, JsValue) -> JsValue>::new(
        |element: web_sys::HtmlElement, options: JsValue| JsValue::from(mount(element, options)),
    );
    define_support_center(mount.as_ref().unchecked_ref());
    // One closure for the page's lifetime: the element class calls it on every connect.
    mount.forget();
}

#[cfg(test)]
mod tests {
    use super::{relative_path, router_base};

    #[test]
    fn the_router_base_is_exactly_the_support_page() {
        assert_eq!(router_base("/org/acme/support/"), "/org/acme/support");
        assert_eq!(router_base("/console/help"), "/console/help");
        assert_eq!(router_base("org/acme/support"), "/org/acme/support");
        assert_eq!(router_base(""), "/support");
        assert_eq!(router_base("/"), "/support");
    }

    #[test]
    fn navigate_takes_whole_paths_the_apps_own_and_relative_ones() {
        let base = "/org/acme/support";
        assert_eq!(
            relative_path(base, "/org/acme/support/tickets/7"),
            "/tickets/7"
        );
        assert_eq!(relative_path(base, "/org/acme/support"), "/");
        assert_eq!(relative_path(base, "/org/acme/support?x=1"), "/?x=1");
        assert_eq!(relative_path(base, "/support/tickets"), "/tickets");
        assert_eq!(relative_path(base, "/support"), "/");
        assert_eq!(relative_path(base, "tickets/new"), "/tickets/new");
        assert_eq!(relative_path(base, "/tickets"), "/tickets");
        // Only whole segments: a sibling page of the console's is not under the base.
        assert_eq!(
            relative_path(base, "/org/acme/supportx"),
            "/org/acme/supportx"
        );
        assert_eq!(relative_path("/support", "/support/upgrade"), "/upgrade");
    }
}
