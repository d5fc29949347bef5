#!/usr/bin/env bash
# Instructions per W2 request under callgrind: a stateless `tools/call` over one keep-alive
# connection to Ordinaut (release build, default built-ins and scheduler) beside the bare Hummingbird
# route that reads the same body (bench/baseline). Counts do not move with the machine's load, so two
# commits, or two variants of one, compare to within a percent where wrk's figures move by ten.
# Not a test. Prints the totals and Ordinaut's costliest functions (self cost, per request).
#
# Environment: REQUESTS (2000), TOP (40). Needs valgrind (installed with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
requests=${REQUESTS:-2000}
top=${TOP:-40}
work=bench/.work/callgrind
mkdir -p "$work"
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
export ORDINAUT_RATE_LIMIT=off ORDINAUT_TOOL_RATE_LIMIT=off

# valgrind 3.19 cannot read the DWARF 5 these binaries carry, and a dynamically linked Swift program
# crashes it: both are linked with the static standard library and read without their debug info.
swift build -c release --static-swift-stdlib --product ordinaut >/dev/null
objcopy --strip-debug .build/release/ordinaut "$work/ordinaut"
(cd bench/baseline && swift build -c release --static-swift-stdlib --scratch-path "$root/$work/baseline-build" >/dev/null)
objcopy --strip-debug "$work/baseline-build/release/HummingbirdBaseline" "$work/baseline"

measure() { # label port path command...
    local label=$1 port=$2 path=$3; shift 3
    rm -f "$work/$label.out"*
    valgrind --tool=callgrind --callgrind-out-file="$root/$work/$label.out" "$@" >/dev/null 2>&1 &
    local pid=$!
    # Warm up (caches, lazy start-up), zero the counters, send the measured requests, dump.
    "$root/.venv/bin/python" bench/callgrind_client.py "$port" "$path" 200 --wait
    callgrind_control -z "$pid" >/dev/null
    "$root/.venv/bin/python" bench/callgrind_client.py "$port" "$path" "$requests"
    callgrind_control -d "$pid" >/dev/null
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local total
    total=$(callgrind_annotate "$work/$label.out.1" 2>/dev/null | grep -m1 "PROGRAM TOTALS" | tr -d , | awk '{print $1}')
    [ -n "$total" ] || { echo "callgrind wrote no counts for $label ($work/$label.out.1)" >&2; exit 1; }
    echo "$label: $((total / requests)) instructions per request ($requests requests)"
}

ORDINAUT_DATA_DIR=$(mktemp -d)
export ORDINAUT_DATA_DIR
trap 'rm -rf "$ORDINAUT_DATA_DIR"' EXIT
measure ordinaut 18301 /mcp "$work/ordinaut" serve --port 18301 --fixture bench --log-level error
measure hummingbird-route 18302 /collect "$work/baseline" 18302
echo
echo "Ordinaut's costliest functions (self instructions per request):"
# Thread entry points are listed with everything below them: left out. `head` ends the listing
# early, which the commands before it see as a broken pipe: not a failure.
set +o pipefail
callgrind_annotate --inclusive=no --threshold=100 "$work/ordinaut.out.1" 2>/dev/null \
    | sed -n '/file:function/,$p' | tail -n +3 \
    | grep -Ev 'clone\.S|start_thread|ThreadOpsPosix|setupThreadAnd|NIOThreadC|NSThreadStart|ThreadC4main|ConnectionPoolC4size' \
    | head -n "$top" \
    | awk -v n="$requests" '{ count = $1; gsub(",", "", count); sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, ""); printf "%8d  %s\n", count / n, $0 }' \
    | cut -c1-170
