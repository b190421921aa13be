-- Every refresh rotation moves its session's `expires_at`, so an index on it cost each rotation
-- an index entry deleted and another inserted: a second page written per rotation. Only the
-- ten-minutely cleanup read it; the cleanup now finds ended sessions by a read that scans, and
-- deletes them a chunk at a time (`sessions::prune`).
DROP INDEX sessions_expires_at_idx;
