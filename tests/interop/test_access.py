"""The access layer in front of every HTTP route family, through the real binary: who may use which
surface with which credential (a matrix), the defects it was written for, browser rules (Origin,
Host, JSON-only bodies, CORS), security headers, session ownership and limits, rate limits, the
refused start on a wide address, and what crosses the extension boundary. Everything binds 127.0.0.1
(the refused start never gets to bind)."""
import hashlib
import json
import os
import pathlib
import queue
import re
import shutil
import socket
import subprocess
import threading
import time

import httpx
import jsonschema
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from conftest import ROOT, start_server, wait_for

FIXTURES = pathlib.Path(__file__).with_name("fixtures")
OPENAPI = json.loads((ROOT / "protocol" / "openapi.json").read_text())

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
PROXY_SECRET = "test-proxy-secret-0123456789abcdef-0123"
ALLOWED_ORIGIN = "https://app.example"
EVIL_ORIGIN = "https://evil.example"
ALLOWED_HOST = "ordinaut.internal.example"
TASK = {"title": "access", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
        "payload": {"pipeline": [{"uses": "task_list"}]}}

# name in the tokens file -> (token, scopes)
TOKENS = {
    "reader": ("read-token", ["tasks:read", "mcp"]),
    "writer": ("write-token", ["tasks:read", "tasks:write", "mcp"]),
    "boss": ("admin-token", ["admin"]),
    "mounted": ("mounted-token", ["ext:mcp_http:routes", "mcp"]),
    "mounted-reader": ("mounted-reader-token", ["ext:mcp_http:routes", "tasks:read", "mcp"]),
    "demo-tools": ("demo-tools-token", ["ext:events_demo:tools"]),
    "echo-user": ("echo-token", ["ext:echo:routes"]),
    "notes": ("notes-token", ["ext:py_notes:tools"]),
    "metrics": ("metrics-token", ["metrics:read"]),
    "rate-a": ("rate-a-token", ["tasks:read"]),
    "rate-b": ("rate-b-token", ["tasks:read"]),
    "tool-a": ("tool-a-token", ["tasks:read", "events:publish", "mcp"]),
    "tool-b": ("tool-b-token", ["tasks:read", "events:publish", "mcp"]),
}


def bearer(name: str) -> dict:
    return {"Authorization": "Bearer " + TOKENS[name][0]}


def proxy(user: str, scopes: str, secret: str = PROXY_SECRET) -> dict:
    return {"X-Ordinaut-Proxy-Secret": secret, "X-Ordinaut-User": user, "X-Scopes": scopes}


CREDENTIALS = {
    "none": {},
    "read": bearer("reader"),
    "write": bearer("writer"),
    "admin": bearer("boss"),
    "invalid": {"Authorization": "Bearer not-a-token-anyone-issued"},
    "bad-proxy": proxy("mallory", "admin", secret="x" * 40),
    "proxy": proxy("carol", "tasks:read mcp"),
}


# --- Servers ------------------------------------------------------------------------------------

def write_tokens(folder: pathlib.Path) -> pathlib.Path:
    path = folder / "tokens.json"
    path.write_text(json.dumps({"tokens": [
        {"name": name, "sha256": hashlib.sha256(token.encode()).hexdigest(), "scopes": scopes}
        for name, (token, scopes) in TOKENS.items()]}))
    return path


def echo_extension(root: pathlib.Path) -> pathlib.Path:
    folder = root / "echo"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "echo_ext.py", folder / "echo_ext.py")
    (folder / "extension.json").write_text(json.dumps({
        "id": "echo", "name": "echo", "version": "1.0.0", "module": "echo_ext.py", "eager": True,
        "requests": ["ROUTES"], "grants": ["ROUTES"]}))
    return root


@pytest.fixture(scope="module")
def guarded(binary, tmp_path_factory):
    """Credentials required: tokens file, trusted proxy, one allowed origin and host, the echo extension."""
    folder = tmp_path_factory.mktemp("guarded")
    running = start_server(binary, env={
        "ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(write_tokens(folder)),
        "ORDINAUT_PROXY_SECRET": PROXY_SECRET, "ORDINAUT_ALLOWED_ORIGINS": ALLOWED_ORIGIN,
        "ORDINAUT_ALLOWED_HOSTS": ALLOWED_HOST, "ORDINAUT_EXT_PATHS": f"{echo_extension(folder / 'extensions')}:{ROOT / 'examples' / 'python-extension'}",
        "ORDINAUT_STRIP_HEADERS": "X-Internal-Trace,X-Tenant-Secret",
    })
    wait_for(lambda: httpx.get(running.base + "/ext/status", headers=bearer("boss"), timeout=10)
             .json()["extensions"].get("echo", {}).get("state") == "active", message="the echo extension to start")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def limited(binary, tmp_path_factory):
    """Credentials optional (anonymous loopback clients allowed), small request and tool-call limits."""
    folder = tmp_path_factory.mktemp("limited")
    running = start_server(binary, env={
        "ORDINAUT_TOKENS_FILE": str(write_tokens(folder)), "ORDINAUT_RATE_LIMIT": "5:10",
        "ORDINAUT_TOOL_RATE_LIMITS": json.dumps({"task_list": "1:2", "events:publish": "1:1"}),
    })
    yield running
    running.stop()


