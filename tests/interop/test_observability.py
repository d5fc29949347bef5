"""Metrics, alert events and the example Prometheus rules, with the real binary: `/metrics` after
real work passes `promtool check metrics` and each family moves the way the work did; the alert
events reach event tasks; examples/observability passes `promtool check rules` and `promtool test
rules`, and every dashboard query is one of those tests."""
import http.server
import json
import pathlib
import re
import shutil
import sqlite3
import subprocess
import threading
import time

import httpx2
import pytest

from conftest import ROOT, call_tool, start_server, wait_for

FIXTURES = pathlib.Path(__file__).with_name("fixtures")
EXAMPLES = ROOT / "examples" / "observability"
FAST = {"ORDINAUT_RETRY_BASE_SECONDS": "0.05", "ORDINAUT_RETRY_CAP_SECONDS": "0.2", "ORDINAUT_POLL_MILLISECONDS": "100",
        "ORDINAUT_METRICS_SAMPLE_SECONDS": "1"}


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is not installed; `make test` installs it (Debian package prometheus)")
    return found


class StatusHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET /<status> with that status."""

    def do_GET(self):
        status = int(self.path.strip("/") or "200")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def status_service():
    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StatusHandler)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{service.server_address[1]}"
    service.shutdown()


def extensions(root: pathlib.Path, webhook_base: str) -> pathlib.Path:
    """`metered` (a subprocess extension) and `hooks` (one webhook tool answering any status)."""
    metered = root / "metered"
    metered.mkdir(parents=True)
    shutil.copy(FIXTURES / "metered.py", metered / "metered.py")
    (metered / "extension.json").write_text(json.dumps({
        "id": "metered", "name": "metered", "version": "1.0.0", "module": "metered.py", "grants": ["TOOLS"],
        "tools": [{"name": name, "input_schema": {"type": "object"}} for name in ("record", "echo", "fail")]}))
    hooks = root / "hooks"
    hooks.mkdir()
    (hooks / "extension.json").write_text(json.dumps({
        "id": "hooks", "name": "hooks", "version": "1.0.0", "grants": ["TOOLS"],
        "tools": [{"name": "hit", "input_schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
                   "webhook": {"url": webhook_base + "/${args.status}", "method": "GET", "timeout_seconds": 5}}]}))
    broken = root / "broken"
    broken.mkdir()
    (broken / "broken.py").write_text("#!/usr/bin/env python3\nraise SystemExit(3)\n")
    (broken / "broken.py").chmod(0o755)
    (broken / "extension.json").write_text(json.dumps({
        "id": "broken", "name": "broken", "version": "1.0.0", "module": "broken.py", "grants": ["TOOLS"],
        "tools": [{"name": "nothing", "input_schema": {"type": "object"}}]}))
    return root


@pytest.fixture
def observed(binary, tmp_path, status_service):
    root = extensions(tmp_path / "extensions", status_service)
    running = start_server(binary, env={**FAST, "ORDINAUT_EXT_PATHS": str(root), "ORDINAUT_EXT_METRIC_SERIES": "3",
                                        "ORDINAUT_NODE_ID": "node-a"})
    yield running
    running.stop()


def metrics(base: str) -> str:
    return httpx2.get(f"{base}/metrics", timeout=10).text


def value(text: str, series: str) -> float:
    """The value of one exact series line (`name{labels}`), 0 when absent."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def create(base: str, **task) -> dict:
    response = httpx2.post(f"{base}/tasks", json=task, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def runs(base: str, task_id: str) -> list:
    return httpx2.get(f"{base}/runs", params={"task_id": task_id, "limit": 100}, timeout=10).json()["items"]


def test_metrics_move_with_the_work_and_pass_promtool(observed):
    base = observed.base
    before = metrics(base)
    assert value(before, 'ordinaut_build_info{version="0.1.0",commit="' + re.search(r'commit="([^"]*)"', before).group(1) + '"}') == 1
    assert value(before, 'ordinaut_workers_capacity') >= 1
    assert value(before, 'ordinaut_scheduler_leader{node="node-a"}') == 1

    # Two succeeding runs, one task whose runs fail twice (a retry, then a dead letter), webhook
    # calls answering 200, 503 and nothing, and an approval left waiting.
    ok = create(base, title="ok", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z",
                payload={"pipeline": [{"id": "a", "uses": "ext.metered.echo", "with": {"value": 1}}]})
    failing = create(base, title="failing", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z", max_retries=1,
                     payload={"pipeline": [{"id": "a", "uses": "ext.metered.fail", "with": {}}]})
    hooks = create(base, title="hooks", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z", max_retries=0,
                   payload={"pipeline": [{"id": "a", "uses": "ext.hooks.hit", "with": {"status": "200"}},
                                         {"id": "b", "uses": "ext.hooks.hit", "with": {"status": "503"}}]})
    waiting = create(base, title="waits", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z",
                     payload={"pipeline": [{"id": "ask", "uses": "ordinaut.approval", "with": {"prompt": "go?"}}]})
    httpx2.post(f"{base}/tasks/{ok['id']}/run_now", timeout=10)
    wait_for(lambda: len([r for r in runs(base, ok["id"]) if r["status"] == "succeeded"]) == 2, message="two succeeded runs")
    wait_for(lambda: any(r["status"] == "dead" for r in runs(base, failing["id"])), message="the dead letter")
    wait_for(lambda: any(r["status"] == "dead" for r in runs(base, hooks["id"])), message="the webhook run to fail")
    wait_for(lambda: any(r["status"] == "waiting" for r in runs(base, waiting["id"])), message="the approval")
    paused = create(base, title="paused", schedule_kind="cron", schedule_expr="0 9 * * *",
                    payload={"pipeline": [{"id": "a", "uses": "ext.metered.echo", "with": {}}]})
    httpx2.post(f"{base}/tasks/{paused['id']}/pause", timeout=10)

    # Extension metrics through the host method, and the cardinality bound (ORDINAUT_EXT_METRIC_SERIES=3).
    for customer in ("a", "b", "c"):
        assert call_tool(base, "ext.metered.record", {"kind": "counter", "name": "jobs_total", "value": 2, "labels": {"customer": customer}})["structuredContent"] == {"ok": True}
    refused = call_tool(base, "ext.metered.record", {"kind": "counter", "name": "jobs_total", "value": 1, "labels": {"customer": "d"}})
    assert refused["isError"] and "ORDINAUT_EXT_METRIC_SERIES" in refused["structuredContent"]["error"]
    bad = call_tool(base, "ext.metered.record", {"kind": "gauge", "name": "jobs_total", "value": 1, "labels": {"customer": "a"}})
    assert bad["isError"] and "first used as a counter" in bad["structuredContent"]["error"]
    assert call_tool(base, "ext.metered.record", {"kind": "histogram", "name": "size_bytes", "value": 300, "buckets": [100, 1000]})["structuredContent"] == {"ok": True}

    text = wait_for(lambda: (lambda t: t if value(t, 'ordinaut_tasks{status="paused"}') == 1 and value(t, "ordinaut_approvals_waiting") == 1 else None)(metrics(base)),
                    message="the sampled gauges")
    checked = subprocess.run([promtool(), "check", "metrics"], input=text, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # Runs: started by trigger, finished by outcome, retries and dead letters.
    assert value(text, 'ordinaut_runs_started_total{trigger="schedule"}') >= 4
    assert value(text, 'ordinaut_runs_started_total{trigger="manual"}') == 1
    assert value(text, 'ordinaut_runs_started_total{trigger="retry"}') == 1
    assert value(text, 'ordinaut_runs_finished_total{outcome="succeeded"}') == 2
    assert value(text, 'ordinaut_runs_finished_total{outcome="dead"}') == 2
    assert value(text, 'ordinaut_runs_finished_total{outcome="waiting"}') == 1
    assert value(text, "ordinaut_run_retries_total") == 1
    assert value(text, "ordinaut_dead_letters_total") == 2
    assert value(text, 'ordinaut_run_queue_latency_seconds_count{trigger="schedule"}') >= 4
    assert value(text, 'ordinaut_step_duration_seconds_count{tool="ext.metered.fail",outcome="failed"}') == 2
    # Gauges read from the store: tasks by status, backlog, approvals, workers.
    assert value(text, 'ordinaut_tasks{status="active"}') == 4 and value(text, 'ordinaut_tasks{status="paused"}') == 1
    assert value(text, 'ordinaut_tasks{status="canceled"}') == 0
    assert value(text, "ordinaut_due_backlog") == 0 and value(text, "ordinaut_due_oldest_age_seconds") == 0
    assert value(text, "ordinaut_approvals_waiting") == 1
    assert value(text, "ordinaut_workers_alive") == 1 and value(text, "ordinaut_workers_busy") == 0
    # Store statements by kind, events, webhooks by status class, extensions.
    assert value(text, 'ordinaut_store_statement_duration_seconds_count{kind="insert tasks"}') >= 5
    assert value(text, 'ordinaut_store_statement_duration_seconds_count{kind="update due_work"}') >= 5
    assert not re.search(r'kind="[^"]*[0-9]', text), "a statement kind carries a value"
    assert value(text, 'ordinaut_events_published_total{source="ordinaut"}') == 2  # the two ordinaut.run.dead alerts
    assert value(text, 'ordinaut_events_delivered_total{outcome="ok"}') >= 2
    assert value(text, "ordinaut_event_delivery_lag_seconds_count") >= 2
    assert value(text, "ordinaut_events_dropped_total") == 0
    assert value(text, 'ordinaut_webhook_calls_total{status_class="2xx"}') >= 1
    assert value(text, 'ordinaut_webhook_calls_total{status_class="5xx"}') >= 1
    assert value(text, 'ordinaut_webhook_call_duration_seconds_count{status_class="5xx"}') >= 1
    assert 'ordinaut_extension_restarts_total{extension="metered"} 0' in text
    assert value(text, 'ordinaut_extension_state{extension="observability",state="active"}') == 1
    # The extension's own metrics, named after it, with the refused combination absent.
    assert value(text, 'ext_metered_jobs_total{customer="a"}') == 2
    assert 'customer="d"' not in text
    assert value(text, 'ext_metered_size_bytes_bucket{le="1000.0"}') == 1 or value(text, 'ext_metered_size_bytes_bucket{le="1000"}') == 1
    # Never a task or run id as a label.
    for identifier in (ok["id"], failing["id"], hooks["id"]):
        assert identifier not in text


def test_lease_renewals_and_the_busy_gauge_move(binary, tmp_path, status_service):
    """A run longer than a third of the lease is renewed while it runs."""
    root = tmp_path / "extensions"
    (root / "work").mkdir(parents=True)
    shutil.copy(FIXTURES / "work.py", root / "work" / "work.py")
    (root / "work" / "extension.json").write_text(json.dumps({
        "id": "work", "name": "work", "version": "1.0.0", "module": "work.py", "grants": ["TOOLS"],
        "tools": [{"name": "work", "input_schema": {"type": "object"}}], "limits": {"call_timeout_seconds": 30}}))
    running = start_server(binary, env={**FAST, "ORDINAUT_EXT_PATHS": str(root), "ORDINAUT_LEASE_SECONDS": "3"})
    try:
        base = running.base
        task = create(base, title="slow", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z",
                      payload={"pipeline": [{"id": "a", "uses": "ext.work.work", "with": {"key": "k", "ms": 2500}}]})
        wait_for(lambda: value(metrics(base), "ordinaut_workers_busy") == 1, message="a busy worker")
        wait_for(lambda: any(r["status"] == "succeeded" for r in runs(base, task["id"])), message="the slow run")
        text = metrics(base)
        assert value(text, 'ordinaut_lease_renewals_total{outcome="renewed"}') >= 1
        assert value(text, 'ordinaut_lease_renewals_total{outcome="lost"}') == 0
        assert value(text, "ordinaut_workers_busy") == 0
    finally:
        running.stop()


def test_alert_events_reach_event_tasks(observed):
    """`ordinaut.run.dead` and `ordinaut.extension.error` start event tasks, which see the event."""
    base = observed.base
    on_dead = create(base, title="tell someone: dead", schedule_kind="event", schedule_expr="ordinaut.run.dead",
                     payload={"pipeline": [{"id": "tell", "uses": "ext.metered.echo", "with": {"value": "${event.payload.task_id}"}}]})
    on_error = create(base, title="tell someone: extension", schedule_kind="event", schedule_expr="ordinaut.extension.error",
                      payload={"pipeline": [{"id": "tell", "uses": "ext.metered.echo", "with": {"value": "${event.payload.extension}"}}]})
    failing = create(base, title="fails", schedule_kind="once", schedule_expr="2000-01-01T00:00:00Z", max_retries=0,
                     payload={"pipeline": [{"id": "a", "uses": "ext.metered.fail", "with": {}}]})
    told = wait_for(lambda: next((r for r in runs(base, on_dead["id"]) if r["status"] == "succeeded"), None), message="the run.dead event task")
    assert told["trigger"] == "event"
    detail = httpx2.get(f"{base}/runs/{told['id']}", timeout=10).json()
    assert detail["output"]["result"] == {"value": failing["id"]}
    # The event task's own run carries the causation: a dead run of it would be one level deeper.
    assert detail["context"]["event"]["causation"]["task_ids"] == [failing["id"]]

    # Calling a tool of an extension that cannot start puts it in `error`.
    call = httpx2.post(f"{base}/mcp", timeout=30, json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "ext__broken__nothing", "arguments": {}, "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "pytest", "version": "1"}}}},
        headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
                 "Mcp-Method": "tools/call", "Mcp-Name": "ext__broken__nothing"})
    assert call.status_code == 200
    told = wait_for(lambda: next((r for r in runs(base, on_error["id"]) if r["status"] == "succeeded"), None), message="the extension.error event task")
    assert httpx2.get(f"{base}/runs/{told['id']}", timeout=10).json()["output"]["result"] == {"value": "broken"}
    assert value(metrics(base), 'ordinaut_extension_state{extension="broken",state="error"}') == 1


def test_a_node_that_loses_leadership_publishes_leader_lost(binary, tmp_path):
    """Another node takes the scheduler lease over (written into the shared database as a node
    would); the node that led reports `ordinaut.leader.lost`, which an event task receives."""
    database = tmp_path / "shared.db"
    root = extensions(tmp_path / "extensions", "http://127.0.0.1:9")
    running = start_server(binary, env={**FAST, "ORDINAUT_DATABASE_URL": f"sqlite:{database}", "ORDINAUT_EXT_PATHS": str(root),
                                        "ORDINAUT_NODE_ID": "first"})
    try:
        base = running.base
        wait_for(lambda: value(metrics(base), 'ordinaut_scheduler_leader{node="first"}') == 1, message="the node to lead")
        task = create(base, title="leader lost", schedule_kind="event", schedule_expr="ordinaut.leader.lost",
                      payload={"pipeline": [{"id": "tell", "uses": "ext.metered.echo", "with": {"value": "${event.payload.node}"}}]})
        with sqlite3.connect(database, timeout=30) as connection:
            connection.execute("UPDATE leader_leases SET holder = 'second', expires_at = ? WHERE name = 'scheduler'",
                               (int(time.time() * 1000) + 600_000,))
        told = wait_for(lambda: next((r for r in runs(base, task["id"]) if r["status"] == "succeeded"), None), message="the leader.lost event task")
        assert httpx2.get(f"{base}/runs/{told['id']}", timeout=10).json()["output"]["result"] == {"value": "first"}
        assert value(metrics(base), 'ordinaut_scheduler_leader{node="first"}') == 0
    finally:
        running.stop()


# --- examples/observability -----------------------------------------------------------------------

def test_example_rules_pass_promtool():
    checked = subprocess.run([promtool(), "check", "rules", "rules.yml"], cwd=EXAMPLES, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run([promtool(), "test", "rules", "rules_test.yml"], cwd=EXAMPLES, capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_dashboard_query_is_evaluated_by_the_rule_tests():
    dashboard = json.loads((EXAMPLES / "dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert queries, "the dashboard has no queries"
    evaluated = set(re.findall(r"^\s*- expr: '(.*)'\s*$", (EXAMPLES / "rules_test.yml").read_text(), re.MULTILINE))
    missing = [query for query in queries if query not in evaluated]
    assert not missing, f"dashboard queries no rule test evaluates: {missing}"


def test_every_metric_the_rules_read_is_one_ordinaut_serves():
    """A rule over a misspelt metric would never fire; each name the rules and tests read is documented."""
    documented = (ROOT / "docs" / "operations.md").read_text()
    names = set(re.findall(r"\b(ordinaut_[a-z_]+?)(?:_bucket|_count|_sum)?\b", (EXAMPLES / "rules.yml").read_text()))
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"metrics the rules read that docs/operations.md does not list: {missing}"
