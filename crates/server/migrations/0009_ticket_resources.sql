-- A ticket names any number of affected projects and services (issue 11), each a project or a service of a
-- project, in the order given. The single `tickets.project_id` / `service_id` of older tickets are copied here,
-- so they read as before; the columns stay (SQLite cannot drop a column that is a foreign key) but are no longer
-- written.
CREATE TABLE ticket_resources (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    -- A project or service deleted later leaves the ticket in place without it, as the old columns did.
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    -- NULL when the entry is the project itself.
    service_id  INTEGER REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, position)
) WITHOUT ROWID;

INSERT INTO ticket_resources (ticket_id, position, project_id, service_id)
SELECT id, 0, project_id, service_id FROM tickets WHERE project_id IS NOT NULL;

-- The list's search matches the projects and services by their IDs (`acme-prod`, `acme-prod/pg-main`): the
-- full-text index needs them as a column of `tickets`, its content table. They are written with the ticket
-- (names as they were then: a project renamed later is still found by its old name, as its emails said).
ALTER TABLE tickets ADD COLUMN resource_ids TEXT NOT NULL DEFAULT '';

UPDATE tickets SET resource_ids = COALESCE(
    (SELECT p.name || COALESCE('/' || s.name, '')
     FROM projects p LEFT JOIN services s ON s.id = tickets.service_id
     WHERE p.id = tickets.project_id),
    '');

DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_update;
DROP TABLE tickets_fts;

-- As 0005's, with the third column.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject,
    description,
    resource_ids,
    content = 'tickets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, description, resource_ids)
    VALUES (NEW.id, NEW.subject, NEW.description, NEW.resource_ids);
END;

CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description, resource_ids)
    VALUES ('delete', OLD.id, OLD.subject, OLD.description, OLD.resource_ids);
END;

-- Only text changes touch the index: status and updated_at change far more often.
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, resource_ids ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description, resource_ids)
    VALUES ('delete', OLD.id, OLD.subject, OLD.description, OLD.resource_ids);
    INSERT INTO tickets_fts (rowid, subject, description, resource_ids)
    VALUES (NEW.id, NEW.subject, NEW.description, NEW.resource_ids);
END;

INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
