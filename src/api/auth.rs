//! How requests prove who the user is: the session cookie (standalone, or a console on the same site),
//! or a short-lived token the embedding console hands over (`Authorization: Bearer`).
//!
//! In token mode a 401 does not end the session: the app asks the host for a new token (the
//! `support:token-expired` event), every request that got the 401 waits for it, then is sent once more.
//! The page stays as it is meanwhile, so nothing typed is lost.

use std::cell::RefCell;
use std::rc::Rc;

use send_wrapper::SendWrapper;

/// The token state shared by the API client, the app and the host's mount handle.
#[derive(Clone)]
pub struct Auth(SendWrapper<Rc<RefCell<AuthState>>>);

struct AuthState {
    token_mode: bool,
    token: Option<String>,
    /// Requests waiting for a new token: resolving one lets its request retry.
    waiters: Vec<js_sys::Function>,
    /// Whether the host has been asked since the last token (one event for many waiting requests).
    asked: bool,
    /// Asks the host for a token (dispatches `support:token-expired`).
    ask_host: Option<Rc<dyn Fn()>>,
    /// Told when the host sets a token (the app checks the session again if it was signed out).
    on_token: Option<Rc<dyn Fn()>>,
    /// The app has been unmounted: nothing waits any more.
    closed: bool,
}

impl Auth {
    /// The session cookie only (no `Authorization` header, a 401 ends the session).
    pub fn cookie() -> Self {
        Self::new(false, None)
    }

    /// Token mode, starting with `token` (or none yet: the first request asks the host for one).
    pub fn token(token: Option<String>) -> Self {
        Self::new(true, token.filter(|t| !t.is_empty()))
    }

    fn new(token_mode: bool, token: Option<String>) -> Self {
        Self(SendWrapper::new(Rc::new(RefCell::new(AuthState {
            token_mode,
            token,
            waiters: Vec::new(),
            asked: false,
            ask_host: None,
            on_token: None,
            closed: false,
        }))))
    }

    /// Whether the host hands over tokens.
    pub fn is_token_mode(&self) -> bool {
        self.0.borrow().token_mode
    }

    /// The token to send now, if any.
    pub fn current(&self) -> Option<String> {
        self.0.borrow().token.clone()
    }

    /// Whether the app has been unmounted.
    pub fn is_closed(&self) -> bool {
        self.0.borrow().closed
    }

    /// The host's new token (empty or `None` clears it). Switches to token mode; every request waiting
    /// for a token is retried.
    pub fn set(&self, token: Option<String>) {
        let (waiters, on_token) = {
            let mut state = self.0.borrow_mut();
            state.token_mode = true;
            state.token = token.filter(|t| !t.is_empty());
            state.asked = false;
            (std::mem::take(&mut state.waiters), state.on_token.clone())
        };
        for resolve in waiters {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
        if let Some(on_token) = on_token {
            on_token();
        }
    }

    /// Connects the app: `ask_host` dispatches the token-expired event, `on_token` runs after each
    /// new token.
    pub fn connect(&self, ask_host: Rc<dyn Fn()>, on_token: Rc<dyn Fn()>) {
        let mut state = self.0.borrow_mut();
        state.ask_host = Some(ask_host);
        state.on_token = Some(on_token);
    }

    /// Asks the host for a token unless it has been asked since the last one.
    pub fn ask_host(&self) {
        let ask = {
            let mut state = self.0.borrow_mut();
            if state.asked || state.closed {
                None
            } else {
                state.asked = true;
                state.ask_host.clone()
            }
        };
        if let Some(ask) = ask {
            ask();
        }
    }

    /// Waits until the host sets a token other than `used` (asking it for one first). Returns at
    /// once if that has already happened; returns `false` if the app was unmounted instead.
    pub async fn new_token_since(&self, used: Option<&str>) -> bool {
        if self.is_closed() {
            return false;
        }
        if self.current().as_deref() != used {
            return true;
        }
        let waiters = self.0.clone();
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            waiters.borrow_mut().waiters.push(resolve);
        });
        self.ask_host();
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        !self.is_closed()
    }

    /// The app is going away: wakes every waiting request (they give up) and drops the hooks into it.
    pub fn close(&self) {
        let waiters = {
            let mut state = self.0.borrow_mut();
            state.closed = true;
            state.ask_host = None;
            state.on_token = None;
            std::mem::take(&mut state.waiters)
        };
        for resolve in waiters {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    }
}
