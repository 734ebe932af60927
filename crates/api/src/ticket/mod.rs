//! Support tickets: the create form and its rules, CC lists, attachments and their limits, and the
//! ticket as the server returns it. Every item is re-exported here, so `api::ticket::X` names it
//! whichever file it lives in.

pub mod attachments;
pub mod cc;
pub mod new_ticket;
pub mod resources;
pub mod wire;

pub use attachments::{
    ALLOWED_EXTENSIONS, ATTACHMENT_GONE, ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX,
    ATTACHMENTS_TOTAL_MAX_BYTES, Attachment, AttachmentKind, PENDING_UPLOADS_MAX, attachment_gone,
    check_attachment, check_attachment_content, check_attachment_ids, check_attachment_room,
    file_listed_twice, too_many_files, too_many_pending_uploads, upload_too_large,
};
pub use cc::{CC_MAX, cc_list_full, check_cc_address, parse_cc, split_addresses};
pub use new_ticket::{
    DESCRIPTION_MAX_CHARS, Description, NewTicket, SUBJECT_MAX_CHARS, Subject, TicketContext,
    ValidTicket,
};
pub use resources::{
    AffectedResource, RESOURCES_MAX, resolve_resource, resolve_resources, split_resources,
    too_many_resources,
};
pub use wire::{
    Activity, ActivityKind, AuthorKind, NamedRef, Ticket, TicketOptions, TicketPermissions,
    TicketStatus,
};

// Kept under their old paths (`api::ticket::...`), which the SPA and the server use.
pub use crate::format::{format_bytes, group_thousands};
pub use crate::idempotency::{IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LEN};
