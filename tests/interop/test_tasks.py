"""The durable scheduler through the real binary: the REST API checked against protocol/openapi.json,
the MCP tools and resources through the official SDK, the CLI, the morning-briefing example with
real extension and webhook tools, scopes. Faults are in test_task_faults.py."""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from conftest import ROOT, openapi_checked, start_server, wait_for

FIXTURES = pathlib.Path(__file__).with_name("fixtures")
FAST = {"ORDINAUT_RETRY_BASE_SECONDS": "0.05", "ORDINAUT_RETRY_CAP_SECONDS": "0.2", "ORDINAUT_POLL_MILLISECONDS": "100"}



def api(method, base, path, template=None, **kwargs):
    """Calls the REST API and checks the answer against the OpenAPI document."""
    return openapi_checked(httpx.request(method, base + path, timeout=30, **kwargs), template or path, method)


def work_extension(root: pathlib.Path, log: pathlib.Path | None = None) -> pathlib.Path:
    """A subprocess extension whose tool `ext.work.work` sleeps and logs to `log` which run called it."""
    folder = root / "work"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "work.py", folder / "work.py")
    (folder / "extension.json").write_text(json.dumps({
        "id": "work", "name": "work", "version": "1.0.0", "module": "work.py", "grants": ["TOOLS"],
        "tools": [{"name": "work", "input_schema": {"type": "object", "required": ["key"], "additionalProperties": False,
                                                     "properties": {"key": {"type": "string"}, "ms": {"type": "integer", "minimum": 0}}}}],
        "limits": {"max_in_flight": 32, "call_timeout_seconds": 30},
        "env": {"WORK_LOG": str(log or root / "work.log")},
    }))
    return root


def pipeline(ms=0, key="${run.id}"):
    return {"pipeline": [{"id": "work", "uses": "ext.work.work", "with": {"key": key, "ms": ms}}]}


@pytest.fixture
def tasks_server(binary, tmp_path):
    root = work_extension(tmp_path / "extensions", tmp_path / "work.log")
    running = start_server(binary, env={**FAST, "ORDINAUT_EXT_PATHS": str(root)})
    running.work_log = tmp_path / "work.log"
    yield running
    running.stop()


def runs_of(base, task_id, status=None):
    query = {"task_id": task_id, "limit": 500}
    if status:
        query["status"] = status
    return api("GET", base, "/runs", params=query).json()["items"]


# --- REST -------------------------------------------------------------------------------------------

def test_a_task_lives_through_the_rest_api(tasks_server):
    base = tasks_server.base
    assert api("GET", base, "/health").json()["database"] == "sqlite"
    created = api("POST", base, "/tasks", json={
        "title": "Nightly", "schedule_kind": "cron", "schedule_expr": "0 9 * * 1-5", "timezone": "Europe/Chisinau",
        "payload": pipeline(), "priority": 7, "created_by": "alice"})
    assert created.status_code == 201
    task = created.json()
    assert task["status"] == "active" and task["created_by"] == "alice" and task["next_run_at"].endswith("Z")
    task_path = f"/tasks/{task['id']}"
    assert api("GET", base, task_path, "/tasks/{id}").json()["title"] == "Nightly"
    listing = api("GET", base, "/tasks", params={"limit": 1}).json()
    assert listing["count"] == 1
    patched = api("PATCH", base, task_path, "/tasks/{id}", json={"title": "Nightly digest", "priority": 9}).json()
    assert patched["title"] == "Nightly digest" and patched["priority"] == 9

    assert api("POST", base, task_path + "/pause", "/tasks/{id}/pause").json()["status"] == "paused"
    again = api("POST", base, task_path + "/pause", "/tasks/{id}/pause")
    assert again.status_code == 409 and "already paused" in again.json()["message"]
    refused = api("POST", base, task_path + "/run_now", "/tasks/{id}/run_now")
    assert refused.status_code == 409 and "paused" in refused.json()["message"]
    assert api("POST", base, task_path + "/resume", "/tasks/{id}/resume").json()["status"] == "active"
    snoozed = api("POST", base, task_path + "/snooze", "/tasks/{id}/snooze", json={"seconds": 86400}).json()
    assert snoozed["snoozed_until"] is not None

    queued = api("POST", base, task_path + "/run_now", "/tasks/{id}/run_now")
    assert queued.status_code == 202 and queued.json()["queued"] is True
    run = wait_for(lambda: next((r for r in runs_of(base, task["id"]) if r["status"] == "succeeded"), None), message="the run")
    assert run["trigger"] == "manual" and run["attempt"] == 1 and run["success"] is True
    detail = api("GET", base, f"/runs/{run['id']}", "/runs/{id}").json()
    assert detail["output"]["steps"][0]["input"] == {"key": run["id"], "ms": 0}
    assert detail["output"]["result"] == {"key": run["id"]}
    assert json.loads(tasks_server.work_log.read_text().splitlines()[0])["idempotency_key"] == f"{run['id']}:work"
    metrics = httpx.get(base + "/metrics").text
    assert 'ordinaut_runs_finished_total{outcome="succeeded"} 1' in metrics
    assert 'ordinaut_step_duration_seconds_count{tool="ext.work.work",outcome="succeeded"} 1' in metrics

    actions = [entry["action"] for entry in api("GET", base, task_path + "/audit", "/tasks/{id}/audit").json()["items"]]
    assert actions[:5] == ["task.create", "task.update", "task.pause", "task.resume", "task.snooze"]
    assert "run.succeeded" in actions
    assert api("POST", base, task_path + "/cancel", "/tasks/{id}/cancel").json()["status"] == "canceled"
    assert api("GET", base, "/tasks", params={"status": "canceled"}).json()["count"] == 1


