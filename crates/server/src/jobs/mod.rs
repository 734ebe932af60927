//! What runs in the background while the server serves: delivering the outbox's emails over SMTP
//! ([`outbox`], with `--smtp-url`), sweeping uploads never attached to a ticket ([`sweeper`]), and
//! purging expired sessions and old sent emails ([`purge`]).

pub mod outbox;
pub mod purge;
pub mod sweeper;
