#!/usr/bin/env python3
"""`make bench-check`: heap allocations per operation on the paths a request or a run takes,
compared with the figures of the last landed commit (bench/check/baseline.json).

An operation's allocations do not change with the machine's load, so this guard is stable on a
shared two-core machine where timings are not. It fails when any workload allocates more than
10 % more per operation than the baseline. `--update` writes the current figures as the new
baseline (commit it with the change that moved them, saying why in the message).

Workloads (each: WARMUP operations, a mark, COUNT operations, a mark; the difference / COUNT):
  stdio      a `tools/call` of the echo tool over stdio, 1 in flight (the real binary)
  http       a stateless 2026-07-28 `tools/call` over HTTP keep-alive (the real binary, every middleware)
  engine     the same request decoded, handled and encoded in process (no transport)
  call       a typed in-process call (ToolCaller), as scheduled runs make them
  run        a one-step scheduled run on SQLite: claim, render, call, record

The counter is bench/check/alloccount.c, preloaded; it reports on SIGUSR2.
"""
import argparse
import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASELINE = ROOT / "bench" / "check" / "baseline.json"
TOLERANCE = 0.10
ECHO_TEXT = "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij"
STATELESS_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}


class Counter:
    """The preloaded counter of one process and the report file it appends to."""

    def __init__(self, library, work):
        self.report = pathlib.Path(work) / f"report-{time.monotonic_ns()}"
        self.env = dict(os.environ, LD_PRELOAD=str(library), ALLOCCOUNT_REPORT=str(self.report),
                        ORDINAUT_RATE_LIMIT="off", ORDINAUT_TOOL_RATE_LIMIT="off", ORDINAUT_LOG_LEVEL="error")

    def lines(self):
        if not self.report.exists():
            return []
        return [line.split() for line in self.report.read_text().splitlines() if line.strip()]

    def mark(self, pid):
        """Asks process `pid` for its totals and waits until they are written."""
        before = len(self.lines())
        os.kill(pid, signal.SIGUSR2)
        for _ in range(1000):
            if len(self.lines()) > before:
                return
            time.sleep(0.005)
        raise RuntimeError("the counter did not report: is bench/check/alloccount.so preloaded?")

    def per_operation(self, count):
        marks = self.lines()
        if len(marks) < 2:
            raise RuntimeError(f"expected two marks in {self.report}, found {len(marks)}")
        (a0, b0), (a1, b1) = marks[-2], marks[-1]
        return {"allocations": round((int(a1) - int(a0)) / count, 1), "bytes": round((int(b1) - int(b0)) / count)}


def stdio_workload(binary, counter, work, warmup, count):
    env = dict(counter.env, ORDINAUT_DATA_DIR=str(pathlib.Path(work) / "stdio-data"))
    process = subprocess.Popen([str(binary), "stdio", "--fixture", "bench", "--log-level", "error"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        def exchange(message):
            process.stdin.write((json.dumps(message) + "\n").encode())
            process.stdin.flush()
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the stdio server closed its output")
            answer = json.loads(line)
            if "error" in answer or answer.get("result", {}).get("isError"):
                raise RuntimeError(f"the call failed: {answer}")
            return answer

        exchange({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench-check", "version": "1"}}})
        process.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": ECHO_TEXT}}}
        for _ in range(warmup):
            exchange(call)
        counter.mark(process.pid)
        for _ in range(count):
            exchange(call)
        counter.mark(process.pid)
        return counter.per_operation(count)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_workload(binary, counter, work, warmup, count):
    port = free_port()
    env = dict(counter.env, ORDINAUT_DATA_DIR=str(pathlib.Path(work) / "http-data"))
    process = subprocess.Popen([str(binary), "serve", "--port", str(port), "--fixture", "bench", "--log-level", "error"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/health")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the HTTP server did not start")
                time.sleep(0.1)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "echo", "arguments": {"text": ECHO_TEXT}, "_meta": STATELESS_META}}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "echo"}

        def call():
            connection.request("POST", "/mcp", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200 or b'"error"' in answer or b'"isError":true' in answer:
                raise RuntimeError(f"the call failed: {response.status} {answer[:300]!r}")

        for _ in range(warmup):
            call()
        counter.mark(process.pid)
        for _ in range(count):
            call()
        counter.mark(process.pid)
        connection.close()
        return counter.per_operation(count)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bench_workload(mode):
    def workload(bench, counter, work, warmup, count):
        # The bench executable marks itself (raise), warming up with a tenth of COUNT.
        subprocess.run([str(bench), "alloc", mode, str(count)], env=counter.env, check=True, timeout=600)
        return counter.per_operation(count)
    return workload


WORKLOADS = {
    "stdio": (stdio_workload, "ordinaut", 500, 5000),
    "http": (http_workload, "ordinaut", 500, 5000),
    "engine": (bench_workload("engine"), "bench", 0, 20000),
    "call": (bench_workload("call"), "bench", 0, 20000),
    "run": (bench_workload("run"), "bench", 0, 1000),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.environ.get("BUILD", "debug"), help="debug (what CI builds) or release")
    parser.add_argument("--update", action="store_true", help="write the figures as the new baseline")
    parser.add_argument("--only", nargs="*", choices=sorted(WORKLOADS), help="run only these workloads")
    options = parser.parse_args()

    products = ROOT / ".build" / options.build
    binaries = {"ordinaut": products / "ordinaut", "bench": products / "OrdinautBench"}
    for name, path in binaries.items():
        if not path.exists():
            sys.exit(f"bench-check: {path} is missing; build it first (swift build -c {options.build})")
    work = tempfile.mkdtemp(prefix="ordinaut-bench-check-")
    library = pathlib.Path(work) / "alloccount.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(ROOT / "bench" / "check" / "alloccount.c")], check=True)

    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    expected = baseline.get(options.build, {})
    figures = {}
    failed = []
    print(f"{'workload':<8} {'allocations/op':>15} {'baseline':>10} {'change':>8} {'bytes/op':>10}")
    for name in options.only or WORKLOADS:
        workload, binary, warmup, count = WORKLOADS[name]
        counter = Counter(library, work)
        measured = workload(binaries[binary], counter, work, warmup, count)
        figures[name] = measured
        before = expected.get(name, {}).get("allocations")
        change = ""
        if before:
            ratio = measured["allocations"] / before - 1
            change = f"{ratio:+.1%}"
            if ratio > TOLERANCE:
                failed.append(f"{name}: {measured['allocations']} allocations per operation, {ratio:+.1%} over the baseline's {before}")
        print(f"{name:<8} {measured['allocations']:>15} {before or '-':>10} {change:>8} {measured['bytes']:>10}")

    if options.update:
        baseline[options.build] = {**expected, **figures}
        BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n")
        print(f"bench-check: wrote {BASELINE.relative_to(ROOT)} ({options.build})")
        return
    if not expected:
        sys.exit(f"bench-check: no {options.build} baseline in {BASELINE.relative_to(ROOT)}; run with --update and commit it")
    if failed:
        sys.exit("bench-check: allocations grew by more than 10 %:\n  " + "\n  ".join(failed))
    print("bench-check: no workload allocates more than 10 % over the baseline")


if __name__ == "__main__":
    main()
