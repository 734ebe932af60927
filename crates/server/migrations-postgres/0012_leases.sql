-- Several server instances on one database (issue 14): the same tables and meaning as SQLite's
-- migrations/0012_leases.sql, which explains them.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
