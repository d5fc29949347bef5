"""W7's peer: a Python sqlite3 loop doing the same statements as bench/c/sqliteprobe.c.
Usage: sqlite_peer.py FILE JOBS [FULL|NORMAL|OFF]. Prints one JSON object."""
import json
import sqlite3
import sys
import time

path, jobs = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute(f"PRAGMA synchronous = {sys.argv[3] if len(sys.argv) > 3 else 'NORMAL'}")
db.execute("CREATE TABLE due (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT, run_at INTEGER, priority INTEGER, locked_by TEXT, locked_until INTEGER)")
db.execute("CREATE INDEX due_claim ON due (priority DESC, run_at, id)")
db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, task_id TEXT, status TEXT, finished_at INTEGER)")
db.execute("BEGIN")
db.executemany("INSERT INTO due (task_id, run_at, priority) VALUES ('t', 0, 5)", [()] * jobs)
db.execute("COMMIT")
cpu, start, done = time.process_time(), time.monotonic(), 0
while True:
    db.execute("BEGIN IMMEDIATE")
    row = db.execute("SELECT id, task_id FROM due WHERE run_at <= ?1 AND (locked_until IS NULL OR locked_until < ?1) "
                     "ORDER BY priority DESC, run_at, id LIMIT 1", (1000,)).fetchone()
    if row is None:
        db.execute("COMMIT")
        break
    db.execute("UPDATE due SET locked_by = 'w', locked_until = ?1 WHERE id = ?2", (60000, row[0]))
    db.execute("COMMIT")
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM due WHERE id = ?1 AND locked_by = 'w'", (row[0],))
    db.execute("INSERT INTO runs (id, task_id, status, finished_at) VALUES (?1, 't', 'succeeded', ?2)", (row[0], 1))
    db.execute("COMMIT")
    done += 1
seconds = time.monotonic() - start
print(json.dumps({"mode": "sqlite-peer", "jobs": done, "jobs_per_s": int(done / seconds),
                  "cpu_us_per_job": round((time.process_time() - cpu) / done * 1e6, 1), "ok": done == jobs}))
