//! The emails about a new ticket, and what every email about a ticket shares.

use std::collections::HashSet;

use api::{SupportTier, Ticket, Timestamp};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::error::Result;
use crate::store::Tx;

/// Why someone gets the email about a new ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Submitter,
    Cc,
    Follower,
    AccountTeam,
}

/// Everyone to tell about a new ticket, each address once: the submitter, the CCs, the admins who
/// follow every ticket of the organization, and on tiers above Basic the account team.
fn recipients<'a>(
    ticket: &'a Ticket,
    tier: &SupportTier,
    account_team: Option<&'a str>,
    followers: &'a [String],
) -> Vec<(&'a str, Role)> {
    let mut seen = HashSet::new();
    let team = account_team
        .map(str::trim)
        .filter(|team| tier.rank > 0 && !team.is_empty());
    std::iter::once((ticket.submitter_email.as_str(), Role::Submitter))
        .chain(ticket.cc.iter().map(|cc| (cc.as_str(), Role::Cc)))
        .chain(followers.iter().map(|f| (f.as_str(), Role::Follower)))
        .chain(team.map(|team| (team, Role::AccountTeam)))
        .filter(|(address, _)| seen.insert(address.to_lowercase()))
        .collect()
}

/// Records the emails about the new `ticket` in its transaction: one to each recipient (the
/// submitter, the CCs, the followers and, above Basic, the account team).
pub async fn notify_created(
    tx: &mut Tx,
    ticket: &Ticket,
    organization: &str,
    tier: &SupportTier,
    account_team: Option<&str>,
    followers: &[String],
) -> Result<()> {
    let subject = email_subject(ticket);
    for (recipient, role) in recipients(ticket, tier, account_team, followers) {
        let body = created_email(ticket, organization, tier, role);
        tx.enqueue_ticket_email(ticket.id, recipient, &subject, &body)
            .await?;
    }
    Ok(())
}

/// `[Support #42] Cannot connect`: every email about a ticket has this subject, so mail clients thread
/// them.
pub fn email_subject(ticket: &Ticket) -> String {
    format!("[Support #{}] {}", ticket.id, ticket.subject)
}

/// `Mon 30 Nov 2026 15:00 UTC`, or the RFC 3339 text if the calendar cannot show it.
pub fn human_time(at: Timestamp) -> String {
    let format = format_description!(
        "[weekday repr:short] [day padding:none] [month repr:short] [year] [hour]:[minute] UTC"
    );
    OffsetDateTime::from_unix_timestamp(at.unix_seconds())
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| at.to_string())
}
/// The plain-text body of the email about a new ticket, for one recipient.
fn created_email(ticket: &Ticket, organization: &str, tier: &SupportTier, role: Role) -> String {
    let submitter = format!("{} <{}>", ticket.submitter_name, ticket.submitter_email);
    let opening = match role {
        Role::Submitter => format!(
            "Your support ticket #{} for {organization} was created. The support team will answer \
             by email and in the console.",
            ticket.id
        ),
        Role::Cc => format!(
            "{submitter} CCed you on support ticket #{} for {organization}. You will get an email \
             about every update.\n\nIf you are a console user of {organization}, you can also open the \
             ticket in the console's Support Center to add to the conversation.",
            ticket.id
        ),
        Role::Follower => format!(
            "{submitter} opened support ticket #{} for {organization}. You get this email because \
             you follow all support tickets of {organization}.",
            ticket.id
        ),
        Role::AccountTeam => format!(
            "{submitter} opened support ticket #{} for {organization} ({} support tier).",
            ticket.id, tier.name
        ),
    };
    let mut details = vec![
        format!("Subject: {}", ticket.subject),
        format!("Severity: {}", ticket.severity.label()),
        format!("Product: {} ({})", ticket.product_name, ticket.reason_label),
    ];
    if !ticket.resources.is_empty() {
        let ids: Vec<String> = ticket.resources.iter().map(|r| r.id_text()).collect();
        details.push(format!("Projects and services: {}", ids.join(", ")));
    }
    details.push(format!("Submitted by: {submitter}"));
    if !ticket.cc.is_empty() {
        details.push(format!("CC: {}", ticket.cc.join(", ")));
    }
    details.push(format!(
        "Expected first response: within {}, by {}",
        ticket.first_response_target,
        human_time(ticket.first_response_due_at)
    ));
    details.push(format!("Files: {}", ticket.attachments.len()));
    format!(
        "{opening}\n\n{}\n\nDescription:\n{}\n",
        details.join("\n"),
        ticket.description
    )
}

