"""Turns a bench/run.sh .jsonl file into the Markdown report: medians with min-max, and the ratios
against the peer and the limit measured in the same run."""
import collections
import json
import platform
import statistics
import subprocess
import sys

METRICS = {"W1": ("calls_per_s", "calls/s"), "W2": ("rps", "req/s"), "W4": ("median_ms", "ms")}
PEER = "python-mcp"
LIMITS = {"W1": ["pipe-echo"], "W2": ["hummingbird-route", "hummingbird-route-reading-body", "nginx"], "W4": ["cat"]}


def spread(values):
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    groups = collections.defaultdict(list)
    void = []
    for row in rows:
        result = row["result"]
        if result.get("void") or result.get("non2xx_or_errors", 0) or result.get("socket_errors", 0):
            void.append(row)
            continue
        groups[(row["workload"], row["pinning"], row["target"])].append(result)
    commit = path.rsplit("-", 1)[-1].split(".")[0]
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    print(f"# Benchmark results ({commit})\n")
    print(f"Machine: {platform.node()}, {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
          f"produced by `bench/run.sh`; raw data in `{path.split('/')[-1]}`. Median of the repeats (min–max).\n")
    print("Pinning: `one` = driver and server on core 0; `split` = driver on core 0, server on core 1; `unpinned` = scheduler's choice.\n")
    workloads = sorted({key[0] for key in groups if key[0] != "W9"})
    for workload in workloads:
        family = workload.split("-")[0]
        metric, unit = METRICS[family]
        print(f"## {workload}\n")
        print(f"| pinning | target | {unit} | server CPU µs/call | p50 µs | ours / {PEER} | ours / limit |")
        print("|---|---|---|---|---|---|---|")
        for pinning in ("one", "split", "unpinned"):
            targets = {t: r for (w, p, t), r in groups.items() if w == workload and p == pinning}
            if not targets:
                continue
            ours = statistics.median(r[metric] for r in targets.get("ordinaut", [{metric: float("nan")}]))
            for target, results in sorted(targets.items(), key=lambda kv: kv[0] != "ordinaut"):
                values = [r[metric] for r in results]
                cpu_call = spread([r["server_cpu_us_per_call"] for r in results]) if "server_cpu_us_per_call" in results[0] else ""
                p50 = spread([r["p50_us"] for r in results]) if "p50_us" in results[0] else ""
                ratio_peer = ratio_limit = ""
                if target == "ordinaut":
                    higher_is_better = family != "W4"
                    if PEER in targets:
                        peer = statistics.median(r[metric] for r in targets[PEER])
                        ratio_peer = f"{(ours / peer if higher_is_better else peer / ours):.2f}×"
                    limits = [f"{lim}: {ours / statistics.median(r[metric] for r in targets[lim]) * 100:.0f} %" if higher_is_better
                              else f"{lim}: {ours / statistics.median(r[metric] for r in targets[lim]):.1f}× its time"
                              for lim in LIMITS[family] if lim in targets]
                    ratio_limit = "; ".join(limits)
                elif target == "ordinaut-bearer":
                    # The cost of the access layer with a credential, beside the same server without one.
                    ratio_limit = f"ordinaut without a credential: {statistics.median(values) / ours * 100:.1f} %"
                print(f"| {pinning} | {target} | {spread(values)} | {cpu_call} | {p50} | {ratio_peer} | {ratio_limit} |")
        print()
    memory = [(row["target"], row["result"]) for row in rows if row["workload"] == "W1-c1" and row["pinning"] == "unpinned"
              and row["target"] in ("ordinaut", PEER)]
    if memory:
        print("## W5: resident memory (from the unpinned W1-c1 runs)\n")
        print("| target | idle RSS MiB | RSS MiB after the run |")
        print("|---|---|---|")
        for target in ("ordinaut", PEER):
            results = [r for t, r in memory if t == target]
            if results:
                print(f"| {target} | {spread([r['rss_kib_idle'] / 1024 for r in results])} | {spread([r['rss_kib_after'] / 1024 for r in results])} |")
        print()
    w9 = collections.defaultdict(list)
    for row in rows:
        if row["workload"] == "W9":
            w9[(row["target"], row["result"]["label"])].append(row["result"]["ns_per_op"])
    if w9:
        print("## W9: schedule computation and JMESPath (ns per operation)\n")
        print("| workload | ordinaut | peer | peer / ours |")
        print("|---|---|---|---|")
        ours = sorted((label, values) for (target, label), values in w9.items() if target == "ordinaut")
        peers = {label.split()[0]: (label, values) for (target, label), values in w9.items() if target != "ordinaut"}
        for label, values in ours:
            if label.split()[0] in peers:
                peer_label, peer_values = peers[label.split()[0]]
                ratio = statistics.median(peer_values) / statistics.median(values)
                print(f"| {label} | {spread(values)} | {peer_label}: {spread(peer_values)} | {ratio:,.0f}× |")
            else:
                print(f"| {label} | {spread(values)} | — | — |")
        print()
    if void:
        print(f"## Void runs\n\n{len(void)} run(s) had errors and are excluded:\n")
        for row in void:
            print(f"- {row['workload']} {row['target']} {row['pinning']}: {json.dumps(row['result'])}")


if __name__ == "__main__":
    main(sys.argv[1])
