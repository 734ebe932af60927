//! A ticket to test the rules with.

use api::{AffectedResource, NamedRef, ResponseTime, Severity, Ticket, TicketStatus};

/// Ticket #42 of Dana Developer at Acme, about a service and a project, with two CCs.
pub fn ticket() -> Ticket {
    Ticket {
        id: 42,
        subject: "Cannot connect".into(),
        severity: Severity::High,
        status: TicketStatus::Open,
        product_key: "postgresql".into(),
        product_name: "PostgreSQL".into(),
        reason_key: "connectivity".into(),
        reason_label: "Cannot connect".into(),
        resources: vec![
            AffectedResource {
                project: NamedRef {
                    id: 1,
                    name: "acme-prod".into(),
                },
                service: Some(NamedRef {
                    id: 2,
                    name: "pg-main".into(),
                }),
            },
            AffectedResource {
                project: NamedRef {
                    id: 3,
                    name: "acme-staging".into(),
                },
                service: None,
            },
        ],
        description: "Timeouts since 10:00.\n\n  at line 3".into(),
        cc: vec!["ops@acme.example".into(), "team@accounts.example".into()],
        submitter_name: "Dana Developer".into(),
        submitter_email: "dev@acme.example".into(),
        created_at: "2026-11-27T15:00:00Z".parse().unwrap(),
        updated_at: "2026-11-27T15:00:00Z".parse().unwrap(),
        first_response_target: ResponseTime::BusinessDays(1),
        first_response_due_at: "2026-11-30T15:00:00Z".parse().unwrap(),
        attachments: vec![],
        first_response_at: None,
        activity: vec![],
        permissions: Default::default(),
        follow_up_of: None,
        replies_by_email: false,
    }
}
