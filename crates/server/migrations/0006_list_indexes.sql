-- The keyset indexes of 0005 also carry what the lists filter on (the submitter for "My tickets",
-- status, severity), so walking one checks the filters without reading ticket rows, which hold
-- descriptions of up to 32,000 characters. A user with few tickets in a large organization no longer
-- costs one row read per ticket of the organization. (A new migration rather than an edit of 0005,
-- which databases in use have already applied.)

DROP INDEX tickets_by_updated;
DROP INDEX tickets_by_created;
CREATE INDEX tickets_by_updated
    ON tickets (organization_id, updated_at, id, submitter_id, status, severity);
CREATE INDEX tickets_by_created
    ON tickets (organization_id, created_at, id, submitter_id, status, severity);
