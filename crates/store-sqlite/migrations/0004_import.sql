-- Accounts imported from another application (`gatehouse import-django`) remember the row they
-- came from, `<source>:<table>:<primary key>`, so a re-run updates them instead of adding more.
-- NULL for accounts made in gatehouse; a unique index allows any number of NULLs.
ALTER TABLE users ADD COLUMN import_key TEXT;

CREATE UNIQUE INDEX users_import_key ON users (import_key);
