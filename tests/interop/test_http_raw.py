"""Streamable HTTP and the legacy HTTP+SSE transport, driven with raw requests."""
import json

import httpx
import pytest
from mcp import ClientSession
from mcp.client.sse import sse_client

import wire

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}


def events(response: httpx.Response):
    """Yields (id, message) for each SSE event carrying data."""
    event_id, data = None, []
    for line in response.iter_lines():
        if line == "":
            if data and "".join(data).strip():
                yield event_id, json.loads("\n".join(data))
            event_id, data = None, []
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def next_update(stream: httpx.Response):
    """The next resources/updated event, skipping list changes the fixture may announce first."""
    for event_id, message in events(stream):
        if message.get("method") == "notifications/resources/updated":
            return event_id, message
    raise AssertionError("the stream ended without a resource update")


def open_session(client: httpx.Client, url: str) -> dict:
    response = client.post(url, headers=ACCEPT, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    assert response.status_code == 200
    headers = dict(ACCEPT, **{"Mcp-Session-Id": response.headers["mcp-session-id"], "MCP-Protocol-Version": "2025-11-25"})
    assert client.post(url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"}).status_code == 202
    return headers


def test_subscription_updates_arrive_on_the_server_stream_and_resume(server):
    with httpx.Client(timeout=15) as client:
        headers = open_session(client, server.url)
        subscribed = client.post(server.url, headers=headers, json={
            "jsonrpc": "2.0", "id": 2, "method": "resources/subscribe", "params": {"uri": "test://watched-resource"}})
        assert subscribed.json()["result"] == {}
        stream_headers = dict(headers, Accept="text/event-stream")
        with client.stream("GET", server.url, headers=stream_headers) as stream:
            assert stream.status_code == 200
            first_id, first = next_update(stream)
        assert first["method"] == "notifications/resources/updated"
        assert first["params"]["uri"] == "test://watched-resource"
        if wire.available():
            assert not wire.check("2025-11-25", first, None)
        # Disconnected now; the next update waits in the replay buffer.
        with client.stream("GET", server.url, headers=dict(stream_headers, **{"Last-Event-ID": first_id})) as resumed:
            replayed_id, replayed = next_update(resumed)
        assert int(replayed_id) > int(first_id)
        assert replayed["method"] == "notifications/resources/updated"
        assert client.delete(server.url, headers=headers).status_code == 200


def test_stateless_listen_over_http_is_acknowledged_then_notified(server):
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen"})
    request = {"jsonrpc": "2.0", "id": "sub-1", "method": "subscriptions/listen", "params": {
        "_meta": META, "notifications": {"resourceSubscriptions": ["test://watched-resource", "test://nope"]}}}
    with httpx.Client(timeout=15) as client, client.stream("POST", server.url, headers=headers, json=request) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        received = events(stream)
        _, ack = next(received)
        _, update = next(received)
    assert ack["method"] == "notifications/subscriptions/acknowledged"
    assert ack["params"]["notifications"] == {"resourceSubscriptions": ["test://watched-resource"]}
    assert update["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub-1"
    if wire.available():
        assert not wire.check("2026-07-28", ack, None)
        assert not wire.check("2026-07-28", update, None)


def test_dns_rebinding_is_refused(server):
    with httpx.Client(timeout=5) as client:
        response = client.post(server.url, headers=dict(ACCEPT, Host="evil.example", Origin="http://evil.example"),
                               json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
        assert 400 <= response.status_code < 500
        host_only = client.post(server.url, headers=dict(ACCEPT, Host="evil.example"),
                                json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
        assert host_only.status_code == 421


def test_a_client_that_disconnects_mid_stream_leaves_the_server_serving(server):
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "test_tool_with_progress"})
    meta = dict(META, progressToken="p")
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "test_tool_with_progress", "_meta": meta}}
    for _ in range(20):
        with httpx.Client(timeout=5) as client, client.stream("POST", server.url, headers=headers, json=request) as stream:
            next(events(stream))
    with httpx.Client(timeout=5) as client:
        assert client.get(server.base + "/health").json()["status"] == "ok"


async def test_legacy_http_sse_transport_with_the_sdk(server):
    async with sse_client(server.base + "/sse") as (read, write), ClientSession(read, write) as session:
        result = await session.initialize()
        assert result.protocol_version == "2025-11-25"
        called = await session.call_tool("test_simple_text", {})
        assert called.content[0].text == "This is a simple text response for testing."
        prompt = await session.get_prompt("test_simple_prompt", {})
        assert prompt.messages[0].content.text == "This is a simple prompt for testing."
