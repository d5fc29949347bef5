"""Agents and their tokens through the real binary: the CLI and a server sharing one SQLite data
folder, the REST API (checked against protocol/openapi.json), the admin MCP tools over stateless
HTTP, the audit log, the clear token never reaching the database, and tasks acting with their
creator's scopes. Every server binds 127.0.0.1 and keeps its data in a temporary folder."""
import base64
import hashlib
import json
import os
import pathlib
import pwd
import re
import subprocess
import time
import uuid

import httpx
import pytest

from conftest import start_server, wait_for
from test_access import answer, assert_error_body, assert_scope_refusal, stateless_call, stateless_list
from test_tasks import FAST, api

TOKEN_SHAPE = re.compile(r"ordn_[A-Za-z0-9_-]{43}")
ADMIN_TOOLS = {"agent_create", "agent_list", "agent_disable", "token_create", "token_list", "token_revoke"}
# The bound on a revocation or a disabling: ORDINAUT_TOKEN_CACHE_SECONDS is 1 in these tests; the
# rest is slack for a loaded machine.
REVOCATION_BOUND = 15

# Tokens-file credentials (not agent tokens): name -> (token, scopes).
OPERATORS = {
    "boss": ("boss-admin-token", ["admin"]),
    "viewer": ("viewer-read-token", ["tasks:read", "mcp"]),
}


def bearer(token: str) -> dict:
    return {"Authorization": "Bearer " + token}


def operator(name: str) -> dict:
    return bearer(OPERATORS[name][0])


def write_tokens_file(folder: pathlib.Path) -> pathlib.Path:
    path = folder / "tokens.json"
    path.write_text(json.dumps({"tokens": [
        {"name": name, "sha256": hashlib.sha256(token.encode()).hexdigest(), "scopes": scopes}
        for name, (token, scopes) in OPERATORS.items()]}))
    return path


def server_env(data_dir: pathlib.Path, tokens_file: pathlib.Path | None = None, **extra) -> dict:
    env = {"ORDINAUT_DATA_DIR": str(data_dir), "ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKEN_CACHE_SECONDS": "1",
           "ORDINAUT_RATE_LIMIT": "off"}
    if tokens_file:
        env["ORDINAUT_TOKENS_FILE"] = str(tokens_file)
    env.update(extra)
    return env


def cli(binary, *args, data_dir: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, ORDINAUT_DATA_DIR=str(data_dir)))


def cli_ok(binary, *args, data_dir: pathlib.Path) -> subprocess.CompletedProcess:
    result = cli(binary, *args, data_dir=data_dir)
    assert result.returncode == 0, f"ordinaut {' '.join(args)} failed ({result.returncode}): {result.stderr}"
    return result


def unix_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def status(base: str, path: str, headers: dict, method: str = "GET", **kwargs) -> int:
    return httpx.request(method, base + path, headers=headers, timeout=30, **kwargs).status_code


def wait_status(base: str, path: str, headers: dict, expected: int, message: str) -> float:
    """Polls until the request answers `expected`; returns how long it took."""
    started = time.monotonic()
    seen = []

    def check():
        code = status(base, path, headers)
        seen.append(code)
        return code == expected

    try:
        wait_for(check, timeout=REVOCATION_BOUND, message=message)
    except AssertionError:
        raise AssertionError(f"{message}: expected {expected} within {REVOCATION_BOUND}s, last answers {seen[-5:]}")
    return time.monotonic() - started


def task_body(**overrides) -> dict:
    body = {"title": "agent task", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
            "payload": {"pipeline": [{"uses": "task_list"}]}}
    body.update(overrides)
    return body


