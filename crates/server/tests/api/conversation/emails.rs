//! The emails of every change to a ticket: everyone on it (submitter, CCs, following admins and, above
//! Basic, the account team) gets one, except whoever made the change.
//!
//! One story, told in steps: Acme (on Basic, with a known account team that Basic does not include)
//! with Olive Ops and Bo Boss added, the admin and Bo following every ticket, and dev's ticket CCing
//! ops and an outside address. Each test replays the steps its case needs, then checks that case.

use api::{NewComment, Ticket, TicketStatus};
use reqwest::StatusCode;
use support_server::cli::tickets::{agent_reply, agent_set_status};

use super::{SUBJECT, ccing, form, recipients_since, saying, set};
use crate::helpers::{Session, TestApp, spawn_app};

/// The people of the story, signed in.
struct Acme {
    app: TestApp,
    dev: Session,
    ops: Session,
    admin: Session,
    boss_id: i64,
}

impl Acme {
    /// Acme's people, with the admin and Bo Boss (an admin too) following every ticket.
    async fn new() -> Self {
        let app = spawn_app().await;
        let dev = app.sign_in("dev@acme.example").await;
        let org_id = dev.org_id;
        app.add_member("ops@acme.example", "Olive Ops", org_id, "member")
            .await;
        let boss_id = app
            .add_member("boss@acme.example", "Bo Boss", org_id, "admin")
            .await;
        let ops = app.sign_in("ops@acme.example").await;
        let admin = app.sign_in("admin@acme.example").await;
        let boss = app.sign_in("boss@acme.example").await;
        // Acme is on Basic: a known account team is not emailed.
        app.set_account_team(org_id, "acme-team@accounts.example")
            .await;
        admin.follow(true).await;
        boss.follow(true).await;
        Self {
            app,
            dev,
            ops,
            admin,
            boss_id,
        }
    }

    /// Dev's ticket CCing ops and an outside address.
    async fn ticket(&self) -> Ticket {
        self.dev
            .create_ticket(&form(&["ops@acme.example", "outside@partner.example"]))
            .await
    }

    /// Ops comments and adds new@partner.example to the CC list.
    async fn ops_adds_new(&self, id: i64) {
        let comment = NewComment {
            body: "Same here.".into(),
            cc: vec!["new@partner.example".into()],
            ..NewComment::default()
        };
        self.ops.comment(id, &comment).await;
    }

