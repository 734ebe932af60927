//! Safe retries of the requests that create something (a ticket, a comment): the header, the key's
//! shape, and how long the server remembers a key.

/// Request header that makes creating a ticket or a comment safe to retry: the same key and payload
/// within [`IDEMPOTENCY_KEY_LIFETIME_SECS`] replays the first answer instead of creating a second one.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Longest accepted idempotency key.
pub const IDEMPOTENCY_KEY_MAX_LEN: usize = 128;

/// How long the server remembers a key, in seconds (24 hours); after that the same key starts a new
/// request.
pub const IDEMPOTENCY_KEY_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// How old a saved draft's key may be before the SPA replaces it, in seconds (23 hours): an hour less
/// than [`IDEMPOTENCY_KEY_LIFETIME_SECS`], so a key the SPA reuses is always one the server still
/// remembers, whatever the clocks' drift.
pub const DRAFT_KEY_MAX_AGE_SECS: u64 = IDEMPOTENCY_KEY_LIFETIME_SECS - 60 * 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_key_is_replaced_an_hour_before_the_server_forgets_it() {
        assert_eq!(IDEMPOTENCY_KEY_LIFETIME_SECS, 86_400);
        assert_eq!(DRAFT_KEY_MAX_AGE_SECS, 23 * 3600);
    }
}