@pytest.mark.parametrize("body, field", [
    ({"title": "x", "schedule_kind": "cron", "payload": pipeline()}, "schedule_expr"),
    ({"title": "x", "schedule_kind": "cron", "schedule_expr": "61 * * * *", "payload": pipeline()}, "schedule_expr"),
    ({"title": "x", "schedule_kind": "cron", "schedule_expr": "0 9 * * *", "timezone": "Europe/Atlantis", "payload": pipeline()}, "timezone"),
    ({"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z", "payload": {"params": {}}}, "payload.pipeline"),
    ({"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z", "payload": {"pipeline": []}}, "payload.pipeline"),
    ({"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z",
      "payload": {"pipeline": [{"uses": "ext.nothing.here"}]}}, "payload.pipeline[0].uses"),
    ({"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z",
      "payload": {"pipeline": [{"uses": "ext.work.work", "with": {"key": 5}}]}}, "payload.pipeline[0].with"),
    ({"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z",
      "payload": {"pipeline": [{"uses": "ext.work.work", "with": {"key": "${steps.later.key}"}},
                               {"id": "later", "uses": "ext.work.work", "with": {"key": "k"}}]}}, "payload.pipeline[0].with"),
    ({"schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z", "payload": pipeline()}, "title"),
    ({"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z", "payload": pipeline(), "priority": 0}, "priority"),
])
def test_invalid_tasks_are_rejected_with_the_field_named(tasks_server, body, field):
    response = api("POST", tasks_server.base, "/tasks", json=body)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert api("GET", tasks_server.base, "/tasks").json()["count"] == 0


