-- One-time secrets and the job queue, SQLite dialect. The PostgreSQL crate holds the same
-- logical schema. Conventions as in 0001: INTEGER-microsecond timestamps, STRICT tables.

-- 6-digit codes and link tokens, stored only as keyed hashes. (`secrets` already names the
-- server's own named secrets, hence the longer name.)
CREATE TABLE one_time_secrets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('activation', 'login', 'password_reset',
                                                   'email_change', 'reset_link', 'reset_token')),
    hash       BLOB    NOT NULL,
    -- The address an email-change code confirms; empty for every other purpose.
    target     TEXT    NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    voided_at  INTEGER
) STRICT;

-- A user's newest secret of a purpose (live lookup, cooldown, voiding).
CREATE INDEX one_time_secrets_user_purpose_idx
    ON one_time_secrets (user_id, purpose, created_at);
-- Link tokens are found by hash. Not unique: hashes are keyed with the user and purpose, but
-- a collision must never make issuing a secret fail; lookups take the newest live match.
CREATE INDEX one_time_secrets_hash_idx ON one_time_secrets (purpose, hash);

-- Side effects committed with the change that causes them, run by workers holding a lease.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    run_at      INTEGER NOT NULL,
    lease_until INTEGER,
    locked_by   TEXT    NOT NULL DEFAULT '',
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
) STRICT;

-- Claiming: due queued jobs, and running jobs whose lease ran out.
CREATE INDEX jobs_state_run_at_idx ON jobs (state, run_at);
CREATE INDEX jobs_state_lease_until_idx ON jobs (state, lease_until);