def audit(base: str, headers: dict, **query) -> list[dict]:
    response = api("GET", base, "/audit", params={"limit": 200, **query}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --- 1. The CLI and a server on one data folder -------------------------------------------------

def test_cli_lifecycle_on_a_shared_data_folder(binary, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    created = json.loads(cli_ok(binary, "agent", "create", "reader-bot", "--scope", "tasks:read", data_dir=data).stdout)
    assert created["name"] == "reader-bot" and created["scopes"] == ["tasks:read"] and created["disabled"] is False
    assert created["created_by"] == f"cli:{unix_user()}"

    issued = cli_ok(binary, "token", "create", "reader-bot", "--label", "first", "--expires-in", "30d", data_dir=data)
    token = issued.stdout.strip()
    assert TOKEN_SHAPE.fullmatch(token), f"stdout is not exactly one token: {issued.stdout!r}"
    assert issued.stdout == token + "\n"
    assert "once" in issued.stderr.lower(), f"no shown-once warning on stderr: {issued.stderr!r}"
    assert token not in issued.stderr

    server = start_server(binary, env=server_env(data, write_tokens_file(tmp_path)))
    try:
        base = server.base
        assert api("GET", base, "/tasks").status_code == 401
        listing = api("GET", base, "/tasks", headers=bearer(token))
        assert listing.status_code == 200, listing.text
        refused = api("POST", base, "/tasks", json=task_body(), headers=bearer(token))
        assert refused.status_code == 403, refused.text
        assert_error_body(refused)

        tokens = json.loads(cli_ok(binary, "token", "list", "reader-bot", "--json", data_dir=data).stdout)["items"]
        assert len(tokens) == 1
        first = tokens[0]
        assert first["status"] == "active" and first["label"] == "first" and first["prefix"] == token[:13]
        assert first["expires_at"] is not None and first["revoked_at"] is None

        cli_ok(binary, "token", "revoke", first["id"], data_dir=data)
        wait_status(base, "/tasks", bearer(token), 401, "the revoked token to be refused")
        refused = api("GET", base, "/tasks", headers=bearer(token))
        assert refused.status_code == 401 and "invalid_token" in refused.headers.get("www-authenticate", "")

        second = cli_ok(binary, "token", "create", "reader-bot", data_dir=data).stdout.strip()
        assert TOKEN_SHAPE.fullmatch(second) and second != token
        wait_status(base, "/tasks", bearer(second), 200, "the second token to be accepted")

        cli_ok(binary, "agent", "disable", "reader-bot", data_dir=data)
        wait_status(base, "/tasks", bearer(second), 401, "the disabled agent's token to be refused")
        agents = json.loads(cli_ok(binary, "agent", "list", "--json", data_dir=data).stdout)["items"]
        assert [(a["name"], a["disabled"]) for a in agents] == [("reader-bot", True)]
        assert "disabled" in cli_ok(binary, "agent", "list", data_dir=data).stdout
        no_token = cli(binary, "token", "create", "reader-bot", data_dir=data)
        assert no_token.returncode != 0 and not TOKEN_SHAPE.search(no_token.stdout), "a disabled agent got a token"

        cli_ok(binary, "agent", "disable", created["id"], "--enable", data_dir=data)
        wait_status(base, "/tasks", bearer(second), 200, "the enabled agent's token to be accepted again")
        # Enabling the agent does not bring back its revoked token.
        assert status(base, "/tasks", bearer(token)) == 401
        agents = json.loads(cli_ok(binary, "agent", "list", "--json", data_dir=data).stdout)["items"]
        assert agents[0]["disabled"] is False

        listed = cli_ok(binary, "token", "list", "reader-bot", "--json", data_dir=data).stdout
        assert token not in listed and second not in listed
        statuses = {item["prefix"]: item["status"] for item in json.loads(listed)["items"]}
        assert statuses == {token[:13]: "revoked", second[:13]: "active"}
        plain = cli_ok(binary, "token", "list", "reader-bot", data_dir=data).stdout
        assert "revoked" in plain and "active" in plain and token not in plain and second not in plain

        # The CLI's changes are audited as cli:<unix user>.
        entries = audit(base, operator("boss"))
        actions = {(e["action"], e["actor"]) for e in entries}
        actor = f"cli:{unix_user()}"
        for action in ["agent.created", "token.created", "token.revoked", "agent.disabled", "agent.enabled"]:
            assert (action, actor) in actions, f"no {action} by {actor} in {sorted(actions)}"
        assert token not in json.dumps(entries) and second not in json.dumps(entries)
        assert not any(token in line or second in line for line in server.log), "a token reached the server log"
    finally:
        server.stop()


# --- 2. The clear token never reaches the database ----------------------------------------------

def database_bytes(data: pathlib.Path) -> bytes:
    files = sorted(data.glob("*.db")) + sorted(data.glob("*.db-wal")) + sorted(data.glob("*.sqlite*"))
    assert files, f"no SQLite file in {data}: {list(data.iterdir())}"
    return b"".join(path.read_bytes() for path in dict.fromkeys(files))


def assert_only_digests_stored(data: pathlib.Path, tokens: list[str]) -> None:
    stored = database_bytes(data)
    for token in tokens:
        digest = hashlib.sha256(token.encode()).hexdigest()
        secret = base64.urlsafe_b64decode(token[5:] + "=")
        assert token.encode() not in stored, "the clear token is in the database"
        assert token[13:].encode() not in stored, "the secret part of the token is in the database"
        assert secret not in stored, "the token's random bytes are in the database"
        assert digest.encode() in stored, "the token's SHA-256 digest is not in the database"
        assert token[:13].encode() in stored, "the token's display prefix is not in the database"


def test_the_clear_token_is_never_stored(binary, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    cli_ok(binary, "agent", "create", "vault", "--scope", "tasks:read", data_dir=data)
    tokens = [cli_ok(binary, "token", "create", "vault", "--label", f"cli-{n}", data_dir=data).stdout.strip() for n in range(2)]
    assert all(TOKEN_SHAPE.fullmatch(t) for t in tokens)
    assert_only_digests_stored(data, tokens)

    server = start_server(binary, env=server_env(data, write_tokens_file(tmp_path)))
    try:
        issued = api("POST", server.base, "/agents/vault/tokens", "/agents/{id}/tokens", json={"label": "rest"},
                     headers=operator("boss"))
        assert issued.status_code == 201, issued.text
        tokens.append(issued.json()["token"])
        # Use every token, so that last_used_at is written too.
        for token in tokens:
            assert status(server.base, "/tasks", bearer(token)) == 200
        # Read while the server holds the database open: pages may still be in the -wal file.
        assert_only_digests_stored(data, tokens)
        assert not any(any(t in line for t in tokens) for line in server.log), "a token reached the server log"
    finally:
        server.stop()
    assert_only_digests_stored(data, tokens)


# --- 3-6. A server with an operator's admin token ---------------------------------------------

@pytest.fixture(scope="module")
def admin_server(binary, tmp_path_factory):
    folder = tmp_path_factory.mktemp("agents")
    data = folder / "data"
    data.mkdir()
    running = start_server(binary, env=server_env(data, write_tokens_file(folder), **FAST))
    running.data = data
    yield running
    running.stop()


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def create_agent(base: str, name: str, scopes: list[str]) -> dict:
    response = api("POST", base, "/agents", json={"name": name, "scopes": scopes}, headers=operator("boss"))
    assert response.status_code == 201, response.text
    return response.json()


def create_token(base: str, agent: str, **body) -> dict:
    response = api("POST", base, f"/agents/{agent}/tokens", "/agents/{id}/tokens", json=body, headers=operator("boss"))
    assert response.status_code == 201, response.text
    return response.json()


def mcp_task_list(server, token: str) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return stateless_call(client, server.url, bearer(token), "task_list", {})


def test_rest_lifecycle_of_an_agent_and_its_tokens(admin_server):
    base, boss = admin_server.base, operator("boss")
    name = unique("planner")
    agent = create_agent(base, name, ["mcp", "tasks:read"])
    assert agent["name"] == name and agent["scopes"] == ["mcp", "tasks:read"] and agent["disabled"] is False
    assert agent["created_by"] == "boss"

    duplicate = api("POST", base, "/agents", json={"name": name, "scopes": ["tasks:read"]}, headers=boss)
    assert duplicate.status_code == 409, duplicate.text
    for body, field in [
        ({"name": "has space", "scopes": ["tasks:read"]}, "name"),
        ({"name": "", "scopes": ["tasks:read"]}, "name"),
        ({"name": "x" * 65, "scopes": ["tasks:read"]}, "name"),
        ({"scopes": ["tasks:read"]}, "name"),
        ({"name": unique("ok"), "scopes": []}, "scopes"),
        ({"name": unique("ok"), "scopes": ["tasks read"]}, "scopes"),
        ({"name": unique("ok"), "scopes": ['tasks"read']}, "scopes"),
        ({"name": unique("ok"), "scopes": "tasks:read"}, "scopes"),
        ({"name": unique("ok")}, "scopes"),
    ]:
        refused = api("POST", base, "/agents", json=body, headers=boss)
        assert refused.status_code == 422, f"{body}: {refused.status_code} {refused.text}"
        assert refused.json()["details"]["field"] == field, f"{body}: {refused.text}"

    assert api("GET", base, f"/agents/{name}", "/agents/{id}", headers=boss).json()["id"] == agent["id"]
    assert api("GET", base, f"/agents/{agent['id']}", "/agents/{id}", headers=boss).json()["name"] == name
    assert api("GET", base, "/agents/no-such-agent", "/agents/{id}", headers=boss).status_code == 404
    assert name in [a["name"] for a in api("GET", base, "/agents", headers=boss).json()["items"]]

    issued = create_token(base, name, label="mcp client", expires_in="30d")
    token = issued["token"]
    assert TOKEN_SHAPE.fullmatch(token)
    assert "once" in issued["warning"].lower()
    assert issued["agent"] == name
    record = issued["record"]
    assert record["agent_id"] == agent["id"] and record["prefix"] == token[:13] and record["status"] == "active"
    assert record["label"] == "mcp client" and record["expires_at"] is not None
    for body, field in [({"expires_in": "forever"}, "expires_in"), ({"expires_in": "0d"}, "expires_in"),
                        ({"expires_in": "3651d"}, "expires_in"), ({"expires_in": 30}, "expires_in"), ({"label": 5}, "label")]:
        refused = api("POST", base, f"/agents/{name}/tokens", "/agents/{id}/tokens", json=body, headers=boss)
        assert refused.status_code == 422 and refused.json()["details"]["field"] == field, f"{body}: {refused.text}"
    assert api("POST", base, "/agents/no-such-agent/tokens", "/agents/{id}/tokens", json={}, headers=boss).status_code == 404

    listed = api("GET", base, f"/agents/{name}/tokens", "/agents/{id}/tokens", headers=boss)
    assert token not in listed.text and token[13:] not in listed.text
    assert [(t["id"], t["status"]) for t in listed.json()["items"]] == [(record["id"], "active")]

    # The agent's token over MCP: task_list (tasks:read) works, task_create (tasks:write) does not,
    # and the admin tools are not listed.
    used = mcp_task_list(admin_server, token)
    assert used.status_code == 200, used.text
    result = answer(used)["result"]
    assert result.get("isError") is not True and "items" in result["structuredContent"]
    with httpx.Client(timeout=30) as client:
        assert not ADMIN_TOOLS & set(stateless_list(client, admin_server.url, bearer(token)))
        assert_scope_refusal(stateless_call(client, admin_server.url, bearer(token), "task_create", task_body(), request_id=7),
                             "tasks:write", ["mcp", "tasks:read"], 7)

    revoked = api("POST", base, f"/agents/{name}/tokens/{record['id']}/revoke", "/agents/{id}/tokens/{token}/revoke", headers=boss)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and revoked.json()["revoked_at"] is not None
    wait_for(lambda: mcp_task_list(admin_server, token).status_code == 401, timeout=REVOCATION_BOUND,
             message="the revoked token to be refused over MCP")
    assert status(base, "/tasks", bearer(token)) == 401
    assert api("POST", base, f"/agents/{name}/tokens/no-such-token/revoke", "/agents/{id}/tokens/{token}/revoke",
               headers=boss).status_code == 404
    assert [t["status"] for t in api("GET", base, f"/agents/{name}/tokens", "/agents/{id}/tokens", headers=boss).json()["items"]] == ["revoked"]

    # Disable and enable.
    second = create_token(base, agent["id"])["token"]
    wait_status(base, "/tasks", bearer(second), 200, "the second token to be accepted")
    disabled = api("POST", base, f"/agents/{name}/disable", "/agents/{id}/disable", headers=boss)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True, disabled.text
    wait_status(base, "/tasks", bearer(second), 401, "the disabled agent's token to be refused")
    assert mcp_task_list(admin_server, second).status_code == 401
    conflict = api("POST", base, f"/agents/{name}/tokens", "/agents/{id}/tokens", json={}, headers=boss)
    assert conflict.status_code == 409, conflict.text
    enabled = api("POST", base, f"/agents/{agent['id']}/enable", "/agents/{id}/enable", headers=boss)
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False, enabled.text
    wait_status(base, "/tasks", bearer(second), 200, "the enabled agent's token to be accepted again")
    assert api("POST", base, "/agents/no-such-agent/disable", "/agents/{id}/disable", headers=boss).status_code == 404

    # Only administrators manage agents: not an operator token without admin, not an agent token.
    for credential in [operator("viewer"), bearer(second)]:
        for method, path, template in [("GET", "/agents", None), ("POST", "/agents", None),
                                       ("GET", f"/agents/{name}/tokens", "/agents/{id}/tokens"),
                                       ("POST", f"/agents/{name}/tokens", "/agents/{id}/tokens"),
                                       ("POST", f"/agents/{name}/disable", "/agents/{id}/disable")]:
            refused = api(method, base, path, template, headers=credential,
                          **({"json": {"name": unique("nope"), "scopes": ["admin"]}} if method == "POST" else {}))
            assert refused.status_code == 403, f"{method} {path}: {refused.status_code} {refused.text}"
    assert api("GET", base, "/agents").status_code == 401
    assert api("GET", base, "/agents", headers=bearer("ordn_" + "A" * 43)).status_code == 401
    assert api("GET", base, f"/agents/{name}", "/agents/{id}", headers=boss).json()["disabled"] is False


def test_a_token_is_revoked_only_under_its_own_agent(admin_server):
    """`POST /agents/{id}/tokens/{token}/revoke` names the agent: a token of another agent is not
    found there (the document: 404 "No such agent or token"), and stays valid."""
    base, boss = admin_server.base, operator("boss")
    owner, other = unique("owner"), unique("other")
    create_agent(base, owner, ["tasks:read"])
    create_agent(base, other, ["tasks:read"])
    issued = create_token(base, owner)
    response = api("POST", base, f"/agents/{other}/tokens/{issued['record']['id']}/revoke", "/agents/{id}/tokens/{token}/revoke",
                   headers=boss)
    statuses = [t["status"] for t in api("GET", base, f"/agents/{owner}/tokens", "/agents/{id}/tokens", headers=boss).json()["items"]]
    assert response.status_code == 404, (f"revoking {owner}'s token under /agents/{other}/ answered {response.status_code} "
                                         f"{response.text}; the token is now {statuses}")
    assert statuses == ["active"]


# --- 4. The audit log --------------------------------------------------------------------------

def test_audit_records_agent_and_token_changes_and_refused_credentials(admin_server):
    base, boss = admin_server.base, operator("boss")
    name = unique("audited")
    agent = create_agent(base, name, ["tasks:read"])
    issued = create_token(base, name, label="audited")
    token_id = issued["record"]["id"]
    api("POST", base, f"/agents/{name}/tokens/{token_id}/revoke", "/agents/{id}/tokens/{token}/revoke", headers=boss)
    api("POST", base, f"/agents/{name}/disable", "/agents/{id}/disable", headers=boss)
    api("POST", base, f"/agents/{name}/enable", "/agents/{id}/enable", headers=boss)

    entries = audit(base, boss, action="token.")
    assert all(e["action"].startswith("token.") for e in entries), [e["action"] for e in entries]
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True), "the audit log is not newest first"
    ours = [e for e in entries if e.get("details", {}).get("token_id") == token_id]
    assert [(e["action"], e["actor"]) for e in ours] == [("token.revoked", "boss"), ("token.created", "boss")], ours
    assert ours[1]["details"]["agent_id"] == agent["id"] and ours[1]["details"]["prefix"] == issued["token"][:13]
    assert issued["token"] not in json.dumps(entries)

    agent_entries = [e for e in audit(base, boss, action="agent.") if e.get("details", {}).get("agent_id") == agent["id"]]
    assert [(e["action"], e["actor"]) for e in agent_entries] == [
        ("agent.enabled", "boss"), ("agent.disabled", "boss"), ("agent.created", "boss")], agent_entries
    only_created = audit(base, boss, action="token.created", limit=1)
    assert len(only_created) == 1 and only_created[0]["details"]["token_id"] == token_id

    # A wrong bearer token is audited as auth.failed (asynchronously, and at most a few a second per
    # address: retry the refused request now and then until its entry appears).
    probe = f"/tasks/auth-probe-{uuid.uuid4().hex[:8]}"
    wrong = {"Authorization": "Bearer ordn_" + "B" * 43}

    def failure_recorded():
        assert status(base, probe, wrong) == 401
        for _ in range(20):
            for entry in audit(base, boss, action="auth.failed"):
                if (entry.get("details") or {}).get("path") == probe:
                    return entry
            time.sleep(0.05)
        return None

    entry = wait_for(failure_recorded, timeout=30, message=f"an auth.failed entry for {probe}")
    assert entry["actor"] == "anonymous@127.0.0.1"
    assert entry["details"]["reason"] and "ordn_" not in json.dumps(entry)

    for credential in [operator("viewer")]:
        refused = api("GET", base, "/audit", headers=credential)
        assert refused.status_code == 403, refused.text
    assert api("GET", base, "/audit").status_code == 401
    assert api("GET", base, "/audit", params={"limit": 0}, headers=boss).status_code == 422


# --- 5. The admin MCP tools ------------------------------------------------------------------

def tool(server, credential: dict, name: str, arguments: dict, request_id=1) -> dict:
    with httpx.Client(timeout=30) as client:
        response = stateless_call(client, server.url, credential, name, arguments, request_id=request_id)
    assert response.status_code == 200, f"{name}: {response.status_code} {response.text}"
    return answer(response)["result"]


def test_admin_mcp_tools(admin_server):
    boss = operator("boss")
    with httpx.Client(timeout=30) as client:
        assert ADMIN_TOOLS <= set(stateless_list(client, admin_server.url, boss))
        assert not ADMIN_TOOLS & set(stateless_list(client, admin_server.url, operator("viewer")))

    name = unique("mcp-made")
    created = tool(admin_server, boss, "agent_create", {"name": name, "scopes": ["tasks:read", "mcp"]})
    assert created.get("isError") is not True, created
    agent = created["structuredContent"]
    assert agent["name"] == name and agent["created_by"] == "boss" and agent["disabled"] is False
    duplicate = tool(admin_server, boss, "agent_create", {"name": name, "scopes": ["tasks:read"]})
    assert duplicate["isError"] is True and "already exists" in duplicate["content"][0]["text"]

    issued = tool(admin_server, boss, "token_create", {"agent": name, "label": "via mcp", "expires_in_seconds": 3600})
    assert issued.get("isError") is not True, issued
    token = issued["structuredContent"]["token"]
    assert TOKEN_SHAPE.fullmatch(token) and "once" in issued["structuredContent"]["warning"].lower()
    record = issued["structuredContent"]["record"]
    assert record["prefix"] == token[:13] and record["label"] == "via mcp" and record["expires_at"] is not None

    listed = tool(admin_server, boss, "token_list", {"agent": agent["id"]})
    assert token not in json.dumps(listed) and token[13:] not in json.dumps(listed)
    assert [(t["id"], t["status"]) for t in listed["structuredContent"]["items"]] == [(record["id"], "active")]
    assert name in [a["name"] for a in tool(admin_server, boss, "agent_list", {})["structuredContent"]["items"]]

    # The new agent's token works; it holds tasks:read and mcp, not admin.
    assert mcp_task_list(admin_server, token).status_code == 200
    with httpx.Client(timeout=30) as client:
        for credential, held in [(operator("viewer"), ["tasks:read", "mcp"]), (bearer(token), ["tasks:read", "mcp"])]:
            assert not ADMIN_TOOLS & set(stateless_list(client, admin_server.url, credential))
            for request_id, (tool_name, arguments) in enumerate([
                    ("agent_create", {"name": unique("sneaky"), "scopes": ["admin"]}),
                    ("token_create", {"agent": name}),
                    ("agent_list", {}),
                    ("token_revoke", {"id": record["id"]}),
                    ("agent_disable", {"agent": name})], start=10):
                assert_scope_refusal(stateless_call(client, admin_server.url, credential, tool_name, arguments, request_id=request_id),
                                     "admin", held, request_id)
    assert mcp_task_list(admin_server, token).status_code == 200, "a refused token_revoke revoked the token"
    assert not any(a["name"].startswith("sneaky") for a in tool(admin_server, boss, "agent_list", {})["structuredContent"]["items"])

    revoked = tool(admin_server, boss, "token_revoke", {"id": record["id"]})
    assert revoked["structuredContent"]["status"] == "revoked"
    wait_for(lambda: mcp_task_list(admin_server, token).status_code == 401, timeout=REVOCATION_BOUND,
             message="the token revoked over MCP to be refused")
    disabled = tool(admin_server, boss, "agent_disable", {"agent": name})
    assert disabled["structuredContent"]["disabled"] is True
    assert tool(admin_server, boss, "token_create", {"agent": name})["isError"] is True
    assert tool(admin_server, boss, "agent_disable", {"agent": name, "disabled": False})["structuredContent"]["disabled"] is False

    changes = [e for e in audit(admin_server.base, boss, action="token.") if (e.get("details") or {}).get("token_id") == record["id"]]
    assert [(e["action"], e["actor"]) for e in changes] == [("token.revoked", "boss"), ("token.created", "boss")]


# --- 6. Tasks act with their creator's scopes ----------------------------------------------------

def runs_of(base: str, task_id: str, headers: dict) -> list[dict]:
    return api("GET", base, "/runs", params={"task_id": task_id, "limit": 100}, headers=headers).json()["items"]


def test_tasks_act_with_the_scopes_of_the_agent_that_created_them(admin_server):
    base, boss = admin_server.base, operator("boss")
    without, with_publish = unique("no-publish"), unique("publisher")
    create_agent(base, without, ["tasks:read", "tasks:write"])
    create_agent(base, with_publish, ["tasks:read", "tasks:write", "events:publish"])
    weak = bearer(create_token(base, without)["token"])
    strong = bearer(create_token(base, with_publish)["token"])

    topic = f"agents.{uuid.uuid4().hex[:8]}"
    listener = api("POST", base, "/tasks", json=task_body(title="listener", schedule_kind="event", schedule_expr=topic), headers=boss)
    assert listener.status_code == 201, listener.text
    publishing = task_body(title="publish", created_by="someone-else",
                           payload={"pipeline": [{"uses": "event_publish", "with": {"topic": topic, "payload": {"from": "agent"}}}]})

    refused = api("POST", base, "/tasks", json=publishing, headers=weak)
    assert refused.status_code == 422, refused.text
    assert refused.json()["details"]["field"] == "payload.pipeline[0].uses"
    assert "events:publish" in refused.json()["message"]
    # Over MCP the same check holds.
    with httpx.Client(timeout=30) as client:
        over_mcp = answer(stateless_call(client, admin_server.url, weak, "task_create",
                                              {k: v for k, v in publishing.items() if k != "created_by"}))
    assert over_mcp["result"]["isError"] is True and "payload.pipeline[0].uses" in over_mcp["result"]["content"][0]["text"]

    created = api("POST", base, "/tasks", json=publishing, headers=strong)
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["created_by"] == with_publish

    # A task the weak agent creates keeps the weak agent's scopes, even when the strong agent edits it.
    harmless = api("POST", base, "/tasks", json=task_body(title="harmless"), headers=weak)
    assert harmless.status_code == 201, harmless.text
    assert harmless.json()["created_by"] == without
    widened = api("PATCH", base, f"/tasks/{harmless.json()['id']}", "/tasks/{id}", json={"payload": publishing["payload"]}, headers=strong)
    assert widened.status_code == 422, f"an editor widened a task beyond its creator's scopes: {widened.status_code} {widened.text}"
    assert widened.json()["details"]["field"] == "payload.pipeline[0].uses"

    # The publisher's run publishes the event (with events:publish), which starts the listener.
    queued = api("POST", base, f"/tasks/{task['id']}/run_now", "/tasks/{id}/run_now", headers=strong)
    assert queued.status_code == 202, queued.text
    run = wait_for(lambda: next((r for r in runs_of(base, task["id"], strong) if r["status"] in ("succeeded", "failed")), None),
                   message="the publishing run")
    assert run["status"] == "succeeded", run
    wait_for(lambda: any(r["status"] == "succeeded" for r in runs_of(base, listener.json()["id"], boss)),
             message="the listener's run, started by the published event")
    entries = api("GET", base, f"/tasks/{task['id']}/audit", "/tasks/{id}/audit", headers=strong).json()["items"]
    assert ("task.create", with_publish) in [(e["action"], e["actor"]) for e in entries]
