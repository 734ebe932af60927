-- The conversation on a ticket (issue #5): comments, CC changes and status changes as one activity
-- stream, files sent with comments, the first response, follow-up tickets, full-text search over
-- subject and description, admins who follow every ticket of their organization, and the indexes that
-- page the ticket lists by keyset (never OFFSET).

-- One entry of a ticket's conversation. Agents are not console users: their name is stored as given
-- (`author_id` is NULL for them), and a customer's name is stored as it was when they wrote, so the
-- conversation reads the same after a rename.
CREATE TABLE ticket_activity (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('comment', 'cc_added', 'cc_removed', 'status_changed')),
    author_kind  TEXT NOT NULL CHECK (author_kind IN ('customer', 'agent')),
    author_id    INTEGER REFERENCES users (id),
    author_name  TEXT NOT NULL,
    -- The comment's text; empty for the other kinds.
    body         TEXT NOT NULL DEFAULT '',
    -- JSON array of the addresses added or removed, for the CC kinds.
    emails       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(emails)),
    -- The new status, for status_changed.
    status       TEXT CHECK (status IN ('open', 'awaiting_customer', 'solved', 'closed')),
    created_at   TEXT NOT NULL,
    CHECK ((author_kind = 'customer') = (author_id IS NOT NULL)),
    CHECK ((kind = 'status_changed') = (status IS NOT NULL))
);
-- A ticket's conversation, oldest first.
CREATE INDEX ticket_activity_by_ticket ON ticket_activity (ticket_id, created_at);

-- Files sent with a comment keep `ticket_id` (downloads and the 50 MB total per ticket go by ticket) and
-- name their comment here; the ticket's own files have NULL. Activities are only ever deleted with their
-- ticket, whose cascade reaches the files through `ticket_id` and its index first, so this column needs
-- no index of its own.
ALTER TABLE attachments ADD COLUMN activity_id INTEGER REFERENCES ticket_activity (id) ON DELETE CASCADE;

-- When the support team first replied (NULL until it has).
ALTER TABLE tickets ADD COLUMN first_response_at TEXT;
-- The closed ticket of the same organization that this one follows up.
ALTER TABLE tickets ADD COLUMN follow_up_of INTEGER REFERENCES tickets (id) ON DELETE SET NULL;
-- Who wrote the latest comment, for the lists (kept by the trigger below, so no list query has to look
-- into the activity table).
ALTER TABLE tickets ADD COLUMN last_replied_by TEXT;
ALTER TABLE tickets ADD COLUMN last_reply_from_agent INTEGER NOT NULL DEFAULT 0
    CHECK (last_reply_from_agent IN (0, 1));

CREATE TRIGGER ticket_activity_last_reply AFTER INSERT ON ticket_activity
WHEN NEW.kind = 'comment'
BEGIN
    UPDATE tickets
    SET last_replied_by = NEW.author_name, last_reply_from_agent = (NEW.author_kind = 'agent')
    WHERE id = NEW.ticket_id;
END;

-- Keyset pages of a whole organization, newest first by either sort key, ties broken by id. (The
-- submitter's half of "My tickets" uses tickets_by_submitter from 0004.)
CREATE INDEX tickets_by_updated ON tickets (organization_id, updated_at, id);
CREATE INDEX tickets_by_created ON tickets (organization_id, created_at, id);

-- Search: every word the user types is a prefix query over subject and description. External content:
-- the text lives only in `tickets`, the index is kept in step by the triggers below. Diacritics and
-- case are folded; prefix indexes make two- to four-letter prefixes cheap.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject,
    description,
    content = 'tickets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, description)
    VALUES (NEW.id, NEW.subject, NEW.description);
END;

CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description)
    VALUES ('delete', OLD.id, OLD.subject, OLD.description);
END;

-- Only text changes touch the index: status and updated_at change far more often.
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description)
    VALUES ('delete', OLD.id, OLD.subject, OLD.description);
    INSERT INTO tickets_fts (rowid, subject, description)
    VALUES (NEW.id, NEW.subject, NEW.description);
END;

-- Tickets created before this migration.
INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');

-- Admins who get the emails of every ticket of their organization. Only current admins are emailed
-- (the recipients query joins memberships), so a demoted admin stops getting them at once.
CREATE TABLE ticket_followers (
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    since            TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
) WITHOUT ROWID;
