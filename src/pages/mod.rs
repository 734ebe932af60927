//! One module per route.

mod not_found;
mod placeholder;
mod sign_in;
mod support;
mod upgrade;

pub use not_found::NotFound;
pub use placeholder::TicketsPlaceholder;
pub use sign_in::SignIn;
pub use support::{SupportContent, SupportPage};
pub use upgrade::UpgradePage;
