-- As SQLite's 0014: the counters' sums come from the index alone (an index-only scan once the table is
-- vacuumed), and the old index (key, at_ms) is a prefix of the new one.
CREATE INDEX rate_events_by_key_amount ON rate_events (key, at_ms, amount);
DROP INDEX rate_events_by_key;
