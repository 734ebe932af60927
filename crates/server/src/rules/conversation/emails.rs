//! The emails every change to a ticket sends: to the submitter, the CC list (new addresses
//! included), the followers and the account team, each address once, never to the one who made the
//! change.

use std::collections::HashSet;

use api::Ticket;

use crate::error::Result;
use crate::rules::conversation::change::{Actor, Audience, Change};
use crate::rules::tickets::emails::email_subject;
use crate::store::Tx;

/// Why someone gets the email about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Submitter,
    Cc,
    /// Added to the CC list by this very change.
    NewCc,
    Follower,
    AccountTeam,
}

/// Everyone to tell about `change` on `ticket` (as it is after the change), each address once
/// (compared case-insensitively): the submitter, the CC list (new addresses included), the followers
/// and the account team, never the one who made the change.
pub fn change_recipients(
    ticket: &Ticket,
    audience: &Audience,
    change: &Change,
    author: Option<&str>,
) -> Vec<(String, Why)> {
    let mut seen: HashSet<String> = author.map(str::to_lowercase).into_iter().collect();
    let is_new = |cc: &str| change.cc_added.iter().any(|a| a.eq_ignore_ascii_case(cc));
    std::iter::once((ticket.submitter_email.as_str(), Why::Submitter))
        .chain(ticket.cc.iter().map(|cc| {
            let why = if is_new(cc) { Why::NewCc } else { Why::Cc };
            (cc.as_str(), why)
        }))
        .chain(
            audience
                .followers
                .iter()
                .map(|f| (f.as_str(), Why::Follower)),
        )
        .chain(
            audience
                .account_team
                .iter()
                .map(|t| (t.as_str(), Why::AccountTeam)),
        )
        .filter(|(address, _)| seen.insert(address.trim().to_lowercase()))
        .map(|(address, why)| (address.to_owned(), why))
        .collect()
}

