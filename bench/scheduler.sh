#!/usr/bin/env bash
# W6 and W7 of ../shared/BENCHMARKS.md: the scheduler on PostgreSQL and SQLite, each beside its limit
# (pgbench with the same SQL shape; a raw C SQLite probe) and, for SQLite, its peer (a Python sqlite3
# loop), in one run on this machine. Not a test. Writes bench/results/<date>-<commit>-scheduler.{jsonl,md}.
# Knobs: REPEATS (3), JOBS (20000), IDLE (100000), TRIALS (200).
set -euo pipefail
# One client is one principal: the per-principal rate limits would measure themselves, so they are off.
export ORDINAUT_RATE_LIMIT=off ORDINAUT_TOOL_RATE_LIMIT=off
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
JOBS=${JOBS:-20000}
IDLE=${IDLE:-100000}
TRIALS=${TRIALS:-200}
stamp=$(date -u +%Y-%m-%dT%H%MZ)
commit=$(git rev-parse --short HEAD)
raw=bench/results/$stamp-$commit-scheduler.jsonl
work=$(mktemp -d)
mkdir -p bench/results

echo "building (release)…" >&2
swift build -c release --static-swift-stdlib --product OrdinautBench >&2
bench=.build/release/OrdinautBench
cc -O2 -o "$work/sqliteprobe" bench/c/sqliteprobe.c -lsqlite3

# A PostgreSQL server of our own: temporary data folder, loopback, synchronous_commit off for every
# client alike (the reference figures in ../shared/BENCHMARKS.md use the same setting).
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
prefix=()
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$work"; prefix=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
"${prefix[@]}" "$pgbin/initdb" -D "$work/pg" -A trust -U ordinaut -E UTF8 --no-sync >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${prefix[@]}" "$pgbin/postgres" -D "$work/pg" -p "$port" -k "$work" -c listen_addresses=127.0.0.1 \
    -c synchronous_commit=off -c max_connections=200 >"$work/pg.log" 2>&1 &
pgpid=$!
trap 'kill $pgpid 2>/dev/null; wait $pgpid 2>/dev/null; rm -rf "$work"' EXIT
until "$pgbin/pg_isready" -h 127.0.0.1 -p "$port" -q; do sleep 0.1; done
psql() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U ordinaut -qtA -v ON_ERROR_STOP=1 "$@"; }
fresh() { psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; echo "postgres://ordinaut@127.0.0.1:$port/$1"; }

record() {  # record WORKLOAD WHO REPEAT JSON
    python3 -c 'import json,sys; d=json.loads(sys.argv[4]); d.update(workload=sys.argv[1], who=sys.argv[2], repeat=int(sys.argv[3])); print(json.dumps(d))' \
        "$1" "$2" "$3" "$4" >>"$raw"
}

pgbench_rate() {  # pgbench_rate SCRIPT CLIENTS TRANSACTIONS_PER_CLIENT JOBS_PER_TRANSACTION
    local url
    url=$(fresh pgb)
    psql -d pgb -v jobs="$JOBS" -f bench/pg/setup.sql >/dev/null
    local cpu_before cpu_after out
    out=$("$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U ordinaut -n -c "$2" -j 2 -t "$3" -f "$1" pgb 2>&1)
    local tps
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
    local failed
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
    local left
    left=$(psql -d pgb -c "SELECT count(*) FROM job_runs")
    python3 -c "import json; print(json.dumps({'jobs_per_s': int(float('$tps') * $4), 'ok': '${failed:-0}' == '0', 'completed': $left}))"
}

for repeat in $(seq 1 "$REPEATS"); do
    echo "repeat $repeat/$REPEATS" >&2
    # W7: SQLite, synchronous=NORMAL everywhere.
    rm -f "$work"/w7.db*; record W7 "limit: C probe" "$repeat" "$("$work/sqliteprobe" "$work/w7.db" "$JOBS" NORMAL)"
    rm -f "$work"/w7.db*; record W7 "peer: Python sqlite3" "$repeat" "$(python3 bench/peers/sqlite_peer.py "$work/w7.db" "$JOBS" NORMAL)"
    rm -f "$work"/w7.db*; record W7 "ordinaut store, 1 claimer" "$repeat" "$("$bench" store "sqlite:$work/w7.db" "$JOBS" 1 1)"
    rm -f "$work"/w7.db*; record W7 "ordinaut store, 16 claimers" "$repeat" "$("$bench" store "sqlite:$work/w7.db" "$JOBS" 1 16)"
    rm -f "$work"/w7.db*; record W7 "ordinaut store, batches of 64, 2 claimers" "$repeat" "$("$bench" store "sqlite:$work/w7.db" "$JOBS" 64 2)"
    rm -f "$work"/w7.db*; record W7 "ordinaut workers, 16, pipeline of one tools/call" "$repeat" "$("$bench" burndown "sqlite:$work/w7.db" "$JOBS" 16 16)"
    # W6: PostgreSQL, 8 clients everywhere.
    record W6 "limit: pgbench single claim, 8 clients" "$repeat" "$(pgbench_rate bench/pg/claim_single.sql 8 $((JOBS / 8)) 1)"
    record W6 "limit: pgbench batch of 100, 8 clients" "$repeat" "$(pgbench_rate bench/pg/claim_batch.sql 8 $((JOBS / 800)) 100)"
    record W6 "ordinaut store, single claim, 8 claimers" "$repeat" "$(POOL=8 "$bench" store "$(fresh w6)" "$JOBS" 1 8)"
    record W6 "ordinaut store, batches of 100, 8 claimers" "$repeat" "$(POOL=8 "$bench" store "$(fresh w6)" "$JOBS" 100 8)"
    record W6 "ordinaut workers, 16, pipeline of one tools/call" "$repeat" "$(POOL=8 "$bench" burndown "$(fresh w6)" "$JOBS" 16 16)"
done
echo "trigger → start latency and idle tasks…" >&2
rm -f "$work"/lat.db*; record latency "sqlite" 1 "$("$bench" latency "sqlite:$work/lat.db" "$TRIALS")"
record latency "postgres" 1 "$("$bench" latency "$(fresh lat)" "$TRIALS")"
rm -f "$work"/idle.db*; record idle "sqlite" 1 "$("$bench" idle "sqlite:$work/idle.db" "$IDLE")"
record idle "postgres" 1 "$("$bench" idle "$(fresh idle)" "$IDLE")"

python3 bench/summarize_scheduler.py "$raw" "$commit" >"${raw%.jsonl}.md"
echo "wrote ${raw%.jsonl}.md" >&2
cat "${raw%.jsonl}.md"
