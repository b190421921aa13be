-- A login is a session starting, and `users.last_login` is when the user's latest one started.
-- The trigger keeps that true inside the statement that inserts the session, so starting one is
-- a single statement: one call to the connection's thread and one implicit transaction, where
-- it took four (BEGIN, UPDATE users, INSERT, COMMIT). An unknown user still fails the insert's
-- foreign key. PostgreSQL does the same in one statement with a data-modifying CTE instead.
CREATE TRIGGER sessions_start_sets_last_login AFTER INSERT ON sessions
BEGIN
    UPDATE users SET last_login = NEW.created_at WHERE id = NEW.user_id;
END;
