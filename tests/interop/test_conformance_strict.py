"""Where the 2025-11-25 and 2026-07-28 texts are strict, against the real binary: error ids, the
stateless era's required `_meta` keys, what discovery declares, the tasks extension's negotiation,
`Mcp-Name` on tasks, SSE-only clients, a surface complete before it is listed, and the fixture's
exact surface."""
import json
import os
import subprocess

import httpx

from test_http_raw import ACCEPT, META, events
from test_mcp_tasks import CAPABILITIES

# The reference "everything server" surface (../shared/mcp/NOTES.md) and the fixture's task tools.
REFERENCE_TOOLS = {"test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource",
                   "test_multiple_content_types", "test_tool_with_logging", "test_tool_with_progress", "test_error_handling",
                   "test_sampling", "test_elicitation", "test_dynamic_tool"}
TASK_TOOLS = {"greet", "slow_compute", "failing_job", "protocol_error_job"}


def post(server, method, params, *, id=1, name=None, version="2026-07-28", capabilities=None, accept=None, meta=True):
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": version, "Mcp-Method": method})
    if accept:
        headers["Accept"] = accept
    if name is not None:
        headers["Mcp-Name"] = name
    if meta:
        params = dict(params, _meta=dict(META, **({"io.modelcontextprotocol/clientCapabilities": capabilities} if capabilities else {})))
    return httpx.post(server.url, headers=headers, json={"jsonrpc": "2.0", "id": id, "method": method, "params": params}, timeout=30)


def test_an_unsupported_version_header_is_answered_with_the_request_id(server):
    for version in ("1999-01-01", "2030-12-31"):
        answer = post(server, "tools/list", {}, id=77, version=version)
        assert answer.status_code == 400
        assert answer.json()["id"] == 77 and answer.json()["error"]["code"] == -32022


def test_stateless_requests_without_the_required_meta_keys_name_them(server):
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"})
    for meta, missing in (({"io.modelcontextprotocol/clientCapabilities": {}}, "io.modelcontextprotocol/protocolVersion"),
                          ({"io.modelcontextprotocol/protocolVersion": "2026-07-28"}, "io.modelcontextprotocol/clientCapabilities")):
        answer = httpx.post(server.url, headers=headers, json={"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {"_meta": meta}})
        assert answer.status_code == 400
        assert answer.json()["id"] == 5 and answer.json()["error"]["code"] == -32602
        assert missing in answer.json()["error"]["message"]


def test_discovery_declares_the_resource_subscriptions_listen_serves(server):
    discovered = post(server, "server/discover", {}).json()["result"]
    assert discovered["capabilities"]["resources"]["subscribe"] is True


def test_tasks_need_the_extension_declared_on_each_request(server):
    created = post(server, "tools/call", {"name": "slow_compute", "arguments": {"seconds": 0.2}}, name="slow_compute",
                   capabilities=CAPABILITIES).json()["result"]
    task_id = created["taskId"]
    for method, params in (("tasks/get", {"taskId": task_id}), ("tasks/cancel", {"taskId": task_id}),
                           ("tasks/update", {"taskId": task_id, "inputResponses": {}})):
        refused = post(server, method, params, name=task_id)
        assert refused.status_code == 400, method
        error = refused.json()["error"]
        assert error["code"] == -32021 and "io.modelcontextprotocol/tasks" in error["data"]["requiredCapabilities"]["extensions"], method
    listen = post(server, "subscriptions/listen", {"notifications": {"taskIds": [task_id]}}, accept="application/json")
    assert listen.json()["error"]["code"] == -32021


def test_tasks_mcp_name_must_repeat_the_task_id(server):
    created = post(server, "tools/call", {"name": "slow_compute", "arguments": {"seconds": 0.2}}, name="slow_compute",
                   capabilities=CAPABILITIES).json()["result"]
    for method in ("tasks/get", "tasks/cancel"):
        mismatch = post(server, method, {"taskId": created["taskId"]}, name="some-other-task", capabilities=CAPABILITIES)
        assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == -32020, method
        missing = post(server, method, {"taskId": created["taskId"]}, capabilities=CAPABILITIES)
        assert missing.status_code == 400 and missing.json()["error"]["code"] == -32020, method


def test_a_client_that_accepts_only_event_streams_never_gets_json(server):
    with httpx.Client(timeout=15) as client:
        with client.stream("POST", server.url, headers={**ACCEPT, "Accept": "text/event-stream", "MCP-Protocol-Version": "2026-07-28",
                                                         "Mcp-Method": "tools/list"},
                           json={"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": META}}) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            _, answer = next(events(stream))
        assert answer["id"] == 3 and answer["result"]["tools"]
        initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "sse-only", "version": "1"}}}
        with client.stream("POST", server.url, headers={**ACCEPT, "Accept": "text/event-stream"}, json=initialize) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["mcp-session-id"]
            _, answer = next(events(stream))
        assert answer["result"]["protocolVersion"] == "2025-11-25"


def test_the_conformance_fixture_serves_exactly_its_surface(server):
    tools = {tool["name"] for tool in post(server, "tools/list", {}).json()["result"]["tools"]}
    assert tools == REFERENCE_TOOLS | TASK_TOOLS


def test_stdio_lists_eager_tools_from_the_first_request(binary, tmp_path):
    extension = tmp_path / "ext" / "hooks"
    extension.mkdir(parents=True)
    (extension / "extension.json").write_text(json.dumps({
        "id": "hooks", "name": "Hooks", "version": "1.0.0", "eager": True, "requests": ["TOOLS"], "grants": ["TOOLS"],
        "tools": [{"name": f"hook{index}", "description": "A webhook", "input_schema": {"type": "object"},
                   "webhook": {"url": "http://127.0.0.1:9/never", "method": "POST"}} for index in range(3)]}))
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": META}}) + "\n"
    env = dict(os.environ, ORDINAUT_EXT_PATHS=str(tmp_path / "ext"), ORDINAUT_DATA_DIR=str(tmp_path / "data"))
    for _ in range(5):
        process = subprocess.run([str(binary), "stdio"], input=request.encode(), capture_output=True, env=env, timeout=60)
        answer = json.loads(process.stdout.splitlines()[0])
        names = {tool["name"] for tool in answer["result"]["tools"]}
        assert {"ext__hooks__hook0", "ext__hooks__hook1", "ext__hooks__hook2"} <= names
