-- Sessions are looked up by `revoked_at` only among the revoked (the revocation feed reads those
-- revoked since a time), yet the index held an entry for every live session too: each login's
-- new session wrote an index page for nothing. Limited to revoked sessions, the index is not
-- touched by a login or a rotation; a logout adds the one entry it needs.
DROP INDEX sessions_revoked_at_idx;
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
