-- Search visits only the signed-in organization's matches (issue 14). Until now the full-text index held every
-- organization's words together: a search found the matches of all organizations first and the list dropped the
-- other organizations' afterwards (13,148 matches visited for one organization's 110 with the benchmark's data).
--
-- The index gains the ticket's organization as a fourth column, and every search the server builds ANDs the
-- user's words (limited to the three text columns, so no typed word can match an organization id) with that
-- organization's token (`store::ticket_list::org_fts_query`). FTS5 evaluates the AND inside the index, over the
-- organization's doclist and the words', so the rows handed to the list's query (and looked up in `tickets`) are
-- the organization's matches only: 110 instead of 13,148 for `replication` with the benchmark's data. (Inside
-- FTS5 a word longer than the prefix indexes' 2, 3 and 4 characters still merges its compact doclist over every
-- organization before the AND; that is a scan of packed rowids, not of rows.) A column rather than
-- organization-prefixed words because the index must stay an external-content index of `tickets`' own columns,
-- rebuildable here in SQL for the rows already there (SQLite's SQL cannot split text into words).
--
-- PostgreSQL's 0013 prefixes every indexed word with the organization instead (its GIN index then finds a
-- prefix's entries within one organization); both mean "the index answers for one organization".
DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_update;
DROP TABLE tickets_fts;

-- As 0009's, with the organization.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject,
    description,
    resource_ids,
    organization_id,
    content = 'tickets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, description, resource_ids, organization_id)
    VALUES (NEW.id, NEW.subject, NEW.description, NEW.resource_ids, NEW.organization_id);
END;

CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description, resource_ids, organization_id)
    VALUES ('delete', OLD.id, OLD.subject, OLD.description, OLD.resource_ids, OLD.organization_id);
END;

-- Only text (and, should it ever change, organization) changes touch the index: status and updated_at change
-- far more often.
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, resource_ids, organization_id ON tickets
BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject, description, resource_ids, organization_id)
    VALUES ('delete', OLD.id, OLD.subject, OLD.description, OLD.resource_ids, OLD.organization_id);
    INSERT INTO tickets_fts (rowid, subject, description, resource_ids, organization_id)
    VALUES (NEW.id, NEW.subject, NEW.description, NEW.resource_ids, NEW.organization_id);
END;

INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
