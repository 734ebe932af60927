//! What runs in the background while the server serves: delivering the outbox's emails over SMTP
//! ([`outbox`], with `--smtp-url`) and sweeping uploads never attached to a ticket ([`sweeper`]).

pub mod outbox;
pub mod sweeper;
