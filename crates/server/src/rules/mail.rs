//! Replies by email: one inbound message (from `support-server mail ingest` or
//! `POST /api/v1/inbound-mail`, both calling [`ingest`]) becomes a comment on the ticket its reply
//! address names.
//!
//! Every email about a ticket is sent with `Reply-To: reply+TOKEN@<reply domain>` (`jobs::outbox`);
//! the token is random, stored per (ticket, recipient) in `reply_tokens`, so it names both and cannot
//! be guessed or forged. A reply is taken when:
//!
//! - it is not too big (`--inbound-mail-max-bytes`), parses, and is not automatic: no
//!   `Auto-Submitted` other than `no`, no `Precedence: bulk/junk/list`, not a bounce (empty
//!   `Return-Path`, a `multipart/report`, `MAILER-DAEMON` or `postmaster` as sender), not our own mail
//!   coming back (our `X-Loop`, or more than [`MAX_OWN_REFERENCES`] of our Message-IDs in
//!   `References`);
//! - a reply address with a known token is among `To`, `Cc`, `Delivered-To` and `X-Original-To`;
//! - its `From` is the address the token was given to (compared case-insensitively). Strict on
//!   purpose: someone replying to a forwarded notification is not the person it was sent to. The
//!   authenticity of `From` itself is the receiving mail server's job (SPF, DKIM, DMARC);
//! - that address is still on the ticket: a console user who may read it (the reply is theirs, as
//!   if written in the console), or an address on the CC list (the reply is by that address).
//!
//! The comment is the text part (or the HTML part as text) without the quoted history and the
//! signature ([`strip_reply`]). Addresses in the reply's `Cc` join the ticket's CC list under the
//! form's rules (`api::conversation::check_new_cc`); ones already on the ticket and our own addresses
//! are skipped, and one the rules refuse is logged and skipped. Files go through the upload checks
//! (`rules::attachments`); a refused file is logged and skipped. A reply to a closed ticket adds
//! nothing and gets an automatic answer pointing to a follow-up ticket.
//!
//! A reply counts against the abuse limits (`rules::limits`) like a comment in the console, in its
//! write transaction: one comment, one upload per file, one email per CC outside the organization
//! who hears of it. A console user's reply counts for them and their organization; a CC address's
//! (not a console user) only for the organization, as it has no allowance of its own and must not
//! use up the submitter's. A reply past a limit is refused whole (nothing stored, nothing counted);
//! a file past the organization's storage quota is skipped like a refused file, and a reply left
//! with nothing else is refused. Everything refused or dropped is logged with its reason; only a
//! database or disk failure is an error.

use std::fmt;

use api::conversation::{COMMENT_MAX_CHARS, CommentContext, check_new_cc};
use api::ticket::check_attachment_room;
use api::{ActivityKind, Email, TicketStatus};
use mail_parser::{Message, MessageParser, MimeHeaders};

use crate::clock;
use crate::config::Config;
use crate::error::Result;
use crate::files::Files;
use crate::rules::attachments::{self, IncomingFile, KeptFile};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::conversation::change::{Actor, Audience, Change, Entry, record, set_status};
use crate::rules::conversation::emails;
use crate::rules::limits::{Action, Limits, Who};
use crate::rules::tickets::emails::email_subject;
use crate::rules::tickets::permissions::{self, normalise_email};
use crate::store::Store;
use crate::store::tickets::StoredTicket;

/// More of our own Message-IDs than this in `References` means mail is going round in circles (an
/// auto-responder answering our answers); a person's thread on a busy ticket stays far below.
pub const MAX_OWN_REFERENCES: usize = 50;

/// What inbound mail needs from the configuration.
#[derive(Debug, Clone)]
pub struct InboundSettings {
    /// `--reply-domain`.
    pub reply_domain: String,
    /// `--mail-from`'s address: our `X-Loop`, and never added to a CC list.
    pub own_address: String,
    /// `--inbound-mail-max-bytes`.
    pub max_bytes: u64,
    /// Where files are stored.
    pub files: Files,
    /// The abuse limits and the storage quota a reply counts against.
    pub limits: Limits,
}

