-- The audit log. Users are referenced by id without a foreign key: the record of what happened
-- to an account must outlive the account.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event      TEXT    NOT NULL,
    actor_id   INTEGER,
    target_id  INTEGER,
    ip         TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '{}',
    at         INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, at);
CREATE INDEX audit_log_event_idx ON audit_log (event, at);
