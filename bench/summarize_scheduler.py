"""Turns a bench/scheduler.sh .jsonl file into its Markdown report: medians (min–max) over the
repeats, and the ratios the scheduler's targets are stated in, all from the same run."""
import collections
import json
import platform
import statistics
import subprocess
import sys


def summary(rows, key):
    values = [row[key] for row in rows]
    return statistics.median(values), min(values), max(values)


def main(path, commit):
    groups = collections.defaultdict(list)
    void = []
    for line in open(path):
        if line.strip():
            row = json.loads(line)
            if row.get("ok") is False:
                void.append(f"{row['workload']} / {row['who']} (repeat {row['repeat']})")
                continue
            groups[(row["workload"], row["who"])].append(row)
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print("# Scheduler benchmarks (W6, W7)\n")
    print(f"Machine: {platform.node()}, {cpu}, {cores} cores; commit {commit}; produced by `bench/scheduler.sh`; raw data in "
          f"`{path.split('/')[-1]}`. Median of the repeats (min–max); every process unpinned; each due item is claimed, "
          "recorded as a run and completed.\n")
    if void:
        print("Void runs (errors or unfinished work), left out: " + "; ".join(void) + "\n")

    for workload, title, limit_key in [
        ("W7", "W7: SQLite (WAL, `synchronous=NORMAL` everywhere), claim + complete", "limit: C probe"),
        ("W6", "W6: PostgreSQL 15 (`synchronous_commit=off` for every client), claim + complete", None),
    ]:
        print(f"## {title}\n")
        print("| who | jobs/s | CPU µs/job (ours: the whole process) | ratio to the limit |\n|---|---|---|---|")
        rows = {who: data for (w, who), data in groups.items() if w == workload}
        for who, data in rows.items():
            rate = summary(data, "jobs_per_s" if "jobs_per_s" in data[0] else "runs_per_s")
            cpu_key = "cpu_us_per_job" if "cpu_us_per_job" in data[0] else "cpu_us_per_run"
            cpu_text = f"{statistics.median(r[cpu_key] for r in data):.1f}" if cpu_key in data[0] else "—"
            if workload == "W7":
                limit = rows.get(limit_key)
            else:
                limit = rows.get("limit: pgbench batch of 100, 8 clients" if "batch" in who else "limit: pgbench single claim, 8 clients")
            ratio = "—"
            if limit and not who.startswith("limit"):
                ratio = f"{rate[0] / summary(limit, 'jobs_per_s')[0]:.0%}"
            print(f"| {who} | {rate[0]:,.0f} ({rate[1]:,.0f}–{rate[2]:,.0f}) | {cpu_text} | {ratio} |")
        print()

    print("## Trigger → start latency (enqueue → the first step's tool is called, idle workers waiting), ms\n")
    print("| backend | median | p95 | min |\n|---|---|---|---|")
    for (workload, who), data in groups.items():
        if workload == "latency":
            row = data[0]
            print(f"| {who} | {row['median_ms']} | {row['p95_ms']} | {row['min_ms']} |")
    print("\n## The scheduler's tick beside idle tasks (fire the one due task, read the next fire time), ms\n")
    print("| backend | idle tasks | tick alone | tick beside them |\n|---|---|---|---|")
    for (workload, who), data in groups.items():
        if workload == "idle":
            row = data[0]
            print(f"| {who} | {row['idle_tasks']:,} | {row['tick_ms_alone']} | {row['tick_ms_beside_idle']} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