def test_malformed_requests_get_clear_errors(tasks_server):
    base = tasks_server.base
    assert api("POST", base, "/tasks", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    json_type = {"content-type": "application/json"}
    assert api("POST", base, "/tasks", content=b"[1, 2]", headers=json_type).status_code == 400
    assert api("POST", base, "/tasks", content=b"{" + b" " * (5 * 1024 * 1024) + b"}", headers=json_type).status_code == 413
    # Only JSON bodies: a form or text/plain post (what a cross-site page can send) is refused unread.
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", None]:
        headers = {"content-type": content_type} if content_type else {}
        assert api("POST", base, "/tasks", content=b"{}", headers=headers).status_code == 415
    assert api("GET", base, "/tasks/nope", "/tasks/{id}").status_code == 404
    assert api("GET", base, "/tasks", params={"limit": "many"}).json()["details"]["field"] == "limit"
    assert api("GET", base, "/runs", params={"status": "lost"}).status_code == 422
    assert api("POST", base, "/events", json={"topic": "a b"}).status_code == 422
    assert api("POST", base, "/runs/nope/approve", "/runs/{id}/approve", json={"approved": True}).status_code == 404


def test_events_start_event_and_condition_tasks(tasks_server):
    base = tasks_server.base
    on_event = api("POST", base, "/tasks", json={"title": "on order", "schedule_kind": "event", "schedule_expr": "order.*",
                                                 "payload": pipeline(key="${event.payload.id}")}).json()
    big = api("POST", base, "/tasks", json={"title": "big order", "schedule_kind": "condition",
                                            "schedule_expr": "order.* when payload.total > `100`",
                                            "payload": pipeline(key="big-${event.payload.id}")}).json()
    small = api("POST", base, "/events", json={"topic": "order.placed", "payload": {"id": "A1", "total": 20}}).json()
    assert small["triggered_task_ids"] == [on_event["id"]]
    large = api("POST", base, "/events", json={"topic": "order.placed", "payload": {"id": "B2", "total": 500}}).json()
    assert sorted(large["triggered_task_ids"]) == sorted([on_event["id"], big["id"]])
    assert api("POST", base, "/events", json={"topic": "invoice.sent"}).json()["triggered_task_ids"] == []
    wait_for(lambda: len(runs_of(base, on_event["id"], "succeeded")) == 2 and len(runs_of(base, big["id"], "succeeded")) == 1,
             message="three runs")
    keys = sorted(json.loads(line)["key"] for line in tasks_server.work_log.read_text().splitlines())
    assert keys == ["A1", "B2", "big-B2"]


# --- MCP ---------------------------------------------------------------------------------------------

async def test_agents_manage_tasks_through_mcp_tools_and_resources(tasks_server):
    import re
    async with streamable_http_client(tasks_server.url) as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            ours = [name for name in tools if not name.startswith("ext")]
            assert {"task_create", "task_list", "task_get", "task_update", "task_pause", "task_resume", "task_run_now",
                    "task_snooze", "task_cancel", "run_list", "run_get", "run_approve", "event_publish"} <= set(ours)
            assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name) for name in ours)
            assert all(tools[name].output_schema for name in ours)

            created = await session.call_tool("task_create", {"title": "from an agent", "schedule_kind": "once",
                                                              "schedule_expr": "2099-01-01T00:00:00Z", "payload": pipeline()})
            assert not created.is_error
            task = created.structured_content
            bad = await session.call_tool("task_create", {"title": "bad", "schedule_kind": "cron", "schedule_expr": "* *",
                                                          "payload": pipeline()})
            assert bad.is_error and "schedule_expr" in bad.content[0].text

            uri = f"ordinaut://tasks/{task['id']}"
            templates = (await session.list_resource_templates()).resource_templates
            assert {"ordinaut://tasks/{id}", "ordinaut://runs/{id}"} <= {t.uri_template for t in templates}
            body = json.loads((await session.read_resource(uri)).contents[0].text)
            assert body["task"]["id"] == task["id"] and body["recent_runs"] == []

            finished = await session.call_tool("task_run_now", {"id": task["id"], "wait": True, "timeout_seconds": 60})
            run = finished.structured_content["run"]
            assert run["status"] == "succeeded"
            detail = json.loads((await session.read_resource(f"ordinaut://runs/{run['id']}")).contents[0].text)
            assert detail["output"]["result"] == {"key": run["id"]}
            listed = (await session.call_tool("run_list", {"task_id": task["id"]})).structured_content
            assert [r["id"] for r in listed["items"]] == [run["id"]]
            paused = (await session.call_tool("task_pause", {"id": task["id"]})).structured_content
            assert paused["status"] == "paused"
            refused = await session.call_tool("task_run_now", {"id": task["id"]})
            assert refused.is_error and "paused" in refused.content[0].text


