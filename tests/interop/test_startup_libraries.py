"""libcurl, libpq and hiredis (and the ~30 libraries they pull in) are opened on first use, not at
exec: a server that talks to no web server, PostgreSQL or Redis never maps them."""
import json
import os
import subprocess
import tempfile

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

