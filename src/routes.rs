//! Every route path, written once. Paths are relative to the router's base, which the embedding
//! console configures; `<A>` and navigation prepend it.

/// First segment of every route.
pub const SUPPORT: &str = "support";
/// Second segment of the ticket routes.
pub const TICKETS: &str = "tickets";
/// Third segment of the create-ticket route.
pub const NEW: &str = "new";
/// Second segment of the upgrade route.
pub const UPGRADE: &str = "upgrade";

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
