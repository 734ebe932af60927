-- The abuse limits read a counter's sum in every write transaction of a ticket, comment or upload
-- (`store::rate_events`). With the amount in the index, that sum is read from the index alone, without a
-- lookup of each counted row in the table: those transactions queue behind each other, so their reads must be
-- short. The old index (key, at_ms) is a prefix of the new one and goes.
CREATE INDEX rate_events_by_key_amount ON rate_events (key, at_ms, amount);
DROP INDEX rate_events_by_key;