def test_task_resources_report_changes_in_both_eras(tasks_server):
    import threading
    from test_http_raw import ACCEPT, META, events, next_update, open_session

    def create():
        return api("POST", tasks_server.base, "/tasks", json={"title": "watched", "schedule_kind": "once",
                                                              "schedule_expr": "2099-01-01T00:00:00Z", "payload": pipeline()}).json()

    # Session era: resources/subscribe, then the session's GET stream carries the update.
    task = create()
    uri = f"ordinaut://tasks/{task['id']}"
    with httpx.Client(timeout=15) as client:
        headers = open_session(client, tasks_server.url)
        subscribed = client.post(tasks_server.url, headers=headers, json={
            "jsonrpc": "2.0", "id": 2, "method": "resources/subscribe", "params": {"uri": uri}})
        assert subscribed.json()["result"] == {}
        api("POST", tasks_server.base, f"/tasks/{task['id']}/pause", "/tasks/{id}/pause")
        with client.stream("GET", tasks_server.url, headers=dict(headers, Accept="text/event-stream")) as stream:
            _, update = next_update(stream)
        assert update["params"]["uri"] == uri

    # Stateless era: subscriptions/listen names the resource; a change arrives on that stream.
    task = create()
    uri = f"ordinaut://tasks/{task['id']}"
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen"})
    request = {"jsonrpc": "2.0", "id": "watch", "method": "subscriptions/listen",
               "params": {"_meta": META, "notifications": {"resourceSubscriptions": [uri]}}}
    with httpx.Client(timeout=15) as client, client.stream("POST", tasks_server.url, headers=headers, json=request) as stream:
        received = events(stream)
        _, ack = next(received)
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        threading.Thread(target=lambda: httpx.post(f"{tasks_server.base}/tasks/{task['id']}/pause")).start()
        _, update = next(message for message in received if message[1].get("method") == "notifications/resources/updated")
    assert update["params"]["uri"] == uri


# --- CLI and the example ---------------------------------------------------------------------------------

def cli(binary, *args, env):
    result = subprocess.run([str(binary), *args], capture_output=True, text=True, env=env, timeout=120)
    return result


def test_the_cli_manages_tasks_in_the_configured_database(binary, tmp_path):
    env = dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path), ORDINAUT_EXT_PATHS=str(work_extension(tmp_path / "ext")))
    migrated = cli(binary, "migrate", env=env)
    assert migrated.returncode == 0 and "applied 1, 2, 3, 4, 5, 6, 7; now at version 7" in migrated.stdout, migrated.stderr
    assert "up to date" in cli(binary, "migrate", env=env).stdout
    spec = tmp_path / "task.json"
    spec.write_text(json.dumps({"title": "cli task", "schedule_kind": "rrule", "schedule_expr": "FREQ=DAILY;BYHOUR=9;BYMINUTE=0",
                                "timezone": "Europe/Chisinau", "payload": pipeline()}))
    created = cli(binary, "task", "create", "--file", str(spec), env=env)
    assert created.returncode == 0, created.stderr
    task = json.loads(created.stdout)
    assert task["next_run_at"].endswith(":00:00.000Z")
    listed = cli(binary, "task", "list", env=env).stdout
    assert task["id"] in listed and "active" in listed
    assert json.loads(cli(binary, "task", "pause", task["id"], env=env).stdout)["status"] == "paused"
    again = cli(binary, "task", "pause", task["id"], env=env)
    assert again.returncode != 0 and "already paused" in again.stderr
    assert json.loads(cli(binary, "task", "resume", task["id"], env=env).stdout)["status"] == "active"
    queued = json.loads(cli(binary, "task", "run-now", task["id"], env=env).stdout)
    assert queued["queued"] is True
    bad = cli(binary, "task", "create", "--title", "x", "--schedule-kind", "cron", "--schedule-expr", "nonsense",
              "--payload", json.dumps(pipeline()), env=env)
    assert bad.returncode != 0 and "schedule_expr" in bad.stderr
    # A server on the same database runs what the CLI queued.
    server = start_server(binary, env={**FAST, "ORDINAUT_DATA_DIR": str(tmp_path), "ORDINAUT_EXT_PATHS": env["ORDINAUT_EXT_PATHS"]})
    try:
        wait_for(lambda: "succeeded" in cli(binary, "runs", "list", "--task", task["id"], env=env).stdout, message="the run")
        run_id = cli(binary, "runs", "list", "--task", task["id"], env=env).stdout.split("\t")[0]
        assert json.loads(cli(binary, "runs", "get", run_id, env=env).stdout)["status"] == "succeeded"
    finally:
        server.stop()
    assert json.loads(cli(binary, "task", "cancel", task["id"], env=env).stdout)["status"] == "canceled"


@pytest.fixture
def receiver():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(ROOT / "examples/webhook-extension/receiver.py"), str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=dict(os.environ, ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN="example-token"))
    process.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait()


