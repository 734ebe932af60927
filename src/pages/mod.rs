//! One module per route.

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