@pytest.fixture(scope="module")
def sessions_server(binary, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sessions")
    running = start_server(binary, env={
        "ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(write_tokens(folder)),
        "ORDINAUT_MAX_SESSIONS_PER_PRINCIPAL": "3", "ORDINAUT_MAX_SESSIONS": "50", "ORDINAUT_RATE_LIMIT": "off",
    })
    yield running
    running.stop()


# --- Wire helpers -------------------------------------------------------------------------------

def initialize(client_name: str = "pytest") -> dict:
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": client_name, "version": "1"}}}


def sse_events(lines):
    """Yields (event, data) for each Server-Sent Event carrying data."""
    event, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def answer(response: httpx.Response) -> dict:
    """The JSON-RPC answer of a POST, whether it came as JSON or as an SSE stream."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        for _, data in sse_events(response.text.splitlines()):
            message = json.loads(data)
            if "id" in message and ("result" in message or "error" in message):
                return message
        raise AssertionError("the stream held no answer: " + response.text[:500])
    return response.json()


def open_session(client: httpx.Client, url: str, credential: dict, client_name: str = "pytest"):
    """initialize + notifications/initialized; returns (initialize response, headers for the session or None)."""
    response = client.post(url, headers={**ACCEPT, **credential}, json=initialize(client_name))
    if response.status_code != 200:
        return response, None
    headers = {**ACCEPT, **credential, "Mcp-Session-Id": response.headers["mcp-session-id"], "MCP-Protocol-Version": "2025-11-25"}
    assert client.post(url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"}).status_code == 202
    return response, headers


def call(name: str, arguments: dict | None = None, request_id=2, meta: dict | None = None) -> dict:
    params = {"name": name, "arguments": arguments or {}}
    if meta is not None:
        params["_meta"] = meta
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def stateless_headers(method: str, name: str | None = None) -> dict:
    headers = {**ACCEPT, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
    if name is not None:
        headers["Mcp-Name"] = name
    return headers


def stateless_call(client: httpx.Client, url: str, credential: dict, name: str, arguments: dict | None = None,
                   meta: dict | None = None, request_id=1) -> httpx.Response:
    return client.post(url, headers={**stateless_headers("tools/call", name), **credential},
                       json=call(name, arguments, request_id, meta=meta or META))


def stateless_list(client: httpx.Client, url: str, credential: dict) -> list[str]:
    response = client.post(url, headers={**stateless_headers("tools/list"), **credential},
                           json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": META}})
    assert response.status_code == 200, response.text
    return [tool["name"] for tool in response.json()["result"]["tools"]]


def challenge(header: str | None) -> dict:
    """The parameters of a `WWW-Authenticate: Bearer …` challenge."""
    assert header and header.startswith("Bearer"), header
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def assert_error_body(response: httpx.Response) -> dict:
    """A non-MCP refusal: the seed's error body, `{"error", "message", "details"}`."""
    body = response.json()
    jsonschema.Draft202012Validator({**OPENAPI["components"]["schemas"]["Error"], "components": OPENAPI["components"]}).validate(body)
    return body


def assert_scope_refusal(response: httpx.Response, needed: str, held: list[str], request_id) -> None:
    """A tools/call (or other MCP request) refused for a missing scope: 403, a step-up challenge
    naming what is held plus what is needed, and JSON-RPC -32040 with data.requiredScope."""
    assert response.status_code == 403, response.text
    parameters = challenge(response.headers.get("www-authenticate"))
    assert parameters["error"] == "insufficient_scope"
    assert set(parameters["scope"].split()) == set(held) | {needed}, parameters
    body = response.json()
    assert body["id"] == request_id
    assert body["error"]["code"] == -32040
    assert body["error"]["data"]["requiredScope"] == needed


def raw_upgrade(port: int, path: str, headers: dict) -> tuple[int, str]:
    """A WebSocket upgrade request written by hand (to send any Host); returns the status and head."""
    request = [f"GET {path} HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade",
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
    request += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                break
            head += chunk
    text = head.decode("latin-1")
    return int(text.split(" ", 2)[1]), text


def metric_total(text: str, name: str, labels: str = "") -> float:
    """The sum of every sample of `name` whose labels contain `labels`."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})? ([0-9.e+]+)$", line)
        if match and labels in (match.group(1) or ""):
            total += float(match.group(2))
    return total


# --- 1. The matrix: surface x credential -> status ----------------------------------------------

# The status of the last step of each surface (the first refusal when there is one):
#   mcp-session    POST /mcp initialize, then tools/call task_list in the session
#   mcp-stateless  POST /mcp tools/call task_list with 2026-07-28 headers and _meta
#   sse            GET /sse; when 200, initialize + tools/call task_list through /messages (answers on the stream)
#   ext-mcp_http   /ext/mcp_http/ as mcp-session (needs ext:mcp_http:routes, then the tool's scope)
#   rest-get       GET /tasks
#   rest-post      POST /tasks
#   ext-route      POST /ext/events_demo/publish/matrix
#   websocket      upgrade to /ext/events_demo/ws/matrix (101 = open, and an echoed event)
COLUMNS = ("none", "read", "write", "admin", "invalid", "bad-proxy", "proxy")
MATRIX = {
    #                 none read write admin invalid bad-proxy proxy(tasks:read mcp)
    "mcp-session":   (401, 200, 200, 200, 401, 401, 200),
    "mcp-stateless": (401, 200, 200, 200, 401, 401, 200),
    "sse":           (401, 200, 200, 200, 401, 401, 200),
    "ext-mcp_http":  (401, 403, 403, 200, 401, 401, 403),
    "rest-get":      (401, 200, 200, 200, 401, 401, 200),
    "rest-post":     (401, 403, 201, 201, 401, 401, 403),
    "ext-route":     (401, 403, 403, 201, 401, 401, 403),
    # The WebSocket layer (NIO's upgrader) answers every refused upgrade 400 and closes: the reason
    # (401/403/421) is what a plain request to the same route answers, and it is in the log.
    "websocket":     (400, 400, 400, 101, 400, 400, 400),
}


def surface_mcp_session(server, credential, path="/mcp"):
    with httpx.Client(timeout=30) as client:
        url = server.base + path
        response, headers = open_session(client, url, credential)
        if headers is None:
            return response
        called = client.post(url, headers=headers, json=call("task_list"))
        if called.status_code == 200:
            result = answer(called)
            assert "result" in result and not result["result"].get("isError"), result
        return called


def surface_mcp_stateless(server, credential):
    with httpx.Client(timeout=30) as client:
        response = stateless_call(client, server.url, credential, "task_list")
        if response.status_code == 200:
            assert "items" in response.json()["result"]["structuredContent"], response.text
        return response


def surface_sse(server, credential):
    with httpx.Client(timeout=httpx.Timeout(30)) as client, client.stream("GET", server.base + "/sse",
                                                                         headers={"Accept": "text/event-stream", **credential}) as stream:
        if stream.status_code != 200:
            stream.read()
            return stream
        received = sse_events(stream.iter_lines())
        event, endpoint = next(received)
        assert event == "endpoint", (event, endpoint)
        url = server.base + endpoint if endpoint.startswith("/") else endpoint
        with httpx.Client(timeout=30) as poster:
            assert poster.post(url, headers={**ACCEPT, **credential}, json=initialize()).status_code == 202
            assert json.loads(next(received)[1])["id"] == 1
            poster.post(url, headers={**ACCEPT, **credential}, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
            assert poster.post(url, headers={**ACCEPT, **credential}, json=call("task_list")).status_code == 202
        for _, data in received:
            message = json.loads(data)
            if message.get("id") == 2:
                assert "result" in message, message
                break
        return stream


def surface_rest_get(server, credential):
    return httpx.get(server.base + "/tasks", headers=credential, timeout=30)


def surface_rest_post(server, credential):
    return httpx.post(server.base + "/tasks", headers=credential, json=TASK, timeout=30)


def surface_ext_route(server, credential):
    return httpx.post(server.base + "/ext/events_demo/publish/matrix", headers=credential, json={"n": 1}, timeout=30)


class Upgraded:
    status_code = 101
    headers: dict = {}


def websocket(server, credential, origin=None, stream="matrix"):
    """Opens /ext/events_demo/ws/<stream>; an open socket echoes what is sent as an event."""
    url = f"ws://127.0.0.1:{server.port}/ext/events_demo/ws/{stream}"
    try:
        with ws_connect(url, additional_headers=credential, origin=origin, open_timeout=15) as connection:
            connection.send(json.dumps({"hello": stream}))
            assert json.loads(connection.recv(timeout=15))["payload"] == {"hello": stream}
            return Upgraded()
    except InvalidStatus as refused:
        return refused.response


SURFACES = {
    "mcp-session": surface_mcp_session,
    "mcp-stateless": surface_mcp_stateless,
    "sse": surface_sse,
    "ext-mcp_http": lambda server, credential: surface_mcp_session(server, credential, "/ext/mcp_http/"),
    "rest-get": surface_rest_get,
    "rest-post": surface_rest_post,
    "ext-route": surface_ext_route,
    "websocket": websocket,
}


@pytest.mark.parametrize("surface,credential,expected", [
    pytest.param(surface, credential, codes[index], id=f"{surface}-{credential}")
    for surface, codes in MATRIX.items() for index, credential in enumerate(COLUMNS)])
def test_access_matrix(guarded, surface, credential, expected):
    response = SURFACES[surface](guarded, CREDENTIALS[credential])
    assert response.status_code == expected, f"{surface} with {credential}: {response.status_code}"
    if expected == 401:
        assert challenge(response.headers.get("www-authenticate"))
    if expected == 403:
        assert challenge(response.headers.get("www-authenticate"))["error"] == "insufficient_scope"


# --- 2. The defects -----------------------------------------------------------------------------

@pytest.mark.parametrize("what", ["session-initialize", "stateless-call", "sse-stream", "messages-post", "get-stream", "delete"])
def test_anonymous_mcp_is_401_when_scopes_are_required(guarded, what):
    with httpx.Client(timeout=15) as client:
        if what == "session-initialize":
            response = client.post(guarded.url, headers=ACCEPT, json=initialize())
        elif what == "stateless-call":
            response = stateless_call(client, guarded.url, {}, "task_list")
        elif what == "sse-stream":
            with client.stream("GET", guarded.base + "/sse", headers={"Accept": "text/event-stream"}) as stream:
                stream.read()
                response = stream
        elif what == "messages-post":
            response = client.post(guarded.base + "/messages?session_id=whatever", headers=ACCEPT, json=initialize())
        elif what == "get-stream":
            response = client.get(guarded.url, headers={"Accept": "text/event-stream", "Mcp-Session-Id": "whatever"})
        else:
            response = client.delete(guarded.url, headers={"Mcp-Session-Id": "whatever"})
    assert response.status_code == 401, response.text
    assert challenge(response.headers.get("www-authenticate"))["scope"]
    body = response.json()
    assert body["jsonrpc"] == "2.0" and "error" in body and "result" not in body


# (credential, tool, arguments, the scope it lacks, the scopes it holds)
SCOPE_REFUSALS = [
    ("writer", "run_approve", {"id": "no-such-run", "approved": True}, "runs:approve", ["tasks:read", "tasks:write", "mcp"]),
    ("writer", "run_cancel", {"id": "no-such-run"}, "runs:write", ["tasks:read", "tasks:write", "mcp"]),
    ("writer", "event_publish", {"topic": "x"}, "events:publish", ["tasks:read", "tasks:write", "mcp"]),
    ("reader", "task_create", TASK, "tasks:write", ["tasks:read", "mcp"]),
    ("reader", "ext__events_demo__publish", {"stream": "s", "payload": 1}, "ext:events_demo:tools", ["tasks:read", "mcp"]),
]


@pytest.mark.parametrize("era", ["session", "stateless"])
@pytest.mark.parametrize("token,tool,arguments,needed,held", SCOPE_REFUSALS, ids=[f"{r[0]}-{r[1]}" for r in SCOPE_REFUSALS])
def test_a_tool_call_without_its_scope_is_403_with_a_step_up_challenge(guarded, era, token, tool, arguments, needed, held):
    before = httpx.get(guarded.base + "/tasks", headers=bearer("boss"), timeout=15).json()["count"]
    with httpx.Client(timeout=30) as client:
        if era == "session":
            _, headers = open_session(client, guarded.url, bearer(token))
            response = client.post(guarded.url, headers=headers, json=call(tool, arguments, request_id=7))
        else:
            response = stateless_call(client, guarded.url, bearer(token), tool, arguments, request_id=7)
    assert_scope_refusal(response, needed, held, 7)
    assert httpx.get(guarded.base + "/tasks", headers=bearer("boss"), timeout=15).json()["count"] == before


def test_lists_show_only_what_the_principal_may_use(guarded):
    with httpx.Client(timeout=30) as client:
        reader = set(stateless_list(client, guarded.url, bearer("reader")))
        admin = set(stateless_list(client, guarded.url, bearer("boss")))
        demo = set(stateless_list(client, guarded.url, bearer("demo-tools")))
    assert {"task_list", "task_get", "run_list", "run_get"} <= reader
    assert not reader & {"task_create", "task_update", "run_approve", "run_cancel", "event_publish", "ext__events_demo__publish"}
    assert {"task_create", "run_approve", "run_cancel", "event_publish", "ext__events_demo__publish"} <= admin
    assert {"ext__events_demo__publish", "ext__events_demo__read"} <= demo and "task_list" not in demo


def test_a_tool_scope_is_granted_by_its_extension_tools_scope(guarded):
    with httpx.Client(timeout=30) as client:
        response = stateless_call(client, guarded.url, bearer("demo-tools"), "ext__events_demo__publish", {"stream": "granted", "payload": 2})
    assert response.status_code == 200, response.text
    assert response.json()["result"]["structuredContent"]["event"]["payload"] == 2


def stateless_request(client, url, credential, method, params, name=None, request_id=1):
    return client.post(url, headers={**stateless_headers(method, name), **credential},
                       json={"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params, _meta=META)})


def test_resources_and_prompts_follow_the_same_scopes(guarded):
    with httpx.Client(timeout=30) as client:
        # The task templates need tasks:read.
        templates = lambda who: {t["uriTemplate"] for t in stateless_request(client, guarded.url, bearer(who), "resources/templates/list", {})
                                 .json()["result"]["resourceTemplates"]}
        assert "ordinaut://tasks/{id}" in templates("reader")
        assert "ordinaut://tasks/{id}" not in templates("notes")
        task = client.post(guarded.base + "/tasks", headers=bearer("boss"), json=TASK).json()
        uri = f"ordinaut://tasks/{task['id']}"
        assert stateless_request(client, guarded.url, bearer("reader"), "resources/read", {"uri": uri}, name=uri).status_code == 200
        refused = stateless_request(client, guarded.url, bearer("notes"), "resources/read", {"uri": uri}, name=uri, request_id=5)
        assert_scope_refusal(refused, "tasks:read", ["ext:py_notes:tools"], 5)
        # An extension's tools, resources and prompts need ext:<id>:tools (py_notes starts on its first call).
        started = stateless_call(client, guarded.url, bearer("notes"), "ext__py_notes__list_notes")
        assert started.status_code == 200, started.text
        prompts = lambda who: {p["name"] for p in stateless_request(client, guarded.url, bearer(who), "prompts/list", {}).json()["result"]["prompts"]}
        resources = lambda who: {r["uri"] for r in stateless_request(client, guarded.url, bearer(who), "resources/list", {}).json()["result"]["resources"]}
        assert "ext.py_notes.summarize" in prompts("notes") and "ext.py_notes.summarize" not in prompts("reader")
        assert "ext://py_notes/notes://all" in resources("notes") and "ext://py_notes/notes://all" not in resources("reader")
        assert "ext__py_notes__add_note" not in stateless_list(client, guarded.url, bearer("reader"))
        prompt = stateless_request(client, guarded.url, bearer("reader"), "prompts/get", {"name": "ext.py_notes.summarize", "arguments": {}},
                                   name="ext.py_notes.summarize", request_id=6)
        assert_scope_refusal(prompt, "ext:py_notes:tools", ["tasks:read", "mcp"], 6)
        note = "ext://py_notes/notes://all"
        read = stateless_request(client, guarded.url, bearer("reader"), "resources/read", {"uri": note}, name=note, request_id=7)
        assert_scope_refusal(read, "ext:py_notes:tools", ["tasks:read", "mcp"], 7)
        tool = stateless_call(client, guarded.url, bearer("reader"), "ext__py_notes__add_note", {"text": "x"}, request_id=8)
        assert_scope_refusal(tool, "ext:py_notes:tools", ["tasks:read", "mcp"], 8)


def test_the_mcp_mount_needs_its_route_scope_then_each_tool_scope(guarded):
    url = guarded.base + "/ext/mcp_http/"
    with httpx.Client(timeout=30) as client:
        _, headers = open_session(client, url, bearer("mounted"))
        assert headers is not None
        listed = answer(client.post(url, headers=headers, json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"}))
        assert "task_list" not in {tool["name"] for tool in listed["result"]["tools"]}
        refused = client.post(url, headers=headers, json=call("task_list", request_id=4))
        assert_scope_refusal(refused, "tasks:read", ["ext:mcp_http:routes", "mcp"], 4)
        allowed = stateless_call(client, url, bearer("mounted-reader"), "task_list")
        assert allowed.status_code == 200 and "items" in allowed.json()["result"]["structuredContent"]


def test_the_actor_is_the_principal_never_client_info_nor_the_body(guarded):
    """created_by and every audit actor name the credential, whatever clientInfo.name and the body say."""
    created = []
    with httpx.Client(timeout=30) as client:
        # Session era: clientInfo.name names another principal (task_create takes no created_by).
        _, headers = open_session(client, guarded.url, bearer("writer"), client_name="boss")
        response = client.post(guarded.url, headers=headers, json=call("task_create", TASK))
        result = answer(response)
        assert "result" in result and not result["result"].get("isError"), result
        created.append(("writer", result["result"]["structuredContent"]["id"]))
        # Stateless era: the clientInfo in _meta.
        meta = dict(META, **{"io.modelcontextprotocol/clientInfo": {"name": "boss", "version": "1"}})
        response = stateless_call(client, guarded.url, bearer("writer"), "task_create", TASK, meta=meta)
        assert response.status_code == 200 and not response.json()["result"].get("isError"), response.text
        created.append(("writer", response.json()["result"]["structuredContent"]["id"]))
        # REST with a token, and through the trusted proxy: the body's created_by is ignored.
        response = client.post(guarded.base + "/tasks", headers=bearer("writer"), json=dict(TASK, created_by="boss"))
        assert response.status_code == 201, response.text
        created.append(("writer", response.json()["id"]))
        response = client.post(guarded.base + "/tasks", headers=proxy("carol", "tasks:read tasks:write"), json=dict(TASK, created_by="mallory"))
        assert response.status_code == 201, response.text
        created.append(("carol", response.json()["id"]))
        # A change by someone else is that someone's.
        task_id = created[0][1]
        paused = client.post(f"{guarded.base}/tasks/{task_id}/pause", headers=proxy("dave", "tasks:write"))
        assert paused.status_code == 200, paused.text
        for actor, task_id in created:
            task = client.get(f"{guarded.base}/tasks/{task_id}", headers=bearer("boss")).json()
            assert task["created_by"] == actor, task
            audit = client.get(f"{guarded.base}/tasks/{task_id}/audit", headers=bearer("boss")).json()["items"]
            assert audit, task_id
            creation = [entry for entry in audit if entry["actor"] != "dave"]
            assert creation and all(entry["actor"] == actor for entry in creation), audit
        audit = client.get(f"{guarded.base}/tasks/{created[0][1]}/audit", headers=bearer("boss")).json()["items"]
        assert {entry["actor"] for entry in audit} == {"writer", "dave"}, audit


def test_a_body_created_by_is_honoured_for_anonymous_local_clients(limited):
    response = httpx.post(limited.base + "/tasks", json=dict(TASK, created_by="alice"), timeout=15)
    assert response.status_code == 201, response.text
    assert response.json()["created_by"] == "alice"
    with_token = httpx.post(limited.base + "/tasks", headers=bearer("tool-b"), json=dict(TASK, created_by="alice"), timeout=15)
    assert with_token.status_code == 403  # tool-b holds no tasks:write; a token is never anonymous


def test_a_task_cannot_lend_its_runs_scopes_the_creator_lacks(guarded):
    body = dict(TASK, payload={"pipeline": [{"uses": "event_publish", "with": {"topic": "from.a.task"}}]})
    refused = httpx.post(guarded.base + "/tasks", headers=bearer("writer"), json=body, timeout=15)
    assert refused.status_code == 422, refused.text
    assert assert_error_body(refused)["details"]["field"] == "payload.pipeline[0].uses"
    with httpx.Client(timeout=30) as client:
        over_mcp = stateless_call(client, guarded.url, bearer("writer"), "task_create", body)
    result = over_mcp.json()
    assert ("error" in result) or result["result"].get("isError"), result
    assert "payload.pipeline[0].uses" in json.dumps(result)
    allowed = httpx.post(guarded.base + "/tasks", headers=bearer("boss"), json=body, timeout=15)
    assert allowed.status_code == 201, allowed.text


@pytest.mark.parametrize("path", ["/mcp", "/tasks", "/ext/events_demo/publish/x", "/ext/echo/anything"])
def test_text_plain_from_another_origin_is_403_and_from_the_same_origin_415(guarded, path):
    url = guarded.base + path
    credential = bearer("boss")
    cross = httpx.post(url, headers={**credential, "Origin": EVIL_ORIGIN, "Content-Type": "text/plain"},
                       content=json.dumps(initialize()), timeout=15)
    assert cross.status_code == 403, cross.text
    own_origin = f"http://127.0.0.1:{guarded.port}"
    same = httpx.post(url, headers={**credential, "Origin": own_origin, "Content-Type": "text/plain"},
                      content=json.dumps(initialize()), timeout=15)
    assert same.status_code == 415, same.text


@pytest.mark.parametrize("origin", [
    EVIL_ORIGIN, "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}", "http://localhost:{port}",
    "http://127.0.0.1.evil.example:{port}", "https://app.example.evil.example",
])
def test_foreign_origins_are_refused_on_every_route_family(guarded, origin):
    origin = origin.format(port=guarded.port)
    with httpx.Client(timeout=15) as client:
        for method, path, body in [("POST", "/mcp", initialize()), ("GET", "/tasks", None), ("POST", "/tasks", TASK),
                                   ("POST", "/ext/events_demo/publish/x", {"n": 1}), ("GET", "/ext/echo/x", None)]:
            response = client.request(method, guarded.base + path, headers={**bearer("boss"), "Origin": origin}, json=body)
            assert response.status_code == 403, f"{method} {path} with Origin {origin}: {response.status_code}"
            assert "access-control-allow-origin" not in response.headers


def test_own_and_allowed_origins_are_served(guarded):
    for origin in [f"http://127.0.0.1:{guarded.port}", ALLOWED_ORIGIN]:
        response = httpx.get(guarded.base + "/tasks", headers={**bearer("reader"), "Origin": origin}, timeout=15)
        assert response.status_code == 200, (origin, response.text)


def test_a_websocket_from_another_origin_is_refused(guarded):
    refused = websocket(guarded, bearer("boss"), origin=EVIL_ORIGIN)
    assert refused.status_code == 400, (refused.status_code, dict(refused.headers))
    status, head = raw_upgrade(guarded.port, "/ext/events_demo/ws/raw",
                               {"Host": f"127.0.0.1:{guarded.port}", "Origin": "null", **bearer("boss")})
    assert status == 400, head


def test_a_websocket_from_its_own_or_an_allowed_origin_opens(guarded):
    assert websocket(guarded, bearer("boss"), origin=f"http://127.0.0.1:{guarded.port}").status_code == 101
    assert websocket(guarded, bearer("boss"), origin=ALLOWED_ORIGIN).status_code == 101


REBINDING_HOSTS = ["127.0.0.1.rebind.evil.example", "127.0.0.1.rebind.evil.example:{port}", "evil.example",
                   "localhost.evil.example:{port}", "0x7f.0.0.1:{port}", "127.0.0.1@evil.example", "[::2]:{port}"]


@pytest.mark.parametrize("host", REBINDING_HOSTS)
def test_dns_rebinding_hosts_are_421(guarded, host):
    host = host.format(port=guarded.port)
    with httpx.Client(timeout=15) as client:
        for method, path, body in [("POST", "/mcp", initialize()), ("GET", "/tasks", None), ("GET", "/health", None),
                                   ("GET", "/ext/events_demo/health", None), ("POST", "/ext/events_demo/publish/x", {"n": 1})]:
            response = client.request(method, guarded.base + path, headers={**bearer("boss"), "Host": host}, json=body)
            assert response.status_code == 421, f"{method} {path} with Host {host}: {response.status_code}"


@pytest.mark.parametrize("host", ["127.0.0.1.rebind.evil.example", "evil.example:{port}"])
def test_dns_rebinding_websocket_upgrades_are_refused(guarded, host):
    status, head = raw_upgrade(guarded.port, "/ext/events_demo/ws/rebind", {"Host": host.format(port=guarded.port), **bearer("boss")})
    assert status == 400, head


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "127.9.8.7:{port}", "[::1]:{port}",
                                  ALLOWED_HOST, ALLOWED_HOST + ":{port}"])
def test_loopback_and_allowed_hosts_are_served(guarded, host):
    host = host.format(port=guarded.port)
    response = httpx.get(guarded.base + "/tasks", headers={**bearer("reader"), "Host": host}, timeout=15)
    assert response.status_code == 200, (host, response.text)


def test_host_credentials_never_reach_an_extension(guarded):
    url = guarded.base + "/ext/echo/inspect?x=1"
    common = {"Cookie": "session=abc", "X-Internal-Trace": "trace-secret", "X-Tenant-Secret": "t", "X-Keep": "kept"}
    forbidden = {"authorization", "cookie", "x-ordinaut-proxy-secret", "x-ordinaut-user", "x-scopes", "x-internal-trace", "x-tenant-secret"}

    via_token = httpx.get(url, headers={**bearer("echo-user"), **common}, timeout=15)
    assert via_token.status_code == 200, via_token.text
    echoed = via_token.json()
    seen = {name.lower(): value for name, value in echoed["headers"].items()}
    assert not forbidden & set(seen), seen
    assert seen.get("x-keep") == "kept"
    assert TOKENS["echo-user"][0] not in json.dumps(echoed)
    assert echoed["principal"] == {"subject": "token:echo-user", "name": "echo-user", "scopes": ["ext:echo:routes"], "method": "tokens_file"}

    via_proxy = httpx.post(url, headers={**proxy("carol", "ext:echo:routes tasks:read"), "Authorization": "Bearer " + TOKENS["boss"][0],
                                         **common}, json={"n": 1}, timeout=15)
    assert via_proxy.status_code == 200, via_proxy.text
    echoed = via_proxy.json()
    seen = {name.lower(): value for name, value in echoed["headers"].items()}
    assert not forbidden & set(seen), seen
    assert PROXY_SECRET not in json.dumps(echoed) and TOKENS["boss"][0] not in json.dumps(echoed)
    principal = echoed["principal"]
    assert (principal["subject"], principal["name"], principal["method"]) == ("proxy:carol", "carol", "proxy")
    assert set(principal["scopes"]) == {"ext:echo:routes", "tasks:read"}


def webhook(extension_id: str, secret_variable: str) -> dict:
    return {"id": extension_id, "name": extension_id, "version": "1.0.0", "grants": ["TOOLS"], "tools": [
        {"name": "hook", "webhook": {"url": "http://127.0.0.1:1/x?k=${secrets.key}", "method": "GET", "timeout_seconds": 1,
                                     "secrets": {"key": secret_variable}}}]}


def test_webhook_manifests_may_name_only_their_own_or_allowed_secrets(binary, tmp_path):
    manifests = {
        "proxy_leak": webhook("proxy_leak", "ORDINAUT_PROXY_SECRET"),
        "state_leak": webhook("state_leak", "ORDINAUT_STATE_KEY"),
        "neighbour": webhook("neighbour", "ORDINAUT_SECRET_OWNED_TOKEN"),  # another extension's secret
        "owned": webhook("owned", "ORDINAUT_SECRET_OWNED_TOKEN"),
        "listed": webhook("listed", "MYCO_API_KEY"),
    }
    root = tmp_path / "hooks"
    for name, manifest in manifests.items():
        (root / name).mkdir(parents=True)
        (root / name / "extension.json").write_text(json.dumps(manifest))
    running = start_server(binary, env={
        "ORDINAUT_EXT_PATHS": str(root), "ORDINAUT_WEBHOOK_SECRETS": "MYCO_*", "ORDINAUT_PROXY_SECRET": PROXY_SECRET,
        "ORDINAUT_STATE_KEY": "k" * 44, "ORDINAUT_SECRET_OWNED_TOKEN": "owned-token", "MYCO_API_KEY": "myco-key"})
    try:
        status = httpx.get(running.base + "/ext/status", timeout=15).json()
        problems = {pathlib.Path(problem["origin"]).parent.name: problem["message"] for problem in status["discovery"]["problems"]}
        assert set(problems) == {"proxy_leak", "state_leak", "neighbour"}, problems
        assert "ORDINAUT_PROXY_SECRET" in problems["proxy_leak"]
        assert "ORDINAUT_STATE_KEY" in problems["state_leak"]
        assert "ORDINAUT_SECRET_OWNED_TOKEN" in problems["neighbour"]
        assert not {"proxy_leak", "state_leak", "neighbour"} & set(status["extensions"])
        assert {"owned", "listed"} <= set(status["extensions"])
        with httpx.Client(timeout=15) as client:
            names = set(stateless_list(client, running.url, {}))
        assert {"ext__owned__hook", "ext__listed__hook"} <= names
        assert not any(name.startswith(("ext__proxy_leak", "ext__state_leak", "ext__neighbour")) for name in names)
    finally:
        running.stop()


def test_rapid_requests_beyond_the_limit_are_429_with_rate_limit_headers(limited):
    statuses = []
    limited_answers = []
    with httpx.Client(timeout=15) as client:
        for _ in range(300):
            response = client.get(limited.base + "/tasks", headers=bearer("rate-a"))
            statuses.append(response.status_code)
            if response.status_code == 429 and len(limited_answers) < 5:
                limited_answers.append(response)
        assert set(statuses) <= {200, 429}, set(statuses)
        assert statuses.count(200) >= 10 and statuses.count(429) >= 200, (statuses.count(200), statuses.count(429))
        for response in limited_answers:
            assert int(response.headers["retry-after"]) >= 1
            assert response.headers["ratelimit-policy"] and response.headers["ratelimit"]
            assert assert_error_body(response)["error"]
        # Another principal is not affected.
        assert client.get(limited.base + "/tasks", headers=bearer("rate-b")).status_code == 200
        # Refusals are counted.
        assert client.get(limited.base + "/tasks", headers=CREDENTIALS["invalid"]).status_code == 401
        metrics = client.get(limited.base + "/metrics", headers=bearer("metrics"))
        assert metrics.status_code == 200
        assert metric_total(metrics.text, "ordinaut_rate_limited_total", 'surface="http"') >= statuses.count(429)
        assert metric_total(metrics.text, "ordinaut_access_denied_total") >= 1


def test_anonymous_clients_are_limited_per_address(limited):
    with httpx.Client(timeout=15) as client:
        statuses = [client.get(limited.base + "/tasks").status_code for _ in range(300)]
        assert statuses.count(429) >= 200, statuses.count(429)
        assert client.get(limited.base + "/tasks", headers=bearer("rate-b")).status_code == 200
        # Anonymous local clients hold every scope, metrics:read included, once their bucket refills.
        metrics = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(client.get(limited.base + "/metrics")),
                           timeout=15, message="the anonymous bucket to refill")
        assert "ordinaut_rate_limited_total" in metrics.text


def test_tool_calls_beyond_their_limit_are_429_with_json_rpc_32041(limited):
    with httpx.Client(timeout=15) as client:
        answers = [stateless_call(client, limited.url, bearer("tool-a"), "task_list", request_id=index) for index in range(6)]
        refused = [response for response in answers if response.status_code == 429]
        assert refused and len(refused) <= 5, [response.status_code for response in answers]
        assert answers[0].status_code == 200
        for response in refused:
            body = response.json()
            assert body["error"]["code"] == -32041 and body["id"] is not None
            assert body["error"]["data"]["retryAfterSeconds"] >= 1
            assert int(response.headers["retry-after"]) >= 1
        # The limit is per principal.
        other = stateless_call(client, limited.url, bearer("tool-b"), "task_list")
        assert other.status_code == 200, other.text
        # A limit keyed by scope: events:publish 1:1.
        published = [stateless_call(client, limited.url, bearer("tool-a"), "event_publish", {"topic": "limit.test"}).status_code
                     for _ in range(3)]
        assert published[0] == 200 and 429 in published, published


def test_one_principal_filling_its_sessions_does_not_block_another(sessions_server):
    url = sessions_server.url
    with httpx.Client(timeout=15) as client:
        opened = [open_session(client, url, bearer("reader")) for _ in range(3)]
        assert all(headers is not None for _, headers in opened), [response.status_code for response, _ in opened]
        fourth, headers = open_session(client, url, bearer("reader"))
        assert fourth.status_code == 503 and headers is None, fourth.text
        assert "error" in fourth.json()
        other, headers = open_session(client, url, bearer("writer"))
        assert other.status_code == 200 and headers is not None, other.text
        # Ending one of its sessions gives the first principal a slot again.
        assert client.delete(url, headers=opened[0][1]).status_code == 200
        again, headers = open_session(client, url, bearer("reader"))
        assert again.status_code == 200 and headers is not None, again.text


def test_a_session_belongs_to_its_principal(guarded):
    url = guarded.url
    with httpx.Client(timeout=15) as client:
        _, mine = open_session(client, url, bearer("reader"))
        session_id = mine["Mcp-Session-Id"]
        for intruder in [bearer("writer"), bearer("boss"), proxy("reader", "tasks:read mcp")]:
            theirs = {**ACCEPT, **intruder, "Mcp-Session-Id": session_id, "MCP-Protocol-Version": "2025-11-25"}
            posted = client.post(url, headers=theirs, json={"jsonrpc": "2.0", "id": 9, "method": "tools/list"})
            assert posted.status_code == 404, posted.text
            with client.stream("GET", url, headers={**theirs, "Accept": "text/event-stream"}) as stream:
                stream.read()
                assert stream.status_code == 404
            assert client.delete(url, headers=theirs).status_code == 404
        # The owner still has it.
        listed = client.post(url, headers=mine, json={"jsonrpc": "2.0", "id": 10, "method": "tools/list"})
        assert listed.status_code == 200 and "result" in answer(listed)
        assert client.delete(url, headers=mine).status_code == 200


def test_a_legacy_sse_session_belongs_to_its_principal(guarded):
    with httpx.Client(timeout=15) as client, client.stream("GET", guarded.base + "/sse",
                                                          headers={"Accept": "text/event-stream", **bearer("reader")}) as stream:
        assert stream.status_code == 200
        event, endpoint = next(sse_events(stream.iter_lines()))
        assert event == "endpoint"
        url = guarded.base + endpoint if endpoint.startswith("/") else endpoint
        with httpx.Client(timeout=15) as poster:
            assert poster.post(url, headers={**ACCEPT, **bearer("writer")}, json=initialize()).status_code == 404
            assert poster.post(url, headers={**ACCEPT, **bearer("reader")}, json=initialize()).status_code == 202


def serve_and_wait(binary, args, env, tmp_path, timeout=30):
    """Runs `ordinaut serve`; returns (exit code or None if it started listening, stderr lines so far)."""
    environment = dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path / "data"), **env)
    process = subprocess.Popen([str(binary), "serve", "--port", "0", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=environment)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr] + [lines.put(None)], daemon=True).start()
    seen = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                return process.wait(timeout=10), seen
            seen.append(line)
            if "listening on" in line:
                return None, seen
        raise AssertionError("ordinaut serve neither listened nor exited: " + "".join(seen))
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.parametrize("host,env", [
    ("0.0.0.0", {}),
    ("0.0.0.0", {"ORDINAUT_REQUIRE_SCOPES": "false"}),
    ("0.0.0.0", {"ORDINAUT_TOKENS_FILE": "<tokens>"}),
    ("192.0.2.10", {}),
], ids=["wide", "scopes-false", "tokens-not-required", "other-address"])
def test_a_wide_address_without_credentials_refuses_to_start(binary, tmp_path, host, env):
    env = {name: (str(write_tokens(tmp_path)) if value == "<tokens>" else value) for name, value in env.items()}
    code, lines = serve_and_wait(binary, ["--host", host], env, tmp_path)
    text = "".join(lines)
    assert code is not None and code != 0, "it started: " + text
    assert "ORDINAUT_REQUIRE_SCOPES" in text and "--allow-anonymous" in text, text


def test_configured_but_unrequired_credentials_start_with_a_warning(binary, tmp_path):
    code, lines = serve_and_wait(binary, [], {"ORDINAUT_TOKENS_FILE": str(write_tokens(tmp_path))}, tmp_path)
    assert code is None, "".join(lines)
    warnings = [line for line in lines if "not required" in line]
    assert warnings and "ORDINAUT_REQUIRE_SCOPES" in warnings[0], "".join(lines)
    code, lines = serve_and_wait(binary, ["--allow-anonymous"], {}, tmp_path)
    assert code is None, "".join(lines)


def test_a_presented_invalid_token_is_401_even_when_credentials_are_optional(limited):
    with httpx.Client(timeout=15) as client:
        assert client.get(limited.base + "/runs", headers=CREDENTIALS["invalid"]).status_code == 401
        assert client.post(limited.url, headers={**ACCEPT, **CREDENTIALS["invalid"]}, json=initialize()).status_code == 401
        # Without a credential: the anonymous local user (once an earlier test's flood has drained).
        anonymous = wait_for(lambda: (lambda r: r if r.status_code != 429 else None)(client.get(limited.base + "/runs")),
                             timeout=15, message="the anonymous bucket to refill")
        assert anonymous.status_code == 200, anonymous.text


# --- REST scopes and refusals -------------------------------------------------------------------

REST = [
    # method, path, body, credential, status
    ("GET", "/runs", None, "read", 200),
    ("GET", "/runs", None, "metrics", 403),
    ("PATCH", "/tasks/no-such-task", {"title": "x"}, "read", 403),
    ("PATCH", "/tasks/no-such-task", {"title": "x"}, "write", 404),
    ("POST", "/tasks/no-such-task/pause", None, "read", 403),
    ("POST", "/runs/no-such-run/cancel", None, "write", 403),
    ("POST", "/runs/no-such-run/cancel", None, "admin", 404),
    ("POST", "/runs/no-such-run/approve", {"approved": True}, "write", 403),
    ("POST", "/runs/no-such-run/approve", {"approved": True}, "admin", 404),
    ("POST", "/events", {"topic": "rest.event"}, "write", 403),
    ("GET", "/ext/status", None, "write", 403),
    ("GET", "/metrics", None, "write", 403),
    ("GET", "/metrics", None, "metrics", 200),
    ("GET", "/ext/observability/metrics", None, "write", 403),
    ("GET", "/audit", None, "write", 403),
    ("GET", "/health", None, "none", 200),
    ("GET", "/health/ready", None, "none", 200),
    ("GET", "/health/live", None, "none", 200),
    ("GET", "/.well-known/oauth-protected-resource", None, "none", 200),
    ("GET", "/.well-known/oauth-protected-resource/mcp", None, "none", 200),
    ("GET", "/ext/events_demo/health", None, "none", 200),
    ("GET", "/ext/echo/health", None, "none", 200),
    ("GET", "/ext/echo/x", None, "write", 403),
]


@pytest.mark.parametrize("method,path,body,credential,status", REST, ids=[f"{r[0]} {r[1]} {r[3]}" for r in REST])
def test_rest_scopes(guarded, method, path, body, credential, status):
    headers = bearer("metrics") if credential == "metrics" else CREDENTIALS[credential]
    response = httpx.request(method, guarded.base + path, headers=headers, json=body, timeout=15)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("method,path,credential,status", [
    ("GET", "/tasks", "none", 401), ("GET", "/tasks", "invalid", 401), ("GET", "/tasks", "bad-proxy", 401),
    ("POST", "/tasks", "read", 403), ("GET", "/ext/status", "read", 403), ("GET", "/metrics", "read", 403),
    ("POST", "/ext/events_demo/publish/x", "read", 403), ("POST", "/runs/x/approve", "write", 403),
])
def test_rest_refusals_use_the_error_body_and_a_challenge(guarded, method, path, credential, status):
    response = httpx.request(method, guarded.base + path, headers=CREDENTIALS[credential], json=TASK if method == "POST" else None, timeout=15)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = assert_error_body(response)
    parameters = challenge(response.headers.get("www-authenticate"))
    if status == 403:
        assert parameters["error"] == "insufficient_scope"
        assert parameters["scope"] and body.get("details"), body


# --- JSON-only bodies ---------------------------------------------------------------------------

@pytest.mark.parametrize("content_type,expected", [
    ("text/plain", 415), ("text/plain;charset=utf-8", 415), ("application/x-www-form-urlencoded", 415),
    ("multipart/form-data; boundary=x", 415), ("application/jsonx", 415), ("application/json-patch+json", 415),
    ("text/json", 415), (None, 415),
    ("application/json", "ok"), ("application/json; charset=utf-8", "ok"), ("Application/JSON", "ok"),
])
@pytest.mark.parametrize("path", ["/mcp", "/tasks", "/ext/events_demo/publish/types"])
def test_request_bodies_must_be_application_json(guarded, content_type, expected, path):
    body = json.dumps(initialize() if path == "/mcp" else TASK).encode()
    headers = {**bearer("boss"), "Accept": "application/json, text/event-stream"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = httpx.post(guarded.base + path, headers=headers, content=body, timeout=15)
    if expected == "ok":
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 415, f"{content_type}: {response.status_code} {response.text}"


def test_a_patch_with_a_body_must_be_json_and_a_bodiless_post_needs_no_type(guarded):
    created = httpx.post(guarded.base + "/tasks", headers=bearer("boss"), json=TASK, timeout=15).json()
    patched = httpx.patch(f"{guarded.base}/tasks/{created['id']}", headers={**bearer("boss"), "Content-Type": "text/plain"},
                          content=b'{"title": "y"}', timeout=15)
    assert patched.status_code == 415
    empty_with_type = httpx.post(f"{guarded.base}/tasks/{created['id']}/pause", headers={**bearer("boss"), "Content-Type": "text/plain"},
                                 timeout=15)
    assert empty_with_type.status_code == 415
    paused = httpx.post(f"{guarded.base}/tasks/{created['id']}/pause", headers=bearer("boss"), timeout=15)
    assert paused.status_code == 200, paused.text


# --- 3. CORS ------------------------------------------------------------------------------------

def header_set(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/mcp", "/tasks", "/sse", "/ext/events_demo/publish/x", "/ext/mcp_http/"])
def test_a_preflight_from_an_allowed_origin_is_answered(guarded, path):
    response = httpx.options(guarded.base + path, headers={
        "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, mcp-session-id, mcp-protocol-version"}, timeout=15)
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert {"get", "post", "delete"} <= header_set(response.headers.get("access-control-allow-methods"))
    assert {"mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id", "authorization", "content-type"} \
        <= header_set(response.headers.get("access-control-allow-headers"))
    assert {"mcp-session-id", "www-authenticate"} <= header_set(response.headers.get("access-control-expose-headers"))


@pytest.mark.parametrize("origin", [EVIL_ORIGIN, "null", "https://app.example.evil.example", "http://app.example"])
@pytest.mark.parametrize("path", ["/mcp", "/tasks", "/ext/events_demo/publish/x"])
def test_a_preflight_from_another_origin_is_403(guarded, origin, path):
    response = httpx.options(guarded.base + path, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=15)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_an_allowed_origins_requests_get_cors_headers(guarded):
    with httpx.Client(timeout=15, headers={"Origin": ALLOWED_ORIGIN}) as client:
        initialized = client.post(guarded.url, headers={**ACCEPT, **bearer("reader")}, json=initialize())
        assert initialized.status_code == 200
        refused = client.post(guarded.url, headers=ACCEPT, json=initialize())
        assert refused.status_code == 401
        listed = client.get(guarded.base + "/tasks", headers=bearer("reader"))
        assert listed.status_code == 200
        for response in (initialized, refused, listed):
            assert response.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN, response.headers
            assert {"mcp-session-id", "www-authenticate"} <= header_set(response.headers.get("access-control-expose-headers"))
            assert "origin" in header_set(response.headers.get("vary"))
    # No Origin (not a browser): no CORS headers.
    plain = httpx.get(guarded.base + "/tasks", headers=bearer("reader"), timeout=15)
    assert "access-control-allow-origin" not in plain.headers


# --- 4. Security headers ------------------------------------------------------------------------

SECURED = [
    # name, method, path, credential, extra headers, json body, status
    ("health", "GET", "/health", "none", {}, None, 200),
    ("list", "GET", "/tasks", "read", {}, None, 200),
    ("unauthorized", "GET", "/tasks", "none", {}, None, 401),
    ("forbidden", "POST", "/tasks", "read", {}, TASK, 403),
    ("not-found", "GET", "/no/such/route", "read", {}, None, 404),
    ("unsupported-media", "POST", "/tasks", "write", {"Content-Type": "text/plain"}, None, 415),
    ("misdirected", "GET", "/tasks", "read", {"Host": "evil.example"}, None, 421),
    ("bad-origin", "GET", "/tasks", "read", {"Origin": EVIL_ORIGIN}, None, 403),
    ("mcp", "POST", "/mcp", "read", ACCEPT, initialize(), 200),
    ("mcp-unauthorized", "POST", "/mcp", "none", ACCEPT, initialize(), 401),
    ("mcp-forbidden", "POST", "/ext/mcp_http/", "read", ACCEPT, initialize(), 403),
    ("extension-health", "GET", "/ext/events_demo/health", "none", {}, None, 200),
    ("extension-route", "GET", "/ext/echo/json", "admin", {}, None, 200),
    ("preflight", "OPTIONS", "/mcp", "none", {"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"}, None, 204),
    ("metadata", "GET", "/.well-known/oauth-protected-resource", "none", {}, None, 200),
]


@pytest.mark.parametrize("name,method,path,credential,extra,body,status", SECURED, ids=[row[0] for row in SECURED])
def test_every_answer_carries_the_security_headers(guarded, name, method, path, credential, extra, body, status):
    headers = {**CREDENTIALS[credential], **extra}
    content = b"hello" if name == "unsupported-media" else (json.dumps(body).encode() if body is not None else None)
    if body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    response = httpx.request(method, guarded.base + path, headers=headers, content=content, timeout=15)
    assert response.status_code == status, response.text
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "no-referrer"


def test_a_refused_websocket_upgrade_says_why_to_a_plain_request(guarded):
    # The upgrade itself can only be refused with 400; the same route over plain HTTP gives the reason.
    assert websocket(guarded, {}, stream="headers").status_code == 400
    plain = httpx.get(f"{guarded.base}/ext/events_demo/ws/headers", timeout=15)
    assert plain.status_code == 401 and "WWW-Authenticate".lower() in plain.headers
    assert plain.headers.get("x-content-type-options") == "nosniff"
    assert plain.headers.get("referrer-policy") == "no-referrer"


@pytest.mark.parametrize("page", ["page", "page-own-csp"])
def test_html_answers_forbid_framing(guarded, page):
    response = httpx.get(f"{guarded.base}/ext/echo/{page}", headers=bearer("echo-user"), timeout=15)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), response.headers
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "no-referrer"


# --- stdio: the same refusals as JSON-RPC errors ------------------------------------------------

class Stdio:
    def __init__(self, binary, env, data_dir):
        self.process = subprocess.Popen([str(binary), "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        env=dict(os.environ, ORDINAUT_DATA_DIR=str(data_dir), **env))
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True).start()

    def request(self, message: dict) -> dict:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        if "id" not in message:
            return {}
        while True:
            answer = json.loads(self.lines.get(timeout=30))
            if answer.get("id") == message["id"] and "method" not in answer:
                return answer

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def stdio_reader(binary, tmp_path):
    session = Stdio(binary, {"ORDINAUT_STDIO_SCOPES": "tasks:read mcp", "ORDINAUT_STDIO_PRINCIPAL": "robot",
                             "ORDINAUT_TOOL_RATE_LIMITS": json.dumps({"task_list": "1:2"})}, tmp_path)
    assert "result" in session.request(initialize())
    session.request({"jsonrpc": "2.0", "method": "notifications/initialized"})
    yield session
    session.close()


def test_stdio_refuses_a_tool_outside_its_scopes_with_32040(stdio_reader):
    names = {tool["name"] for tool in stdio_reader.request({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})["result"]["tools"]}
    assert "task_list" in names and not names & {"task_create", "run_approve", "event_publish"}
    refused = stdio_reader.request(call("task_create", TASK, request_id=3))
    assert refused["error"]["code"] == -32040
    assert refused["error"]["data"]["requiredScope"] == "tasks:write"
    approve = stdio_reader.request(call("run_approve", {"id": "x", "approved": True}, request_id=4))
    assert approve["error"]["data"]["requiredScope"] == "runs:approve"


def test_stdio_limits_tool_calls_with_32041(stdio_reader):
    answers = [stdio_reader.request(call("task_list", request_id=10 + index)) for index in range(6)]
    assert "result" in answers[0]
    limited = [answer for answer in answers if "error" in answer]
    assert limited, answers
    assert all(answer["error"]["code"] == -32041 and answer["error"]["data"]["retryAfterSeconds"] >= 1 for answer in limited)


def test_stdio_acts_as_its_configured_principal_not_its_client_info(binary, tmp_path):
    session = Stdio(binary, {"ORDINAUT_STDIO_SCOPES": "tasks:read tasks:write mcp", "ORDINAUT_STDIO_PRINCIPAL": "robot"}, tmp_path)
    try:
        assert "result" in session.request(initialize(client_name="boss"))
        session.request({"jsonrpc": "2.0", "method": "notifications/initialized"})
        created = session.request(call("task_create", TASK, request_id=2))
        assert created["result"]["structuredContent"]["created_by"] == "robot", created
        refused = session.request(call("event_publish", {"topic": "x"}, request_id=3))
        assert refused["error"]["code"] == -32040 and refused["error"]["data"]["requiredScope"] == "events:publish"
    finally:
        session.close()
