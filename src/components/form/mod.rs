//! The form kit: every field of every form (sign-in, the upgrade wizard, Create ticket, Add to
//! conversation) is one of these, bound to the form's [`FieldErrors`], so a problem is always shown the
//! same way: a message under the field, the field marked invalid, and (in forms that have one) the
//! [`ErrorSummary`] that links to it. Drafts and sending live here too.

mod cc_field;
mod chip_input;
mod draft;
mod error_summary;
mod field_errors;
mod file_field;
mod radio_group;
mod select;
mod send;
mod text_field;
mod uploads;

pub use cc_field::{CcCheck, CcField, CcForm, CcInput, CcRule, cc_hint};
pub use chip_input::{ChipInput, Taken, take_chips};
pub use draft::{
    Autosave, COMMENT_DRAFT_PREFIX, TICKET_DRAFT_PREFIX, draft_key, forget_drafts, new_key,
};
pub use error_summary::ErrorSummary;
pub use field_errors::{FieldError, FieldErrors, FieldFrame};
pub use file_field::FileField;
pub use radio_group::{Choice, RadioGroup};
pub use select::Select;
pub use send::{DraftForm, SendFailureText, draft_problems};
pub use text_field::{Counter, TextArea, TextField};
pub use uploads::Uploads;
