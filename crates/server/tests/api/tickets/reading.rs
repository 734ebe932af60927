//! Who may read a ticket and its files, and what "My tickets" lists.

use api::{ErrorCode, Ticket, TicketListItem, TicketPermissions};
use reqwest::StatusCode;

use super::{acme_form, acme_form_with, my_new_tickets};
use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn the_submitter_admins_and_ccd_members_read_a_ticket_and_nobody_else() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let org_id = dev.org_id;
    app.add_member("ops@acme.example", "Olive Ops", org_id, "member")
        .await;
    app.add_member("qa@acme.example", "Quinn QA", org_id, "member")
        .await;
    let file = dev.upload_png("shot.png").await;
    let form = acme_form_with(&app, |f| {
        f.cc = vec!["Ops@acme.example".into()];
        f.attachment_ids = vec![file.id];
    })
    .await;
    let ticket = dev.create_ticket(&form).await;

    for (email, can_remove_cc) in [
        ("dev@acme.example", true),
        ("admin@acme.example", true),
        ("ops@acme.example", false),
    ] {
        let reader = app.sign_in(email).await;
        let response = reader.get_ticket(ticket.id).await;
        assert_eq!(response.status(), StatusCode::OK, "{email}");
        let expected = Ticket {
            permissions: TicketPermissions {
                can_remove_cc,
                ..ticket.permissions
            },
            ..ticket.clone()
        };
        assert_eq!(
            response.json::<Ticket>().await.unwrap(),
            expected,
            "{email}"
        );
        let response = reader.get_attachment(ticket.id, file.id).await;
        assert_eq!(response.status(), StatusCode::OK, "{email}");
    }

    let qa = app.sign_in("qa@acme.example").await;
    let globex = app.sign_in("admin@globex.example").await;
    let globex_in_acme = globex.at(org_id);
    let refused = [
        qa.get_ticket(ticket.id).await,
        qa.get_attachment(ticket.id, file.id).await,
        globex_in_acme.get_ticket(ticket.id).await,
        globex_in_acme.get_attachment(ticket.id, file.id).await,
        globex.get_ticket(ticket.id).await,
        globex.get_attachment(ticket.id, file.id).await,
        dev.get_ticket(999_999).await,
        dev.get(&format!("/organizations/{org_id}/tickets/not-a-number"))
            .await,
    ];
    for response in refused {
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }

    // The list: the submitter's and the CCed member's, not the others'.
    let ops = app.sign_in("ops@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let ids = |list: Vec<TicketListItem>| list.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(my_new_tickets(&dev).await), [ticket.id]);
    assert_eq!(ids(my_new_tickets(&ops).await), [ticket.id]);
    assert!(my_new_tickets(&qa).await.is_empty());
    assert!(
        my_new_tickets(&admin).await.is_empty(),
        "admins list their own tickets here"
    );
    assert!(my_new_tickets(&globex).await.is_empty());
}

#[tokio::test]
async fn the_list_shows_the_most_recently_updated_first() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let mut ids = Vec::new();
    for subject in ["first", "second", "third"] {
        let form = acme_form_with(&app, |f| f.subject = subject.into()).await;
        ids.push(dev.create_ticket(&form).await.id);
    }
    // The admin's ticket CCing dev shows up in dev's list; one without dev does not.
    let ccing_dev = acme_form_with(&app, |f| f.cc = vec!["dev@acme.example".into()]).await;
    let ccd = admin.create_ticket(&ccing_dev).await.id;
    let mut without_dev = acme_form(&app).await;
    without_dev.cc = Vec::new();
    admin.create_ticket(&without_dev).await;
    for (id, updated) in [
        (ids[0], "2026-01-03T00:00:00Z"),
        (ids[1], "2026-01-01T00:00:00Z"),
        (ids[2], "2026-01-02T00:00:00Z"),
        (ccd, "2026-01-04T00:00:00Z"),
    ] {
        sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
            .bind(updated)
            .bind(id)
            .execute(app.db())
            .await
            .unwrap();
    }
    let listed: Vec<i64> = my_new_tickets(&dev)
        .await
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, [ccd, ids[0], ids[2], ids[1]]);
}
