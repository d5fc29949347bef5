"""Slow, malformed and too many HTTP clients against the real binary, on loopback with raw sockets:
each is answered or cut within the configured deadlines, and a normal request is answered meanwhile."""
import asyncio
import json
import os
import resource
import socket
import time

import httpx
import pytest

from conftest import start_server, wait_for
from test_http_raw import open_session

# Small deadlines so that the tests see them expire; the bounds below only end a hung test.
DEADLINES = {"ORDINAUT_HTTP_HEADER_TIMEOUT": "1", "ORDINAUT_HTTP_BODY_TIMEOUT": "2", "ORDINAUT_HTTP_IDLE_TIMEOUT": "2",
             "ORDINAUT_HTTP_MAX_HEADER_BYTES": "16384"}
NEVER = 15  # seconds after which "closed" or "answered" counts as never


@pytest.fixture(scope="module")
def hostile_server(binary):
    running = start_server(binary, env=DEADLINES)
    yield running
    running.stop()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=NEVER)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_all(sock: socket.socket, data: bytes) -> None:
    """Sends what the server takes; a server that answers and closes early may refuse the rest."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def read_until_closed(sock: socket.socket, bound: float = NEVER) -> tuple[bytes, bool]:
    """Everything the server sends until it closes the connection, and whether it did within `bound`."""
    received = b""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return received, True
        if not chunk:
            return received, True
        received += chunk
    return received, False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def health(port: int) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}/health", timeout=NEVER)


def open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


GOOD = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
POST = b"POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
CLIENT_HELLO = bytes.fromhex("16030100c4010000c00303") + os.urandom(32) + bytes.fromhex("000004130113020100009300000010000e00000b6578616d706c652e636f6d")

MALFORMED = {
    "negative length": (POST + b"Content-Length: -1\r\n\r\n", 400),
    "non-numeric length": (POST + b"Content-Length: abc\r\n\r\n", 400),
    "length and chunked": (POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "two lengths": (POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    "a 1 MB header": (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n", 431),
    "a 1 MB URL": (b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 431),
    "TLS on the plain port": (CLIENT_HELLO, 400),
    "bad chunk size": (POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
}


@pytest.mark.parametrize("after_a_good_request", [False, True], ids=["first request", "second request"])
@pytest.mark.parametrize("case", MALFORMED.keys())
def test_malformed_framing_is_answered_and_closed(hostile_server, case, after_a_good_request):
    data, expected = MALFORMED[case]
    with connect(hostile_server.port) as sock:
        if after_a_good_request:
            sock.sendall(GOOD)
            first = sock.recv(65536)
            assert status_of(first) == 200
        send_all(sock, data)
        answer, closed = read_until_closed(sock)
    assert status_of(answer) == expected, answer[:200]
    assert b"connection: close" in answer.lower()
    assert closed, "the server keeps a connection whose framing is broken"
    assert health(hostile_server.port).status_code == 200


def test_slowloris_is_cut_at_the_header_deadline_while_others_are_served(hostile_server):
    pid = hostile_server.process.pid
    idle_rss = rss_kib(pid)
    slow = [connect(hostile_server.port) for _ in range(100)]
    try:
        for sock in slow:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        assert health(hostile_server.port).status_code == 200
        latency = time.monotonic() - started
        under_attack_rss = rss_kib(pid)
        # Trickling a byte at a time does not extend the deadline: it runs from the head's first byte.
        open_ones = list(slow)
        for _ in range(int(NEVER / 0.25)):
            for sock in list(open_ones):
                try:
                    sock.send(b"a")
                except OSError:
                    open_ones.remove(sock)
            if not open_ones:
                break
            time.sleep(0.25)
        answers = [read_until_closed(sock, bound=NEVER) for sock in slow]
        assert all(closed for _, closed in answers), "slow connections are held past the header deadline"
        assert all(status_of(answer) in (0, 408) for answer, _ in answers)
        assert any(status_of(answer) == 408 for answer, _ in answers)
        print(f"\n/health during a 100-connection slowloris: {latency * 1000:.1f} ms; "
              f"RSS idle {idle_rss} KiB, under attack {under_attack_rss} KiB")
    finally:
        for sock in slow:
            sock.close()


def test_an_idle_keep_alive_connection_is_closed(hostile_server):
    with connect(hostile_server.port) as sock:
        sock.sendall(GOOD)
        assert status_of(sock.recv(65536)) == 200
        answer, closed = read_until_closed(sock)
    assert closed and answer == b""


def test_a_connection_that_never_sends_is_closed(hostile_server):
    with connect(hostile_server.port) as sock:
        answer, closed = read_until_closed(sock)
    assert closed and answer == b""


def test_a_never_ending_chunked_body_is_cut(hostile_server):
    with connect(hostile_server.port) as sock:
        sock.sendall(POST + b"Transfer-Encoding: chunked\r\n\r\n")
        cut = False
        for _ in range(int(NEVER / 0.2)):
            try:
                sock.sendall(b"1\r\n \r\n")
            except OSError:
                cut = True
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(65536, socket.MSG_PEEK) is not None:
                    cut = True
                    break
            except socket.timeout:
                pass
        answer, closed = read_until_closed(sock)
    assert cut and closed, "an endless body is read forever"
    assert status_of(answer) in (0, 408)


def test_a_stream_outlives_the_idle_deadline(hostile_server):
    with httpx.Client(timeout=NEVER) as client:
        headers = open_session(client, hostile_server.url)
    request = ("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
               + "".join(f"{name}: {value}\r\n" for name, value in headers.items() if name != "Content-Type") + "\r\n")
    with connect(hostile_server.port) as sock:
        sock.sendall(request.encode())
        sock.settimeout(NEVER)
        head = sock.recv(65536)
        assert status_of(head) == 200 and b"text/event-stream" in head.lower()
        # Twice the idle deadline with nothing sent either way: the stream stays open.
        _, closed = read_until_closed(sock, bound=5)
    assert not closed, "the idle deadline cut a stream that was being answered"


async def test_a_websocket_outlives_the_idle_deadline(hostile_server):
    import websockets
    url = f"ws://127.0.0.1:{hostile_server.port}/ext/events_demo/ws/quiet"
    async with websockets.connect(url, ping_interval=None) as socket_:
        await asyncio.sleep(5)  # more than twice the idle deadline, nothing sent either way
        await socket_.send(json.dumps({"still": "here"}))
        event = json.loads(await asyncio.wait_for(socket_.recv(), NEVER))
    assert event["payload"] == {"still": "here"}


def low_descriptor_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def cpu_while_idle(pid: int, seconds: float = 4) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return cpu_seconds(pid) - before


@pytest.mark.parametrize("exhaustion", ["connection limit", "descriptors gone"])
def test_running_out_of_descriptors_neither_spins_nor_wedges(binary, exhaustion):
    # Idle connections stay for the test's length; the connection limit follows the descriptor limit.
    server = start_server(binary, env={**DEADLINES, "ORDINAUT_HTTP_IDLE_TIMEOUT": "60"}, preexec_fn=low_descriptor_limit)
    crowd = []
    try:
        pid = server.process.pid
        assert health(server.port).status_code == 200
        baseline = open_descriptors(pid)
        if exhaustion == "descriptors gone":
            # The process itself used up the reserve: descriptors run out before the connection limit.
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (baseline + 40, 256))
        for _ in range(400):
            try:
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=1)
            except OSError:
                break  # the kernel's backlog is full too
            crowd.append(sock)
        time.sleep(1)
        if exhaustion == "connection limit":
            # 192 served (256 less the reserve of 64) and at most 16 waiting for their 503 (and a
            # few descriptors the process opens as it goes, such as the database probe's).
            assert open_descriptors(pid) <= baseline + 192 + 16 + 4
        spent = cpu_while_idle(pid)
        assert spent < 1.0, f"the accept loop spins: {spent:.2f} s of CPU in 4 s"
        if exhaustion == "connection limit":
            # Beyond the limit a request is answered 503 instead of waiting for a slot.
            with connect(server.port) as sock:
                sock.sendall(GOOD)
                answer, _ = read_until_closed(sock)
            assert status_of(answer) == 503, answer[:200]
            refused = [read_until_closed(sock, bound=0.05)[0] for sock in crowd[192:260]]
            assert any(status_of(answer) == 503 for answer in refused)
        else:
            # Accepting pauses until descriptors are free again: new connections wait in the backlog.
            assert any("out of file descriptors" in line for line in server.log)
        for sock in crowd:
            sock.close()
        assert wait_for(lambda: health(server.port).status_code == 200, timeout=NEVER, message="service after the crowd left")
        wait_for(lambda: open_descriptors(pid) <= baseline + 4, timeout=NEVER, message="descriptors given back")
        assert server.process.poll() is None
    finally:
        for sock in crowd:
            sock.close()
        print("".join(server.log[-20:]))  # shown when the test fails
        server.stop()
