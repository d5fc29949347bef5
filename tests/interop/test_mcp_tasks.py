"""MCP tasks through the real binary over HTTP: the 2026-07-28 extension `io.modelcontextprotocol/tasks`
(every answer checked against ../shared/mcp/tasks-extension/schema.json) with the conformance
fixture's task tools, and the 2025-11-25 experimental form in a session."""
import json
import time

import httpx
import jsonschema

from conftest import ROOT
from test_http_raw import ACCEPT, events, open_session

SCHEMA_PATH = ROOT.parent / "shared" / "mcp" / "tasks-extension" / "schema.json"
CAPABILITIES = {"extensions": {"io.modelcontextprotocol/tasks": {}}}


def check(definition, value):
    if not SCHEMA_PATH.exists():
        return  # the shape is still asserted field by field below
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}).validate(value)


def stateless(server, method, params, name=None, capabilities=CAPABILITIES):
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method})
    if name is not None:
        headers["Mcp-Name"] = name
    params = dict(params, _meta={"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                 "io.modelcontextprotocol/clientCapabilities": capabilities})
    response = httpx.post(server.url, headers=headers, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=30)
    return response.json()


def poll(server, task_id, until, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = stateless(server, "tasks/get", {"taskId": task_id}, name=task_id)
        result = answer["result"]
        check("GetTaskResult", result)
        if result["status"] in until:
            return result
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} never reached {until}")


def test_the_server_advertises_the_extension(server):
    discovered = stateless(server, "server/discover", {})["result"]
    assert discovered["capabilities"]["extensions"] == {"io.modelcontextprotocol/tasks": {}}


def test_greet_answers_synchronously_even_to_task_clients(server):
    result = stateless(server, "tools/call", {"name": "greet", "arguments": {"name": "Ana"}}, name="greet")["result"]
    assert result["resultType"] == "complete" and result["content"][0]["text"] == "Hello, Ana!"


def test_slow_compute_is_a_task_that_completes(server):
    created = stateless(server, "tools/call", {"name": "slow_compute", "arguments": {"seconds": 0.3}}, name="slow_compute")["result"]
    check("CreateTaskResult", created)
    assert created["resultType"] == "task" and created["status"] == "working"
    done = poll(server, created["taskId"], {"completed"})
    assert done["result"]["content"][0]["text"] == "Computed for 0.3 seconds."


def test_a_cancelled_task_ends_cancelled(server):
    created = stateless(server, "tools/call", {"name": "slow_compute", "arguments": {"seconds": 60}}, name="slow_compute")["result"]
    ack = stateless(server, "tasks/cancel", {"taskId": created["taskId"]}, name=created["taskId"])["result"]
    check("CancelTaskResult", ack)
    assert poll(server, created["taskId"], {"cancelled", "completed", "failed"})["status"] == "cancelled"


def test_a_failing_job_completes_with_a_tool_error_and_a_protocol_error_fails(server):
    failing = stateless(server, "tools/call", {"name": "failing_job", "arguments": {}}, name="failing_job")["result"]
    done = poll(server, failing["taskId"], {"completed", "failed"})
    assert done["status"] == "completed" and done["result"]["isError"] is True
    broken = stateless(server, "tools/call", {"name": "protocol_error_job", "arguments": {}}, name="protocol_error_job")["result"]
    failed = poll(server, broken["taskId"], {"completed", "failed"})
    assert failed["status"] == "failed" and failed["error"]["code"] == -32603


def test_without_the_extension_a_job_answers_inline(server):
    result = stateless(server, "tools/call", {"name": "failing_job", "arguments": {}}, name="failing_job", capabilities={})["result"]
    assert result["resultType"] == "complete" and result["isError"] is True


def test_listeners_get_notifications_tasks(server):
    created = stateless(server, "tools/call", {"name": "slow_compute", "arguments": {"seconds": 0.5}}, name="slow_compute")["result"]
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen"})
    request = {"jsonrpc": "2.0", "id": "watch", "method": "subscriptions/listen", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": CAPABILITIES},
        "notifications": {"taskIds": [created["taskId"], "unknown-task"]}}}
    with httpx.Client(timeout=20) as client, client.stream("POST", server.url, headers=headers, json=request) as stream:
        received = events(stream)
        _, ack = next(received)
        assert ack["params"]["notifications"]["taskIds"] == [created["taskId"]]
        check("TaskSubscriptionAcknowledgedNotifications", ack["params"]["notifications"])
        _, update = next(message for message in received if message[1].get("method") == "notifications/tasks")
    check("TaskStatusNotification", update)
    assert update["params"]["taskId"] == created["taskId"] and update["params"]["status"] == "completed"


def answer(client, url, headers, body):
    """The JSON-RPC response to `body`, whether the server answered JSON or an SSE stream."""
    with client.stream("POST", url, headers=headers, json=body) as response:
        if response.headers["content-type"].startswith("text/event-stream"):
            return next(message for _, message in events(response) if message.get("id") == body["id"])
        response.read()
        return response.json()


def test_session_clients_get_the_experimental_form(server):
    with httpx.Client(timeout=30) as client:
        headers = open_session(client, server.url)
        tools = answer(client, server.url, headers, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})["result"]["tools"]
        assert {t["name"]: t.get("execution") for t in tools}["slow_compute"] == {"taskSupport": "optional"}
        created = answer(client, server.url, headers, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "slow_compute", "arguments": {"seconds": 0.2}, "task": {"ttl": 60000}}})["result"]
        task_id = created["task"]["taskId"]
        assert created["task"]["status"] == "working"
        result = answer(client, server.url, headers, {"jsonrpc": "2.0", "id": 4, "method": "tasks/result",
                                                      "params": {"taskId": task_id}})["result"]
        assert result["content"][0]["text"] == "Computed for 0.2 seconds."
        assert result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": task_id}
        listed = answer(client, server.url, headers, {"jsonrpc": "2.0", "id": 5, "method": "tasks/list"})["result"]
        assert [t["taskId"] for t in listed["tasks"]] == [task_id]
        refused = answer(client, server.url, headers, {"jsonrpc": "2.0", "id": 6, "method": "tasks/cancel", "params": {"taskId": task_id}})
        assert refused["error"]["code"] == -32602
