-- Numbered 0011: 0010 is the sign-in limiter of the same issue.
-- The abuse limits' counted events (issue 12): tickets, comments, uploads and emails to addresses
-- outside the organization, per user and per organization. In the database so that several server
-- instances share them. A limit is "at most N in the last hour", so each request that counts is one
-- row per counter it counts against (`ticket:user:<id>`, `ticket:org:<id>`, ...) with its time and
-- how much it counts (an email counts its recipients). The check and the insert run in the request's
-- write transaction, so parallel requests cannot all pass one check. Rows older than the longest
-- window are purged by every insert, and a refused request stores nothing, so each counter holds at
-- most its limit's worth of rows.
CREATE TABLE rate_events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    -- Unix milliseconds.
    at_ms INTEGER NOT NULL,
    -- How much this request counts (1, or the number of recipients).
    amount INTEGER NOT NULL CHECK (amount > 0)
);

CREATE INDEX rate_events_by_key ON rate_events (key, at_ms);
CREATE INDEX rate_events_by_time ON rate_events (at_ms);

-- The storage quota sums an organization's file sizes on every upload: covered by this index.
CREATE INDEX attachments_by_organization ON attachments (organization_id, size);
