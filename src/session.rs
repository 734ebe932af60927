//! Who is signed in, shared by the whole app. Any 401 from the API flips it to `SignedOut` (the app
//! hands the API client [`Session::expire`] as its "unauthenticated" callback), which swaps the current
//! page for the sign-in form without touching the URL, so the user comes back to exactly where they were.

use api::Me;
use leptos::prelude::*;

use crate::api::ClientError;

/// Where the session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Asking the server.
    Checking,
    /// Signed in.
    SignedIn(Me),
    /// No session: show sign-in.
    SignedOut,
    /// The server could not be asked; offer a retry.
    Unavailable(ClientError),
}

/// The app's session, as context.
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<SessionState>);

impl Session {
    /// A session that is still being checked.
    pub fn new() -> Self {
        Self(RwSignal::new(SessionState::Checking))
    }

    /// The signed-in user, if any (tracked).
    pub fn me(&self) -> Option<Me> {
        self.0.with(|s| match s {
            SessionState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Marks the session as ended (expired, or signed out elsewhere).
    pub fn expire(&self) {
        self.0.set(SessionState::SignedOut);
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}
