//! Delivering the outbox. Emails are rows, recorded inside the transaction that makes the change they
//! report (`Tx::enqueue_email`), so a rolled-back change never sends mail and a committed one always
//! has its email recorded.
//!
//! Delivery: when `--smtp-url` is set, `serve` delivers under the `outbox` lease (`jobs::lease`, one
//! instance of several at a time; [`deliver_leased`]): it sends the unsent rows over plain SMTP
//! ([`deliver_pending`]) and records each outcome on the row. Without it the rows are the record and
//! nothing is sent.
//!
//! A row is claimed before it is sent: one `UPDATE` counts the attempt, records the claiming process
//! (`claimed_by`) and moves `next_attempt_at` a lease ahead, so another worker (or a second server on
//! the same database) skips it. A new holder of the `outbox` lease makes rows still claimed by a
//! process that stopped due again at once ([`deliver_leased`]). A failure sets
//! `next_attempt_at` to when the retry is due, doubling each time; after [`MAX_ATTEMPTS`] the row is
//! left alone. Delivery is at least once, not exactly once: if the process dies after the SMTP server
//! accepted an email but before `sent_at` is written, the row is sent again (when another instance
//! takes the `outbox` lease over, or once the row's claim runs out);
//! the resend carries the same Message-ID (fixed when the row was recorded), so mail systems and
//! clients that deduplicate by Message-ID show it once.
//!
//! Headers ([`Sender`]): every email has its `Message-ID`, `Auto-Submitted: auto-generated` (so
//! well-behaved auto-responders stay quiet) and `X-Loop` (so our own mail coming back is recognised,
//! `rules::mail`). An email about a ticket also has `In-Reply-To` and `References` naming the ticket's
//! root Message-ID, so mail clients thread a ticket's emails, and, with `--reply-domain`, a per-recipient
//! `Reply-To: reply+TOKEN@<domain>` and a line saying that replying works.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::clock;
use crate::config::{Config, SmtpUrl};
use crate::error::Result;
use crate::jobs::lease::Run;
use crate::store::Store;
use crate::store::outbox::QueuedEmail;

/// The lease of the outbox's delivery (`jobs::lease`).
pub const LEASE_NAME: &str = "outbox";

/// Rows that failed this many times are not tried again (they stay unsent, with their last error).
pub const MAX_ATTEMPTS: i64 = 10;

/// How long a claimed row is reserved for the worker sending it. Longer than one send can take (the
/// mailer gives up on an SMTP command after [`SMTP_TIMEOUT`]).
const LEASE: Duration = Duration::from_secs(10 * 60);

/// Longest wait for one SMTP reply.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Stored errors are cut to this many characters.
const MAX_ERROR_CHARS: usize = 500;

/// Emails a leased round sends before it logs their counts (it looks at its lease between emails).
const WORKER_BATCH: usize = 50;

/// The SMTP transport the worker sends with.
pub type Mailer = AsyncSmtpTransport<Tokio1Executor>;

/// The mailer is built here, with the delivery settings; the URL is parsed with the configuration.
impl SmtpUrl {
    /// A mailer for this server.
    pub fn mailer(&self) -> Mailer {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .timeout(Some(SMTP_TIMEOUT))
            .build()
    }
}

/// Who the emails are from and where replies go: what the headers need besides the row.
#[derive(Debug, Clone)]
pub struct Sender {
    /// `From`, also the `X-Loop` value.
    pub from: Mailbox,
    /// `--reply-domain`: with it, emails about a ticket carry `Reply-To: reply+TOKEN@<domain>`.
    pub reply_domain: Option<String>,
}

impl Sender {
    /// A sender without reply addresses.
    pub fn new(from: Mailbox) -> Self {
        Self {
            from,
            reply_domain: None,
        }
    }

    /// The configured sender (`--mail-from`, `--reply-domain`).
    pub fn from_config(config: &Config) -> Self {
        Self {
            from: config.mail_from.clone(),
            reply_domain: config.reply_domain.clone(),
        }
    }

    /// The domain of our Message-IDs: the reply domain, or the sender address's.
    pub fn message_id_domain(&self) -> &str {
        self.reply_domain
            .as_deref()
            .unwrap_or_else(|| self.from.email.domain())
    }

    /// `<ticket-42@domain>`: the root every email about ticket 42 answers (`In-Reply-To`,
    /// `References`). No email carries it as its own Message-ID; clients thread on it all the same.
    pub fn ticket_root(&self, ticket_id: i64) -> String {
        format!("<ticket-{ticket_id}@{}>", self.message_id_domain())
    }

    /// The Message-ID of outbox row `row`.
    fn message_id(&self, row: &QueuedEmail) -> String {
        let unique = match &row.message_id {
            Some(unique) => unique.clone(),
            // Recorded before rows had one: the row id is stable too.
            None => format!("outbox-{}", row.id),
        };
        format!("<{unique}@{}>", self.message_id_domain())
    }
}

/// The line added to an email that has a reply address.
pub const REPLY_HINT: &str = "Reply to this email to add a comment to the ticket (keep the \
    address it replies to); people you CC on your reply are added to the ticket's CC list.";

/// How long to wait after the `attempts`-th failed attempt: one minute, doubling each time, at most six
/// hours. Ten attempts span about eight and a half hours.
pub fn retry_delay(attempts: i64) -> Duration {
    const BASE_SECS: u64 = 60;
    const MAX_SECS: u64 = 6 * 60 * 60;
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    Duration::from_secs((BASE_SECS << doublings).min(MAX_SECS))
}

/// What one [`deliver_pending`] call did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Emails the SMTP server accepted.
    pub sent: usize,
    /// Emails that failed this time (each is retried after its backoff, up to [`MAX_ATTEMPTS`]).
    pub failed: usize,
}

