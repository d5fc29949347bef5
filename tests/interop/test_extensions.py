"""Extensions with the real binary: the Python example through the official SDK, subprocess
extensions that misbehave, and `ordinaut ext` (webhook tools: test_webhooks.py)."""
import asyncio
import json
import os
import pathlib
import shutil
import subprocess
import time

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from conftest import ROOT, call_tool, extension_status, start_server, wait_for

FIXTURES = pathlib.Path(__file__).with_name("fixtures")
# --- The Python example through the official SDK -------------------------------------------------

@pytest.fixture(scope="module")
def example_server(binary):
    running = start_server(binary, env={"ORDINAUT_EXT_PATHS": str(ROOT / "examples")})
    yield running
    assert running.stop() == 0


async def test_python_extension_through_the_sdk(example_server):
    base = example_server.base
    assert extension_status(base)["extensions"]["py_notes"]["state"] == "lazy"
    async with Client(streamable_http_client(example_server.url), mode="auto") as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"ext__py_notes__add_note", "ext__py_notes__list_notes", "ext__events_demo__publish"} <= names
        added = await client.call_tool("ext__py_notes__add_note", {"text": "buy milk"})
        assert not added.is_error, added
        assert added.structured_content["count"] == 1
        invalid = await client.call_tool("ext__py_notes__add_note", {"text": ""})
        assert invalid.is_error
        # Its prompt and resource are imported under the extension's namespace.
        prompts = {prompt.name for prompt in (await client.list_prompts()).prompts}
        assert "ext.py_notes.summarize" in prompts
        prompt = await client.get_prompt("ext.py_notes.summarize", {"style": "terse"})
        assert prompt.messages[0].content.text == "Summarize these notes (terse): buy milk"
        resources = {str(resource.uri) for resource in (await client.list_resources()).resources}
        assert "ext://py_notes/notes://all" in resources
        contents = await client.read_resource("ext://py_notes/notes://all")
        assert json.loads(contents.contents[0].text) == ["buy milk"]
    entry = extension_status(base)["extensions"]["py_notes"]
    assert entry["state"] == "active" and entry["kind"] == "subprocess"
    assert entry["process"]["server_info"]["name"] == "py-notes"
    # Its route, its own event (note.added) and another extension's event (note.manual) all arrive.
    created = httpx2.post(f"{base}/ext/py_notes/notes", json={"text": "call mum"}, timeout=10)
    assert created.status_code == 201 and created.json()["count"] == 2
    assert httpx2.post(f"{base}/ext/events_demo/publish/note.manual", json={"x": 1}, timeout=10).status_code == 201

    def received():
        notes = httpx2.get(f"{base}/ext/py_notes/notes", timeout=10).json()
        names = [event["name"] for event in notes["received_events"]]
        return notes if names.count("note.added") == 2 and "note.manual" in names else None

    notes = wait_for(received, message="events to reach the Python extension")
    assert notes["notes"] == ["buy milk", "call mum"]
    assert httpx2.get(f"{base}/ext/py_notes/missing", timeout=10).status_code == 404


def test_python_extension_restarts_after_being_killed(example_server):
    base = example_server.base
    call_tool(base, "ext.py_notes.add_note", {"text": "before"})
    pid = extension_status(base)["extensions"]["py_notes"]["process"]["pid"]
    os.kill(pid, 9)
    process = wait_for(lambda: (lambda p: p if p.get("restarts", 0) >= 1 and p["phase"] == "running" else None)(
        extension_status(base)["extensions"]["py_notes"]["process"]), message="a restart")
    assert process["pid"] != pid
    assert "signal 9" in process["last_exit"]
    result = call_tool(base, "ext.py_notes.add_note", {"text": "after"})
    assert result["structuredContent"]["count"] == 1  # a fresh process, a fresh memory


# --- Subprocess extensions that misbehave --------------------------------------------------------

MODES = {
    "garbage": {"eager": True},
    "crash": {"eager": True},
    "hang": {"eager": True, "limits": {"startup_timeout_seconds": 1}},
    "exit": {"eager": True},
    "slow": {"eager": True, "limits": {"call_timeout_seconds": 1}},
    "flood": {"eager": True},
    "badname": {"eager": True},
    "events": {"eager": True, "requests": ["TOOLS", "EVENTS_SUB", "EVENTS_PUB"], "grants": ["TOOLS", "EVENTS_SUB"]},
}


