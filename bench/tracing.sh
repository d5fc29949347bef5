#!/usr/bin/env bash
# The cost of tracing on W2 (stateless HTTP tools/call, c50), in one run on one machine:
#   off       no OTEL_* variable (the default)
#   1%        exporting to a local OTLP/HTTP sink, parentbased_traceidratio 0.01
#   100%      every request traced and exported (for scale)
# Variants alternate REPEATS times (in turned order every other round) so drift on a shared machine
# falls on all of them alike. Beside requests/s, each run's server CPU time per request (from
# /proc/PID/stat), which moves far less with the machine's load than throughput does. With
# tracing off, what a build without tracing would save is bounded from a profile instead: the share
# of server CPU samples in tracing code (symbols of OrdinautTracing, swift-distributed-tracing and
# ServiceContext), from `perf record` during an extra off run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
repeats=${REPEATS:-5}
seconds=${SECONDS_PER_RUN:-5}
work=bench/.work
mkdir -p "$work" bench/results
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --static-swift-stdlib --product ordinaut >/dev/null
ordinaut=$root/.build/release/ordinaut
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
out=bench/results/$(date -u +%Y-%m-%dT%H%MZ)-$commit-tracing.md
export ORDINAUT_RATE_LIMIT=off ORDINAUT_TOOL_RATE_LIMIT=off
port_sink=18201 port_off=18202 port_one=18203 port_all=18204
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
python3 bench/tracing/sink.py $port_sink & pids+=($!)
start() { # port data-dir [VAR=value...]
    local port=$1 data=$2; shift 2
    env "$@" ORDINAUT_DATA_DIR="$work/$data" "$ordinaut" serve --port "$port" --fixture bench --log-level error & pids+=($!)
}
rm -rf "$work"/tracing-*
start $port_off tracing-off
start $port_one tracing-one OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$port_sink \
    OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01
start $port_all tracing-all OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$port_sink
sleep 3
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A port=([off]=$port_off [one]=$port_one [all]=$port_all) pid=([off]=${pids[1]} [one]=${pids[2]} [all]=${pids[3]})
declare -A runs=([off]="" [one]="" [all]="") cpu=([off]="" [one]="" [all]="")
hz=$(getconf CLK_TCK)
measure() { # variant: appends requests/s and server CPU µs per request
    local before after total rps
    before=$(ticks "${pid[$1]}")
    read -r total rps < <(wrk -t1 -c50 -d${seconds}s -s bench/wrk/stateless_call.lua "http://127.0.0.1:${port[$1]}/mcp" \
        | awk '/requests in/ {n=$1} /^Requests\/sec/ {print n, $2}')
    after=$(ticks "${pid[$1]}")
    runs[$1]+=" $rps"
    cpu[$1]+=" $(awk -v t=$((after - before)) -v n="$total" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')"
}
for round in $(seq "$repeats"); do
    if [ $((round % 2)) = 1 ]; then order="off one all"; else order="all one off"; fi
    for variant in $order; do measure $variant; done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
off=$(echo "${runs[off]}" | median); one=$(echo "${runs[one]}" | median); all=$(echo "${runs[all]}" | median)
cpu_off=$(echo "${cpu[off]}" | median); cpu_one=$(echo "${cpu[one]}" | median); cpu_all=$(echo "${cpu[all]}" | median)
change() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f %%", 100 * (a - b) / b}'; }

# The off server under perf: the share of its samples in tracing code.
share="(perf not available)"
if command -v perf >/dev/null; then
    perf record -q -e cpu-clock -g -o "$work/tracing.perf" -p "${pid[off]}" -- sleep "$seconds" >/dev/null 2>&1 & recorder=$!
    wrk -t1 -c50 -d${seconds}s -s bench/wrk/stateless_call.lua "http://127.0.0.1:$port_off/mcp" >/dev/null
    if wait $recorder; then
        share=$(perf report -i "$work/tracing.perf" --no-children --sort sym -g none --percent-limit 0 2>/dev/null \
            | awk '/%/ && ($0 ~ /OrdinautTracing|7Tracing|ServiceContext|Instrumentation|traceparent/) {gsub("%","",$1); s+=$1} END {printf "%.2f %%", s}')
    fi
fi
{
    echo "# Tracing overhead on W2 c50 ($commit, $(date -u +%Y-%m-%dT%H:%MZ), $repeats × ${seconds}s, medians)"
    echo
    echo "| tracing | requests/s | vs off | server CPU µs/request | vs off | requests/s of each run | CPU µs/request of each run |"
    echo "|---|---|---|---|---|---|---|"
    echo "| off | $off | | $cpu_off | | ${runs[off]} | ${cpu[off]} |"
    echo "| 1 % sampled, exported | $one | $(change "$one" "$off") | $cpu_one | $(change "$cpu_one" "$cpu_off") | ${runs[one]} | ${cpu[one]} |"
    echo "| every request, exported | $all | $(change "$all" "$off") | $cpu_all | $(change "$cpu_all" "$cpu_off") | ${runs[all]} | ${cpu[all]} |"
    echo
    echo "Tracing off: $share of the server's CPU samples are in tracing code (what a build without it could save at most)."
} | tee "$out"
echo "report: $out"
