-- Numbered 0008: 0007 is taken by the reply-by-email work of the same issue round.
-- Memberships a console token created (the user had none in that organization): they serve token requests only,
-- never the user's password sessions, which keep exactly the organizations they had here.
ALTER TABLE memberships ADD COLUMN via_token INTEGER NOT NULL DEFAULT 0 CHECK (via_token IN (0, 1));
