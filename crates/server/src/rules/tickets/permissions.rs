//! Who may do what with a ticket: the one rule behind every ticket endpoint, the downloads and the
//! `permissions` the SPA shows.

use api::{Ticket, TicketPermissions, TicketStatus};

use crate::rules::auth::Member;
use crate::store::tickets::StoredTicket;

/// What `member` may do with the ticket; `None`: `member` may not even read it, and must be told it
/// does not exist (404, never 403).
///
/// - Read: in the ticket's organization, the submitter, the organization's admins, and members whose
///   email is on the CC list. (A CCed address without a membership in this organization, including a
///   user of another organization, only gets email: membership is checked first.)
/// - Comment and CC others ([`TicketPermissions::can_comment`]): every reader, while the ticket is not
///   closed.
/// - Mark solved or reopen ([`TicketPermissions::can_change_status`]): every reader, while the ticket
///   is not closed (nothing leads out of `closed` for customers; [`api::StatusChange::check`] explains
///   why with a 409).
/// - Remove someone from the CC list ([`TicketPermissions::can_remove_cc`]): the submitter and admins.
pub fn permissions(member: &Member, stored: &StoredTicket) -> Option<TicketPermissions> {
    if stored.organization_id != member.organization.id {
        return None;
    }
    let email = normalise_email(&member.user.email);
    let submitter = stored.submitter_id == member.user.id;
    let admin = member.is_admin();
    let ccd = stored
        .ticket
        .cc
        .iter()
        .any(|cc| cc.eq_ignore_ascii_case(&email));
    if !(submitter || admin || ccd) {
        return None;
    }
    let open = stored.ticket.status != TicketStatus::Closed;
    Some(TicketPermissions {
        can_comment: open,
        can_change_status: open,
        can_remove_cc: submitter || admin,
    })
}

/// Whether `member` may read the ticket at all ([`permissions`]).
pub fn can_read(member: &Member, stored: &StoredTicket) -> bool {
    permissions(member, stored).is_some()
}

impl StoredTicket {
    /// The ticket as `member` sees it (with their [`permissions`]), or `None` if they may not read it.
    /// `replies_by_email`: whether the server has a reply domain (`--reply-domain`), which the
    /// comment form's CC hint depends on.
    pub fn for_member(self, member: &Member, replies_by_email: bool) -> Option<Ticket> {
        let permissions = permissions(member, &self)?;
        Some(Ticket {
            permissions,
            replies_by_email,
            ..self.ticket
        })
    }
}

/// CC addresses are stored the way `api::Email` normalises them.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use api::{Organization, PlanKind, Role as MemberRole, TicketStatus};

    use super::*;
    use crate::rules::auth::CurrentUser;
    use crate::rules::tickets::fixtures::ticket;

    fn member(user_id: i64, email: &str, role: MemberRole) -> Member {
        Member {
            user: CurrentUser {
                id: user_id,
                email: email.into(),
                token: None,
            },
            organization: Organization {
                id: 1,
                name: "Acme Analytics".into(),
                plan: PlanKind::Paid,
            },
            role,
        }
    }

    /// Who may do what, for every kind of person and every status: the matrix behind every endpoint.
    #[test]
    fn the_permission_matrix() {
        // (who, read, comment/CC/status while not closed, remove CC)
        let people = [
            (
                member(7, "dev@acme.example", MemberRole::Member),
                "submitter",
                true,
                true,
            ),
            (
                member(8, "Ops@Acme.example", MemberRole::Member),
                "CCed member",
                true,
                false,
            ),
            (
                member(9, "qa@acme.example", MemberRole::Member),
                "other member",
                false,
                false,
            ),
            (
                member(1, "admin@acme.example", MemberRole::Admin),
                "admin",
                true,
                true,
            ),
            // The submitter's email does not matter, the user does.
            (
                member(10, "DEV@acme.example", MemberRole::Member),
                "same email, other user",
                false,
                false,
            ),
        ];
        for status in [
            TicketStatus::Open,
            TicketStatus::AwaitingCustomer,
            TicketStatus::Solved,
            TicketStatus::Closed,
        ] {
            let stored = StoredTicket {
                organization_id: 1,
                submitter_id: 7,
                ticket: Ticket { status, ..ticket() },
            };
            let open = status != TicketStatus::Closed;
            for (who, label, read, remove_cc) in &people {
                let got = permissions(who, &stored);
                assert_eq!(got.is_some(), *read, "{label} reads a {status:?} ticket");
                assert_eq!(can_read(who, &stored), *read, "{label}");
                if let Some(p) = got {
                    assert_eq!(
                        p,
                        TicketPermissions {
                            can_comment: open,
                            can_change_status: open,
                            can_remove_cc: *remove_cc,
                        },
                        "{label} on a {status:?} ticket"
                    );
                }
            }
            // Nobody of another organization, not even its admin with the submitter's id and a CCed
            // address.
            let elsewhere = StoredTicket {
                organization_id: 2,
                ..stored.clone()
            };
            for (who, label, _, _) in &people {
                assert_eq!(permissions(who, &elsewhere), None, "{label} elsewhere");
            }
            let mut globex = member(7, "ops@acme.example", MemberRole::Admin);
            globex.organization.id = 2;
            assert_eq!(permissions(&globex, &stored), None);
        }
    }
}
