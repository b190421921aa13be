-- gatehouse schema, SQLite dialect. The PostgreSQL crate holds the same logical schema.
--
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC), so comparisons in SQL are
-- numeric and exact; dates are TEXT 'YYYY-MM-DD'; uuids are TEXT in hyphenated form; booleans
-- are INTEGER 0/1. Tables are STRICT so a wrongly typed bind fails instead of being coerced.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id         TEXT    NOT NULL,
    -- NOCASE makes every comparison and index on these columns ASCII case-insensitive.
    username          TEXT    NOT NULL COLLATE NOCASE,
    email             TEXT    NOT NULL COLLATE NOCASE,
    password_hash     TEXT    NOT NULL,
    first_name        TEXT    NOT NULL DEFAULT '',
    last_name         TEXT    NOT NULL DEFAULT '',
    phone_number      TEXT    NOT NULL DEFAULT '',
    date_of_birth     TEXT,
    gender            TEXT    NOT NULL DEFAULT '',
    role              TEXT    NOT NULL,
    is_active         INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    is_email_verified INTEGER NOT NULL DEFAULT 0 CHECK (is_email_verified IN (0, 1)),
    is_staff          INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
    is_superuser      INTEGER NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1)),
    date_joined       INTEGER NOT NULL,
    last_login        INTEGER
) STRICT;

-- The store maps a violation of these to the API field by the column SQLite names in the error.
CREATE UNIQUE INDEX users_public_id_key ON users (public_id);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    counter      INTEGER NOT NULL DEFAULT 0,
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    rotated_at   INTEGER,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE signing_keys (
    kid         TEXT    PRIMARY KEY NOT NULL,
    private_der BLOB    NOT NULL,
    public_raw  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER,
    is_current  INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1))
) STRICT;

-- At most one current key, so nodes racing to create one agree on a single key.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (is_current) WHERE is_current;

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
