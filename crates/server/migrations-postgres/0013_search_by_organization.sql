-- Search visits only the signed-in organization's matches (issue 14): the same meaning as SQLite's
-- migrations/0013_search_by_organization.sql, which explains why.
--
-- Here every indexed word carries its organization: `search` is built from `search_text` (the folded words,
-- one space apart, written by the server) with each word prefixed by `o<organization id>x`, and the server's
-- queries prefix every searched word the same way (`store::ticket_list::org_ts_query`). The GIN index keeps its
-- entries sorted, so a prefix search (`'o17xrepl':*`) walks only that organization's entries starting with the
-- word, and an exact organization-free entry no longer exists to be matched. A `btree_gin` index on
-- (organization_id, search) would not do it: a prefix search still collects every organization's matches of the
-- prefix before intersecting. The digits end at the `x`, so one organization's words are never a prefix of
-- another's (`o1x7...` against `o17x...`); words hold only letters and digits, so each stays one token for the
-- parser, whose rules are the same for the stored text and the query.
--
-- Dropping and adding the generated column recomputes it for every existing row; the old index goes with it.
ALTER TABLE tickets DROP COLUMN search;
ALTER TABLE tickets ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(search_text, '(\S+)', 'o' || organization_id::text || 'x\1', 'g'))
) STORED;
CREATE INDEX tickets_search ON tickets USING gin (search);