    /// The admin takes the outside address off the CC list.
    async fn admin_removes_outside(&self, id: i64) {
        let response = self.admin.delete_cc(id, "outside@partner.example").await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    /// Dev CCs the admin, who follows every ticket anyway.
    async fn dev_ccs_the_admin(&self, id: i64) {
        self.dev.comment(id, &ccing(&["admin@acme.example"])).await;
    }

    /// Bo Boss is no longer an admin (and so no longer a follower).
    async fn boss_is_demoted(&self) {
        sqlx::query("UPDATE memberships SET role = 'member' WHERE user_id = $1")
            .bind(self.boss_id)
            .execute(self.app.db())
            .await
            .unwrap();
    }

    /// Acme moves to Essential, which includes the account team.
    async fn upgrades_to_essential(&self) {
        self.app
            .set_support_tier(self.dev.org_id, "essential")
            .await;
    }

    /// The ticket after every step up to the support team's arrival: CCs ops, new@ and the admin;
    /// Bo demoted; Acme on Essential.
    async fn ticket_on_essential(&self) -> i64 {
        let id = self.ticket().await.id;
        self.ops_adds_new(id).await;
        self.admin_removes_outside(id).await;
        self.dev_ccs_the_admin(id).await;
        self.boss_is_demoted().await;
        self.upgrades_to_essential().await;
        id
    }
}

#[tokio::test]
async fn creating_a_ticket_emails_the_submitter_the_ccs_and_the_followers() {
    let acme = Acme::new().await;
    let mark = acme.app.outbox_mark().await;

    acme.ticket().await;

    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&[
            "dev@acme.example",
            "ops@acme.example",
            "outside@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ]),
        "creation: submitter, CCs and followers"
    );
    let follower_email = acme
        .app
        .emails_since(mark)
        .await
        .into_iter()
        .find(|(r, _, _)| r == "admin@acme.example")
        .unwrap();
    assert!(
        follower_email
            .2
            .contains("you follow all support tickets of Acme Analytics")
    );
}

#[tokio::test]
async fn the_submitters_comment_is_quoted_to_everyone_else() {
    let acme = Acme::new().await;
    let ticket = acme.ticket().await;
    let mark = acme.app.outbox_mark().await;

    acme.dev
        .comment(ticket.id, &saying("Lag is back.\nSince 02:00."))
        .await;

    let emails = acme.app.emails_since(mark).await;
    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&[
            "ops@acme.example",
            "outside@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ])
    );
    for (_, subject, body) in &emails {
        assert_eq!(subject, &format!("[Support #{}] {SUBJECT}", ticket.id));
        assert!(
            body.contains("Dana Developer <dev@acme.example> commented on support ticket"),
            "{body}"
        );
        assert!(body.contains("> Lag is back.\n> Since 02:00."), "{body}");
        assert!(
            body.contains("you can also open it in the console's Support Center"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_new_cc_is_told_it_was_added_and_the_others_who_added_it() {
    let acme = Acme::new().await;
    let id = acme.ticket().await.id;
    let mark = acme.app.outbox_mark().await;

    // A CCed member comments and adds someone: the new address is told it was added.
    acme.ops_adds_new(id).await;

    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&[
            "dev@acme.example",
            "outside@partner.example",
            "new@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ])
    );
    let emails = acme.app.emails_since(mark).await;
    let body_to = |recipient: &str| {
        emails
            .iter()
            .find(|(r, _, _)| r == recipient)
            .unwrap()
            .2
            .clone()
    };
    let to_new = body_to("new@partner.example");
    assert!(
        to_new.contains("Olive Ops <ops@acme.example> added you to the CC list"),
        "{to_new}"
    );
    let to_dev = body_to("dev@acme.example");
    assert!(!to_dev.contains("added you"));
    assert!(to_dev.contains("added new@partner.example to the CC list"));
}

#[tokio::test]
async fn a_removed_cc_is_not_emailed_about_its_removal() {
    let acme = Acme::new().await;
    let id = acme.ticket().await.id;
    acme.ops_adds_new(id).await;
    let mark = acme.app.outbox_mark().await;

    // An admin (and follower) removes a CC: the removed address is not emailed any more.
    acme.admin_removes_outside(id).await;

    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&[
            "dev@acme.example",
            "ops@acme.example",
            "new@partner.example",
            "boss@acme.example"
        ])
    );
    assert!(
        acme.app.emails_since(mark).await[0]
            .2
            .contains("removed outside@partner.example from the CC list")
    );
}

#[tokio::test]
async fn a_follower_who_is_also_ccd_gets_one_email_of_a_status_change() {
    let acme = Acme::new().await;
    let id = acme.ticket().await.id;
    acme.ops_adds_new(id).await;
    acme.admin_removes_outside(id).await;
    acme.dev_ccs_the_admin(id).await;
    let mark = acme.app.outbox_mark().await;

    // A status change by the customer.
    acme.dev.change_status(id, TicketStatus::Solved).await;

    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&[
            "ops@acme.example",
            "new@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ])
    );
    assert!(
        acme.app.emails_since(mark).await[0]
            .2
            .contains("changed the status of support ticket")
    );
}

#[tokio::test]
async fn a_follower_who_is_no_longer_an_admin_stops_getting_the_emails() {
    let acme = Acme::new().await;
    let id = acme.ticket().await.id;
    acme.dev.change_status(id, TicketStatus::Solved).await;
    acme.boss_is_demoted().await;
    let mark = acme.app.outbox_mark().await;

    acme.dev.post_status(id, "open").await;

    assert!(
        !recipients_since(&acme.app, mark)
            .await
            .contains("boss@acme.example")
    );
}

#[tokio::test]
async fn above_basic_the_account_team_hears_of_a_customers_change() {
    let acme = Acme::new().await;
    let id = acme.ticket_on_essential().await;
    let mark = acme.app.outbox_mark().await;

    acme.dev.comment(id, &saying("Any news?")).await;

    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&[
            "ops@acme.example",
            "new@partner.example",
            "admin@acme.example",
            "acme-team@accounts.example"
        ])
    );
}

#[tokio::test]
async fn the_support_teams_changes_email_everyone_on_the_ticket() {
    let acme = Acme::new().await;
    let id = acme.ticket_on_essential().await;
    let db = &acme.app.state.store;
    let mark = acme.app.outbox_mark().await;

    let outcome = agent_reply(
        db,
        id,
        "Sam from Support",
        "Fixed in the last maintenance.",
        Some(TicketStatus::Solved),
    )
    .await
    .unwrap();

    let agent_set = set(&[
        "dev@acme.example",
        "ops@acme.example",
        "new@partner.example",
        "admin@acme.example",
        "acme-team@accounts.example",
    ]);
    assert_eq!(
        recipients_since(&acme.app, mark).await,
        agent_set,
        "the support team excludes nobody"
    );
    assert_eq!(outcome.emails, agent_set.len());
    let body = &acme.app.emails_since(mark).await[0].2;
    assert!(
        body.contains("Sam from Support (support team) replied on support ticket"),
        "{body}"
    );
    assert!(
        body.contains("The ticket's status is now: Solved."),
        "{body}"
    );
    let mark = acme.app.outbox_mark().await;
    agent_set_status(db, id, "Sam from Support", TicketStatus::Closed)
        .await
        .unwrap();
    assert_eq!(recipients_since(&acme.app, mark).await, agent_set);
}

#[tokio::test]
async fn globexs_account_team_hears_of_its_admins_comment() {
    let app = spawn_app().await;
    let globex = app.sign_in("admin@globex.example").await;
    let theirs = globex.create_ticket(&form(&[])).await;
    let mark = app.outbox_mark().await;

    // Globex (Advanced) has its account team on every change; its admin wrote, so only the team.
    globex.comment(theirs.id, &saying("Still red.")).await;

    assert_eq!(
        recipients_since(&app, mark).await,
        set(&["globex-team@accounts.example"])
    );
}

#[tokio::test]
async fn an_admin_who_unfollows_is_not_emailed_of_new_tickets() {
    let acme = Acme::new().await;
    acme.boss_is_demoted().await;
    acme.upgrades_to_essential().await;
    let globex = acme.app.sign_in("admin@globex.example").await;
    let theirs = globex.create_ticket(&form(&[])).await;
    acme.admin.follow(false).await;
    let mark = acme.app.outbox_mark().await;

    let other = acme.dev.create_ticket(&form(&[])).await;

    assert_eq!(
        recipients_since(&acme.app, mark).await,
        set(&["dev@acme.example", "acme-team@accounts.example"]),
        "unfollowed"
    );
    assert!(other.id > theirs.id);
}
