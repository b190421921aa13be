#!/usr/bin/env python3
"""WAL pages a login writes on a gatehouse SQLite database: the session start's two writes
(`last_login`, the new session) committed COUNT times on a copy of DB, as `start_session`
does (one INSERT where migration 0008's trigger moves `last_login`, else an UPDATE beside it).
Every page a commit changes is one WAL frame, so frames per login is the schema's write cost,
free of this machine's noise. For judging a change to the sessions table's indexes.

    python3 bench/sqlite-wal-per-login.py DB [--count 2000]

DB is left unchanged (e.g. one seeded by `seed --refresh-pool 200000`, with or without a
migration applied by `sqlite3 COPY < migration.sql`)."""
import argparse
import os
import shutil
import sqlite3
import tempfile
import time
import uuid

FRAME = 24  # WAL frame header bytes; each frame also holds one page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "copy.db")
        shutil.copyfile(args.db, path)
        db = sqlite3.connect(path, isolation_level=None)
        page = db.execute("PRAGMA page_size").fetchone()[0]
        db.execute("PRAGMA journal_mode = wal")
        db.execute("PRAGMA wal_autocheckpoint = 0")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        users = [row[0] for row in db.execute("SELECT id FROM users ORDER BY id")]
        if not users:
            raise SystemExit("the database has no users to log in")
        trigger = db.execute(
            "SELECT 1 FROM sqlite_schema WHERE name = 'sessions_start_sets_last_login'"
        ).fetchone()
        now = int(time.time() * 1e6)
        for i in range(args.count):
            user = users[i % len(users)]
            db.execute("BEGIN IMMEDIATE")
            if not trigger:
                db.execute("UPDATE users SET last_login = ? WHERE id = ?", (now, user))
            db.execute(
                "INSERT INTO sessions (id, user_id, counter, user_agent, ip, created_at, "
                "last_used_at, rotated_at, expires_at, revoked_at) "
                "VALUES (?, ?, 0, 'bench', '127.0.0.1', ?, ?, NULL, ?, NULL)",
                (str(uuid.uuid4()), user, now, now, now + 10**12),
            )
            db.execute("COMMIT")
        frames = (os.path.getsize(path + "-wal") - 32) / (page + FRAME)
        sessions = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
        print(
            f"WAL_PER_LOGIN logins={args.count} frames={frames / args.count:.2f} "
            f"bytes={frames * (page + FRAME) / args.count:.0f} sessions={sessions}"
        )
        for name, pages in db.execute(
            "SELECT d.name, count(*) FROM dbstat AS d JOIN sqlite_schema AS s ON s.name = d.name "
            "WHERE s.tbl_name = 'sessions' GROUP BY d.name ORDER BY d.name"
        ):
            print(f"  {name}: {pages} pages")


if __name__ == "__main__":
    main()
