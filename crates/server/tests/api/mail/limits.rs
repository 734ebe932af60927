//! Email replies under the abuse limits and the storage quota, like comments in the console: past a
//! limit a reply is refused whole (no comment, no file left on disk); a file past the quota is
//! skipped. A CC address that is not a console user counts for the organization only.

use api::{ActivityKind, NewComment};
use reqwest::StatusCode;

use super::{BOTH, OUTSIDE, Via, app_with_ticket_and, conversation, fixture, ingest_with, token};
use crate::helpers::png;

/// A console comment by the session's user on `ticket_id`; its status.
async fn console_comment(dev: &crate::helpers::Session, ticket_id: i64, body: &str) -> StatusCode {
    let comment = NewComment {
        body: body.into(),
        ..NewComment::default()
    };
    dev.post_comment(ticket_id, &comment).await.status()
}

#[tokio::test]
async fn a_reply_past_the_organizations_comment_limit_is_refused_and_stores_nothing() {
    for via in BOTH {
        let flags = ["--comments-per-org-hour", "1"];
        let (app, dev, ticket) = app_with_ticket_and(|c| c.comments_per_org_hour = 1).await;
        assert_eq!(
            console_comment(&dev, ticket.id, "Any news?").await,
            StatusCode::CREATED
        );
        let token = token(&app, ticket.id, OUTSIDE).await;

        let ingested = ingest_with(
            &app,
            via,
            fixture("attachment.eml", &token, ticket.id),
            &flags,
        )
        .await;

        assert_eq!(ingested.outcome, "refused", "{via:?}: {ingested:?}");
        assert!(
            ingested
                .detail
                .contains("too many comments in the last hour"),
            "{via:?}: {ingested:?}"
        );
        let retry_code = match via {
            Via::Cli => 75,
            Via::Http => 429,
        };
        assert_eq!(
            ingested.code, retry_code,
            "{via:?}: the mail server or webhook delivers it again later"
        );
        let comments = conversation(&dev, ticket.id)
            .await
            .into_iter()
            .filter(|a| a.kind == ActivityKind::Comment)
            .count();
        assert_eq!(comments, 1, "{via:?}: only the console's comment");
        assert!(
            app.stored_files().await.is_empty(),
            "{via:?}: the reply's file left nothing on disk: {:?}",
            app.stored_files().await
        );
    }
}

#[tokio::test]
async fn a_members_reply_counts_against_their_own_limit_and_a_ccs_does_not_use_the_submitters() {
    for via in BOTH {
        let flags = ["--comments-per-user-hour", "1"];
        let (app, dev, ticket) = app_with_ticket_and(|c| c.comments_per_user_hour = 1).await;
        // The CC's reply (not a console user) counts for the organization only...
        let outside = token(&app, ticket.id, OUTSIDE).await;
        let ingested =
            ingest_with(&app, via, fixture("plain.eml", &outside, ticket.id), &flags).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        // ...so Dana, the submitter, still has her one comment...
        assert_eq!(
            console_comment(&dev, ticket.id, "Thanks.").await,
            StatusCode::CREATED,
            "{via:?}"
        );
        // ...and her own reply by email is past it.
        let own = token(&app, ticket.id, "dev@acme.example").await;
        let ingested = ingest_with(&app, via, fixture("member.eml", &own, ticket.id), &flags).await;
        assert_eq!(ingested.outcome, "refused", "{via:?}: {ingested:?}");
        assert!(
            ingested.detail.contains("too many comments"),
            "{via:?}: {ingested:?}"
        );
        let comments = conversation(&dev, ticket.id)
            .await
            .into_iter()
            .filter(|a| a.kind == ActivityKind::Comment)
            .count();
        assert_eq!(comments, 2, "{via:?}");
    }
}

#[tokio::test]
async fn each_file_of_a_reply_counts_as_an_upload() {
    for via in BOTH {
        let flags = ["--uploads-per-org-hour", "1"];
        let (app, dev, ticket) = app_with_ticket_and(|c| c.uploads_per_org_hour = 1).await;
        dev.upload_png("first.png").await;
        let token = token(&app, ticket.id, OUTSIDE).await;

        let ingested = ingest_with(
            &app,
            via,
            fixture("attachment.eml", &token, ticket.id),
            &flags,
        )
        .await;

        assert_eq!(ingested.outcome, "refused", "{via:?}: {ingested:?}");
        assert!(
            ingested.detail.contains("too many files"),
            "{via:?}: {ingested:?}"
        );
        assert!(conversation(&dev, ticket.id).await.is_empty(), "{via:?}");
        assert_eq!(
            app.stored_files().await.len(),
            1,
            "{via:?}: only the console's upload"
        );
    }
}

#[tokio::test]
async fn a_reply_emailing_ccs_outside_the_organization_counts_against_that_limit() {
    for via in BOTH {
        // Creating the ticket emailed its one outside CC: one left.
        let flags = ["--external-emails-per-org-hour", "2"];
        let (app, dev, ticket) = app_with_ticket_and(|c| c.external_emails_per_org_hour = 2).await;
        // The outside CC's own reply is emailed to Dana only (not back to its author): none used.
        let outside = token(&app, ticket.id, OUTSIDE).await;
        let ingested =
            ingest_with(&app, via, fixture("plain.eml", &outside, ticket.id), &flags).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let own = token(&app, ticket.id, "dev@acme.example").await;

        // Dana's reply is emailed to the outside CC: the last one.
        let first = ingest_with(&app, via, fixture("member.eml", &own, ticket.id), &flags).await;
        assert_eq!(first.outcome, "ok", "{via:?}: {first:?}");
        let second = ingest_with(&app, via, fixture("member.eml", &own, ticket.id), &flags).await;

        assert_eq!(second.outcome, "refused", "{via:?}: {second:?}");
        assert_ne!(second.code, 0, "{via:?}: to be delivered again later");
        assert!(
            second.detail.contains("outside the organization"),
            "{via:?}: {second:?}"
        );
        assert_eq!(conversation(&dev, ticket.id).await.len(), 2, "{via:?}");
    }
}

#[tokio::test]
async fn a_file_past_the_storage_quota_is_skipped_and_the_text_kept() {
    for via in BOTH {
        let flags = ["--attachment-quota-mb", "1"];
        let (app, dev, ticket) = app_with_ticket_and(|c| c.attachment_quota_mb = 1).await;
        // 100 bytes short of 1 MiB: the reply's 208-byte PNG does not fit.
        dev.upload("big.png", png(1024 * 1024 - 100)).await;
        let token = token(&app, ticket.id, OUTSIDE).await;

        let ingested = ingest_with(
            &app,
            via,
            fixture("attachment.eml", &token, ticket.id),
            &flags,
        )
        .await;

        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let activity = conversation(&dev, ticket.id).await;
        let comment = super::only_comment(&activity);
        assert_eq!(comment.body, "The screenshot of the lag graph is attached.");
        assert!(comment.attachments.is_empty(), "{via:?}: {comment:#?}");
        assert_eq!(
            app.stored_files().await.len(),
            1,
            "{via:?}: only the console's upload"
        );
    }
}
