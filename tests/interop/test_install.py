"""`make install` into a temporary prefix, then an assistant's view: the configuration `ordinaut
mcp-config` prints for the installed binary, used as written by the official SDK's stdio client.
The install is of the debug build (`CONFIGURATION=debug`), which `make test` has just built."""
import json
import os
import shlex
import subprocess

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    done = subprocess.run(["make", "-C", str(ROOT), "install", f"PREFIX={prefix}", "CONFIGURATION=debug"],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"make install failed:\n{done.stdout}\n{done.stderr}"
    binary = prefix / "bin" / "ordinaut"
    assert binary.is_file() and os.access(binary, os.X_OK)
    return binary


def mcp_config(binary, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), "mcp-config", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.timeout(1800)
async def test_the_installed_binary_serves_stdio_as_mcp_config_says(installed, tmp_path):
    printed = mcp_config(installed, "--client", "claude-desktop")
    assert printed.returncode == 0, printed.stderr
    entry = json.loads(printed.stdout)["mcpServers"]["ordinaut"]
    assert entry == {"command": str(installed), "args": ["stdio"]}
    # The example in the repository is the same snippet for an install in /usr/local.
    example = json.loads((ROOT / "examples" / "claude_desktop_config.json").read_text())
    assert example == {"mcpServers": {"ordinaut": dict(entry, command="/usr/local/bin/ordinaut")}}

    params = StdioServerParameters(command=entry["command"], args=entry["args"],
                                   env=dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path)), cwd=str(tmp_path))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            names = {tool.name for tool in (await session.list_tools()).tools}
            assert {"task_create", "event_publish", "ext__events_demo__publish"} <= names
            published = await session.call_tool("event_publish", {"topic": "installed", "payload": {"ok": True}})
            assert not published.is_error, published


@pytest.mark.timeout(1800)
def test_mcp_config_speaks_each_clients_format(installed):
    stdio = {client: mcp_config(installed, "--client", client) for client in ("claude-code", "cursor", "vscode")}
    assert all(done.returncode == 0 for done in stdio.values()), {c: d.stderr for c, d in stdio.items()}
    assert shlex.split(stdio["claude-code"].stdout) == ["claude", "mcp", "add", "ordinaut", "--", str(installed), "stdio"]
    assert json.loads(stdio["cursor"].stdout) == {"mcpServers": {"ordinaut": {"command": str(installed), "args": ["stdio"]}}}
    assert json.loads(stdio["vscode"].stdout) == {"servers": {"ordinaut": {"type": "stdio", "command": str(installed), "args": ["stdio"]}}}

    url = "http://127.0.0.1:8080/mcp"
    http = {client: mcp_config(installed, "--client", client, "--url", url, "--token", "ordn_x") for client in ("claude-code", "cursor", "vscode")}
    assert shlex.split(http["claude-code"].stdout) == ["claude", "mcp", "add", "--transport", "http", "ordinaut", url,
                                                       "--header", "Authorization: Bearer ordn_x"]
    headers = {"Authorization": "Bearer ordn_x"}
    assert json.loads(http["cursor"].stdout) == {"mcpServers": {"ordinaut": {"url": url, "headers": headers}}}
    assert json.loads(http["vscode"].stdout) == {"servers": {"ordinaut": {"type": "http", "url": url, "headers": headers}}}

    # Claude Desktop launches processes only: the error says what to do instead, on one line.
    refused = mcp_config(installed, "--client", "claude-desktop", "--url", url)
    assert refused.returncode != 0 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1 and "--client claude-code" in refused.stderr
