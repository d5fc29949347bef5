"""Process lifecycle: SIGTERM ends `ordinaut serve` promptly even with streams open."""
import signal
import threading
import time

import httpx

from conftest import start_server

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_sigterm_stops_serve_with_open_streams(binary):
    server = start_server(binary, "--fixture", "conformance")
    try:
        with httpx.Client(timeout=10) as client:
            response = client.post(server.url, headers=ACCEPT, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
            session = response.headers["mcp-session-id"]
        opened = threading.Event()

        def hold_stream():
            try:
                with httpx.Client(timeout=30) as client, client.stream(
                        "GET", server.url, headers={"Accept": "text/event-stream", "Mcp-Session-Id": session}) as stream:
                    opened.set()
                    for _ in stream.iter_lines():
                        pass
            except httpx.HTTPError:
                pass

        holder = threading.Thread(target=hold_stream, daemon=True)
        holder.start()
        assert opened.wait(10), "the server stream did not open"
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)
        assert time.monotonic() - started < 10
        holder.join(10)
        assert not holder.is_alive(), "the open stream was not ended by shutdown"
    finally:
        if server.process.poll() is None:
            server.process.kill()
