-- Several server instances on one database (issue 14). Background work (the outbox's delivery, the sweep
-- of unattached uploads, the purge) runs on one instance at a time: the one holding the job's lease. A
-- lease is taken with one conditional upsert that only succeeds while the row is free, expired or
-- already this holder's, renewed while the holder works and deleted when it stops, so another instance
-- takes over within one lease period when the holder dies. Same statement and meaning on PostgreSQL
-- (migrations-postgres/0012_leases.sql).
CREATE TABLE leases (
    -- The job: `outbox`, `sweeper`, `purge`.
    name TEXT PRIMARY KEY,
    -- The instance holding it: `<host>:<pid>:<random>`, unique per process.
    holder TEXT NOT NULL,
    -- Unix milliseconds (the holder's clock): free for others from then on.
    expires_at_ms INTEGER NOT NULL
);

-- Which process has an outbox row in flight: set when the row is claimed, cleared when the outcome is
-- recorded. A new outbox lease holder sends such rows again at once (their process stopped holding the
-- lease, so it is not sending any more) instead of waiting out the claim.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
