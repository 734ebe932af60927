//! Abuse limits: how many tickets, comments, uploads and emails to addresses outside the organization
//! one user and one whole organization may cause per hour, and the organization's storage quota for
//! files.
//!
//! Each limit is "at most N in the last hour" over counted events (`store::rate_events`), per user
//! (over all of their organizations, so joining a second one gives no fresh allowance) and per
//! organization (so many accounts of one customer cannot add up to a flood). [`Limits::take`] runs
//! inside the request's write transaction, which holds SQLite's write lock: a check and its count
//! commit together with the ticket, comment or upload, so parallel requests cannot all pass one
//! check, a refused or failed request counts nothing, and an idempotent retry (answered from its
//! stored first answer, never reaching the rules again) never counts twice.

use api::format::format_bytes;

use crate::clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::rules::auth::Member;
use crate::store::Tx;

/// Every limit counts over this window (older events are purged hourly by `jobs::purge`).
pub const WINDOW_MS: i64 = 60 * 60 * 1000;

/// What a request does that a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new ticket.
    Ticket,
    /// A comment or new CCs on a ticket.
    Comment,
    /// An uploaded file.
    Upload,
    /// Emails to CC addresses that are not members of the organization, one per recipient.
    ExternalEmail,
}

impl Action {
    fn key(self) -> &'static str {
        match self {
            Action::Ticket => "ticket",
            Action::Comment => "comment",
            Action::Upload => "upload",
            Action::ExternalEmail => "external-email",
        }
    }
}

/// Who a count is for: a console user of an organization, or someone acting on one of its tickets
/// who is not a console user (a CC address replying by email).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    /// The console user, whose own counters apply too; `None` for someone who is not one.
    pub user_id: Option<i64>,
    /// The organization, whose counters always apply.
    pub organization_id: i64,
}

impl Who {
    /// `member` and their organization.
    pub fn member(member: &Member) -> Self {
        Self {
            user_id: Some(member.user.id),
            organization_id: member.organization.id,
        }
    }
}

/// Whose allowance a counter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    User,
    Organization,
}

/// The configured limits (`--tickets-per-user-hour` and friends, `--attachment-quota-mb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    tickets: [i64; 2],
    comments: [i64; 2],
    uploads: [i64; 2],
    external_emails: [i64; 2],
    /// An organization's files, in bytes.
    pub quota_bytes: u64,
}

impl Limits {
    /// The limits the configuration asks for.
    pub fn new(config: &Config) -> Self {
        let pair = |user: u32, org: u32| [i64::from(user), i64::from(org)];
        Self {
            tickets: pair(config.tickets_per_user_hour, config.tickets_per_org_hour),
            comments: pair(config.comments_per_user_hour, config.comments_per_org_hour),
            uploads: pair(config.uploads_per_user_hour, config.uploads_per_org_hour),
            external_emails: pair(
                config.external_emails_per_user_hour,
                config.external_emails_per_org_hour,
            ),
            quota_bytes: config.attachment_quota_mb.saturating_mul(1024 * 1024),
        }
    }

    fn limit(&self, action: Action, scope: Scope) -> i64 {
        let pair = match action {
            Action::Ticket => self.tickets,
            Action::Comment => self.comments,
            Action::Upload => self.uploads,
            Action::ExternalEmail => self.external_emails,
        };
        pair[scope as usize]
    }

    /// Checks that `member` and their organization have room for `amount` more of `action` in the
    /// last hour, without counting it: an early answer before work that is expensive to throw away
    /// (an upload's bytes). [`Limits::take`] checks again when it counts.
    pub async fn check(
        &self,
        tx: &mut Tx,
        member: &Member,
        action: Action,
        amount: i64,
    ) -> Result<()> {
        self.check_all(tx, Who::member(member), action, amount, clock::now_ms())
            .await?;
        Ok(())
    }

    /// Checks and counts `amount` of `action` for `member` and their organization, in `tx` (a
    /// write transaction: the count commits with the change it allows, or not at all). Nothing is
    /// counted for an amount of zero.
    pub async fn take(
        &self,
        tx: &mut Tx,
        member: &Member,
        action: Action,
        amount: i64,
    ) -> Result<()> {
        self.take_for(tx, Who::member(member), action, amount).await
    }

    /// [`Limits::take`] for `who`: without a user (someone who is not a console user), only the
    /// organization's counter applies.
    pub async fn take_for(&self, tx: &mut Tx, who: Who, action: Action, amount: i64) -> Result<()> {
        if amount <= 0 {
            return Ok(());
        }
        let now = clock::now_ms();
        let keys = self.check_all(tx, who, action, amount, now).await?;
        tx.add_rate_events(&keys, now, amount).await?;
        Ok(())
    }