#[cfg(test)]
mod tests {
    use api::{PriceRule, ResponseTime, ResponseTimes};

    use super::*;
    use crate::rules::tickets::fixtures::ticket;

    fn tier(rank: u32) -> SupportTier {
        SupportTier {
            key: "advanced".into(),
            name: "Advanced".into(),
            rank,
            summary: String::new(),
            response_times: ResponseTimes {
                low: ResponseTime::Minutes(720),
                high: ResponseTime::Minutes(60),
                critical: ResponseTime::Minutes(30),
            },
            hours: "24/7".into(),
            phone: "Critical only".into(),
            account_team: "Account manager".into(),
            price: PriceRule::Included,
        }
    }

    #[test]
    fn every_recipient_once_and_the_account_team_only_above_basic() {
        let t = ticket();
        let followers = [
            "admin@acme.example".to_owned(),
            "OPS@acme.example".to_owned(),
        ];
        let addresses = |rank, team| -> Vec<(String, Role)> {
            recipients(&t, &tier(rank), team, &followers)
                .into_iter()
                .map(|(a, r)| (a.to_owned(), r))
                .collect()
        };
        assert_eq!(
            addresses(2, Some("lead@accounts.example")),
            [
                ("dev@acme.example".to_owned(), Role::Submitter),
                ("ops@acme.example".to_owned(), Role::Cc),
                ("team@accounts.example".to_owned(), Role::Cc),
                ("admin@acme.example".to_owned(), Role::Follower),
                ("lead@accounts.example".to_owned(), Role::AccountTeam),
            ]
        );
        let addresses = |rank, team| -> Vec<(String, Role)> {
            recipients(&t, &tier(rank), team, &[])
                .into_iter()
                .map(|(a, r)| (a.to_owned(), r))
                .collect()
        };
        assert_eq!(addresses(0, Some("lead@accounts.example")).len(), 3);
        assert_eq!(addresses(2, Some(" ")).len(), 3);
        // Already CCed: one email, as a CC.
        assert_eq!(addresses(2, Some("Team@Accounts.example")).len(), 3);
    }

    #[test]
    fn the_email_lists_the_ticket_and_tells_ccs_how_to_follow_up() {
        let t = ticket();
        let body = created_email(&t, "Acme Analytics", &tier(0), Role::Submitter);
        for part in [
            "#42",
            "Severity: High",
            "Product: PostgreSQL (Cannot connect)",
            "Projects and services: acme-prod/pg-main, acme-staging",
            "Expected first response: within 1 business day, by Mon 30 Nov 2026 15:00 UTC",
            "Files: 0",
            "Timeouts since 10:00.\n\n  at line 3",
        ] {
            assert!(body.contains(part), "lacks {part:?}: {body}");
        }
        let cc = created_email(&t, "Acme Analytics", &tier(0), Role::Cc);
        assert!(cc.contains("Dana Developer <dev@acme.example> CCed you"));
        assert!(!cc.contains("not supported"));
        assert!(cc.contains("console user of Acme Analytics"));
        let team = created_email(&t, "Acme Analytics", &tier(2), Role::AccountTeam);
        assert!(team.contains("(Advanced support tier)"));
        let follower = created_email(&t, "Acme Analytics", &tier(0), Role::Follower);
        assert!(follower.contains("you follow all support tickets of Acme Analytics"));
    }
}
