#!/usr/bin/env bash
# Calls a running `ordinaut serve` with plain curl, 2026-07-28 style: no handshake, every request
# says its protocol version and the client's capabilities. Usage: examples/curl/stateless.sh [URL]
set -euo pipefail
url=${1:-http://127.0.0.1:8080/mcp}
meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'

post() {
    curl -sS --fail-with-body "$url" \
        -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2026-07-28' -H "Mcp-Method: $1" ${3:+-H "Mcp-Name: $3"} \
        -d "$2"
    echo
}

post server/discover "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{$meta}}"
post tools/list "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{$meta}}"
