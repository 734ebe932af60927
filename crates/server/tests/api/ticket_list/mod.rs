//! The ticket lists against the real app: keyset pages walked forward and back over 10,000 tickets and
//! compared with a brute-force expectation computed here, search (prefixes, several words, case,
//! hostile input), the organization scope, the query parameters' checks, query plans and timings.

mod generated;
mod organizations;
mod paging;
mod parameters;
mod plans;
mod search;

use api::{NewTicket, Severity};

/// A low-severity PostgreSQL performance ticket with `subject` and `description`.
fn low_ticket(subject: &str, description: &str) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        severity: Some(Severity::Low),
        product: "postgresql".into(),
        reason: "performance".into(),
        description: description.into(),
        ..NewTicket::default()
    }
}
