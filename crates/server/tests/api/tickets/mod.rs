//! Support tickets against the real app: the create form's options, creating a ticket (validation,
//! first-response due time), its emails, idempotent retries, and who may read it.

mod creating;
mod emails;
mod idempotency;
mod options;
mod reading;
mod resources;
mod validation;

use api::{ErrorBody, NewTicket, Severity, TicketListItem, TicketListQuery, Timestamp};
use time::{Duration, OffsetDateTime, Weekday};

use crate::helpers::{Session, TestApp, invalid};

async fn project_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM projects WHERE name = $1")
        .bind(name)
        .fetch_one(app.db())
        .await
        .unwrap()
}

/// A complete, valid form for Acme (with a service of Acme's), CCing Acme's admin.
pub async fn acme_form(_app: &TestApp) -> NewTicket {
    NewTicket {
        cc: vec!["admin@acme.example".into()],
        subject: "Cannot connect to pg-main".into(),
        severity: Some(Severity::High),
        resources: vec!["acme-prod/pg-main".into()],
        product: "postgresql".into(),
        reason: "connectivity".into(),
        description: "Connections time out since 10:00 UTC.\n\nError: timeout expired".into(),
        attachment_ids: Vec::new(),
        follow_up_of: None,
    }
}

/// Acme's form with `change` applied.
pub async fn acme_form_with(app: &TestApp, change: impl FnOnce(&mut NewTicket)) -> NewTicket {
    let mut form = acme_form(app).await;
    change(&mut form);
    form
}

/// Posts Acme's valid form with `change` applied, as dev; returns the error body, which must be a 422.
async fn rejected(app: &TestApp, change: impl FnOnce(&mut NewTicket)) -> ErrorBody {
    let dev = app.sign_in("dev@acme.example").await;
    invalid(dev.post_ticket(&acme_form_with(app, change).await).await).await
}

/// The demo data's tickets come first, with ids 1 to this.
const DEMO_TICKETS: i64 = support_server::demo::TICKET_COUNT;

/// Tickets created by the test (the demo data's are not counted).
pub async fn ticket_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE id > $1")
        .bind(DEMO_TICKETS)
        .fetch_one(app.db())
        .await
        .unwrap()
}

/// The first page of "My tickets", without the demo data's tickets.
async fn my_new_tickets(session: &Session) -> Vec<TicketListItem> {
    let list = session.tickets(&TicketListQuery::default()).await;
    list.tickets
        .into_iter()
        .filter(|t| t.id > DEMO_TICKETS)
        .collect()
}

/// `t` as a `time` value, for computing with.
fn time_of(t: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.unix_seconds()).unwrap()
}

/// The same time of day `n` weekdays later, computed here independently of the server.
fn plus_business_days(t: OffsetDateTime, n: u32) -> OffsetDateTime {
    let mut due = t;
    let mut left = n;
    while left > 0 {
        due += Duration::days(1);
        if !matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    due
}