def test_the_morning_briefing_example_runs_for_real(binary, receiver, tmp_path):
    env = {**FAST, "ORDINAUT_EXT_PATHS": str(ROOT / "examples"), "ORDINAUT_SECRET_WEATHER_HOOKS_BASE_URL": receiver, "ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN": "example-token"}
    server = start_server(binary, env=env)
    try:
        base = server.base
        spec = json.loads((ROOT / "examples/tasks/morning-briefing.json").read_text())
        task = api("POST", base, "/tasks", json=spec).json()
        assert task["schedule_kind"] == "rrule" and task["next_run_at"] is not None
        api("POST", base, f"/tasks/{task['id']}/run_now", "/tasks/{id}/run_now")
        waiting = wait_for(lambda: next((r for r in runs_of(base, task["id"]) if r["status"] == "waiting"), None), message="the approval")
        detail = api("GET", base, f"/runs/{waiting['id']}", "/runs/{id}").json()
        assert detail["approval"]["prompt"] == "Send the Chisinau briefing (sunny, 24 °C) to the team?"
        steps = detail["output"]["steps"]
        assert steps[0]["output"]["city"] == "Chisinau"
        assert steps[1]["input"] == {"text": "Morning in Chisinau: sunny, 13–24 °C"}
        approved = api("POST", base, f"/runs/{waiting['id']}/approve", "/runs/{id}/approve", json={"approved": True, "comment": "go"})
        assert approved.status_code == 200
        done = wait_for(lambda: next((r for r in runs_of(base, task["id"]) if r["status"] == "succeeded"), None), message="the end")
        assert [s["status"] for s in done["output"]["steps"]] == ["succeeded"] * 4
        received = httpx.get(receiver + "/notifications").json()["received"]
        assert received == [{"text": "Warm and sunny in Chisinau today: up to 24 °C", "priority": 2, "source": "ordinaut"}]
        notes = httpx.post(server.url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                             "params": {"name": "ext__py_notes__list_notes", "arguments": {},
                                                        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                                                  "io.modelcontextprotocol/clientCapabilities": {}}}},
                           headers={"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
                                    "Mcp-Name": "ext__py_notes__list_notes", "Accept": "application/json, text/event-stream"}, timeout=30)
        assert "Morning in Chisinau: sunny" in notes.text
    finally:
        server.stop()


def test_scopes_guard_the_api_and_tokens_name_the_actor(binary, tmp_path):
    import hashlib
    tokens = tmp_path / "tokens.json"
    digest = lambda token: hashlib.sha256(token.encode()).hexdigest()
    tokens.write_text(json.dumps({"tokens": [
        {"name": "planner-agent", "sha256": digest("writer-token"), "scopes": ["tasks:read", "tasks:write", "ext:work:tools"]},
        {"name": "dashboard", "sha256": digest("reader-token"), "scopes": ["tasks:read"]},
        {"name": "no-tools", "sha256": digest("toolless-token"), "scopes": ["tasks:read", "tasks:write"]},
    ]}))
    root = work_extension(tmp_path / "ext")
    server = start_server(binary, env={"ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(tokens), "ORDINAUT_EXT_PATHS": str(root)})
    try:
        body = {"title": "t", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z", "payload": pipeline(),
                "created_by": "someone-else"}
        assert api("GET", server.base, "/tasks").status_code == 401
        assert api("POST", server.base, "/tasks", json=body, headers={"Authorization": "Bearer reader-token"}).status_code == 403
        assert api("GET", server.base, "/tasks", headers={"Authorization": "Bearer reader-token"}).status_code == 200
        # Runs act with the creator's scopes: a task whose step needs a scope its creator lacks is refused now.
        refused = api("POST", server.base, "/tasks", json=body, headers={"Authorization": "Bearer toolless-token"})
        assert refused.status_code == 422 and refused.json()["details"]["field"] == "payload.pipeline[0].uses"
        assert "ext:work:tools" in refused.json()["message"]
        created = api("POST", server.base, "/tasks", json=body, headers={"Authorization": "Bearer writer-token"})
        assert created.status_code == 201 and created.json()["created_by"] == "planner-agent"
        audit = api("GET", server.base, f"/tasks/{created.json()['id']}/audit", "/tasks/{id}/audit",
                    headers={"Authorization": "Bearer reader-token"}).json()["items"]
        assert audit[0]["actor"] == "planner-agent"
    finally:
        server.stop()
