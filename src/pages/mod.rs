//! One module per route; a page that outgrows one file becomes a folder with its parts.
//!
//! Parts used once inside a page are view functions (`fn header(state) -> impl IntoView`), not
//! components: every component is erased to an `AnyView` of its own (see `.cargo/config.toml`), and
//! that glue, about 40 B of the compressed bundle per component, buys nothing for a part with one caller.

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
