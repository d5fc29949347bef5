"""Sends N stateless `tools/call` requests of the echo tool over one keep-alive connection (the body
bench/wrk/stateless_call.lua sends) and checks each answer. Used by bench/callgrind.sh.

Usage: callgrind_client.py PORT PATH N [--wait]   (--wait: retry connecting for up to 60 s first)"""
import http.client
import sys
import time

BODY = (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":'
        b'"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij"},'
        b'"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}')
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
           "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "echo"}


def main():
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    deadline = time.monotonic() + (60 if "--wait" in sys.argv else 0)
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.connect()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    for _ in range(count):
        connection.request("POST", path, BODY, HEADERS)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or b'"error"' in body:
            sys.exit(f"unexpected answer {response.status}: {body[:200]!r}")


if __name__ == "__main__":
    main()
