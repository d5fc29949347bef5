"""The command line: tools list/call and schedule next, run as a user would."""
import json
import subprocess


def run(binary, *args):
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60)


def test_tools_list_and_call(binary):
    listed = run(binary, "tools", "list", "--fixture", "bench")
    assert listed.returncode == 0 and listed.stdout.startswith("echo")
    called = run(binary, "tools", "call", "echo", "--args", '{"text": "hi"}', "--fixture", "bench")
    assert called.returncode == 0
    assert json.loads(called.stdout)["content"] == [{"type": "text", "text": "hi"}]


def test_tools_call_failures_are_clear(binary):
    invalid = run(binary, "tools", "call", "echo", "--args", '{"text": 1}', "--fixture", "bench")
    assert invalid.returncode == 1 and json.loads(invalid.stdout)["isError"] is True
    unknown = run(binary, "tools", "call", "nope", "--fixture", "bench")
    assert unknown.returncode != 0 and "Unknown tool: nope" in unknown.stderr
    malformed = run(binary, "tools", "call", "echo", "--args", "[1", "--fixture", "bench")
    assert malformed.returncode != 0 and "not valid JSON" in malformed.stderr


def test_schedule_next_previews_and_refuses(binary):
    preview = run(binary, "schedule", "next", "0 9 * * 1-5", "--tz", "Europe/Chisinau", "--after", "2025-01-05T12:00", "--count", "2")
    assert preview.stdout.split() == ["2025-01-06T09:00:00+02:00", "2025-01-07T09:00:00+02:00"]
    bad = run(binary, "schedule", "next", "FREQ=DAILY;COUNT=2;UNTIL=20250101T000000Z")
    assert bad.returncode != 0 and "COUNT or UNTIL" in bad.stderr
