-- Numbered 0010: 0009 is the ticket resources migration of the same round.
-- Sign-in limiter state, in the database so that several server instances share it (issue 12).
-- One row per counter: `account:<email>` (failures, for the growing wait), `address:<ip>` and `global`
-- (attempts in a fixed window). A row is reserved (counted) before the password is checked, in one
-- write transaction, so parallel guesses cannot all pass the check. Rows idle for longer than the
-- longest wait are purged by every reservation, which keeps the table bounded: the per-address and
-- global limits bound how many rows can be created per window.
CREATE TABLE sign_in_limits (
    key TEXT PRIMARY KEY,
    -- Failures (account) or attempts in the window (address, global).
    count INTEGER NOT NULL CHECK (count >= 0),
    -- Unix milliseconds: when the window began (address, global).
    window_start_ms INTEGER NOT NULL,
    -- Unix milliseconds of the last counted attempt.
    last_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sign_in_limits_last ON sign_in_limits (last_ms);
