"""Readiness tells the truth about the SQLite file: a damaged file stops the start with its name, and
a file that goes bad under a running server turns `/health` to 503 with the reason."""
import os
import sqlite3
import subprocess

import httpx

from conftest import start_server

def serve_until_exit(binary, data_dir, bound: float = 30):
    """Runs `ordinaut serve` on a damaged file; it must give up on its own (a server still running
    after `bound` started on it, and is stopped)."""
    environment = dict(os.environ, ORDINAUT_DATA_DIR=str(data_dir))
    process = subprocess.Popen([str(binary), "serve", "--port", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=environment)
    try:
        _, stderr = process.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        raise AssertionError(f"ordinaut serve started on a damaged database: {stderr[-2000:]}")
    return process.returncode, stderr


def make_database(binary, data_dir):
    """A database as a first start leaves it (migrated), with its write-ahead log folded in so that
    every table lives in the main file."""
    server = start_server(binary, env={"ORDINAUT_DATA_DIR": str(data_dir)})
    try:
        assert httpx.get(server.base + "/health", timeout=30).status_code == 200
    finally:
        assert server.stop() == 0
    database = data_dir / "ordinaut.db"
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return database


def test_a_file_damaged_in_the_middle_stops_the_start_with_its_name(binary, tmp_path):
    database = make_database(binary, tmp_path)
    connection = sqlite3.connect(database)
    (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tasks'").fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    assert root > 1
    with open(database, "r+b") as file:
        # Only the tasks table's page: the schema reads fine, and so do the queue counts.
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    returncode, stderr = serve_until_exit(binary, tmp_path)
    assert returncode != 0
    assert str(database) in stderr and "damaged" in stderr, stderr[-2000:]


def test_a_file_that_is_not_a_database_stops_the_start_with_its_name(binary, tmp_path):
    (tmp_path / "ordinaut.db").write_bytes(os.urandom(64 * 1024))
    returncode, stderr = serve_until_exit(binary, tmp_path)
    assert returncode != 0
    assert str(tmp_path / "ordinaut.db") in stderr and "damaged" in stderr, stderr[-2000:]


def test_a_file_trashed_under_a_running_server_turns_readiness_to_503(binary, tmp_path):
    server = start_server(binary, env={"ORDINAUT_DATA_DIR": str(tmp_path)})
    try:
        for path in ("/health", "/health/ready"):
            assert httpx.get(server.base + path, timeout=30).status_code == 200
        # While it runs, the data lives in the write-ahead log as much as in the main file.
        database = tmp_path / "ordinaut.db"
        for damaged in (database, tmp_path / "ordinaut.db-wal"):
            with open(damaged, "r+b") as file:
                file.write(os.urandom(damaged.stat().st_size))
        for path in ("/health", "/health/ready"):
            answer = httpx.get(server.base + path, timeout=30)
            assert answer.status_code == 503
            body = answer.json()
            assert body["error"] == "unavailable" and body["details"]["status"] == "unhealthy"
            assert str(database) in body["message"], body
        assert httpx.get(server.base + "/health/live", timeout=30).status_code == 200
    finally:
        server.stop()
