#!/usr/bin/env bash
# The session era (2025-11-25) with plain curl: initialize, keep the Mcp-Session-Id, call, end.
# Usage: examples/curl/session.sh [URL]
set -euo pipefail
url=${1:-http://127.0.0.1:8080/mcp}
headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')

session=$(curl -sS -D - -o /dev/null "$url" "${headers[@]}" \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
headers+=(-H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25')
curl -sS "$url" "${headers[@]}" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
curl -sS "$url" "${headers[@]}" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
echo
curl -sS -X DELETE "$url" "${headers[@]}" -o /dev/null -w 'session ended: HTTP %{http_code}\n'
