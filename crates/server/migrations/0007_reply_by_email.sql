-- no-transaction
-- Replies by email (issue #11). sqlx runs this file outside its own transaction (the directive on the
-- first line) because rebuilding `ticket_activity` needs foreign keys off, which SQLite ignores inside
-- a transaction: with them on, dropping the old table would cascade-delete the comments' files
-- (attachments.activity_id ... ON DELETE CASCADE). The rebuild itself runs in one transaction below.
PRAGMA foreign_keys = OFF;

BEGIN;

-- The conversation gains authors who are not console users: a CCed address replying by email
-- (author_kind 'email', author_id NULL, author_name the address), and `by_email` marks every entry
-- that arrived as an email reply, whoever wrote it. SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt (https://sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"); ids are kept, so attachments.activity_id still points at the same entries.
CREATE TABLE ticket_activity_new (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('comment', 'cc_added', 'cc_removed', 'status_changed')),
    author_kind  TEXT NOT NULL CHECK (author_kind IN ('customer', 'agent', 'email')),
    author_id    INTEGER REFERENCES users (id),
    author_name  TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    emails       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(emails)),
    status       TEXT CHECK (status IN ('open', 'awaiting_customer', 'solved', 'closed')),
    created_at   TEXT NOT NULL,
    by_email     INTEGER NOT NULL DEFAULT 0 CHECK (by_email IN (0, 1)),
    CHECK ((author_kind = 'customer') = (author_id IS NOT NULL)),
    CHECK ((kind = 'status_changed') = (status IS NOT NULL)),
    CHECK (author_kind <> 'email' OR by_email = 1)
);
INSERT INTO ticket_activity_new
    (id, ticket_id, kind, author_kind, author_id, author_name, body, emails, status, created_at)
SELECT id, ticket_id, kind, author_kind, author_id, author_name, body, emails, status, created_at
FROM ticket_activity;
DROP TABLE ticket_activity;
ALTER TABLE ticket_activity_new RENAME TO ticket_activity;
CREATE INDEX ticket_activity_by_ticket ON ticket_activity (ticket_id, created_at);
CREATE TRIGGER ticket_activity_last_reply AFTER INSERT ON ticket_activity
WHEN NEW.kind = 'comment'
BEGIN
    UPDATE tickets
    SET last_replied_by = NEW.author_name, last_reply_from_agent = (NEW.author_kind = 'agent')
    WHERE id = NEW.ticket_id;
END;

-- Who may reply by email: one random token per (ticket, recipient), carried in the reply address
-- `reply+TOKEN@<reply domain>` of every email to that recipient about that ticket. Random and stored
-- rather than an HMAC: the address must name both the recipient and the ticket within the 64
-- characters of an address's local part, a lookup needs no key to manage or rotate, and a token dies
-- with its ticket.
CREATE TABLE reply_tokens (
    token       TEXT PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    -- Normalised (trimmed, lower-cased) like ticket_cc.email.
    recipient   TEXT NOT NULL COLLATE NOCASE,
    created_at  TEXT NOT NULL,
    UNIQUE (ticket_id, recipient)
) WITHOUT ROWID;

-- Threading: each email's Message-ID is fixed when it is recorded (its local part here), so a resend
-- after a crash carries the same Message-ID and the recipient's mail system can drop the duplicate.
-- An email about a ticket names it (In-Reply-To/References the ticket's root Message-ID) and carries
-- its recipient's reply token.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN reply_token TEXT;

-- Files that arrived in an email reply from someone who is not a console user have no uploader.
-- (attachments.uploaded_by is NOT NULL; such files are recorded as uploaded by the ticket's
-- submitter, on whose ticket they land, and the comment that holds them names the real sender.)

COMMIT;

PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
