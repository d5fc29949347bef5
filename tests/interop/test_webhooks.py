"""Webhook tools with the real binary against a real HTTP service (examples/webhook-extension's
receiver): calls, failures as error results, header injection, secrets kept out of errors, and many
calls in flight at once."""
import json
import os
import shutil
import subprocess
import sys

import httpx2
import pytest

from conftest import ROOT, call_tool, extension_status, free_port, start_server


@pytest.fixture(scope="module")
def receiver():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "examples/webhook-extension/receiver.py"), str(port)],
                               env=dict(os.environ, ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN="test-token"), stdout=subprocess.PIPE, text=True)
    assert "listening" in process.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def webhook_server(binary, receiver, tmp_path_factory):
    root = tmp_path_factory.mktemp("hooks")
    shutil.copytree(ROOT / "examples/webhook-extension", root / "weather")

    def hook(name, path, **extra):
        webhook = {"url": "${secrets.base}" + path, "method": "GET", "timeout_seconds": 1,
                   "headers": {"Authorization": "Bearer ${secrets.token}"},
                   "secrets": {"base": "ORDINAUT_SECRET_WEATHER_HOOKS_BASE_URL", "token": "ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN"}, **extra}
        return {"name": name, "webhook": webhook}

    faults = {"id": "hook_faults", "name": "faults", "version": "1.0.0", "grants": ["TOOLS"], "tools": [
        hook("slow", "/slow"), hook("fail", "/fail"), hook("big", "/forecast?city=x", max_response_bytes=10),
        {"name": "down", "webhook": {"url": "http://127.0.0.1:1/", "timeout_seconds": 2}},
        # Hostile input: an argument in a header, and a URL whose userinfo carries a password.
        {"name": "noted", "input_schema": {"type": "object", "properties": {"note": {"type": "string"}}},
         "webhook": {**hook("noted", "/forecast?city=x")["webhook"],
                     "headers": {"Authorization": "Bearer ${secrets.token}", "X-Note": "${args.note}"}}},
        {"name": "userinfo", "webhook": {"url": "http://hook-user:hunter2-secret@127.0.0.1:1/", "timeout_seconds": 2}}]}
    (root / "faults").mkdir()
    (root / "faults/extension.json").write_text(json.dumps(faults))
    # The faults extension borrows the weather extension's secrets, which the operator allows.
    running = start_server(binary, env={"ORDINAUT_EXT_PATHS": str(root), "ORDINAUT_SECRET_WEATHER_HOOKS_BASE_URL": receiver,
                                        "ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN": "test-token",
                                        "ORDINAUT_WEBHOOK_SECRETS": "ORDINAUT_SECRET_WEATHER_HOOKS_*"})
    yield running
    assert running.stop() == 0


def test_webhook_tools_call_the_service(webhook_server, receiver):
    base = webhook_server.base
    forecast = call_tool(base, "ext.weather_hooks.forecast", {"city": "Chișinău & co?"})
    assert not forecast.get("isError")
    assert forecast["structuredContent"]["city"] == "Chișinău & co?"
    notified = call_tool(base, "ext.weather_hooks.notify", {"message": "rain at 5", "priority": 4})
    assert notified["structuredContent"]["echo"] == {"text": "rain at 5", "priority": 4, "source": "ordinaut"}
    assert httpx2.get(f"{receiver}/notifications", timeout=10).json()["received"][-1]["priority"] == 4
    invalid = call_tool(base, "ext.weather_hooks.notify", {"message": "x", "priority": 9})
    assert invalid["isError"]
    assert extension_status(base)["extensions"]["weather_hooks"]["kind"] == "webhook"


@pytest.mark.parametrize("tool,expected", [
    ("slow", "no complete response within 1.0 s"),
    ("fail", "HTTP 500 from GET"),
    ("big", "larger than 10 bytes"),
    ("down", "Couldn't connect"),
])
def test_webhook_failures_are_error_results(webhook_server, tool, expected):
    result = call_tool(webhook_server.base, f"ext.hook_faults.{tool}", {})
    assert result["isError"], result
    text = result["content"][0]["text"]
    assert expected in text, text
    assert "test-token" not in text


@pytest.mark.parametrize("note", ["a\r\nAuthorization: Bearer injected", "a\nX-Smuggled: 1", "a\rb", "nul\u0000byte", "bell\u0007"])
def test_webhook_headers_cannot_be_injected(webhook_server, receiver, note):
    before = len(httpx2.get(f"{receiver}/notifications", timeout=10).json()["received"])
    result = call_tool(webhook_server.base, "ext.hook_faults.noted", {"note": note})
    assert result["isError"], result
    assert "control character" in result["content"][0]["text"]
    assert len(httpx2.get(f"{receiver}/notifications", timeout=10).json()["received"]) == before
    assert not call_tool(webhook_server.base, "ext.hook_faults.noted", {"note": "plain text, ünïcode"}).get("isError")


def test_a_webhook_url_password_stays_out_of_errors(webhook_server):
    result = call_tool(webhook_server.base, "ext.hook_faults.userinfo", {})
    assert result["isError"], result
    text = result["content"][0]["text"]
    assert "hunter2" not in text and "hook-user" not in text, text
    assert "***@127.0.0.1" in text, text


def test_webhook_calls_in_flight_together_each_get_their_own_answer(webhook_server):
    """Transfers share one libcurl thread and its connections: sixteen calls at once, beside one that
    times out, each get the answer to their own request, and the slow one its timeout."""
    from concurrent.futures import ThreadPoolExecutor
    cities = [f"city {n} & co?" for n in range(16)]
    with ThreadPoolExecutor(max_workers=17) as pool:
        slow = pool.submit(call_tool, webhook_server.base, "ext.hook_faults.slow", {})
        answers = list(pool.map(lambda city: call_tool(webhook_server.base, "ext.weather_hooks.forecast", {"city": city}), cities))
        timed_out = slow.result(timeout=30)
    assert [answer["structuredContent"]["city"] for answer in answers] == cities
    assert timed_out["isError"] and "no complete response within 1.0 s" in timed_out["content"][0]["text"], timed_out
