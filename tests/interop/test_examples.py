"""The runnable examples in examples/ work against a real server."""
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_curl_stateless_example(server):
    output = subprocess.run([str(ROOT / "examples/curl/stateless.sh"), server.url], capture_output=True, text=True, check=True).stdout
    discover, tools = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert "2026-07-28" in discover["result"]["supportedVersions"]
    assert any(t["name"] == "test_simple_text" for t in tools["result"]["tools"])


def test_curl_session_example(server):
    output = subprocess.run([str(ROOT / "examples/curl/session.sh"), server.url], capture_output=True, text=True, check=True).stdout
    assert '"test_simple_text"' in output
    assert "session ended: HTTP 200" in output


def test_claude_desktop_config_launches_stdio():
    config = json.loads((ROOT / "examples/claude_desktop_config.json").read_text())
    assert config["mcpServers"]["ordinaut"]["args"] == ["stdio"]
