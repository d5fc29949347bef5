"""A task stopped by errors, with the real binary on SQLite and PostgreSQL: a task whose runs keep
failing is paused after exactly `max_consecutive_failures` dead runs, says why in its record (REST,
MCP, audit log), moves `ordinaut_tasks_stopped_total`, publishes `ordinaut.task.stopped` to an event
task, and resuming clears it; the server's default applies to tasks that set no limit; bad limits are
refused naming the field."""
import json
import os
import subprocess

import httpx2
import pytest

from conftest import call_tool, start_server, wait_for
from test_observability import FAST, create, extensions, metrics, runs, value

NO_WEBHOOKS = "http://127.0.0.1:9"  # the tests call no webhook tool
FAILING = {"pipeline": [{"id": "a", "uses": "ext.metered.fail", "with": {}}]}


def task(base: str, task_id: str) -> dict:
    return httpx2.get(f"{base}/tasks/{task_id}", timeout=10).json()


def dead_runs(base: str, task_id: str) -> list:
    return [run for run in runs(base, task_id) if run["status"] == "dead"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_task_whose_runs_keep_failing_is_stopped_once_and_resumed(binary, tmp_path, request, backend):
    env = {**FAST, "ORDINAUT_EXT_PATHS": str(extensions(tmp_path / "extensions", NO_WEBHOOKS)), "ORDINAUT_NODE_ID": "node-a"}
    if backend == "postgres":
        env["ORDINAUT_DATABASE_URL"] = request.getfixturevalue("postgres").new_database()
    running = start_server(binary, env=env)
    try:
        base = running.base
        told = create(base, title="tell someone: stopped", schedule_kind="event", schedule_expr="ordinaut.task.stopped",
                      payload={"pipeline": [{"id": "tell", "uses": "ext.metered.echo", "with": {
                          "value": "${event.payload.task_id} ${event.payload.consecutive_failures} ${event.payload.run_id}"}}]})
        failing = create(base, title="keeps failing", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z",
                         max_retries=0, max_consecutive_failures=2, payload=FAILING)
        assert failing["max_consecutive_failures"] == 2 and failing["consecutive_failures"] == 0
        first = wait_for(lambda: next(iter(dead_runs(base, failing["id"])), None), message="the first dead run")
        counted = task(base, failing["id"])
        assert counted["status"] == "active" and counted["consecutive_failures"] == 1 and counted["paused_reason"] is None

        assert httpx2.post(f"{base}/tasks/{failing['id']}/run_now", timeout=10).status_code in (200, 201, 202)
        stopped = wait_for(lambda: (t := task(base, failing["id"]))["status"] == "paused" and t, message="the task to be paused")
        dead = dead_runs(base, failing["id"])
        assert len(dead) == 2, "paused after exactly two dead runs"
        last = next(run for run in dead if run["id"] != first["id"])
        assert stopped["paused_reason"] == "failures" and stopped["consecutive_failures"] == 2
        assert stopped["stopped_by_run_id"] == last["id"]
        listed = call_tool(base, "task_list", {"status": "paused"})["structuredContent"]
        assert [(t["id"], t["paused_reason"]) for t in listed["items"]] == [(failing["id"], "failures")]
        got = call_tool(base, "task_get", {"id": failing["id"]})["structuredContent"]["task"]
        assert got["paused_reason"] == "failures" and got["stopped_by_run_id"] == last["id"]
        audit = httpx2.get(f"{base}/tasks/{failing['id']}/audit", timeout=10).json()["items"]
        stops = [entry for entry in audit if entry["action"] == "task.stopped"]
        assert len(stops) == 1 and stops[0]["run_id"] == last["id"] and stops[0]["details"]["consecutive_failures"] == 2
        assert stops[0]["details"]["limit"] == 2 and stops[0]["details"]["error"]
        assert value(metrics(base), "ordinaut_tasks_stopped_total") == 1
        assert httpx2.post(f"{base}/tasks/{failing['id']}/run_now", timeout=10).status_code >= 400, "a stopped task runs no more"

        heard = wait_for(lambda: next((r for r in runs(base, told["id"]) if r["status"] == "succeeded"), None), message="the task.stopped event task")
        detail = httpx2.get(f"{base}/runs/{heard['id']}", timeout=10).json()
        assert detail["output"]["result"] == {"value": f"{failing['id']} 2 {last['id']}"}
        assert detail["context"]["event"]["causation"]["task_ids"] == [failing["id"]]

        resumed = httpx2.post(f"{base}/tasks/{failing['id']}/resume", timeout=10).json()
        assert resumed["status"] == "active" and resumed["consecutive_failures"] == 0
        assert resumed["paused_reason"] is None and resumed["stopped_by_run_id"] is None
        assert task(base, failing["id"])["paused_reason"] is None
    finally:
        running.stop()


def test_the_server_default_stops_tasks_that_set_no_limit(binary, tmp_path):
    env = {**FAST, "ORDINAUT_EXT_PATHS": str(extensions(tmp_path / "extensions", NO_WEBHOOKS)),
           "ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES": "1"}
    running = start_server(binary, env=env)
    try:
        base = running.base
        default = create(base, title="default limit", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z", max_retries=0, payload=FAILING)
        own = create(base, title="own limit", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z", max_retries=0,
                     max_consecutive_failures=3, payload=FAILING)
        assert default["max_consecutive_failures"] is None
        wait_for(lambda: task(base, default["id"])["paused_reason"] == "failures", message="the server's default to stop the task")
        wait_for(lambda: dead_runs(base, own["id"]), message="the dead run of the task with its own limit")
        kept = task(base, own["id"])
        assert kept["status"] == "active" and kept["consecutive_failures"] == 1, "a task's own limit wins over the default"
        assert value(metrics(base), "ordinaut_tasks_stopped_total") == 1
    finally:
        running.stop()


@pytest.fixture(scope="module")
def plain(binary, tmp_path_factory):
    root = extensions(tmp_path_factory.mktemp("stop") / "extensions", NO_WEBHOOKS)
    running = start_server(binary, env={"ORDINAUT_EXT_PATHS": str(root)})
    yield running
    running.stop()


@pytest.mark.parametrize("limit", [0, -1, 10001, "2", 1.5, True])
def test_bad_failure_limits_are_refused_naming_the_field(plain, limit):
    base = plain.base
    body = {"title": "x", "schedule_kind": "once", "schedule_expr": "2030-01-01T00:00:00Z",
            "payload": {"pipeline": [{"uses": "ext.metered.echo", "with": {}}]}, "max_consecutive_failures": limit}
    response = httpx2.post(f"{base}/tasks", json=body, timeout=10)
    assert response.status_code == 422, response.text
    assert response.json()["details"]["field"] == "max_consecutive_failures"
    assert "max_consecutive_failures must be an integer from 1 to 10000" in response.text
    checked = httpx2.post(f"{base}/tasks/validate", json=body, timeout=10).json()
    assert checked["errors"][0]["path"] == "/max_consecutive_failures"
    answer = httpx2.post(f"{base}/mcp", timeout=30, json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "task_create", "arguments": body, "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "pytest", "version": "1"}}}},
        headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
                 "Mcp-Method": "tools/call", "Mcp-Name": "task_create"}).json()
    refused = answer.get("error") or answer["result"]
    assert "max_consecutive_failures" in str(refused) and (answer.get("error") or answer["result"].get("isError"))
    assert httpx2.get(f"{base}/tasks", timeout=10).json()["count"] == 0


def test_a_bad_server_default_stops_the_start(binary, tmp_path):
    started = subprocess.run([str(binary), "serve", "--port", "0"], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path), ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES="-2"))
    assert started.returncode != 0
    assert "ORDINAUT_TASK_MAX_CONSECUTIVE_FAILURES" in started.stderr


def test_the_cli_sets_the_failure_limit_and_refuses_a_bad_one(binary, tmp_path):
    env = dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path), ORDINAUT_EXT_PATHS=str(extensions(tmp_path / "extensions", NO_WEBHOOKS)))
    common = ["task", "create", "--title", "limited", "--schedule-kind", "once", "--schedule-expr", "2030-01-01T00:00:00Z",
              "--payload", '{"pipeline": [{"uses": "ext.metered.echo", "with": {}}]}']
    created = subprocess.run([str(binary), *common, "--max-consecutive-failures", "4"], capture_output=True, text=True, env=env, timeout=120)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["max_consecutive_failures"] == 4
    refused = subprocess.run([str(binary), *common, "--max-consecutive-failures", "0"], capture_output=True, text=True, env=env, timeout=120)
    # The CLI calls task_create, whose input schema refuses the value first, naming where.
    assert refused.returncode != 0 and "/max_consecutive_failures: must be at least 1" in refused.stderr
