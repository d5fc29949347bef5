"""Two Ordinaut processes share events through a real Redis server started for these tests."""
import os
import shutil
import socket
import subprocess
import threading
import time

import httpx2
import pytest

from conftest import call_tool, extension_status, free_port, start_server, wait_for


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; `make test` installs it (scripts/bootstrap.sh)")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def nodes(binary, redis_url):
    running = [start_server(binary, env={"ORDINAUT_REDIS_URL": redis_url}) for _ in range(2)]
    yield running
    for node in running:
        assert node.stop() == 0


def test_both_nodes_use_redis(nodes):
    for node in nodes:
        assert extension_status(node.base)["events"]["backend"] == "redis"


def test_an_event_published_on_one_node_is_read_on_the_other(nodes):
    first, second = nodes
    published = call_tool(first.base, "ext.events_demo.publish", {"stream": "shared", "namespace": "custom", "payload": {"n": 1}})
    event = published["structuredContent"]["event"]
    assert event["stream"] == "ext:events_demo:custom:shared"
    read = call_tool(second.base, "ext.events_demo.read", {"stream": "shared", "namespace": "custom"})
    assert [e["id"] for e in read["structuredContent"]["events"]] == [event["id"]]


def test_server_sent_events_follow_a_stream_across_nodes(nodes):
    first, second = nodes
    lines: list[str] = []
    ready = threading.Event()

    def follow():
        with httpx2.stream("GET", f"{second.base}/ext/events_demo/subscribe/live", timeout=15) as response:
            assert response.status_code == 200
            ready.set()
            for line in response.iter_lines():
                if line.startswith("data:"):
                    lines.append(line)
                    return

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert ready.wait(10)
    # The subscription discovers the new stream within its discovery interval; publish until seen.
    def seen():
        httpx2.post(f"{first.base}/ext/events_demo/publish/live", json={"hello": "redis"}, timeout=10)
        time.sleep(0.2)
        return lines
    data = wait_for(seen, timeout=15, message="the event over SSE")
    assert '"hello":"redis"' in data[0]


def test_an_unreachable_redis_fails_the_start_with_the_variable_named(binary):
    done = subprocess.run([str(binary), "ext", "list"], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, ORDINAUT_REDIS_URL="redis://127.0.0.1:1"))
    assert done.returncode != 0
    assert "ORDINAUT_REDIS_URL=redis://127.0.0.1:1" in done.stderr
