//! `support-server mail ingest`: one raw RFC 5322 message on standard input, as a mail server's pipe
//! delivery hands it over (Postfix `pipe`, Exim `pipe` transport, a `.forward`/aliases `|command`),
//! taken by the same rules as `POST /api/v1/inbound-mail` (`rules::mail`).
//!
//! The exit status tells the mail server what to do, in the sysexits(3) codes they understand:
//! 0 for a message taken, answered or quietly dropped (automatic mail must not bounce: that is how
//! loops start); [`EX_DATAERR`] (too big, unreadable, too long), [`EX_NOUSER`] (no reply address, an
//! unknown token) and [`EX_NOPERM`] (the sender is not the token's recipient, or no longer on the
//! ticket) and [`EX_CANTCREAT`] (its files do not fit in the organization's storage quota) make it
//! bounce to the sender; [`EX_TEMPFAIL`] (the database or disk failed, or the reply is over an hourly
//! abuse limit, which a later try within the mail server's retry period may be under) makes it try
//! again later; [`EX_CONFIG`] without `--reply-domain`.

use std::io::Read;

use crate::cli::open_existing;
use crate::config::Config;
use crate::files::Files;
use crate::rules::mail::{self, InboundSettings, Outcome, Refused};

/// sysexits(3): the input data was incorrect.
pub const EX_DATAERR: i32 = 65;
/// sysexits(3): addressee unknown.
pub const EX_NOUSER: i32 = 67;
/// sysexits(3): temporary failure; the mail server tries again later.
pub const EX_TEMPFAIL: i32 = 75;
/// sysexits(3): permission denied.
pub const EX_NOPERM: i32 = 77;
/// sysexits(3): an output file cannot be created.
pub const EX_CANTCREAT: i32 = 73;
/// sysexits(3): configuration error.
pub const EX_CONFIG: i32 = 78;

/// Reads one message from `input` and takes it; the exit status, with a sentence on standard error
/// for anything but success (mail servers put it in the bounce or their log).
pub async fn ingest(config: &Config, mut input: impl Read) -> i32 {
    let files = match Files::open(&config.attachments()) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e:#}");
            return EX_CONFIG;
        }
    };
    let Some(settings) = InboundSettings::from_config(config, &files) else {
        eprintln!("error: replies by email are off: set --reply-domain (SUPPORT_REPLY_DOMAIN)");
        return EX_CONFIG;
    };
    // One byte more than allowed is enough to know it is too big.
    let mut raw = Vec::new();
    let limit = settings.max_bytes.saturating_add(1);
    if let Err(e) = input.by_ref().take(limit).read_to_end(&mut raw) {
        eprintln!("error: reading the message: {e}");
        return EX_TEMPFAIL;
    }
    let store = match open_existing(config).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: {e:#}");
            return EX_TEMPFAIL;
        }
    };
    let result = mail::ingest(&store, &settings, &raw).await;
    // A refused reply's files are deleted from a bucket in the background: before the process ends.
    settings.files.settle().await;
    store.close().await;
    match result {
        Ok(outcome) => exit_code(&outcome),
        Err(e) => {
            eprintln!("error: {e}");
            EX_TEMPFAIL
        }
    }
}

/// The exit status for `outcome`, with its reason on standard error.
pub fn exit_code(outcome: &Outcome) -> i32 {
    let code = match outcome {
        Outcome::Added { .. } | Outcome::AnsweredClosed { .. } | Outcome::Dropped(_) => 0,
        Outcome::Refused(Refused::TooBig | Refused::Unparseable | Refused::TooLong) => EX_DATAERR,
        Outcome::Refused(Refused::NoReplyAddress | Refused::UnknownToken) => EX_NOUSER,
        Outcome::Refused(Refused::SenderMismatch | Refused::NotOnTicket) => EX_NOPERM,
        Outcome::Refused(Refused::OverQuota) => EX_CANTCREAT,
        Outcome::Refused(Refused::OverLimit(..)) => EX_TEMPFAIL,
    };
    if let Some(reason) = outcome.reason() {
        eprintln!("{}: {reason}", outcome.label());
    }
    code
}