impl InboundSettings {
    /// The settings, or `None` without `--reply-domain` (no reply addresses, so no replies).
    pub fn from_config(config: &Config, files: &Files) -> Option<Self> {
        Some(Self {
            reply_domain: config.reply_domain.clone()?,
            own_address: normalise_email(config.mail_from.email.as_ref()),
            max_bytes: config.inbound_mail_max_bytes,
            files: files.clone(),
            limits: Limits::new(config),
        })
    }
}

/// What became of an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Added to the ticket's conversation (a comment, new CCs, or both).
    Added {
        ticket_id: i64,
        /// Addresses added to the CC list.
        cc_added: Vec<String>,
        /// Names of the files attached.
        files: Vec<String>,
    },
    /// The ticket is closed: nothing was added, the sender got an automatic answer.
    AnsweredClosed { ticket_id: i64 },
    /// Not taken, on purpose and quietly: automatic mail and loops must not be answered.
    Dropped(Dropped),
    /// Not taken: the sender's mail system should tell them (a bounce).
    Refused(Refused),
}

/// Why an automatic message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// `Auto-Submitted`, `Precedence` or an auto-responder's own header.
    AutoReply,
    /// A delivery report or a message from a mailer daemon.
    Bounce,
    /// Our own mail coming back.
    Loop,
    /// Nothing to add: no text, no files, no one to CC.
    Empty,
}

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Bigger than `--inbound-mail-max-bytes`.
    TooBig,
    /// Not an RFC 5322 message.
    Unparseable,
    /// No reply address of ours in it.
    NoReplyAddress,
    /// A reply address whose token was never given out.
    UnknownToken,
    /// `From` is not the address the token was given to.
    SenderMismatch,
    /// The token's address is no longer on the ticket (taken off the CC list, no longer a member).
    NotOnTicket,
    /// The comment is longer than a comment may be.
    TooLong,
    /// The author or their organization is past an hourly abuse limit on this action; the seconds
    /// until the reply would fit (a temporary refusal: the mail server or webhook should retry).
    OverLimit(Action, u64),
    /// Nothing but files, and none fit in the organization's storage quota.
    OverQuota,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dropped::AutoReply => "an automatic reply",
            Dropped::Bounce => "a bounce",
            Dropped::Loop => "our own mail coming back (a loop)",
            Dropped::Empty => "an empty reply",
        })
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refused::TooBig => "the message is too big",
            Refused::Unparseable => "the message could not be read",
            Refused::NoReplyAddress => "the message is not addressed to a reply address",
            Refused::UnknownToken => "the reply address is unknown",
            Refused::SenderMismatch => {
                "the sender is not the person the reply address was given to"
            }
            Refused::NotOnTicket => "the sender is no longer on this ticket",
            Refused::TooLong => "the reply is longer than a comment may be",
            Refused::OverLimit(Action::Comment | Action::Ticket, _) => {
                "the sender or their organization has added too many comments in the last hour"
            }
            Refused::OverLimit(Action::Upload, _) => {
                "the sender or their organization has uploaded too many files in the last hour"
            }
            Refused::OverLimit(Action::ExternalEmail, _) => {
                "the reply would send more emails to addresses outside the organization than its hourly limit allows"
            }
            Refused::OverQuota => {
                "the reply's files do not fit in the organization's storage quota for files"
            }
        })
    }
}

impl Outcome {
    /// One word for logs and the endpoint's answer.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Added { .. } => "added",
            Outcome::AnsweredClosed { .. } => "answered_closed",
            Outcome::Dropped(_) => "dropped",
            Outcome::Refused(_) => "refused",
        }
    }

    /// Why, for dropped and refused messages.
    pub fn reason(&self) -> Option<String> {
        match self {
            Outcome::Dropped(why) => Some(why.to_string()),
            Outcome::Refused(why) => Some(why.to_string()),
            _ => None,
        }
    }
}

