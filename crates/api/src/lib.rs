//! Wire types and validation shared by the Support SPA and its server: the contract between them.
//!
//! Everything here compiles for `wasm32-unknown-unknown` and native targets and depends on serde only
//! (plus a small, dependency-free email syntax checker), so the SPA can give instant feedback with exactly
//! the rules the server enforces as the final word.
//!
//! Modules import one another in one direction only: `field`, `format` and `calendar` at the bottom,
//! then `error` and `validate`, then the resources (`auth`, `org`, `support`, `upgrade`, `ticket`,
//! `ticket_list`, `conversation`). The re-exports below are for the crate's users; inside the crate
//! every import names the defining module.

#![warn(missing_docs)]

/// `utoipa::ToSchema` for a type that travels as another one (`#[serde(from, into)]` or a hand-written
/// `Serialize`): `schema_as!(Public, Wire)` documents `Public` under its own name with `Wire`'s schema.
#[cfg(feature = "openapi")]
macro_rules! schema_as {
    ($public:ident, $wire:ty) => {
        impl utoipa::PartialSchema for $public {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <$wire as utoipa::PartialSchema>::schema()
            }
        }
        impl utoipa::ToSchema for $public {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($public))
            }
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                <$wire as utoipa::ToSchema>::schemas(schemas)
            }
        }
    };
}

/// `utoipa::ToSchema` for a type that travels as a string of a given shape: `string_schema!(Type,
/// |object| object.format(...))` names it `Type`, a string refined by the closure.
#[cfg(feature = "openapi")]
macro_rules! string_schema {
    ($public:ident, $refine:expr) => {
        impl utoipa::PartialSchema for $public {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let object = utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String);
                let refine: fn(utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder =
                    $refine;
                utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(
                    refine(object).build(),
                ))
            }
        }
        impl utoipa::ToSchema for $public {}
    };
}

pub mod auth;
pub mod calendar;
pub mod conversation;
pub mod error;
pub mod field;
pub mod format;
pub mod idempotency;
pub mod org;
pub mod support;
pub mod text;
pub mod ticket;
pub mod ticket_list;
pub mod upgrade;
pub mod validate;

pub use auth::{Me, Organization, PlanKind, Role, SignInRequest, User};
pub use calendar::{InvalidTimestamp, Timestamp, YearMonth};
pub use conversation::{CommentContext, Following, NewComment, StatusChange};
pub use error::{ErrorBody, ErrorCode, FieldMessage};
pub use field::Field;
pub use format::{format_bytes, format_usd, group_thousands};
pub use org::{Product, Project, Reason, Service};
pub use support::{
    Links, PriceRule, ResponseTime, ResponseTimes, Severity, SupportStatus, SupportTier,
    UpgradeRequest, UpgradeStatus,
};
pub use ticket::{
    Activity, ActivityKind, AffectedResource, Attachment, AttachmentKind, AuthorKind, NamedRef,
    NewTicket, Ticket, TicketContext, TicketOptions, TicketPermissions, TicketStatus,
};
pub use ticket_list::{
    TicketList, TicketListItem, TicketListQuery, TicketScope, TicketSort, decode_query,
};
pub use upgrade::{
    BillingGroup, DowngradeContact, Estimate, UpgradeOptions, UpgradeRequestInput, estimate,
};
pub use validate::{Email, FieldError};

/// Prefix of every JSON endpoint, relative to the API base URL.
pub const API_PREFIX: &str = "/api/v1";

/// Header every state-changing request must carry. Browsers never add custom headers to cross-site form
/// posts, so requiring it (on top of the SameSite=Strict cookie) defeats CSRF without a token round-trip.
pub const CSRF_HEADER: &str = "x-support-csrf";

/// The value the SPA sends in [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Name of the session cookie. The `__Host-` prefix makes browsers accept it only with `Secure`,
/// `Path=/` and no `Domain`, from this very host: a sibling subdomain cannot plant one.
pub const SESSION_COOKIE: &str = "__Host-support_session";

/// Name of the session cookie with `--insecure-cookies` (plain-http development on an address that
/// is not loopback): without `Secure`, so without the `__Host-` prefix, which requires it.
pub const INSECURE_SESSION_COOKIE: &str = "support_session";
