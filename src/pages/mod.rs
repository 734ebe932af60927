//! One module per route; a page that outgrows one file becomes a folder with its parts.
//!
//! Many parts split out of a page are view functions (`fn header(state) -> impl IntoView`) called from
//! a component's body, not components: every component is erased to an `AnyView` of its own (see
//! `.cargo/config.toml`), and making the one-caller parts of the ticket, tickets, create-ticket and
//! upgrade pages functions took about 700 B off the compressed bundle. It is a measurement, not a rule
//! (the Support page's parts came out smaller as components): check with `scripts/check-size.sh`.
//! A component's body runs untracked; a view function called inside a reactive closure does not.

mod new_ticket;
mod not_found;
mod on_demand;
mod sign_in;
mod signed_out;
mod support;
mod ticket;
mod tickets;
mod upgrade;

pub use new_ticket::NewTicketPage;
pub use not_found::NotFound;
pub use on_demand::{
    LazyNewTicketPage, LazySignIn, LazyTicketPage, LazyTicketsPage, LazyUpgradePage,
};
pub use sign_in::SignIn;
pub use signed_out::SignedOut;
pub use support::{SupportContent, SupportPage};
pub use ticket::TicketPage;
pub use tickets::TicketsPage;
pub use upgrade::UpgradePage;