/// Takes one raw RFC 5322 message. Errors are the database's or the disk's (worth a retry);
/// everything about the message itself is an [`Outcome`], logged here.
pub async fn ingest(store: &Store, settings: &InboundSettings, raw: &[u8]) -> Result<Outcome> {
    let outcome = ingest_inner(store, settings, raw).await?;
    match &outcome {
        Outcome::Added {
            ticket_id,
            cc_added,
            files,
        } => tracing::info!(
            ticket_id,
            cc_added = cc_added.len(),
            files = files.len(),
            "email reply added to the conversation"
        ),
        Outcome::AnsweredClosed { ticket_id } => {
            tracing::info!(ticket_id, "email reply to a closed ticket answered")
        }
        Outcome::Dropped(why) => tracing::info!(reason = %why, "inbound email dropped"),
        Outcome::Refused(why) => tracing::warn!(reason = %why, "inbound email refused"),
    }
    Ok(outcome)
}

async fn ingest_inner(store: &Store, settings: &InboundSettings, raw: &[u8]) -> Result<Outcome> {
    if raw.len() as u64 > settings.max_bytes {
        return Ok(Outcome::Refused(Refused::TooBig));
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return Ok(Outcome::Refused(Refused::Unparseable));
    };
    if message.from().and_then(|f| f.first()).is_none() {
        return Ok(Outcome::Refused(Refused::Unparseable));
    }
    if let Some(why) = automatic(&message, settings) {
        return Ok(Outcome::Dropped(why));
    }
    let tokens = reply_tokens(&message, &settings.reply_domain);
    if tokens.is_empty() {
        return Ok(Outcome::Refused(Refused::NoReplyAddress));
    }
    let mut found = None;
    for token in &tokens {
        if let Some(known) = store.reply_token(token).await? {
            found = Some(known);
            break;
        }
    }
    let Some(token) = found else {
        return Ok(Outcome::Refused(Refused::UnknownToken));
    };
    let sender = sender_address(&message).unwrap_or_default();
    if !sender.eq_ignore_ascii_case(&token.recipient) {
        return Ok(Outcome::Refused(Refused::SenderMismatch));
    }
    let mut read = store.begin().await?;
    let stored = read.ticket(token.ticket_id).await?;
    drop(read);
    let Some(stored) = stored else {
        return Ok(Outcome::Refused(Refused::UnknownToken));
    };
    let Some(author) = author(store, &stored, &token.recipient).await? else {
        return Ok(Outcome::Refused(Refused::NotOnTicket));
    };
    if stored.ticket.status == TicketStatus::Closed {
        answer_closed(store, &stored, &token.recipient).await?;
        return Ok(Outcome::AnsweredClosed {
            ticket_id: stored.ticket.id,
        });
    }
    let body = message
        .body_text(0)
        .map(|text| strip_reply(&without_refused_characters(&text)))
        .unwrap_or_default();
    if body.chars().count() > COMMENT_MAX_CHARS {
        return Ok(Outcome::Refused(Refused::TooLong));
    }
    let reply = Reply {
        body,
        cc: cc_candidates(&message, settings),
        files: received_files(&message, settings, &stored).await?,
    };
    add_reply(store, stored, author, reply, &settings.limits).await
}

// ---------------------------------------------------------------------------------------------
// Automatic mail and loops

