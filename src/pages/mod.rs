//! One module per route; a page that outgrows one file becomes a folder with its parts.
//!
//! Parts split out of a page only to keep it short are view functions (`fn header(state) -> impl
//! IntoView`), called from a component's body: every component is erased to an `AnyView` of its own
//! (see `.cargo/config.toml`), and that glue, about 40 B of the compressed bundle per component, buys
//! nothing for a part with one caller. Components remain for the pages, for what a page renders from
//! loaded data or inside a reactive closure (a component's body runs untracked), for the wizard's
//! steps, and for pieces used in more than one place.

mod new_ticket;
mod not_found;
mod sign_in;
mod support;
mod ticket;
mod tickets;
mod upgrade;

pub use new_ticket::NewTicketPage;
pub use not_found::NotFound;
pub use sign_in::SignIn;
pub use support::{SupportContent, SupportPage};
pub use ticket::TicketPage;
pub use tickets::TicketsPage;
pub use upgrade::UpgradePage;