/// `> ` before every line, as mail clients quote.
fn quote(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plain-text body of the email about `change`, for one recipient.
pub fn change_email(
    ticket: &Ticket,
    organization: &str,
    actor: &Actor,
    change: &Change,
    why: Why,
) -> String {
    let who = actor.label();
    let what = format!("support ticket #{} for {organization}", ticket.id);
    let mut parts = Vec::new();
    if why == Why::NewCc {
        parts.push(format!(
            "{who} added you to the CC list of {what}. You will get an email about every update."
        ));
    }
    if let Some(comment) = &change.comment {
        let verb = match actor {
            Actor::Agent { .. } => "replied on",
            Actor::Customer { .. } => "commented on",
            Actor::Email { .. } => "replied by email on",
        };
        parts.push(format!("{who} {verb} {what}:\n\n{}", quote(comment)));
        if !change.files.is_empty() {
            parts.push(format!("Files: {}", change.files.join(", ")));
        }
    }
    if !change.cc_added.is_empty() {
        parts.push(format!(
            "{who} added {} to the CC list of {what}.",
            change.cc_added.join(", ")
        ));
    }
    if !change.cc_removed.is_empty() {
        parts.push(format!(
            "{who} removed {} from the CC list of {what}.",
            change.cc_removed.join(", ")
        ));
    }
    if let Some(status) = change.status {
        parts.push(if change.comment.is_some() {
            format!("The ticket's status is now: {}.", status.label())
        } else {
            format!("{who} changed the status of {what} to: {}.", status.label())
        });
    }
    let mut details = vec![
        format!("Subject: {}", ticket.subject),
        format!("Status: {}", ticket.status.label()),
        format!(
            "Submitted by: {} <{}>",
            ticket.submitter_name, ticket.submitter_email
        ),
    ];
    if !ticket.cc.is_empty() {
        details.push(format!("CC: {}", ticket.cc.join(", ")));
    }
    parts.push(details.join("\n"));
    if why == Why::Follower {
        parts.push(format!(
            "You get this email because you follow all support tickets of {organization}."
        ));
    }
    parts.push(format!(
        "If you are a console user of {organization} on this ticket, you can also open it in the \
         console's Support Center to add to the conversation."
    ));
    parts.join("\n\n") + "\n"
}

/// Records the emails about `change` in the change's transaction; how many.
pub async fn notify_change(
    tx: &mut Tx,
    ticket: &Ticket,
    audience: &Audience,
    actor: &Actor,
    change: &Change,
) -> Result<usize> {
    let subject = email_subject(ticket);
    let recipients = change_recipients(ticket, audience, change, actor.email());
    for (recipient, why) in &recipients {
        let body = change_email(ticket, &audience.organization, actor, change, *why);
        tx.enqueue_ticket_email(ticket.id, recipient, &subject, &body)
            .await?;
    }
    Ok(recipients.len())
}

#[cfg(test)]
mod tests {
    use api::TicketStatus;

    use super::*;
    use crate::rules::tickets::fixtures;

    /// The shared ticket #42, about replica lag, with a CC from outside the organization.
    fn ticket() -> Ticket {
        Ticket {
            subject: "Replica lag".into(),
            reason_key: "performance".into(),
            reason_label: "Slow queries or high load".into(),
            resources: vec![],
            description: "Lag grows.".into(),
            cc: vec!["ops@acme.example".into(), "new@elsewhere.example".into()],
            ..fixtures::ticket()
        }
    }

    fn audience(team: Option<&str>) -> Audience {
        Audience {
            organization: "Acme Analytics".into(),
            followers: vec!["admin@acme.example".into(), "Ops@Acme.example".into()],
            account_team: team.map(str::to_owned),
        }
    }

    #[test]
    fn everyone_once_new_ccs_marked_and_never_the_author() {
        let change = Change {
            comment: Some("Hi".into()),
            cc_added: vec!["new@elsewhere.example".into()],
            ..Change::default()
        };
        let got = change_recipients(
            &ticket(),
            &audience(Some("team@accounts.example")),
            &change,
            Some("ADMIN@acme.example"),
        );
        assert_eq!(
            got,
            [
                ("dev@acme.example".to_owned(), Why::Submitter),
                ("ops@acme.example".to_owned(), Why::Cc),
                ("new@elsewhere.example".to_owned(), Why::NewCc),
                ("team@accounts.example".to_owned(), Why::AccountTeam),
            ],
            "the admin wrote it; ops follows and is CCed: one email"
        );
        // The submitter writing gets nothing; an agent writing excludes nobody.
        let by_submitter = change_recipients(
            &ticket(),
            &audience(None),
            &change,
            Some("dev@acme.example"),
        );
        assert!(by_submitter.iter().all(|(a, _)| a != "dev@acme.example"));
        assert_eq!(by_submitter.len(), 3);
        let by_agent = change_recipients(&ticket(), &audience(None), &change, None);
        assert_eq!(by_agent.len(), 4);
    }

    #[test]
    fn the_email_says_what_happened_quotes_the_comment_and_the_reply_limits() {
        let actor = Actor::Customer {
            user_id: 1,
            name: "Dana Developer".into(),
            email: "dev@acme.example".into(),
        };
        let change = Change {
            comment: Some("Still lagging.\n\nSee the log.".into()),
            files: vec!["lag.log".into()],
            cc_added: vec!["new@elsewhere.example".into()],
            status: Some(TicketStatus::Open),
            ..Change::default()
        };
        let body = change_email(&ticket(), "Acme Analytics", &actor, &change, Why::NewCc);
        for part in [
            "Dana Developer <dev@acme.example> added you to the CC list of support ticket #42 for Acme Analytics.",
            "commented on support ticket #42 for Acme Analytics:\n\n> Still lagging.\n>\n> See the log.",
            "Files: lag.log",
            "added new@elsewhere.example to the CC list",
            "The ticket's status is now: Open.",
            "Subject: Replica lag",
            "you can also open it in the console's Support Center",
        ] {
            assert!(body.contains(part), "lacks {part:?}:\n{body}");
        }
        let agent = Actor::Agent {
            name: "Sam from Support".into(),
        };
        let solved = Change {
            status: Some(TicketStatus::Solved),
            ..Change::default()
        };
        let body = change_email(&ticket(), "Acme Analytics", &agent, &solved, Why::Follower);
        assert!(body.contains(
            "Sam from Support (support team) changed the status of support ticket #42 for Acme Analytics to: Solved."
        ));
        assert!(body.contains("you follow all support tickets of Acme Analytics"));
        assert!(!body.contains("added you"));
    }
}
