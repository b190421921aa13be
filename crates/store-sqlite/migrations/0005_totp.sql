-- The TOTP second factor (RFC 6238), SQLite dialect. The PostgreSQL crate holds the same logical
-- schema. Both tables go with their user (ON DELETE CASCADE).

-- One enrolment per user. `secret` is sealed by the server (AES-256-GCM under a server key), never
-- the plain secret. Until `confirmed_at` is set it does not guard logins. `last_step` is the
-- newest RFC 6238 time step a code was accepted for: codes of that step or older are refused, so
-- no code is accepted twice (-1 before the first).
CREATE TABLE mfa_totp (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT -1
) STRICT;

-- Single-use recovery codes, kept only as keyed hashes.
CREATE TABLE mfa_recovery_codes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    BLOB    NOT NULL,
    used_at INTEGER
) STRICT;

CREATE INDEX mfa_recovery_codes_user_idx ON mfa_recovery_codes (user_id);

-- Login challenges are one-time secrets of a new purpose. SQLite cannot alter a CHECK
-- constraint, so the table is rebuilt with the same columns, rows and indexes (nothing
-- references it).
CREATE TABLE one_time_secrets_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('activation', 'login', 'password_reset',
                                                   'email_change', 'reset_link', 'reset_token',
                                                   'mfa_challenge')),
    hash       BLOB    NOT NULL,
    -- The address an email-change code confirms; empty for every other purpose.
    target     TEXT    NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    voided_at  INTEGER
) STRICT;

INSERT INTO one_time_secrets_new
    (id, user_id, purpose, hash, target, attempts, created_at, expires_at, used_at, voided_at)
SELECT id, user_id, purpose, hash, target, attempts, created_at, expires_at, used_at, voided_at
FROM one_time_secrets;

DROP TABLE one_time_secrets;
ALTER TABLE one_time_secrets_new RENAME TO one_time_secrets;

CREATE INDEX one_time_secrets_user_purpose_idx
    ON one_time_secrets (user_id, purpose, created_at);
CREATE INDEX one_time_secrets_hash_idx ON one_time_secrets (purpose, hash);
