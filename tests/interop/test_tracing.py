"""OpenTelemetry tracing with the real binary against a real OTLP/HTTP receiver (otlp_receiver.py,
validated with opentelemetry-proto): one trace from an HTTP `tools/call` of `task_create`, the
scheduled run's own trace linked back to it, its steps, the webhook receiver and the subprocess
tool seeing that trace; tracing off and `always_off` sending nothing; JSON log lines."""
import http.server
import json
import os
import secrets
import subprocess
import threading

import httpx2
import pytest

from conftest import start_server, wait_for
from otlp_receiver import OTLPReceiver
from test_tasks import FAST, runs_of, work_extension

STATELESS = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "pytest", "version": "1"},
}


class HookReceiver:
    """A webhook's far end: it keeps the headers of every request."""

    def __init__(self) -> None:
        self.headers: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.headers.append({key.lower(): value for key, value in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def otlp():
    receiver = OTLPReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def hook():
    receiver = HookReceiver()
    yield receiver
    receiver.server.shutdown()


def extensions(tmp_path, hook):
    root = work_extension(tmp_path / "extensions", tmp_path / "work.log")
    (root / "hooks").mkdir()
    (root / "hooks/extension.json").write_text(json.dumps({
        "id": "hooks", "name": "hooks", "version": "1.0.0", "grants": ["TOOLS"],
        "tools": [{"name": "ping", "webhook": {"url": hook.url, "method": "POST", "timeout_seconds": 10}}]}))
    return root


def tools_call(server, name, arguments, headers=None):
    response = httpx2.post(server.url, timeout=30, json={
        "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments, "_meta": STATELESS}},
        headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
                 "Mcp-Method": "tools/call", "Mcp-Name": name, **(headers or {})})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def create_task(server, headers=None):
    result = tools_call(server, "task_create", {
        "title": "traced", "schedule_kind": "once", "schedule_expr": "2020-01-01T00:00:00Z",
        "payload": {"pipeline": [{"id": "work", "uses": "ext.work.work", "with": {"key": "${run.id}"}},
                                 {"id": "hook", "uses": "ext.hooks.ping", "with": {}}]}}, headers)
    assert not result.get("isError"), result
    return result["structuredContent"]


def traced_server(binary, tmp_path, hook, otlp, **env):
    return start_server(binary, env={
        **FAST, "ORDINAUT_EXT_PATHS": str(extensions(tmp_path, hook)), "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
        "OTEL_SERVICE_NAME": "ordinaut-under-test", "OTEL_BSP_SCHEDULE_DELAY": "100", **env})


def test_a_task_created_over_http_links_its_scheduled_run_and_the_trace_reaches_webhook_and_subprocess(binary, tmp_path, hook, otlp):
    server = traced_server(binary, tmp_path, hook, otlp, ORDINAUT_LOG_FORMAT="json", ORDINAUT_LOG_LEVEL="debug")
    client_trace, client_span = secrets.token_hex(16), secrets.token_hex(8)
    try:
        task = create_task(server, {"traceparent": f"00-{client_trace}-{client_span}-01"})
        run = wait_for(lambda: next((r for r in runs_of(server.base, task["id"]) if r["status"] == "succeeded"), None), message="the run")

        def complete():
            spans = otlp.spans()
            return spans if any(s["name"] == "ordinaut.run" for s in spans) and any(s["name"] == "POST" for s in spans) else None
        spans = wait_for(complete, message="the run's spans at the receiver")
    finally:
        assert server.stop() == 0
    assert otlp.problems == []
    assert all(s["service"] == "ordinaut-under-test" for s in spans)
    by_id = {s["spanId"]: s for s in spans}

    # The request's trace: the client's span → HTTP server span → MCP tools/call → execute_tool.
    http_span = next(s for s in spans if s.get("parentSpanId") == client_span)
    assert http_span["traceId"] == client_trace and http_span["kind"] == 2
    assert http_span["attrs"]["http.request.method"] == "POST" and http_span["attrs"]["url.path"] == "/mcp"
    mcp_span = next(s for s in spans if s.get("parentSpanId") == http_span["spanId"])
    assert mcp_span["name"] == "tools/call task_create"
    assert mcp_span["attrs"]["mcp.method.name"] == "tools/call" and mcp_span["attrs"]["gen_ai.tool.name"] == "task_create"
    tool_span = next(s for s in spans if s.get("parentSpanId") == mcp_span["spanId"])
    assert tool_span["name"] == "execute_tool task_create" and tool_span["traceId"] == client_trace

    # The run: a trace of its own, linked to the span the task was created in.
    run_span = next(s for s in spans if s["name"] == "ordinaut.run")
    assert run_span["traceId"] != client_trace and "parentSpanId" not in run_span
    assert run_span["attrs"]["ordinaut.task.id"] == task["id"] and run_span["attrs"]["ordinaut.run.id"] == run["id"]
    assert [(l["traceId"], l["spanId"]) for l in run_span["links"]] == [(client_trace, tool_span["spanId"])]
    run_trace = run_span["traceId"]

    def ancestors(span):
        chain = []
        while span.get("parentSpanId") in by_id:
            span = by_id[span["parentSpanId"]]
            chain.append(span["name"])
        return chain

    steps = [s for s in spans if s["name"] == "ordinaut.step"]
    assert sorted(s["attrs"]["ordinaut.step.id"] for s in steps) == ["hook", "work"]
    assert all(s["parentSpanId"] == run_span["spanId"] for s in steps)
    webhook = next(s for s in spans if s["name"] == "POST" and s["kind"] == 3)
    assert webhook["traceId"] == run_trace and webhook["attrs"]["http.response.status_code"] == "200"
    assert ancestors(webhook)[-2:] == ["ordinaut.step", "ordinaut.run"]
    subprocess_call = next(s for s in spans if s["name"] == "tools/call work" and s["kind"] == 3)
    assert subprocess_call["traceId"] == run_trace
    assert ancestors(subprocess_call)[-2:] == ["ordinaut.step", "ordinaut.run"]

    # What the far ends saw: the run's trace, with the calling span as parent.
    assert hook.headers[-1]["traceparent"] == f"00-{run_trace}-{webhook['spanId']}-01"
    logged = [json.loads(line) for line in (tmp_path / "work.log").read_text().splitlines()]
    assert logged[-1]["traceparent"] == f"00-{run_trace}-{subprocess_call['spanId']}-01"

    # JSON log lines: every line parses, and the run's lines carry its trace.
    lines = [json.loads(line) for line in server.log if line.strip()]
    assert all({"time", "level", "message", "logger"} <= line.keys() for line in lines)
    started = next(line for line in lines if line["message"] == "run started")
    assert started["trace_id"] == run_trace and started["run_id"] == run["id"]
    assert started["span_id"] == run_span["spanId"]


def test_an_mcp_requests_meta_traceparent_parents_its_span(binary, tmp_path, hook, otlp):
    server = traced_server(binary, tmp_path, hook, otlp)
    trace, parent = secrets.token_hex(16), secrets.token_hex(8)
    try:
        response = httpx2.post(server.url, timeout=30, json={
            "jsonrpc": "2.0", "id": 7, "method": "tools/list",
            "params": {"_meta": {**STATELESS, "traceparent": f"00-{trace}-{parent}-01"}}},
            headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"})
        assert response.status_code == 200
        span = wait_for(lambda: next((s for s in otlp.spans() if s["name"] == "tools/list"), None), message="the tools/list span")
    finally:
        assert server.stop() == 0
    assert span["traceId"] == trace and span["parentSpanId"] == parent and span["attrs"]["jsonrpc.request.id"] == "7"


def test_a_request_whose_parent_declined_sampling_records_no_span(binary, tmp_path, hook, otlp):
    """Under the default parent-based sampler a `traceparent` flagged 00 is followed: nothing of its trace
    is exported (no span is even made below the server span), while a sampled one beside it is."""
    server = traced_server(binary, tmp_path, hook, otlp)
    declined, sampled = secrets.token_hex(16), secrets.token_hex(16)
    try:
        for trace, flags in ((declined, "00"), (sampled, "01")):
            response = httpx2.post(server.url, timeout=30, json={
                "jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": "schedule_preview", "arguments": {"schedule_kind": "cron", "schedule_expr": "0 9 * * *"}, "_meta": STATELESS}},
                headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
                         "Mcp-Method": "tools/call", "Mcp-Name": "schedule_preview",
                         "traceparent": f"00-{trace}-{secrets.token_hex(8)}-{flags}"})
            assert response.status_code == 200 and not response.json()["result"].get("isError"), response.text
        wait_for(lambda: {s["name"] for s in otlp.spans() if s["traceId"] == sampled} >= {"tools/call schedule_preview", "execute_tool schedule_preview"},
                 message="the sampled request's spans")
    finally:
        assert server.stop() == 0
    assert [s["name"] for s in otlp.spans() if s["traceId"] == declined] == []
    assert otlp.problems == []


@pytest.mark.parametrize("env", [{"OTEL_SDK_DISABLED": "true"}, {"OTEL_TRACES_EXPORTER": "none"}, {"OTEL_TRACES_SAMPLER": "always_off"}])
def test_tracing_off_or_sampled_out_sends_nothing(binary, tmp_path, hook, otlp, env):
    server = traced_server(binary, tmp_path, hook, otlp, **env)
    try:
        task = create_task(server, {"traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"})
        wait_for(lambda: any(r["status"] == "succeeded" for r in runs_of(server.base, task["id"])), message="the run")
        assert len(hook.headers) == 1
    finally:
        # Stopping flushes whatever the processor holds: after it, silence is a fact, not a race.
        assert server.stop() == 0
    assert otlp.requests == [] and otlp.problems == []
    if env.get("OTEL_TRACES_SAMPLER") == "always_off":
        assert hook.headers[0]["traceparent"].endswith("-00"), "the decision not to sample travels on"
    else:
        assert "traceparent" not in hook.headers[0]


def test_another_otlp_protocol_stops_the_start_with_the_fix(binary, tmp_path):
    done = subprocess.run([str(binary), "serve", "--port", "0"], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path), OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318",
                                   OTEL_EXPORTER_OTLP_PROTOCOL="grpc"))
    assert done.returncode != 0
    assert "OTEL_EXPORTER_OTLP_PROTOCOL=grpc" in done.stderr and "http/json" in done.stderr


def test_a_tool_call_answered_with_is_error_is_an_error_span(binary, tmp_path, hook, otlp):
    server = traced_server(binary, tmp_path, hook, otlp)
    try:
        refused = tools_call(server, "task_create", {"title": 7})
        assert refused.get("isError") is True, refused

        def call_span():
            return next((s for s in otlp.spans() if s["name"] == "tools/call task_create"), None)
        span = wait_for(call_span, message="the tools/call span at the receiver")
    finally:
        assert server.stop() == 0
    assert span["attrs"]["error.type"] == "tool_error"
    assert span.get("status", {}).get("code") in (2, "STATUS_CODE_ERROR"), span
