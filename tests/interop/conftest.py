import json
import os
import pathlib
import re
import subprocess
import threading
import time

import httpx2
import pytest

import wire

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("ORDINAUT_BIN", ROOT / ".build" / "debug" / "ordinaut"))


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


def start_server(binary: pathlib.Path, *args: str, env: dict | None = None) -> RunningServer:
    environment = dict(os.environ, **(env or {}))
    process = subprocess.Popen([str(binary), "serve", "--port", "0", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=environment, text=True)
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
