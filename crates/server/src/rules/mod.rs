//! The rules of each resource, in plain Rust: what is allowed, what a change does, in which order,
//! and what it tells whom. No HTTP and no SQL: handlers (`http`) and operator commands (`cli`) call
//! these, and these call the store (`store`) with plain types.

pub mod attachments;
pub mod auth;
pub mod conversation;
pub mod idempotency;
pub mod limits;
pub mod mail;
pub mod support;
pub mod ticket_list;
pub mod tickets;
pub mod token;
pub mod upgrades;