/// Why `message` is automatic mail not to be taken (or answered), if it is.
fn automatic(message: &Message<'_>, settings: &InboundSettings) -> Option<Dropped> {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|value| value.trim().to_ascii_lowercase())
    };
    if let Some(loop_by) = header("X-Loop")
        && loop_by.contains(&settings.own_address)
    {
        return Some(Dropped::Loop);
    }
    let own_suffix = format!("@{}>", settings.reply_domain);
    let own_references = message
        .header_raw("References")
        .unwrap_or_default()
        .split_whitespace()
        .filter(|id| id.to_ascii_lowercase().ends_with(&own_suffix))
        .count();
    if own_references > MAX_OWN_REFERENCES {
        return Some(Dropped::Loop);
    }
    // X-Autoreply and X-Autorespond: set by vacation responders that predate Auto-Submitted.
    if header("Auto-Submitted").is_some_and(|v| v.split(';').next().unwrap_or("").trim() != "no")
        || header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list"))
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
    {
        return Some(Dropped::AutoReply);
    }
    let empty_return_path = header("Return-Path").is_some_and(|v| v == "<>" || v.is_empty());
    let report = message.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let daemon = sender_address(message).is_some_and(|from| {
        let local = from.split('@').next().unwrap_or_default();
        matches!(local, "mailer-daemon" | "postmaster")
    });
    (empty_return_path || report || daemon).then_some(Dropped::Bounce)
}

/// The `From` address, normalised.
fn sender_address(message: &Message<'_>) -> Option<String> {
    message.from()?.first()?.address().map(normalise_email)
}

/// The tokens of the reply addresses `reply+TOKEN@<domain>` the message was sent to.
fn reply_tokens(message: &Message<'_>, domain: &str) -> Vec<String> {
    let mut addresses: Vec<String> = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|list| list.iter())
        .filter_map(|addr| addr.address().map(str::to_owned))
        .collect();
    for name in ["Delivered-To", "X-Original-To"] {
        for header in message
            .headers()
            .iter()
            .filter(|h| h.name().eq_ignore_ascii_case(name))
        {
            if let Some(text) = header.value().as_text() {
                addresses.push(text.trim().trim_matches(['<', '>']).to_owned());
            }
        }
    }
    let mut tokens = Vec::new();
    for address in addresses {
        if let Some(token) = reply_token_of(&address, domain)
            && !tokens.contains(&token)
        {
            tokens.push(token);
        }
    }
    tokens
}

