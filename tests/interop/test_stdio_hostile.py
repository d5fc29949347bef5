"""`ordinaut stdio` against a client that misbehaves: one that stops reading its stdout while it
floods requests stalls only itself (the scheduler keeps running, memory stays bounded), and end of
input while a long scheduled step runs hands the run back and exits promptly."""
import json
import os
import pathlib
import sqlite3
import subprocess
import threading
import time

from conftest import wait_for
from test_tasks import FAST, pipeline, work_extension

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "hostile", "version": "1"}}}


class StdioServer:
    def __init__(self, binary, tmp_path: pathlib.Path, **env):
        self.data = tmp_path / "data"
        environment = dict(os.environ, **FAST, ORDINAUT_DATA_DIR=str(self.data),
                           ORDINAUT_EXT_PATHS=str(work_extension(tmp_path / "ext", tmp_path / "work.log")), **env)
        # stderr goes to a file: a pipe nobody drains would stall the server's logging instead.
        self.log = open(tmp_path / f"stderr-{time.monotonic_ns()}.log", "wb")
        self.process = subprocess.Popen([str(binary), "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log, env=environment)
        self.next_id = 1

    def send(self, message) -> None:
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def receive(self) -> dict:
        line = self.process.stdout.readline()
        assert line, "the server closed stdout"
        return json.loads(line)

    def call(self, tool: str, arguments: dict) -> dict:
        ident = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": ident, "method": "tools/call", "params": {"name": tool, "arguments": arguments}})
        for _ in range(1000):
            message = self.receive()
            if message.get("id") == ident:
                assert not message["result"].get("isError"), message
                return message["result"]["structuredContent"]
        raise AssertionError(f"no answer to {tool}")

    def initialize(self) -> None:
        self.send(INIT)
        assert self.receive()["id"] == 0
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def query(self, sql: str, *args):
        with sqlite3.connect(self.data / "ordinaut.db", timeout=10) as db:
            return db.execute(sql, args).fetchall()

    def rss_kib(self) -> int:
        for line in pathlib.Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def close(self) -> float:
        started = time.monotonic()
        self.process.stdin.close()
        self.process.wait(timeout=30)
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def test_a_client_that_stops_reading_stalls_only_itself(binary, tmp_path):
    server = StdioServer(binary, tmp_path, ORDINAUT_STDIO_MAX_PENDING_BYTES=str(1 << 20), ORDINAUT_RATE_LIMIT="off")
    try:
        server.initialize()
        task = server.call("task_create", {"title": "tick", "schedule_kind": "rrule", "schedule_expr": "FREQ=SECONDLY",
                                           "payload": pipeline(key="tick")})
        succeeded = lambda: server.query("SELECT count(*) FROM runs WHERE task_id = ? AND status = 'succeeded'", task["id"])[0][0]
        wait_for(lambda: succeeded() >= 2, message="the first scheduled runs")
        idle = server.rss_kib()

        total = 20000
        sent = [0]

        def flood():
            try:
                for n in range(total):
                    server.process.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 100000 + n, "method": "tools/list"}).encode() + b"\n")
                    if n % 50 == 0:
                        server.process.stdin.flush()
                    sent[0] = n + 1
                server.process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

        flooder = threading.Thread(target=flood, daemon=True)
        flooder.start()
        # Nobody reads stdout: the server must stop reading stdin, so the flood blocks.
        last, still = -1, 0
        for _ in range(600):
            time.sleep(0.1)
            still = still + 1 if sent[0] == last else 0
            last = sent[0]
            if still >= 20:
                break
        assert sent[0] < total, "the server kept reading requests although nobody read its answers"
        before = succeeded()
        wait_for(lambda: succeeded() >= before + 3, timeout=30, message="scheduled runs while stdout is not read")
        rss = server.rss_kib()
        assert rss < 2 * idle + 100 * 1024, f"RSS grew from {idle} KiB to {rss} KiB while stdout was not read"

        # Reading again: every request gets its answer, once.
        answered = set()
        for _ in range(total * 2):
            if len(answered) == total:
                break
            message = server.receive()
            if isinstance(message.get("id"), int) and message["id"] >= 100000:
                assert message["id"] not in answered
                assert "tools" in message["result"]
                answered.add(message["id"])
        assert len(answered) == total
        flooder.join(timeout=30)
        assert server.close() < 10
        assert server.process.returncode == 0
    finally:
        server.kill()


def test_end_of_input_hands_a_running_step_back_and_exits_promptly(binary, tmp_path):
    server = StdioServer(binary, tmp_path)
    try:
        server.initialize()
        task = server.call("task_create", {"title": "long", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                                           "payload": pipeline(ms=20000, key="long")})
        server.call("task_run_now", {"id": task["id"]})
        run_id = wait_for(lambda: [r[0] for r in server.query("SELECT id FROM runs WHERE task_id = ? AND status = 'running'", task["id"])],
                          message="the run to start")[0]
        assert server.close() < 5, "the process must exit about a second after its input ends"
        assert server.process.returncode == 0
        # Handed back, as on SIGTERM: no lease held, the work claimable at once.
        assert server.query("SELECT lease_owner FROM runs WHERE id = ?", run_id) == [(None,)]
        assert server.query("SELECT locked_by FROM due_work WHERE run_id = ?", run_id) == [(None,)]
        assert not (tmp_path / "work.log").exists() or "long" not in (tmp_path / "work.log").read_text()
    finally:
        server.kill()
    again = StdioServer(binary, tmp_path)
    try:
        wait_for(lambda: again.query("SELECT locked_by FROM due_work WHERE run_id = ? AND locked_by IS NOT NULL", run_id),
                 timeout=30, message="the next start to take the run up again")
    finally:
        again.kill()
