//! What runs in the background while the server serves: delivering the outbox's emails over SMTP
//! ([`outbox`], with `--smtp-url`), sweeping uploads never attached to a ticket ([`sweeper`]), and
//! purging expired sessions and old sent emails ([`purge`]). While serving, each runs under a lease
//! ([`lease`]): of several instances on one database, one runs each job at a time.

pub mod lease;
pub mod outbox;
pub mod purge;
pub mod sweeper;
