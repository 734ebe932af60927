-- Delivery bookkeeping for the outbox worker. A row is due while it is unsent, has fewer than the
-- maximum attempts and next_attempt_at is NULL or past. Claiming a row counts the attempt and sets
-- next_attempt_at a lease ahead, so no other worker takes it while it is being sent; a failed attempt
-- sets it to when the retry is due (exponential backoff). RFC 3339 UTC text, like every timestamp.

ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
