-- Every refresh rotation moves its session's `expires_at`. With an index on it, no rotation could
-- be a HOT update, and each wrote its new row version into all three indexes of `sessions`.
-- Only the ten-minutely cleanup read it, and a scan serves that. Without it a rotation changes
-- no indexed column, and the free space `fillfactor` keeps on each page lets PostgreSQL write
-- the new version beside the old one and touch no index.
DROP INDEX sessions_expires_at_idx;
ALTER TABLE sessions SET (fillfactor = 80);
