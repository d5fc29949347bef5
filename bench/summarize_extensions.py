"""Turns a bench/extensions.sh .jsonl file into its Markdown report: medians (min–max) and the
ratios the targets of the extension system are stated in, all from the same run."""
import collections
import json
import platform
import statistics
import subprocess
import sys


def median(rows, key):
    values = [row[key] for row in rows]
    return statistics.median(values), min(values), max(values)


def show(value):
    middle, low, high = value
    return f"{middle:,.1f} ({low:,.1f}–{high:,.1f})"


def main(path):
    groups = collections.defaultdict(list)
    void = 0
    for line in open(path):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["result"].get("void"):
            void += 1
            continue
        groups[(row["workload"], row["target"])].append(row["result"])
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    print(f"# Extension benchmarks\n")
    print(f"Machine: {platform.node()}, {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
          f"produced by `bench/extensions.sh`; raw data in `{path.split('/')[-1]}`. Median of the repeats (min–max)."
          + (f" {void} void runs left out." if void else "") + "\n")

    print("## X1: start-up (exec → first `initialize` answer, stdio), ms\n")
    print("| target | ms |\n|---|---|")
    for target in ["ordinaut-builtins", "ordinaut-ten-lazy", "cat"]:
        if (("X1", target)) in groups:
            print(f"| {target} | {show(median(groups[('X1', target)], 'median_ms'))} |")
    print("\nTarget: serving in ≤ 50 ms with the built-ins and ten lazy external extensions.\n")

    for inflight in ["1", "16"]:
        direct, through = groups.get((f"X2-c{inflight}", "direct")), groups.get((f"X2-c{inflight}", "through-host"))
        if not direct or not through:
            continue
        print(f"## X2: tool call through a subprocess extension, {inflight} in flight\n")
        print("| target | calls/s | µs per call |\n|---|---|---|")
        d = median(direct, "calls_per_s")
        t = median(through, "calls_per_s")
        print(f"| the MCP server called directly | {show(d)} | {1e6 / d[0]:.1f} |")
        print(f"| the same server through Ordinaut | {show(t)} | {1e6 / t[0]:.1f} |")
        relay = groups.get((f"X2-c{inflight}", "through-relay"))
        if relay:
            r = median(relay, "calls_per_s")
            print(f"| the same server through a byte relay (`mcpbench relay`, the limit) | {show(r)} | {1e6 / r[0]:.1f} |")
        print(f"\nAdded by the host: **{1e6 / t[0] - 1e6 / d[0]:.1f} µs** per call (median rates; target ≤ 50 µs at 1 in flight).")
        if relay:
            print(f"Added by a process that only passes bytes: {1e6 / r[0] - 1e6 / d[0]:.1f} µs.")
        print()

    for workload, peer, title, unit in [("X3", "redis-benchmark", "Redis publish (XADD, pipelined)", "events/s"),
                                        ("X4", "wrk-nginx", "webhook tool calls", "calls/s")]:
        ours, theirs = groups.get((workload, "ordinaut")), groups.get((workload, peer))
        if not ours or not theirs:
            continue
        o, p = median(ours, "ops_per_s"), median(theirs, "ops_per_s")
        print(f"## {workload}: {title}, concurrency {ours[0]['concurrency']}\n")
        print(f"| target | {unit} |\n|---|---|")
        print(f"| Ordinaut | {show(o)} |")
        print(f"| {peer} | {show(p)} |")
        print(f"\nOrdinaut / {peer}: **{100 * o[0] / p[0]:.0f} %** (target ≥ 50 %).\n")


if __name__ == "__main__":
    main(sys.argv[1])
