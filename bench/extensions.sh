#!/usr/bin/env bash
# The extension system's benchmarks, each beside its peer or limit in the same run:
#   X1  start-up with the built-ins and ten lazy external extensions (exec -> first initialize answer)
#       beside the built-ins alone and `cat`;
#   X2  a tool call through a subprocess extension beside the same MCP server called directly
#       (the difference is what the host adds per call) and through a C process that only passes
#       bytes between the two pipes (`mcpbench relay`: what any process in between adds, the limit);
#   X3  Redis publish (XADD, pipelined) beside `redis-benchmark` XADD at the same pipelining depth;
#   X4  webhook tool calls (libcurl) beside `wrk` -> nginx at the same concurrency.
# Writes bench/results/<date>-<commit>-extensions.{jsonl,md}. Not a test.
# Environment: REPEATS (3), SECONDS_PER_RUN (5), CALLS (100000), DEPTH (16).
set -euo pipefail
# One client is one principal: the per-principal rate limits would measure themselves, so they are off.
export ORDINAUT_RATE_LIMIT=off ORDINAUT_TOOL_RATE_LIMIT=off
cd "$(dirname "$0")/.."
root=$(pwd)
repeats=${REPEATS:-3}
seconds=${SECONDS_PER_RUN:-5}
calls=${CALLS:-100000}
depth=${DEPTH:-16}

need=()
for tool in wrk nginx redis-server redis-benchmark gcc; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light redis-server redis-tools gcc >/dev/null
fi

work=$root/bench/.work
mkdir -p "$work" bench/results
gcc -O2 -Wall -o "$work/mcpbench" bench/c/mcpbench.c
swift build -c release --static-swift-stdlib --product ordinaut >/dev/null
swift build -c release --static-swift-stdlib --product OrdinautBench >/dev/null
ordinaut=$root/.build/release/ordinaut
benchbin=$root/.build/release/OrdinautBench
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
stamp=$(date -u +%Y-%m-%dT%H%MZ)
raw=bench/results/$stamp-$commit-extensions.jsonl
: > "$raw"
record() { # workload target json
    printf '{"workload":"%s","target":"%s","result":%s}\n' "$1" "$2" "$3" >> "$raw"
    echo "$1 $2: $3"
}

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

echo "== X1: start-up with ten lazy external extensions"
rm -rf "$work/ten" && mkdir -p "$work/ten"
for n in $(seq 1 10); do
    mkdir -p "$work/ten/ext_$n"
    printf '#!/bin/sh\nexit 1\n' > "$work/ten/ext_$n/server.sh" && chmod +x "$work/ten/ext_$n/server.sh"
    cat > "$work/ten/ext_$n/extension.json" <<JSON
{"id": "ext_$n", "name": "Lazy $n", "version": "1.0.0", "module": "server.sh", "grants": ["TOOLS", "ROUTES"],
 "requests": ["TOOLS", "ROUTES"],
 "tools": [{"name": "work", "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}]}
JSON
done
for _ in $(seq "$repeats"); do
    record X1 ordinaut-builtins "$("$work/mcpbench" coldstart 20 -- "$ordinaut" stdio --log-level error)"
    record X1 ordinaut-ten-lazy "$(ORDINAUT_EXT_PATHS=$work/ten "$work/mcpbench" coldstart 20 -- "$ordinaut" stdio --log-level error)"
    record X1 cat "$("$work/mcpbench" coldstart 20 -- cat)"
done

echo "== X2: a tool call through a subprocess extension"
rm -rf "$work/echo-ext" && mkdir -p "$work/echo-ext"
# A child gets only the environment the host passes it, not ours: its limits are turned off here.
printf '#!/bin/sh\nexec env ORDINAUT_RATE_LIMIT=off ORDINAUT_TOOL_RATE_LIMIT=off %s stdio --fixture bench --log-level error\n' "$ordinaut" > "$work/echo-ext/run.sh"
chmod +x "$work/echo-ext/run.sh"
cat > "$work/echo-ext/extension.json" <<JSON
{"id": "echo", "name": "Echo", "version": "1.0.0", "module": "run.sh", "eager": true, "grants": ["TOOLS"],
 "limits": {"max_in_flight": 64},
 "tools": [{"name": "echo", "input_schema": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}]}
JSON
for inflight in 1 16; do
    for _ in $(seq "$repeats"); do
        record X2-c$inflight direct "$("$work/mcpbench" stdio $inflight "$calls" "$seconds" -- "$ordinaut" stdio --fixture bench --log-level error)"
        record X2-c$inflight through-host "$(MCPBENCH_TOOL=ext__echo__echo ORDINAUT_EXT_PATHS=$work/echo-ext "$work/mcpbench" stdio $inflight "$calls" "$seconds" -- "$ordinaut" stdio --log-level error)"
        record X2-c$inflight through-relay "$("$work/mcpbench" stdio $inflight "$calls" "$seconds" -- "$work/mcpbench" relay -- "$ordinaut" stdio --fixture bench --log-level error)"
    done
done

echo "== X3: Redis publish at pipelining depth $depth"
redis_port=18201
redis-server --port $redis_port --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null 2>&1 & pids+=($!)
sleep 0.5
payload='{"text":"0123456789abcdefghijklmnopqrstuvwxyz"}'
for _ in $(seq "$repeats"); do
    rate=$(redis-benchmark -p $redis_port -c 1 -P "$depth" -n 200000 -q \
        XADD ext:bench:events:publish MAXLEN "~" 10000 "*" source bench namespace events name publish payload "$payload" \
        | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
    record X3 redis-benchmark "{\"label\":\"XADD\",\"ops_per_s\":$rate,\"concurrency\":$depth}"
    record X3 ordinaut "$("$benchbin" redis redis://127.0.0.1:$redis_port "$depth" "$seconds")"
done

echo "== X4: webhook tool calls at concurrency $depth"
nginx_port=18202
cat > "$work/nginx-x4.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx-x4.pid;
error_log /dev/null;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        location / { default_type application/json; return 200 '{"city":"Chisinau","summary":"sunny","high_c":24,"low_c":13}'; }
    }
}
NGINX
nginx -c "$work/nginx-x4.conf" >/dev/null 2>&1 & pids+=($!)
sleep 0.5
for _ in $(seq "$repeats"); do
    rate=$(wrk -t1 -c"$depth" -d"${seconds}s" "http://127.0.0.1:$nginx_port/" | awk '/Requests\/sec/ {print $2}')
    record X4 wrk-nginx "{\"label\":\"GET\",\"ops_per_s\":$rate,\"concurrency\":$depth}"
    record X4 ordinaut "$("$benchbin" webhook "http://127.0.0.1:$nginx_port/" "$depth" "$seconds")"
done

"$root/.venv/bin/python" bench/summarize_extensions.py "$raw" > "bench/results/$stamp-$commit-extensions.md"
echo "report: bench/results/$stamp-$commit-extensions.md"
