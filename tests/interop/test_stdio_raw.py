"""The stdio transport, driven line by line: concurrency, shutdown and hostile input."""
import json
import os
import select
import socket
import subprocess
import time

import pytest

import wire

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}


class Stdio:
    def __init__(self, binary, env=None):
        self.process = subprocess.Popen([str(binary), "stdio", "--fixture", "conformance"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=dict(os.environ, **(env or {})))

    def send(self, message) -> None:
        data = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.process.stdin.write(data + b"\n")
        self.process.stdin.flush()

    def receive(self) -> dict:
        line = self.process.stdout.readline()
        assert line, "the server closed stdout"
        return json.loads(line)

    def close(self) -> float:
        started = time.monotonic()
        self.process.stdin.close()
        self.process.wait(timeout=10)
        return time.monotonic() - started


@pytest.fixture
def stdio(binary):
    session = Stdio(binary)
    yield session
    if session.process.poll() is None:
        session.process.kill()


def test_slow_tool_does_not_delay_ping(stdio):
    stdio.send(INIT)
    assert stdio.receive()["id"] == 0
    stdio.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    stdio.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "test_tool_with_logging", "arguments": {}}})
    stdio.send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
    order = []
    while len([i for i in order if i in (1, 2)]) < 2:
        message = stdio.receive()
        if "id" in message:
            order.append(message["id"])
    assert order == [2, 1], "the ping waited for the slow tool"


def test_exits_within_a_second_of_stdin_closing(stdio):
    stdio.send(INIT)
    stdio.receive()
    stdio.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "test_tool_with_progress"}})
    assert stdio.close() < 1.5
    assert stdio.process.returncode == 0


def test_hostile_lines_get_errors_and_the_server_keeps_serving(stdio):
    answers = {}
    stdio.send(b"{this is not json")
    answers["garbage"] = stdio.receive()
    stdio.send(b'"\xff\xfe"')
    answers["utf8"] = stdio.receive()
    stdio.send(("[" * 5000 + "]" * 5000).encode())
    answers["deep"] = stdio.receive()
    stdio.send({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    answers["uninitialized"] = stdio.receive()
    stdio.send({"jsonrpc": "2.0", "id": [1], "method": "ping"})
    answers["bad_id"] = stdio.receive()
    stdio.send({"jsonrpc": "2.0", "id": 3, "method": "no/such/method", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}})
    answers["unknown"] = stdio.receive()
    stdio.send(INIT)
    assert stdio.receive()["result"]["protocolVersion"] == "2025-11-25"
    assert answers["garbage"]["error"]["code"] == -32700 and answers["garbage"]["id"] is None
    assert answers["utf8"]["error"]["code"] == -32700
    assert answers["deep"]["error"]["code"] == -32700
    assert answers["uninitialized"]["error"]["code"] == -32602
    assert "io.modelcontextprotocol/protocolVersion" in answers["uninitialized"]["error"]["message"]
    assert "initialize first" in answers["uninitialized"]["error"]["message"]
    assert answers["bad_id"]["error"]["code"] == -32600
    assert answers["unknown"]["error"]["code"] == -32601
    if wire.available():
        for answer in answers.values():
            assert not wire.check("2025-11-25", answer, None), answer


def test_oversized_line_is_refused_without_buffering_it(binary):
    session = Stdio(binary, env={"ORDINAUT_MAX_BODY_BYTES": "4096"})
    try:
        session.send(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + b"a" * 100_000 + b'"}}')
        refused = session.receive()
        assert refused["error"]["code"] == -32600
        assert "4096" in refused["error"]["message"]
        session.send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
        assert session.receive() == {"jsonrpc": "2.0", "id": 2, "result": {}}
    finally:
        session.process.kill()


def test_stateless_listen_on_stdio_is_acknowledged_and_cancellable(stdio):
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    stdio.send({"jsonrpc": "2.0", "id": "L", "method": "subscriptions/listen",
                "params": {"_meta": meta, "notifications": {"toolsListChanged": True}}})
    ack = stdio.receive()
    assert ack["method"] == "notifications/subscriptions/acknowledged"
    assert ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L"
    # The fixture adds test_dynamic_tool shortly after start: its list_changed arrives on the listen stream.
    changed = stdio.receive()
    assert changed["method"] == "notifications/tools/list_changed"
    assert changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L"
    stdio.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "L"}})
    stdio.send({"jsonrpc": "2.0", "id": 9, "method": "server/discover", "params": {"_meta": meta}})
    assert stdio.receive()["id"] == 9
    if wire.available():
        assert not wire.check("2026-07-28", ack, None)
        assert not wire.check("2026-07-28", changed, None)


def test_a_2025_03_26_session_accepts_batches(stdio):
    stdio.send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    assert stdio.receive()["result"]["protocolVersion"] == "2025-03-26"
    stdio.send([{"jsonrpc": "2.0", "method": "notifications/initialized"},
                {"jsonrpc": "2.0", "id": 1, "method": "ping"},
                {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "test_simple_text", "arguments": {}}}])
    answer = stdio.receive()
    assert isinstance(answer, list)
    assert sorted(item["id"] for item in answer) == [1, 2]


def test_later_sessions_refuse_batches(stdio):
    stdio.send(INIT)
    stdio.receive()
    stdio.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    refused = stdio.receive()
    assert refused["error"]["code"] == -32600 and "2025-03-26" in refused["error"]["message"]


def test_initialize_is_answered_while_the_database_opens(binary, tmp_path):
    """The transport serves before the engine is built: `initialize` does not wait for the database,
    requests that use the surface do, and a database that cannot be opened ends the process with
    its error, as a failure at start would."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        session = Stdio(binary, env={"ORDINAUT_DATA_DIR": str(tmp_path),
                                     "ORDINAUT_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{port}/nothing"})
        try:
            session.send(INIT)
            answer = session.receive()
            assert answer["id"] == 0 and "tasks" in answer["result"]["capabilities"]
            session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            session.send({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            held, _ = listener.accept()  # the engine is connecting, and the "database" never answers
            with held:
                readable, _, _ = select.select([session.process.stdout], [], [], 1.0)
                assert not readable, "tools/list was answered before the engine was built"
            session.process.wait(timeout=60)
            assert session.process.returncode != 0
            assert "ORDINAUT_DATABASE_URL" in session.process.stderr.read().decode()
        finally:
            if session.process.poll() is None:
                session.process.kill()
                session.process.wait()


def test_calls_pipelined_behind_initialize_wait_for_the_engine(binary, tmp_path):
    """Sixteen calls sent right after `initialize` all find their tool: each waits until the engine is built."""
    session = Stdio(binary, env={"ORDINAUT_DATA_DIR": str(tmp_path)})
    try:
        session.send(INIT)
        assert session.receive()["id"] == 0
        session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        for i in range(16):
            session.send({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": "test_simple_text", "arguments": {}}})
        answers = [session.receive() for _ in range(16)]
        assert sorted(answer["id"] for answer in answers) == list(range(1, 17))
        assert all("result" in answer for answer in answers), [a for a in answers if "error" in a][:2]
    finally:
        session.close()