@pytest.fixture(scope="module")
def faulty_server(binary, tmp_path_factory):
    root = tmp_path_factory.mktemp("faulty")
    for mode, extra in MODES.items():
        folder = root / mode
        folder.mkdir()
        shutil.copy(FIXTURES / "misbehave.py", folder / "misbehave.py")
        manifest = {"id": mode, "name": mode, "version": "1.0.0", "module": "misbehave.py", "args": [mode],
                    "grants": ["TOOLS"]}
        manifest.update(extra)
        (folder / "extension.json").write_text(json.dumps(manifest))
    running = start_server(binary, env={"ORDINAUT_EXT_PATHS": str(root)})
    wait_for(lambda: all(e["state"] in ("active", "error") for e in extension_status(running.base)["extensions"].values()
                         if e["eager"]), message="eager extensions to settle")
    yield running
    assert running.stop() == 0
    leftovers = subprocess.run(["pgrep", "-f", str(root)], capture_output=True, text=True).stdout.split()
    assert not leftovers, f"extension processes survived the host: {leftovers}"


def test_garbage_on_stdout_is_counted_and_calls_still_work(faulty_server):
    assert call_tool(faulty_server.base, "ext.garbage.ok", {})["content"][0]["text"] == "ok from garbage"
    process = extension_status(faulty_server.base)["extensions"]["garbage"]["process"]
    assert process["garbage_lines"] >= 2
    assert "not JSON-RPC" in process["last_garbage"] or "unknown request id" in process["last_garbage"]


def test_a_crash_mid_call_is_an_error_result_then_the_extension_comes_back(faulty_server):
    base = faulty_server.base
    crashed = call_tool(base, "ext.crash.crash", {})
    assert crashed["isError"] and "exited during the call" in crashed["content"][0]["text"]
    wait_for(lambda: extension_status(base)["extensions"]["crash"]["process"]["phase"] == "running"
             and extension_status(base)["extensions"]["crash"]["process"]["restarts"] >= 1, message="the restart")
    assert call_tool(base, "ext.crash.ok", {})["content"][0]["text"] == "ok from crash"


def test_extensions_that_hang_or_exit_at_start_are_in_error_and_say_why(faulty_server):
    extensions = extension_status(faulty_server.base)["extensions"]
    assert extensions["hang"]["state"] == "error"
    assert extensions["hang"]["error"]["phase"] == "initialize"
    assert "no answer within 1 s" in extensions["hang"]["error"]["message"]
    assert extensions["exit"]["state"] == "error"
    assert "not running" in extensions["exit"]["error"]["message"] or "initialize failed" in extensions["exit"]["error"]["message"]
    health = httpx2.get(f"{faulty_server.base}/ext/hang/health", timeout=10).json()
    assert health["healthy"] is False


def test_a_call_that_never_returns_times_out_and_the_extension_keeps_serving(faulty_server):
    slow = call_tool(faulty_server.base, "ext.slow.sleep", {})
    assert slow["isError"] and "did not answer ext" not in slow["content"][0]["text"]
    assert "within 1 s" in slow["content"][0]["text"]
    assert call_tool(faulty_server.base, "ext.slow.ok", {})["content"][0]["text"] == "ok from slow"


def test_a_flood_of_notifications_does_not_stop_the_host(faulty_server):
    assert call_tool(faulty_server.base, "ext.flood.flood", {})["content"][0]["text"] == "ok from flood"
    assert httpx2.get(f"{faulty_server.base}/health", timeout=10).status_code == 200


def test_tools_the_registry_refuses_are_skipped_with_a_reason(faulty_server):
    process = extension_status(faulty_server.base)["extensions"]["badname"]["process"]
    assert process["imported_tools"] == ["ext.badname.ok"]
    assert process["skipped_tools"][0]["name"] == "bad name!"


def test_run_time_subscriptions_and_ungranted_publishing(faulty_server):
    base = faulty_server.base
    wait_for(lambda: json.loads(call_tool(base, "ext.events.events", {})["content"][0]["text"])["subscribed"],
             message="the run-time subscription")
    call_tool(base, "ext.events_demo.publish", {"stream": "dyn.one", "payload": 1})
    arrived = wait_for(lambda: json.loads(call_tool(base, "ext.events.events", {})["content"][0]["text"])["arrived"],
                       message="the event")
    assert arrived == ["dyn.one"]
    refusal = call_tool(base, "ext.events.publish", {})["content"][0]["text"]
    assert "EVENTS_PUB" in refusal and "not granted" in refusal


def test_the_other_extensions_keep_working(faulty_server):
    result = call_tool(faulty_server.base, "ext.events_demo.publish", {"stream": "still", "payload": 1})
    assert result["structuredContent"]["event"]["stream"] == "ext:events_demo:events:still"


# --- The command line ----------------------------------------------------------------------------