/// The token of `reply+TOKEN@domain`, lower-cased.
pub fn reply_token_of(address: &str, domain: &str) -> Option<String> {
    let (local, at) = address.trim().rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(domain) {
        return None;
    }
    let (prefix, token) = local.split_once('+')?;
    (prefix.eq_ignore_ascii_case("reply")
        && !token.is_empty()
        && token.len() <= 64
        && token.bytes().all(|b| b.is_ascii_hexdigit()))
    .then(|| token.to_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------
// The text

/// `text` without the characters a console comment may not hold
/// ([`api::validate::is_refused_in_multi_line`]: escape, NUL, backspace...). A console comment with one
/// is refused naming the field; an email cannot be sent back to be fixed, so they are dropped instead:
/// otherwise an escape sequence in a reply would reach the support team's terminal and every email
/// about the ticket.
pub fn without_refused_characters(text: &str) -> String {
    text.chars()
        .filter(|&c| !api::validate::is_refused_in_multi_line(c))
        .collect()
}

/// The new part of a reply: the text before the quoted history (an "On … wrote:" line, Outlook's
/// "-----Original Message-----", its line of underscores or its "From:/Sent:" block) and the signature
/// ("-- "), without `>` quoted lines, trimmed.
pub fn strip_reply(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        if line.trim_end() == "--" || is_history_start(trimmed, next, &lines[i + 1..]) {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    kept.join("\n").trim().to_owned()
}

/// Whether the quoted history starts at `line`.
fn is_history_start(line: &str, next: &str, rest: &[&str]) -> bool {
    let lower = line.to_lowercase();
    let attribution_end = |l: &str| {
        let l = l.to_lowercase();
        l.ends_with("wrote:")
            || l.ends_with("schrieb:")
            || l.ends_with("a écrit :")
            || l.ends_with("a écrit:")
    };
    let attribution_start = ["on ", "am ", "le "].iter().any(|p| lower.starts_with(p));
    if attribution_start && (attribution_end(line) || (!next.is_empty() && attribution_end(next))) {
        return true;
    }
    if lower.starts_with("-----") && lower.contains("original message") {
        return true;
    }
    if line.len() >= 20 && line.chars().all(|c| c == '_') {
        return true;
    }
    if lower.starts_with("from:") {
        return rest.iter().take(3).any(|l| {
            let l = l.trim().to_lowercase();
            l.starts_with("sent:") || l.starts_with("date:")
        });
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Who, CCs and files

/// Who the reply is by: the console user of the ticket's organization who may read it, or the
/// address on the CC list; `None` when the address is neither any more.
async fn author(store: &Store, stored: &StoredTicket, address: &str) -> Result<Option<Author>> {
    if let Some(user) = store.credentials(address).await? {
        let current = CurrentUser {
            id: user.user_id,
            email: address.to_owned(),
            token: None,
        };
        match Member::load(store, current, stored.organization_id).await {
            Ok(member) if permissions::can_read(&member, stored) => {
                let actor = Actor::customer(store, &member).await?;
                return Ok(Some(Author {
                    actor,
                    user_id: member.user.id,
                    who: Who::member(&member),
                }));
            }
            Ok(_) | Err(crate::error::Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let ccd = stored
        .ticket
        .cc
        .iter()
        .any(|cc| cc.eq_ignore_ascii_case(address));
    Ok(ccd.then(|| Author {
        actor: Actor::Email {
            email: address.to_owned(),
        },
        // Not a console user: what they add is recorded as added on the submitter's ticket.
        user_id: stored.submitter_id,
        // ...but counted against the organization's limits only: the submitter did not write it.
        who: Who {
            user_id: None,
            organization_id: stored.organization_id,
        },
    }))
}

/// The reply's author, the user id their CC additions and files are recorded under, and whose
/// limits the reply counts against.
struct Author {
    actor: Actor,
    user_id: i64,
    who: Who,
}

/// What a reply adds, before the form's rules.
struct Reply {
    body: String,
    cc: Vec<String>,
    files: Vec<attachments::ReceivedFile>,
}

/// The addresses in the reply's `Cc`, less our own (reply addresses, `--mail-from`).
fn cc_candidates(message: &Message<'_>, settings: &InboundSettings) -> Vec<String> {
    let own_domain = format!("@{}", settings.reply_domain);
    message
        .cc()
        .into_iter()
        .flat_map(|list| list.iter())
        .filter_map(|addr| addr.address().map(normalise_email))
        .filter(|address| address != &settings.own_address && !address.ends_with(&own_domain))
        .collect()
}

/// The message's files that pass the upload checks (type by name and content, size, the ticket's
/// count and total), written to disk; refused ones are logged and skipped. Images embedded in the
/// HTML (inline, with a Content-ID: logos of signatures) are not files someone sent.
async fn received_files(
    message: &Message<'_>,
    settings: &InboundSettings,
    stored: &StoredTicket,
) -> Result<Vec<attachments::ReceivedFile>> {
    let storage = &settings.files;
    let held = || {
        stored
            .ticket
            .attachments
            .iter()
            .chain(stored.ticket.activity.iter().flat_map(|a| &a.attachments))
    };
    let mut total: u64 = held().map(|f| f.size).sum();
    // The file limit is per ticket: the ticket's files count, not only this message's.
    let mut count = held().count();
    let mut files = Vec::new();
    for part in message.attachments() {
        let inline = part
            .content_disposition()
            .is_some_and(|cd| cd.ctype().eq_ignore_ascii_case("inline"));
        if inline && part.content_id().is_some() {
            continue;
        }
        let raw_name = part.attachment_name().unwrap_or("file");
        let bytes = part.contents();
        let size = bytes.len() as u64;
        let name = attachments::sanitize_file_name(raw_name);
        if let Err(e) = check_attachment_room(&name, size, count, total) {
            skipped(&name, &e.message);
            continue;
        }
        match receive(storage, raw_name, bytes).await {
            Ok(file) => {
                count += 1;
                total += file.size();
                files.push(file);
            }
            Err(crate::error::Error::Invalid(messages)) => {
                let reason = messages
                    .first()
                    .map(|m| m.message.clone())
                    .unwrap_or_default();
                skipped(&name, &reason);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(files)
}

/// Logs a file left out of an email reply. The file's name (and the reason, which quotes it) is what
/// someone wrote: debug level only.
fn skipped(name: &str, reason: &str) {
    tracing::info!("email reply: file skipped");
    tracing::debug!(file = %name, %reason, "email reply: file skipped");
}

/// One file through the upload checks, in one chunk.
async fn receive(files: &Files, raw_name: &str, bytes: &[u8]) -> Result<attachments::ReceivedFile> {
    let mut incoming = IncomingFile::create(files, raw_name, bytes.len() as u64).await?;
    incoming.write(bytes).await?;
    incoming.finish().await
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Records the reply in one transaction, as a comment in the console does (the CCs through the
/// form's rules, a ticket awaiting the customer reopened), and emails everyone else on the ticket.
async fn add_reply(
    store: &Store,
    stored: StoredTicket,
    author: Author,
    mut reply: Reply,
    limits: &Limits,
) -> Result<Outcome> {
    let ticket_id = stored.ticket.id;
    let audience = Audience::load(store, stored.organization_id).await?;
    let mut tx = store.begin_write().await?;
    // Checked again under the write lock: the ticket may have changed since it was read.
    let stored = tx.ticket(ticket_id).await?.unwrap_or(stored);
    if stored.ticket.status == TicketStatus::Closed {
        drop(tx);
        answer_closed(store, &stored, author.actor.email().unwrap_or_default()).await?;
        return Ok(Outcome::AnsweredClosed { ticket_id });
    }
    let new_cc = new_ccs(&stored, author.actor.email().unwrap_or_default(), &reply.cc);
    let had_files = !reply.files.is_empty();
    reply.files = within_quota(&mut tx, limits, stored.organization_id, reply.files).await?;
    if reply.body.is_empty() && reply.files.is_empty() && new_cc.is_empty() {
        // Files dropped for the quota are worth a bounce: the sender thinks they sent something.
        return Ok(if had_files {
            Outcome::Refused(Refused::OverQuota)
        } else {
            Outcome::Dropped(Dropped::Empty)
        });
    }
    if let Some(refused) = take_limits(
        &mut tx,
        limits,
        &stored,
        &author,
        reply.files.len(),
        &new_cc,
    )
    .await?
    {
        // Dropping `tx` rolls back what the limits counted; dropping `reply` deletes its files.
        return Ok(Outcome::Refused(refused));
    }
    let now = clock::now_timestamp();
    let mut change = Change::default();
    let mut kept: Vec<KeptFile> = Vec::new();
    if !reply.body.is_empty() || !reply.files.is_empty() {
        let entry = Entry {
            body: &reply.body,
            by_email: true,
            ..Entry::default()
        };
        let activity = record(
            &mut tx,
            ticket_id,
            &author.actor,
            ActivityKind::Comment,
            entry,
            now,
        )
        .await?;
        for file in reply.files {
            let file = attachments::record_attached(
                &mut tx,
                file,
                stored.organization_id,
                author.user_id,
                ticket_id,
                activity,
            )
            .await?;
            change.files.push(file.file_name.clone());
            kept.push(file);
        }
        change.comment = Some(reply.body.clone());
    }
    if !new_cc.is_empty() {
        let cc: Vec<&str> = new_cc.iter().map(|e| e.as_str()).collect();
        tx.add_ccs(ticket_id, &cc, author.user_id, now).await?;
        change.cc_added = cc.iter().map(|e| (*e).to_owned()).collect();
        let entry = Entry {
            emails: &change.cc_added,
            by_email: true,
            ..Entry::default()
        };
        record(
            &mut tx,
            ticket_id,
            &author.actor,
            ActivityKind::CcAdded,
            entry,
            now,
        )
        .await?;
    }
    if change.comment.is_some() && stored.ticket.status == TicketStatus::AwaitingCustomer {
        set_status(&mut tx, ticket_id, &author.actor, TicketStatus::Open, now).await?;
        change.status = Some(TicketStatus::Open);
    }
    tx.touch_ticket(ticket_id, now).await?;
    let ticket = tx
        .ticket(ticket_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("ticket {ticket_id} vanished in its transaction"))?
        .ticket;
    emails::notify_change(&mut tx, &ticket, &audience, &author.actor, &change).await?;
    // The files are kept before the commit is issued: see `attachments::commit_keeping`.
    attachments::commit_keeping_files(tx, kept).await?;
    Ok(Outcome::Added {
        ticket_id,
        cc_added: change.cc_added,
        files: change.files,
    })
}

/// The files that fit in the organization's storage quota, in order; the others are logged and
/// deleted. In the write transaction: parallel replies and uploads cannot both squeeze in.
async fn within_quota(
    tx: &mut crate::store::Tx,
    limits: &Limits,
    organization_id: i64,
    files: Vec<attachments::ReceivedFile>,
) -> Result<Vec<attachments::ReceivedFile>> {
    if files.is_empty() {
        return Ok(files);
    }
    let mut used = tx.organization_files_bytes(organization_id).await?;
    let mut kept = Vec::with_capacity(files.len());
    for file in files {
        if used.saturating_add(file.size()) > limits.quota_bytes {
            skipped(
                file.file_name(),
                "over the organization's storage quota for files",
            );
            continue;
        }
        used += file.size();
        kept.push(file);
    }
    Ok(kept)
}

/// Counts the reply against the abuse limits in `tx`, as the console's comment path counts a
/// comment: one comment, `files` uploads (counted when uploaded in the console), and one email per
/// CC outside the organization, old or new, who will hear of it (not the author). The refusal when
/// past one, logged with the limit's sentence.
async fn take_limits(
    tx: &mut crate::store::Tx,
    limits: &Limits,
    stored: &StoredTicket,
    author: &Author,
    files: usize,
    new_cc: &[Email],
) -> Result<Option<Refused>> {
    let author_email = author.actor.email().unwrap_or_default();
    let cc: Vec<&str> = stored
        .ticket
        .cc
        .iter()
        .map(String::as_str)
        .chain(new_cc.iter().map(|e| e.as_str()))
        .filter(|cc| !cc.eq_ignore_ascii_case(author_email))
        .collect();
    let external = tx.non_members(stored.organization_id, &cc).await?.len();
    for (action, amount) in [
        (Action::Comment, 1),
        (Action::Upload, files),
        (Action::ExternalEmail, external),
    ] {
        match limits.take_for(tx, author.who, action, amount as i64).await {
            Ok(()) => {}
            Err(crate::error::Error::RateLimited {
                message,
                retry_after_secs,
            }) => {
                // The sentence holds counts and limits only, nothing the sender wrote.
                tracing::warn!(ticket_id = stored.ticket.id, %message, "email reply over a limit");
                return Ok(Some(Refused::OverLimit(action, retry_after_secs)));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// The reply's `Cc` addresses that join the ticket: those not on it yet (the author, the submitter
/// and the CC list are skipped quietly) that pass the form's rules; a refused one is logged.
fn new_ccs(stored: &StoredTicket, author_email: &str, candidates: &[String]) -> Vec<Email> {
    let ticket_id = stored.ticket.id;
    let context = CommentContext {
        cc: &stored.ticket.cc,
        submitter: &stored.ticket.submitter_email,
        author: author_email,
    };
    let mut new_cc: Vec<Email> = Vec::new();
    for address in candidates {
        let on_ticket = address.eq_ignore_ascii_case(author_email)
            || address.eq_ignore_ascii_case(&stored.ticket.submitter_email)
            || stored
                .ticket
                .cc
                .iter()
                .any(|cc| cc.eq_ignore_ascii_case(address))
            || new_cc.iter().any(|cc| cc.as_str() == address);
        if on_ticket {
            continue;
        }
        match check_new_cc(context, &new_cc, address) {
            Ok(email) => new_cc.push(email),
            Err(e) => {
                // The reason quotes the address: debug level only.
                tracing::info!(ticket_id, "email reply: CC skipped");
                tracing::debug!(ticket_id, reason = %e.message, "email reply: CC skipped");
            }
        }
    }
    new_cc
}

/// Tells `recipient` that their reply to the closed ticket was not added, and how to follow up.
async fn answer_closed(store: &Store, stored: &StoredTicket, recipient: &str) -> Result<()> {
    let ticket = &stored.ticket;
    let body = format!(
        "Your email was not added to support ticket #{id} (\"{subject}\"): the ticket is closed, so it \
         cannot get new comments.\n\nTo continue, create a follow-up ticket: open ticket #{id} in the \
         console's Support Center and choose \"create a follow-up ticket\", or create a new ticket and \
         mention #{id}.\n",
        id = ticket.id,
        subject = ticket.subject,
    );
    let mut tx = store.begin_write().await?;
    tx.enqueue_email(recipient, &email_subject(ticket), &body)
        .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_text_stays_and_the_history_and_signature_go() {
        let gmail = "Thanks, that fixed it.\r\n\r\nOn Mon, 30 Nov 2026 at 10:00, Support <support@example.com> wrote:\r\n> Try again.\r\n";
        assert_eq!(strip_reply(gmail), "Thanks, that fixed it.");
        let wrapped = "Yes.\n\nOn Mon, 30 Nov 2026 at 10:00, Sam from Support\n<support@example.com> wrote:\n> Try again.";
        assert_eq!(strip_reply(wrapped), "Yes.");
        let outlook = "Still broken.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nTry again.";
        assert_eq!(strip_reply(outlook), "Still broken.");
        let outlook_html = "Still broken.\n\n________________________________\nFrom: Support <support@example.com>\nSent: Monday\nTry again.";
        assert_eq!(strip_reply(outlook_html), "Still broken.");
        let from_block = "Noted.\n\nFrom: Support <support@example.com>\nDate: Monday\nSubject: x";
        assert_eq!(strip_reply(from_block), "Noted.");
        let signed = "See the log.\n\n-- \nDana Developer\nAcme";
        assert_eq!(strip_reply(signed), "See the log.");
        let inline = "> Which version?\n16.2\n> Which region?\neu-west-1";
        assert_eq!(strip_reply(inline), "16.2\neu-west-1");
        // Text that merely mentions "from:" or "on" is kept.
        let plain = "On second thought, it works.\nFrom: now on, fine.";
        assert_eq!(strip_reply(plain), plain);
    }

    #[test]
    fn reply_addresses_carry_a_hex_token_at_our_domain() {
        let token = "0123456789abcdef0123456789ABCDEF";
        assert_eq!(
            reply_token_of(
                &format!("reply+{token}@Support.Example.com"),
                "support.example.com"
            ),
            Some(token.to_ascii_lowercase())
        );
        assert_eq!(
            reply_token_of(
                &format!("reply+{token}@other.example"),
                "support.example.com"
            ),
            None
        );
        assert_eq!(
            reply_token_of("reply+not-hex@support.example.com", "support.example.com"),
            None
        );
        assert_eq!(
            reply_token_of("support@support.example.com", "support.example.com"),
            None
        );
    }
}
