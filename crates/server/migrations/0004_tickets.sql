-- Support tickets, their CC lists, uploaded files, and the idempotency keys that make creating a ticket
-- safe to retry. Timestamps are RFC 3339 UTC text with whole seconds, so they compare as strings.

CREATE TABLE tickets (
    id                           INTEGER PRIMARY KEY,
    organization_id              INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    submitter_id                 INTEGER NOT NULL REFERENCES users (id),
    subject                      TEXT NOT NULL,
    severity                     TEXT NOT NULL CHECK (severity IN ('low', 'high', 'critical')),
    status                       TEXT NOT NULL DEFAULT 'open'
                                 CHECK (status IN ('open', 'awaiting_customer', 'solved', 'closed')),
    product_key                  TEXT NOT NULL,
    reason_key                   TEXT NOT NULL,
    -- A project or service that is deleted later leaves the ticket in place, without the reference.
    project_id                   INTEGER REFERENCES projects (id) ON DELETE SET NULL,
    service_id                   INTEGER REFERENCES services (id) ON DELETE SET NULL,
    description                  TEXT NOT NULL,
    -- The tier's target when the ticket was created: a later tier change does not rewrite history.
    first_response_target_unit   TEXT NOT NULL
                                 CHECK (first_response_target_unit IN ('business_days', 'minutes')),
    first_response_target_value  INTEGER NOT NULL CHECK (first_response_target_value > 0),
    first_response_due_at        TEXT NOT NULL,
    created_at                   TEXT NOT NULL,
    updated_at                   TEXT NOT NULL,
    -- A reason that tickets refer to cannot be deleted from the catalogue: they would lose their label.
    FOREIGN KEY (product_key, reason_key) REFERENCES product_reasons (product_key, key)
);
-- "My tickets": the submitter's tickets in an organization, most recently updated first.
CREATE INDEX tickets_by_submitter ON tickets (organization_id, submitter_id, updated_at);

CREATE TABLE ticket_cc (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    -- Normalised (trimmed, lower-cased) by the api crate's Email; NOCASE also matches users.email.
    email      TEXT NOT NULL COLLATE NOCASE,
    -- Order in which the addresses were added, shown as such.
    position   INTEGER NOT NULL,
    added_by   INTEGER NOT NULL REFERENCES users (id),
    added_at   TEXT NOT NULL,
    PRIMARY KEY (ticket_id, email)
);
-- Tickets a user is CCed on (they can read them when they are members of the organization).
CREATE INDEX ticket_cc_by_email ON ticket_cc (email);

-- Files are uploaded before the ticket exists (ticket_id NULL) and attached when it is created; uploads
-- never attached are swept after a day. The bytes live in <data-dir>/attachments/<stored_name>.
-- Comments (next) will add `comment_id INTEGER REFERENCES comments (id)` with ALTER TABLE ADD COLUMN,
-- which SQLite allows for a nullable reference.
CREATE TABLE attachments (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    ticket_id        INTEGER REFERENCES tickets (id) ON DELETE CASCADE,
    uploaded_by      INTEGER NOT NULL REFERENCES users (id),
    -- The uploader's name, sanitised; display only. The file on disk has a random server-chosen name.
    file_name        TEXT NOT NULL,
    stored_name      TEXT NOT NULL UNIQUE,
    size             INTEGER NOT NULL CHECK (size > 0),
    content_type     TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
-- A ticket's files; also finds the unattached ones (ticket_id IS NULL) for the orphan sweep.
CREATE INDEX attachments_by_ticket ON attachments (ticket_id);
-- A user's pending uploads, for the per-user cap.
CREATE INDEX attachments_unattached ON attachments (organization_id, uploaded_by)
    WHERE ticket_id IS NULL;

-- One row per (user, Idempotency-Key) for 24 hours. `in_flight` while the first request runs, then
-- `done` with the answer to replay. The key is claimed and completed in separate transactions, so a row
-- stuck `in_flight` (the process died) is taken over after a minute.
CREATE TABLE idempotency_keys (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    -- SHA-256 hex of what the request asked for; the same key with other content is refused.
    request_hash   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    status_code    INTEGER,
    response_body  TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, key),
    CHECK ((state = 'done') = (status_code IS NOT NULL AND response_body IS NOT NULL))
);
