#!/usr/bin/env bash
# Runs benchmarks W1 (stdio round trips), W2 (stateless HTTP), W4 (cold start), W5 (memory) and W9
# (schedule computation, JMESPath) of
# ../shared/BENCHMARKS.md: Ordinaut beside the Python `mcp` server and the physical limits, in the
# same run, three repeats each. Writes bench/results/<date>-<commit>.md and .jsonl. Not a test.
#
# Environment: REPEATS (3), SECONDS_PER_RUN (5), CALLS (200000), SKIP_HTTP=1 to run stdio only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
repeats=${REPEATS:-3}
seconds=${SECONDS_PER_RUN:-5}
calls=${CALLS:-200000}

need=()
for tool in wrk nginx taskset gcc; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light util-linux gcc >/dev/null
fi

# One client is one principal: the per-principal rate limits would measure themselves, so they are off.
export ORDINAUT_RATE_LIMIT=off ORDINAUT_TOOL_RATE_LIMIT=off
work=bench/.work
mkdir -p "$work" bench/results
gcc -O2 -Wall -o "$work/mcpbench" bench/c/mcpbench.c
swift build -c release --static-swift-stdlib --product ordinaut >/dev/null
ordinaut=$root/.build/release/ordinaut
python=$root/.venv/bin/python
peer=$root/bench/peers/python_echo_server.py
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
stamp=$(date -u +%Y-%m-%dT%H%MZ)
raw=bench/results/$stamp-$commit.jsonl
: > "$raw"

record() { # workload target pinning json
    printf '{"workload":"%s","target":"%s","pinning":"%s","result":%s}\n' "$1" "$2" "$3" "$4" >> "$raw"
    echo "$1 $2 $3: $4"
}

pin() { # pinning role -> taskset prefix
    case "$1/$2" in
        one/*) echo "taskset -c 0" ;;
        split/driver) echo "taskset -c 0" ;;
        split/server) echo "taskset -c 1" ;;
        *) echo "" ;;
    esac
}

echo "== W1: stdio tools/call round trips"
for pinning in one split unpinned; do
    for inflight in 1 16; do
        for _ in $(seq "$repeats"); do
            d=$(pin $pinning driver); s=$(pin $pinning server)
            record W1-c$inflight ordinaut $pinning "$($d "$work/mcpbench" stdio $inflight "$calls" "$seconds" -- $s "$ordinaut" stdio --fixture bench --log-level error)"
            record W1-c$inflight python-mcp $pinning "$($d "$work/mcpbench" stdio $inflight 20000 "$seconds" -- $s "$python" "$peer" stdio)"
            # The echo child would inherit the driver's pinning; in the split case it moves to core 1.
            record W1-c$inflight pipe-echo $pinning "$($d "$work/mcpbench" pipe-echo $inflight "$calls" "$seconds" $([ $pinning = split ] && echo 1))"
        done
    done
done

echo "== W4: cold start (exec -> first initialize answer)"
for _ in $(seq "$repeats"); do
    # As assistants launch it (no flags; settings from the environment), and with a flag, which
    # takes the argument parser's path.
    record W4 ordinaut unpinned "$(ORDINAUT_LOG_LEVEL=error "$work/mcpbench" coldstart 20 -- "$ordinaut" stdio)"
    record W4 ordinaut-with-a-flag unpinned "$("$work/mcpbench" coldstart 20 -- "$ordinaut" stdio --log-level error)"
    record W4 python-mcp unpinned "$("$work/mcpbench" coldstart 5 -- "$python" "$peer" stdio)"
    record W4 cat unpinned "$("$work/mcpbench" coldstart 20 -- cat)"
done

echo "== W9: schedule computation and JMESPath"
swift build -c release --static-swift-stdlib --product OrdinautBench >/dev/null
for _ in $(seq "$repeats"); do
    while read -r line; do record W9 ordinaut unpinned "$line"; done < <(.build/release/OrdinautBench)
    while read -r line; do record W9 python unpinned "$line"; done < <("$python" bench/peers/calendar_peer.py)
done

if [ "${SKIP_HTTP:-0}" != 1 ]; then
    echo "== W2: stateless HTTP tools/call, JSON responses"
    (cd bench/baseline && swift build -c release >/dev/null)
    port_ordinaut=18101 port_python=18102 port_hb=18103 port_nginx=18104 port_auth=18105
    # The authenticated variant: credentials required, one bearer token from a tokens file.
    bench_token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '{"tokens": [{"name": "bench", "sha256": "%s", "scopes": ["mcp"]}]}\n' \
        "$(printf '%s' "$bench_token" | sha256sum | cut -d' ' -f1)" > "$work/tokens.json"
    cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $root/$work/nginx.pid;
error_log /dev/null;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port_nginx;
        location / { default_type application/json; return 200 '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}]}}'; }
    }
}
NGINX
    pids=()
    "$ordinaut" serve --port $port_ordinaut --fixture bench --log-level error & pids+=($!)
    ORDINAUT_REQUIRE_SCOPES=true ORDINAUT_TOKENS_FILE="$work/tokens.json" ORDINAUT_DATA_DIR="$work/auth-data" \
        "$ordinaut" serve --port $port_auth --fixture bench --log-level error & pids+=($!)
    "$python" "$peer" http $port_python >/dev/null 2>&1 & pids+=($!)
    bench/baseline/.build/release/HummingbirdBaseline $port_hb >/dev/null 2>&1 & pids+=($!)
    nginx -c "$root/$work/nginx.conf" >/dev/null 2>&1 & pids+=($!)
    trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
    sleep 3
    for connections in 1 10 50; do
        for _ in $(seq "$repeats"); do
            record W2-c$connections ordinaut unpinned "$(wrk -t1 -c$connections -d${seconds}s -s bench/wrk/stateless_call.lua http://127.0.0.1:$port_ordinaut/mcp | tail -1)"
            record W2-c$connections ordinaut-bearer unpinned "$(BENCH_TOKEN=$bench_token wrk -t1 -c$connections -d${seconds}s -s bench/wrk/stateless_call.lua http://127.0.0.1:$port_auth/mcp | tail -1)"
            record W2-c$connections python-mcp unpinned "$(wrk -t1 -c$connections -d${seconds}s -s bench/wrk/stateless_call.lua http://127.0.0.1:$port_python/mcp | tail -1)"
            record W2-c$connections hummingbird-route unpinned "$(wrk -t1 -c$connections -d${seconds}s -s bench/wrk/fixed_get.lua http://127.0.0.1:$port_hb/ | tail -1)"
            record W2-c$connections hummingbird-route-reading-body unpinned "$(wrk -t1 -c$connections -d${seconds}s -s bench/wrk/stateless_call.lua http://127.0.0.1:$port_hb/collect | tail -1)"
            record W2-c$connections nginx unpinned "$(wrk -t1 -c$connections -d${seconds}s -s bench/wrk/fixed_get.lua http://127.0.0.1:$port_nginx/ | tail -1)"
        done
    done
    kill "${pids[@]}" 2>/dev/null || true
    trap - EXIT
fi

"$python" bench/summarize.py "$raw" > "bench/results/$stamp-$commit.md"
echo "report: bench/results/$stamp-$commit.md"

if [ "${SKIP_SCHEDULER:-0}" != 1 ]; then
    bench/scheduler.sh
fi
if [ "${SKIP_EXTENSIONS:-0}" != 1 ]; then
    bench/extensions.sh
fi
if [ "${SKIP_TRACING:-0}" != 1 ]; then
    bench/tracing.sh
fi