/// Sends up to `limit` due rows (unsent, fewer than [`MAX_ATTEMPTS`] attempts, backoff over), oldest
/// first, as plain-text emails from `from`, and records each outcome. Safe to run from several tasks or
/// processes at once: each row is claimed before it is sent, so no row is sent by two of them.
///
/// Errors are the database's; a failed send is counted in the report and stored on its row.
pub async fn deliver_pending<M>(
    store: &Store,
    mailer: &M,
    from: &Mailbox,
    limit: usize,
) -> Result<DeliveryReport>
where
    M: AsyncTransport + Sync,
    M::Error: fmt::Display,
{
    deliver_pending_as(store, mailer, &Sender::new(from.clone()), limit).await
}

/// [`deliver_pending`] with reply addresses when `sender` has a reply domain.
pub async fn deliver_pending_as<M>(
    store: &Store,
    mailer: &M,
    sender: &Sender,
    limit: usize,
) -> Result<DeliveryReport>
where
    M: AsyncTransport + Sync,
    M::Error: fmt::Display,
{
    let mut report = DeliveryReport::default();
    for _ in 0..limit {
        let Some(row) = claim(store).await? else {
            break;
        };
        match send(mailer, sender, &row).await {
            Ok(()) => {
                store
                    .mark_email_sent(row.id, clock::now_timestamp())
                    .await?;
                report.sent += 1;
            }
            Err(error) => {
                let retry_at = clock::now() + retry_delay(row.attempts);
                store
                    .mark_email_failed(row.id, &error, clock::timestamp(retry_at))
                    .await?;
                if row.attempts >= MAX_ATTEMPTS {
                    tracing::warn!(id = row.id, attempts = row.attempts, %error, "email not sent; giving up");
                } else {
                    tracing::warn!(id = row.id, attempts = row.attempts, %error, "email not sent; will retry");
                }
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// Takes the oldest due row: counts the attempt and reserves the row for [`LEASE`], in one statement,
/// so two workers never get the same row.
async fn claim(store: &Store) -> Result<Option<QueuedEmail>> {
    let now = clock::now();
    store
        .claim_due_email(
            clock::timestamp(now),
            clock::timestamp(now + LEASE),
            MAX_ATTEMPTS,
            crate::jobs::lease::process_id(),
        )
        .await
}

/// Sends `row`; the error is a short sentence fit to store (no connection details beyond what the
/// SMTP server said).
async fn send<M>(mailer: &M, sender: &Sender, row: &QueuedEmail) -> Result<(), String>
where
    M: AsyncTransport + Sync,
    M::Error: fmt::Display,
{
    let message = build_message(sender, row)?;
    mailer
        .send(message)
        .await
        .map(drop)
        .map_err(|e| truncate(e.to_string()))
}

/// The email for `row`, with the headers described in the module's documentation.
pub fn build_message(sender: &Sender, row: &QueuedEmail) -> Result<Message, String> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("invalid recipient address: {e}"))?;
    let raw = |name: &'static str, value: String| {
        HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
    };
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(row.subject.as_str())
        .message_id(Some(sender.message_id(row)))
        .header(ContentType::TEXT_PLAIN);
    let mut body = row.body.clone();
    if let Some(ticket_id) = row.ticket_id {
        let root = sender.ticket_root(ticket_id);
        builder = builder.in_reply_to(root.clone()).references(root);
        if let (Some(domain), Some(token)) = (&sender.reply_domain, &row.reply_token) {
            let reply_to: Mailbox = format!("reply+{token}@{domain}")
                .parse()
                .map_err(|e| format!("invalid reply address: {e}"))?;
            builder = builder.reply_to(reply_to);
            body = format!("{}\n\n{REPLY_HINT}\n", body.trim_end());
        }
    }
    let mut message = builder
        .body(body)
        .map_err(|e| format!("could not build the email: {e}"))?;
    let headers = message.headers_mut();
    headers.insert_raw(raw("Auto-Submitted", "auto-generated".to_owned()));
    headers.insert_raw(raw("X-Loop", sender.from.email.to_string()));
    Ok(message)
}

fn truncate(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MAX_ERROR_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// One leased round of delivery (`serve` runs it under the `outbox` lease, `jobs::lease`): sends due
/// rows one at a time until none is due or `run` says to stop. The first round after the lease was
/// taken first makes the rows a previous holder claimed and never finished due again: that holder
/// stopped sending when it lost the lease (or died), so they would otherwise wait out their claim.
pub async fn deliver_leased(store: &Store, mailer: &Mailer, sender: &Sender, run: &Run) {
    if run.is_first() {
        match store.release_email_claims().await {
            Ok(0) => {}
            Ok(released) => {
                tracing::info!(
                    released,
                    "emails a previous outbox worker left in flight are due again"
                )
            }
            Err(error) => {
                tracing::error!(%error, "outbox delivery stopped by a database error");
                return;
            }
        }
    }
    let mut report = DeliveryReport::default();
    while run.should_continue() {
        match deliver_pending_as(store, mailer, sender, 1).await {
            Ok(DeliveryReport { sent: 0, failed: 0 }) => break,
            Ok(one) => {
                report.sent += one.sent;
                report.failed += one.failed;
            }
            Err(error) => {
                tracing::error!(%error, "outbox delivery stopped by a database error");
                break;
            }
        }
        if report.sent + report.failed == WORKER_BATCH {
            log_round(report);
            report = DeliveryReport::default();
        }
    }
    log_round(report);
}

fn log_round(report: DeliveryReport) {
    if report.sent + report.failed > 0 {
        tracing::info!(
            sent = report.sent,
            failed = report.failed,
            "outbox delivery"
        );
    }
}
