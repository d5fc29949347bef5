"""The command line beside a server: a port in use, what the CLI logs, and `tools call --server`."""
import json
import os
import socket
import subprocess
import tempfile

from conftest import start_server


def run(binary, *args, env=None):
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


def test_a_port_in_use_names_the_port_and_how_to_change_it(binary):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        served = run(binary, "serve", "--port", str(port), env={"ORDINAUT_DATA_DIR": tempfile.mkdtemp(prefix="ordinaut-port-")})
    assert served.returncode == 1
    last = served.stderr.strip().splitlines()[-1]
    assert f"port {port} on 127.0.0.1 is already in use" in last
    assert "--port" in last and "ORDINAUT_PORT" in last
    assert "bind(descriptor" not in served.stderr


def test_an_address_of_another_machine_names_the_flag_to_change(binary):
    served = run(binary, "serve", "--host", "192.0.2.1", "--port", "0", "--allow-anonymous",
                 env={"ORDINAUT_DATA_DIR": tempfile.mkdtemp(prefix="ordinaut-host-")})
    assert served.returncode == 1
    last = served.stderr.strip().splitlines()[-1]
    assert "192.0.2.1 is not an address of this machine" in last and "--host" in last and "ORDINAUT_HOST" in last


def test_commands_log_warnings_only_unless_asked(binary):
    quiet = run(binary, "tools", "list", "--json")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    chatty = run(binary, "tools", "call", "ext.events_demo.read", "--args", '{"stream": "s"}', "--log-level", "info")
    assert chatty.returncode == 0 and " info " in chatty.stderr
    from_environment = run(binary, "tools", "call", "ext.events_demo.read", "--args", '{"stream": "s"}', env={"ORDINAUT_LOG_LEVEL": "info"})
    assert from_environment.returncode == 0 and " info " in from_environment.stderr


def test_tools_call_through_a_running_server(binary):
    server = start_server(binary)
    try:
        published = run(binary, "tools", "call", "--server", server.base, "ext.events_demo.publish",
                        "--args", '{"stream": "cli", "payload": {"n": 1}}')
        assert published.returncode == 0, published.stderr
        # The server's bus holds the event: a call through the server sees it, one in process does not.
        remote = run(binary, "tools", "call", "--server", server.url, "ext__events_demo__read", "--args", '{"stream": "cli"}')
        assert remote.returncode == 0, remote.stderr
        assert [event["payload"] for event in json.loads(remote.stdout)["structuredContent"]["events"]] == [{"n": 1}]
        local = run(binary, "tools", "call", "ext.events_demo.read", "--args", '{"stream": "cli"}')
        assert local.returncode == 0 and json.loads(local.stdout)["structuredContent"]["events"] == []

        failing = run(binary, "tools", "call", "--server", server.base, "nope")
        assert failing.returncode == 1 and "Unknown tool: nope" in failing.stderr
    finally:
        server.stop()


def test_tools_call_server_errors_are_one_actionable_line(binary):
    required = start_server(binary, env={"ORDINAUT_REQUIRE_SCOPES": "true"})
    try:
        refused = run(binary, "tools", "call", "--server", required.base, "event_publish", "--args", '{"topic": "t"}')
        assert refused.returncode == 1 and refused.stdout == ""
        assert len(refused.stderr.strip().splitlines()) == 1
        assert "answered 401" in refused.stderr and "ORDINAUT_TOKEN" in refused.stderr
    finally:
        required.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    unreachable = run(binary, "tools", "call", "--server", f"http://127.0.0.1:{free}", "event_publish")
    assert unreachable.returncode == 1 and len(unreachable.stderr.strip().splitlines()) == 1
    assert "cannot reach" in unreachable.stderr and "ordinaut serve" in unreachable.stderr