    /// Checks every counter of `who` for `action` (the user's, when there is a user, and the
    /// organization's); their keys. One statement reads both sums: this runs inside write
    /// transactions, which queue behind each other, so every statement saved there is saved for
    /// every writer waiting. Only a refusal reads more (when the counter frees up).
    async fn check_all(
        &self,
        tx: &mut Tx,
        who: Who,
        action: Action,
        amount: i64,
        now: i64,
    ) -> Result<Vec<String>> {
        let scopes: Vec<Scope> = [Scope::User, Scope::Organization]
            .into_iter()
            .filter(|&scope| scope == Scope::Organization || who.user_id.is_some())
            .collect();
        let keys: Vec<String> = scopes
            .iter()
            .map(|&scope| Self::key(who, action, scope))
            .collect();
        let since = now - WINDOW_MS;
        let used = tx.rate_used(&keys, since).await?;
        for ((&scope, key), used) in scopes.iter().zip(&keys).zip(used) {
            let limit = self.limit(action, scope);
            if used + amount <= limit {
                continue;
            }
            // Room for `amount` means at most `limit - amount` already used; a refusal waits until
            // enough of the oldest events leave the window for that, or the whole window when even
            // an empty one could not take `amount` (then no event frees enough: `free_at_ms` is
            // `None`).
            let usage = tx.rate_usage(key, since, limit - amount).await?;
            let wait_ms = match usage.free_at_ms {
                Some(at_ms) if amount <= limit => at_ms + WINDOW_MS - now,
                _ => WINDOW_MS,
            };
            let retry_after_secs = (wait_ms.max(0) as u64).div_ceil(1000).max(1);
            return Err(Error::RateLimited {
                message: limited_message(
                    action,
                    scope,
                    usage.used,
                    amount,
                    limit,
                    retry_after_secs,
                ),
                retry_after_secs,
            });
        }
        Ok(keys)
    }

    /// The key of one counter.
    fn key(who: Who, action: Action, scope: Scope) -> String {
        match (scope, who.user_id) {
            (Scope::User, Some(user_id)) => format!("{}:user:{user_id}", action.key()),
            // Without a user only the organization's counter is checked ([`Limits::check_all`]);
            // counting the organization's is the safe answer should a caller ever ask otherwise.
            (Scope::User, None) | (Scope::Organization, _) => {
                format!("{}:org:{}", action.key(), who.organization_id)
            }
        }
    }
}

/// The sentence a 429 says: who did how much of what in the last hour, the limit, and when to try
/// again.
fn limited_message(
    action: Action,
    scope: Scope,
    used: i64,
    amount: i64,
    limit: i64,
    retry_after_secs: u64,
) -> String {
    let who = match scope {
        Scope::User => "You have",
        Scope::Organization => "Your organization has",
    };
    let when = format!("Try again in {}.", wait_text(retry_after_secs));
    let (done, noun) = match action {
        Action::Ticket => ("created", "ticket"),
        Action::Comment => ("added", "comment"),
        Action::Upload => ("uploaded", "file"),
        Action::ExternalEmail => {
            let whose = match scope {
                Scope::User => "your",
                Scope::Organization => "its",
            };
            let this = if amount > limit {
                format!(
                    "This would send {amount} at once, more than the limit allows in an hour: remove some CC addresses."
                )
            } else {
                format!(
                    "This would send {amount} more. Remove some CC addresses or try again in {}.",
                    wait_text(retry_after_secs)
                )
            };
            return format!(
                "{who} sent {} to addresses outside {whose} organization in the last hour, and the limit is {limit} an hour. {this}",
                plural_noun(used, "email", "emails"),
            );
        }
    };
    format!(
        "{who} {done} {} in the last hour, and the limit is {limit} an hour. {when}",
        plural_noun(used, noun, &format!("{noun}s")),
    )
}

fn plural_noun(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `45 seconds`, `1 minute`, `12 minutes` (rounded up: never earlier than `Retry-After`).
fn wait_text(secs: u64) -> String {
    if secs < 60 {
        crate::error::seconds(secs)
    } else {
        let minutes = secs.div_ceil(60);
        if minutes == 1 {
            "1 minute".into()
        } else {
            format!("{minutes} minutes")
        }
    }
}

/// 422 `attachments` when `file_name` (`size` bytes) does not fit in the organization's quota
/// with the `used` bytes its files already take.
pub fn over_quota(file_name: &str, size: u64, used: u64, quota: u64) -> Error {
    Error::Invalid(vec![api::FieldMessage::new(
        api::Field::Attachments,
        format!(
            "Files: {file_name} ({}) does not fit in your organization's storage quota for files: {} of {} are used. Ask an admin to remove old tickets' files or to raise the quota.",
            format_bytes(size),
            format_bytes(used),
            format_bytes(quota),
        ),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit_the_count_and_the_wait() {
        assert_eq!(
            limited_message(Action::Ticket, Scope::User, 30, 1, 30, 600),
            "You have created 30 tickets in the last hour, and the limit is 30 an hour. Try again in 10 minutes."
        );
        assert_eq!(
            limited_message(Action::Comment, Scope::Organization, 1, 1, 1, 59),
            "Your organization has added 1 comment in the last hour, and the limit is 1 an hour. Try again in 59 seconds."
        );
        assert_eq!(
            limited_message(Action::ExternalEmail, Scope::User, 195, 10, 200, 61),
            "You have sent 195 emails to addresses outside your organization in the last hour, and the limit is 200 an hour. This would send 10 more. Remove some CC addresses or try again in 2 minutes."
        );
        assert!(
            limited_message(Action::ExternalEmail, Scope::Organization, 0, 48, 20, 3600)
                .ends_with("This would send 48 at once, more than the limit allows in an hour: remove some CC addresses.")
        );
    }
}