def test_ext_validate_accepts_the_examples_and_locates_problems(binary, tmp_path):
    for example in ["python-extension", "webhook-extension"]:
        done = subprocess.run([str(binary), "ext", "validate", str(ROOT / "examples" / example)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "valid" in done.stdout
    bad = tmp_path / "extension.json"
    bad.write_text('{"id": "x", "name": "X", "version": "1.0.0", "grants": ["ADMIN"], "extra": 1}')
    done = subprocess.run([str(binary), "ext", "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "/grants/0" in done.stderr and "extra" in done.stderr


def test_ext_list_shows_kinds_and_refusals(binary, tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken/extension.json").write_text("{")
    environment = dict(os.environ, ORDINAUT_EXT_PATHS=f"{ROOT / 'examples'}:{tmp_path}")
    done = subprocess.run([str(binary), "ext", "list"], capture_output=True, text=True, env=environment)
    assert done.returncode == 1
    assert "py_notes\tsubprocess\tpath" in done.stdout
    assert "weather_hooks\twebhook\tpath\teager" in done.stdout
    assert "broken/extension.json" in done.stderr


# --- Observability -------------------------------------------------------------------------------

def test_metrics_pass_promtool_and_count_what_happened(example_server):
    base = example_server.base
    call_tool(base, "ext.py_notes.list_notes", {})
    call_tool(base, "ext.py_notes.add_note", {"text": ""})  # invalid arguments: an error outcome
    text = httpx2.get(f"{base}/metrics", timeout=10).text
    assert httpx2.get(f"{base}/ext/observability/metrics", timeout=10).status_code == 200
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed; `make test` installs it (Debian package prometheus)")
    checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert 'ordinaut_tool_calls_total{tool="ext.py_notes.list_notes",outcome="success"}' in text
    assert 'ordinaut_tool_calls_total{tool="ext.py_notes.add_note",outcome="error"}' in text
    assert 'ordinaut_mcp_requests_total{method="tools/call",outcome="ok"}' in text
    assert 'ordinaut_extension_state{extension="py_notes",state="active"} 1' in text
    assert 'route="/ext/py_notes/*"' not in text  # subprocess routes are labelled by extension, not path
    assert 'ordinaut_http_requests_total{method="POST",route="/mcp",status="200"}' in text
    # The standard process metrics, from /proc/self, agree with what the kernel says of the process.
    values = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines() if line.startswith("process_")}
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_start_time_seconds",
            "process_open_fds", "process_max_fds", "process_threads"} <= set(values)
    assert 0 < values["process_open_fds"] <= values["process_max_fds"]
    assert abs(values["process_start_time_seconds"] - time.time()) < 3600
    assert values["process_resident_memory_bytes"] > 10 * 1024 * 1024 and values["process_threads"] >= 2


# --- WebSocket routes ----------------------------------------------------------------------------

async def test_websocket_routes_of_an_extension(example_server):
    import websockets
    url = f"ws://127.0.0.1:{example_server.port}/ext/events_demo/ws/chat"
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"hello": "ws"}))
        event = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert event["stream"] == "ext:events_demo:events:chat" and event["payload"] == {"hello": "ws"}
        await socket.send("not json")
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["error"] == "invalid_json"
    # What arrived over the socket is an ordinary event.
    read = call_tool(example_server.base, "ext.events_demo.read", {"stream": "chat"})
    assert read["structuredContent"]["events"][-1]["payload"] == {"hello": "ws"}


async def test_websocket_upgrades_need_the_scope_too(binary, tmp_path):
    import websockets
    token = "ws-test-token"
    digest = subprocess.run([str(binary), "token", "hash"], input=token + "\n", capture_output=True, text=True, check=True).stdout.strip()
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tokens": [{"name": "t", "sha256": digest, "scopes": ["ext:events_demo:routes"]}]}))
    running = start_server(binary, env={"ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(tokens)})
    try:
        url = f"ws://127.0.0.1:{running.port}/ext/events_demo/ws/secure"
        with pytest.raises(websockets.exceptions.InvalidStatus):
            async with websockets.connect(url):
                pass
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as socket:
            await socket.send("1")
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["payload"] == 1
    finally:
        assert running.stop() == 0


def test_the_first_matching_event_starts_a_lazy_extension_and_reaches_it(binary):
    running = start_server(binary, env={"ORDINAUT_EXT_PATHS": str(ROOT / "examples")})
    try:
        base = running.base
        assert extension_status(base)["extensions"]["py_notes"]["state"] == "lazy"
        assert httpx2.post(f"{base}/ext/events_demo/publish/note.first", json={"wake": True}, timeout=10).status_code == 201
        wait_for(lambda: extension_status(base)["extensions"]["py_notes"]["state"] == "active", message="the event to start py_notes")

        def received():
            events = httpx2.get(f"{base}/ext/py_notes/notes", timeout=10).json()["received_events"]
            return [event["name"] for event in events] or None

        assert wait_for(received, message="the waking event") == ["note.first"]
    finally:
        assert running.stop() == 0
