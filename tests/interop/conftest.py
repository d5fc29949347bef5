import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import httpx2
import jsonschema
import pytest

import wire

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("ORDINAUT_BIN", ROOT / ".build" / "debug" / "ordinaut"))
OPENAPI = json.loads((ROOT / "protocol" / "openapi.json").read_text())

# Every ordinaut process the tests start keeps its tasks in a temporary folder, never in the
# user's data directory; servers started by `start_server` each get a folder of their own.
os.environ.setdefault("ORDINAUT_DATA_DIR", tempfile.mkdtemp(prefix="ordinaut-interop-"))


@pytest.fixture(scope="session")
def binary() -> pathlib.Path:
    if not BINARY.exists():
        pytest.fail(f"{BINARY} does not exist; build first (make build) or set ORDINAUT_BIN")
    return BINARY


class RunningServer:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}/mcp"
        self.base = f"http://127.0.0.1:{port}"
        # The server's stderr, drained continuously so that a chatty server never blocks on it.
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def openapi_checked(response, path: str, method: str):
    """Checks a REST answer against protocol/openapi.json: the status must be documented for the
    operation and a JSON body must match its schema. Returns the response."""
    operation = OPENAPI["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered {status}, which the document does not list: {response.text}"
    schema = operation["responses"][status].get("content", {}).get("application/json", {}).get("schema")
    if schema:
        jsonschema.Draft202012Validator({**schema, "components": OPENAPI["components"]}).validate(response.json())
    return response


def wait_for(predicate, timeout: float = 60, message: str = "condition"):
    """Polls `predicate` until it returns something truthy; the bound only ends a hung test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def start_server(binary: pathlib.Path, *args: str, env: dict | None = None, preexec_fn=None) -> RunningServer:
    """`preexec_fn` runs in the child before the binary (e.g. to lower its resource limits)."""
    environment = dict(os.environ, ORDINAUT_DATA_DIR=tempfile.mkdtemp(prefix="ordinaut-server-"))
    environment.update(env or {})
    process = subprocess.Popen([str(binary), "serve", "--port", "0", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=environment, text=True, preexec_fn=preexec_fn)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if match:
            return RunningServer(process, int(match.group(1)))
    process.kill()
    raise RuntimeError("ordinaut serve did not report its port")


@pytest.fixture(scope="module")
def server(binary):
    running = start_server(binary, "--fixture", "conformance")
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()


@pytest.fixture
def recorder():
    recording = wire.Recorder()
    yield recording
    if not wire.available():
        pytest.skip("../shared/mcp schemas are absent; wire validation cannot run")
    problems = recording.violations()
    assert not problems, "messages that violate the MCP schema:\n" + "\n".join(problems[:20])


class _RecordingStream(httpx2.AsyncByteStream):
    def __init__(self, inner, sink) -> None:
        self.inner = inner
        self.sink = sink

    async def __aiter__(self):
        async for chunk in self.inner:
            self.sink(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class RecordingTransport(httpx2.AsyncBaseTransport):
    """Tees every request and response body into a `wire.Recorder`."""

    def __init__(self, recorder: wire.Recorder) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.recorder = recorder

    async def handle_async_request(self, request):
        body = request.content if hasattr(request, "content") else b""
        if body:
            try:
                self.recorder.from_client(json.loads(body))
            except ValueError:
                pass
        response = await self.inner.handle_async_request(request)
        content_type = response.headers.get("content-type", "")
        buffer = bytearray()

        def sink(chunk: bytes) -> None:
            buffer.extend(chunk)
            if content_type.startswith("text/event-stream"):
                while b"\n\n" in buffer:
                    event, _, rest = bytes(buffer).partition(b"\n\n")
                    buffer[:] = rest
                    data = "\n".join(l[5:].lstrip() for l in event.decode().split("\n") if l.startswith("data:"))
                    if data.strip():
                        self.recorder.from_server(json.loads(data))
            elif content_type.startswith("application/json"):
                try:
                    self.recorder.from_server(json.loads(bytes(buffer)))
                    buffer.clear()
                except ValueError:
                    pass

        return httpx2.Response(status_code=response.status_code, headers=response.headers,
                               stream=_RecordingStream(response.stream, sink), extensions=response.extensions)


def recording_client(recorder: wire.Recorder) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=RecordingTransport(recorder), timeout=httpx2.Timeout(30, read=300), follow_redirects=True)


class Postgres:
    """A real PostgreSQL server on a free loopback port with a temporary data folder (initdb), run as
    the postgres user when the tests run as root. `kill9` and `start` simulate a crash and restart."""

    def __init__(self) -> None:
        versions = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
        if not versions:
            pytest.fail("PostgreSQL is not installed; `make test` installs it (scripts/bootstrap.sh)")
        self.bin = versions[0].parent
        self.folder = tempfile.mkdtemp(prefix="ordinaut-pg-")
        self.prefix = []
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.prefix = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        subprocess.run(self.prefix + [str(self.bin / "initdb"), "-D", self.folder + "/data", "-A", "trust", "-U", "ordinaut",
                                      "-E", "UTF8", "--no-sync"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with __import__("socket").socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.prefix + [str(self.bin / "postgres"), "-D", self.folder + "/data", "-p", str(self.port), "-k", self.folder,
                           "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("postgres did not start")

    def kill9(self) -> None:
        self.process.kill()
        self.process.wait()

    def psql(self, sql: str, database: str = "postgres") -> str:
        return subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "ordinaut", "-d", database,
                               "-qtA", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()

    def new_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name}")
        return f"postgres://ordinaut@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path):
    """A real Chromium for the web UI tests, quit afterwards."""
    from webui_browser import Browser
    opened = Browser(tmp_path)
    yield opened
    opened.quit()


# --- Calls the extension tests share ----------------------------------------------------------------

META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "pytest", "version": "1"},
}


def call_tool(base: str, name: str, arguments: dict, timeout: float = 30) -> dict:
    """One stateless tools/call over Streamable HTTP; returns the result."""
    wire = name.replace(".", "__")
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": wire, "arguments": arguments, "_meta": META}}
    response = httpx2.post(f"{base}/mcp", json=body, timeout=timeout, headers={
        "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call", "Mcp-Name": wire})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "result" in answer, answer
    return answer["result"]


def extension_status(base: str) -> dict:
    """`GET /ext/status`: every extension's state."""
    return httpx2.get(f"{base}/ext/status", timeout=10).json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
