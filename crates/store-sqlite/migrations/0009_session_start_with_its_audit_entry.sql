-- A login writes its session and the audit entry that records it together, in one statement:
-- one call to the writer connection's thread and one commit where it took two, and no session
-- is ever stored without its entry. SQLite has no data-modifying CTE (PostgreSQL's store uses
-- one), so the statement is an INSERT into this view, whose INSTEAD OF trigger writes both
-- rows; the view holds no rows of its own. The entry's columns are NULL for a session started
-- without one (seeding), and then only the session is written. `sessions_start_sets_last_login`
-- still fires on the session's insert, and an unknown user still fails its foreign key, which
-- undoes the whole statement.
CREATE VIEW session_starts (
    id, user_id, counter, user_agent, ip, created_at, last_used_at, rotated_at, expires_at,
    revoked_at, entry_event, entry_actor_id, entry_target_id, entry_ip, entry_user_agent,
    entry_detail, entry_at
) AS SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL WHERE 0;

CREATE TRIGGER session_starts_insert INSTEAD OF INSERT ON session_starts
BEGIN
    INSERT INTO sessions (id, user_id, counter, user_agent, ip, created_at, last_used_at,
                          rotated_at, expires_at, revoked_at)
    VALUES (NEW.id, NEW.user_id, NEW.counter, NEW.user_agent, NEW.ip, NEW.created_at,
            NEW.last_used_at, NEW.rotated_at, NEW.expires_at, NEW.revoked_at);
    INSERT INTO audit_log (event, actor_id, target_id, ip, user_agent, detail, at)
    SELECT NEW.entry_event, NEW.entry_actor_id, NEW.entry_target_id, NEW.entry_ip,
           NEW.entry_user_agent, NEW.entry_detail, NEW.entry_at
    WHERE NEW.entry_event IS NOT NULL;
END;
