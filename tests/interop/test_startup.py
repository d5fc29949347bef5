"""Start-up: libcurl, libpq and hiredis (and the ~30 libraries they pull in) are opened on first use,
not at exec, so a server that talks to no web server, PostgreSQL or Redis never maps them; and
`ordinaut stdio` without flags, which skips the argument parser, behaves as the parsed command."""
import json
import os
import subprocess
import tempfile

import httpx
import pytest

from conftest import start_server

CLIENT_LIBRARIES = ("libcurl.so", "libpq.so", "libhiredis.so", "libssl.so", "libgnutls.so")


def mapped(pid: int) -> set[str]:
    with open(f"/proc/{pid}/maps") as maps:
        return {name for line in maps for name in CLIENT_LIBRARIES if name in line}


def test_stdio_maps_no_client_library():
    environment = dict(os.environ, ORDINAUT_DATA_DIR=tempfile.mkdtemp(prefix="ordinaut-libs-"))
    process = subprocess.Popen([os.environ.get("ORDINAUT_BIN", "../../.build/debug/ordinaut"), "stdio"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment)
    try:
        process.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}).encode() + b"\n")
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["id"] == 1
        process.stdin.write(b'{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}\n')
        process.stdin.flush()
        assert "result" in json.loads(process.stdout.readline())
        assert mapped(process.pid) == set()
    finally:
        process.stdin.close()
        process.wait(timeout=15)



def run_stdio(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = dict(os.environ, ORDINAUT_DATA_DIR=tempfile.mkdtemp(prefix="ordinaut-start-"), **env)
    request = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}) + "\n"
    return subprocess.run([os.environ.get("ORDINAUT_BIN", "../../.build/debug/ordinaut"), *args], input=request,
                          capture_output=True, text=True, env=environment, timeout=30)


def test_stdio_without_flags_behaves_as_with_them():
    """`ordinaut stdio` alone skips the argument parser; it must answer, log and fail exactly as the
    parsed command does."""
    plain = run_stdio(["stdio"], {})
    parsed = run_stdio(["stdio", "--log-level", "info"], {})
    assert plain.returncode == parsed.returncode == 0
    assert json.loads(plain.stdout.splitlines()[0])["result"]["serverInfo"] == json.loads(parsed.stdout.splitlines()[0])["result"]["serverInfo"]
    assert "serving MCP on stdio" in plain.stderr  # stdio logs at info by default
    quiet = run_stdio(["stdio"], {"ORDINAUT_LOG_LEVEL": "error"})
    assert quiet.stdout and "serving MCP" not in quiet.stderr
    bad = run_stdio(["stdio"], {"ORDINAUT_LOG_LEVEL": "bogus"})
    bad_parsed = run_stdio(["stdio", "--fixture", "bench"], {"ORDINAUT_LOG_LEVEL": "bogus"})
    assert bad.returncode == bad_parsed.returncode != 0
    assert bad.stderr == bad_parsed.stderr
    assert "ORDINAUT_LOG_LEVEL=bogus is not a log level" in bad.stderr


def test_serve_loads_libpq_only_for_postgres(binary, postgres):
    default = start_server(binary)
    try:
        assert httpx.get(default.base + "/health", timeout=10).status_code == 200
        assert mapped(default.process.pid) == set()
    finally:
        default.stop()
    on_postgres = start_server(binary, env={"ORDINAUT_DATABASE_URL": postgres.new_database()})
    try:
        assert httpx.get(on_postgres.base + "/health", timeout=10).status_code == 200
        libraries = mapped(on_postgres.process.pid)
        assert "libpq.so" in libraries
        assert "libcurl.so" not in libraries
    finally:
        on_postgres.stop()


def without_libraries(libraries: list[str], command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs `command` in a mount namespace where each of `libraries` is an empty file, as on a machine
    without them (it must be root: unshare and mount)."""
    paths = [os.path.realpath(f"/usr/lib/x86_64-linux-gnu/{name}") for name in libraries]
    script = "".join(f"mount --bind /dev/null {path} && " for path in paths) + 'exec "$@"'
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0 or os.getuid() != 0:
        pytest.skip("needs root and unshare to hide a library from the binary")
    environment = dict(os.environ, ORDINAUT_DATA_DIR=tempfile.mkdtemp(prefix="ordinaut-nolib-"), **env)
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *command], capture_output=True, text=True,
                          env=environment, timeout=60)


def test_a_missing_client_library_is_a_clear_error_of_the_feature_that_needs_it(binary):
    missing = ["libcurl.so.4", "libpq.so.5", "libhiredis.so.0.14"]
    # stdio and its tools need none of them.
    served = without_libraries(missing, [str(binary), "tools", "call", "echo", "--args", '{"text": "hi"}', "--fixture", "bench"], {})
    assert served.returncode == 0, served.stderr
    assert "hi" in served.stdout
    # A call to a server goes through libcurl: refused with its name, not a crash.
    remote = without_libraries(missing, [str(binary), "tools", "call", "--server", "http://127.0.0.1:9", "echo"], {})
    assert remote.returncode == 1
    assert "libcurl.so.4 could not be loaded" in remote.stdout + remote.stderr
    # PostgreSQL needs libpq: the start fails naming it.
    postgres = without_libraries(missing, [str(binary), "tools", "call", "echo", "--args", '{"text": "hi"}', "--fixture", "bench"],
                                 {"ORDINAUT_DATABASE_URL": "postgres://ordinaut:hunter2@127.0.0.1:9/none"})
    assert postgres.returncode == 1
    assert "libpq.so.5 could not be loaded" in postgres.stderr
    assert "hunter2" not in postgres.stderr
    # Redis needs hiredis: likewise.
    redis = without_libraries(missing, [str(binary), "tools", "call", "echo", "--args", '{"text": "hi"}', "--fixture", "bench"],
                              {"ORDINAUT_REDIS_URL": "redis://127.0.0.1:9"})
    assert redis.returncode == 1
    assert "libhiredis.so.0.14 could not be loaded" in redis.stderr
