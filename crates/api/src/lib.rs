//! Wire types and validation shared by the Support SPA and its server.
//!
//! Everything here compiles for `wasm32-unknown-unknown` and native targets and depends on serde only
//! (plus a small, dependency-free email syntax checker), so the SPA can give instant feedback with exactly
//! the rules the server enforces as the final word.

pub mod auth;
pub mod conversation;
pub mod error;
pub mod org;
pub mod support;
pub mod text;
pub mod ticket;
pub mod upgrade;
pub mod validate;

pub use auth::{Me, Organization, PlanKind, Role, SignInRequest, User};
pub use conversation::{
    Activity, ActivityKind, AuthorKind, CommentContext, Following, NewComment, StatusChange,
    TicketList, TicketListItem, TicketListQuery, TicketPermissions, TicketScope, TicketSort,
};
pub use error::{ErrorBody, ErrorCode, FieldMessage};
pub use org::{Product, Project, Reason, Service};
pub use support::{
    Links, PriceRule, ResponseTime, Severity, SupportStatus, SupportTier, UpgradeRequest,
    UpgradeStatus,
};
pub use ticket::{
    Attachment, AttachmentKind, NamedRef, NewTicket, Ticket, TicketContext, TicketOptions,
    TicketStatus, TicketSummary,
};
pub use upgrade::{
    BillingGroup, Estimate, UpgradeOptions, UpgradeRequestInput, YearMonth, estimate, format_usd,
};
pub use validate::{Email, FieldError};

/// Prefix of every JSON endpoint, relative to the API base URL.
pub const API_PREFIX: &str = "/api/v1";

/// Header every state-changing request must carry. Browsers never add custom headers to cross-site form
/// posts, so requiring it (on top of the SameSite=Strict cookie) defeats CSRF without a token round-trip.
pub const CSRF_HEADER: &str = "x-support-csrf";

/// The value the SPA sends in [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "support_session";
