#!/usr/bin/env python3
"""The web UI's page weight and speed with a large database (not a test; see bench/README.md).

Seeds 10,000 tasks and 100,000 runs straight into a fresh SQLite database (after `ordinaut
migrate`), serves it, and loads the landing page and each list page in headless chromium with the
cache off. For each page it reports, from the browser's own performance timing: bytes transferred
(the navigation and every resource, the change stream's bytes so far included), requests to other
hosts, and the time from navigation start to the page's `ordinaut:content` mark (set when its
content is on screen). Then the query plan of every list query.

usage: bench/webui.py [--binary .build/release/ordinaut] [--tasks 10000] [--runs 100000]
Needs chromium, chromium-driver and selenium (scripts/bootstrap.sh installs them).
"""
import argparse
import json
import os
import pathlib
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
from webui_browser import Browser  # noqa: E402

PAGES = [("landing (overview)", "/"), ("tasks", "#/tasks"), ("runs", "#/runs"), ("approvals", "#/approvals"),
         ("extensions", "#/extensions"), ("tools", "#/tools"), ("events", "#/events")]


def uuid7(milliseconds: int) -> str:
    value = (milliseconds << 80) | (0x7 << 76) | (random.getrandbits(12) << 64) | (0b10 << 62) | random.getrandbits(62)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def seed(database: pathlib.Path, tasks: int, runs: int) -> None:
    now = int(time.time() * 1000)
    connection = sqlite3.connect(database)
    payload = json.dumps({"pipeline": [{"id": "s", "uses": "task_list"}]})
    task_ids = []
    rows = []
    for index in range(tasks):
        created = now - (tasks - index) * 60_000
        task_id = uuid7(created)
        task_ids.append(task_id)
        kind, expr, next_run = random.choice([("cron", "0 9 * * 1-5", now + 86_400_000), ("rrule", "FREQ=DAILY", now + 86_400_000),
                                              ("once", "2099-01-01T00:00:00Z", 4_070_908_800_000)])
        status = random.choice(["active"] * 8 + ["paused", "canceled"])
        rows.append((task_id, f"Seeded task {index}", None, random.choice(["local", "ci", "agent:ops"]), kind, expr, "UTC", payload,
                     status, 5, None, 0, 3, "exponential_jitter", None, created, created,
                     next_run if status == "active" else None, created, None, None))
    connection.executemany("INSERT INTO tasks (id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status, "
                           "priority, dedupe_key, dedupe_window_seconds, max_retries, backoff_strategy, concurrency_key, created_at, "
                           "updated_at, next_run_at, dtstart, snoozed_until, creator_scopes) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    output = json.dumps({"steps": [{"id": "s", "uses": "task_list", "status": "succeeded", "duration_ms": 3, "attempts": 1,
                                    "input": {}, "output": {"count": 0}}], "result": {"count": 0}})
    rows = []
    for index in range(runs):
        created = now - (runs - index) * 6_000
        status = random.choice(["succeeded"] * 8 + ["failed", "dead"])
        rows.append((uuid7(created), random.choice(task_ids), 1, "schedule", status, None, None, created, created, created + 40,
                     None if status == "succeeded" else "boom", output, "{}", 0, None))
    connection.executemany("INSERT INTO runs (id, task_id, attempt, trigger_kind, status, lease_owner, lease_expires_at, created_at, "
                           "started_at, finished_at, error, output, context, takeovers, due_id) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


def measure(browser: Browser, base: str, route: str) -> dict:
    browser.driver.execute_cdp_cmd("Network.enable", {})
    browser.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    browser.open("about:blank")
    browser.open(base + "/ext/webui/static/" + (route if route.startswith("#") else ""))
    browser.wait(lambda d: d.execute_script("return performance.getEntriesByName('ordinaut:content').length > 0"), "the content mark", 60)
    time.sleep(0.3)  # late requests (the change stream) land in the resource timing
    figures = browser.driver.execute_script("""
        const navigation = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource');
        return {
          content_ms: performance.getEntriesByName('ordinaut:content')[0].startTime,
          bytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
          requests: 1 + resources.length,
          urls: [navigation.name, ...resources.map(r => r.name)],
        };""")
    host = urllib.parse.urlsplit(base).netloc
    figures["other_hosts"] = sorted({urllib.parse.urlsplit(url).netloc for url in figures.pop("urls") if urllib.parse.urlsplit(url).netloc != host})
    return figures


def plans(database: pathlib.Path) -> list[tuple[str, str]]:
    """The plans of the list queries the pages make (as the store writes them; see Sources/OrdinautStore)."""
    connection = sqlite3.connect(database)
    queries = {
        "tasks, first page": "SELECT * FROM tasks ORDER BY created_at, id LIMIT 51",
        "tasks by status": "SELECT * FROM tasks WHERE status = 'active' ORDER BY created_at, id LIMIT 51",
        "runs, first page": "SELECT * FROM runs ORDER BY id DESC LIMIT 51",
        "runs by status": "SELECT * FROM runs WHERE status = 'failed' ORDER BY id DESC LIMIT 51",
        "runs of a task": "SELECT * FROM runs WHERE task_id = 'x' ORDER BY id DESC LIMIT 21",
    }
    result = []
    for name, sql in queries.items():
        plan = "; ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
        result.append((name, plan))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "ordinaut"))
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100_000)
    options = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="ordinaut-webui-bench-"))
    database = folder / "bench.db"
    env = dict(os.environ, ORDINAUT_DATA_DIR=str(folder), ORDINAUT_DATABASE_URL=f"sqlite:{database}",
               ORDINAUT_RATE_LIMIT="off", ORDINAUT_TOOL_RATE_LIMIT="off")
    subprocess.run([options.binary, "migrate"], env=env, check=True, capture_output=True)
    started = time.monotonic()
    seed(database, options.tasks, options.runs)
    print(f"seeded {options.tasks} tasks and {options.runs} runs in {time.monotonic() - started:.1f} s")
    server = subprocess.Popen([options.binary, "serve", "--port", "0"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        base = None
        for line in server.stderr:
            match = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
            if match:
                base = "http://" + match.group(1)
                break
        if base is None:
            sys.exit("the server did not start")
        browser = Browser(folder)
        try:
            measure(browser, base, "/")  # warm the server (first query plans, lazy extension activation)
            print(f"\n| page | bytes transferred | requests | other hosts | time to content (ms) |\n|---|---|---|---|---|")
            for name, route in PAGES:
                figures = measure(browser, base, route)
                print(f"| {name} | {figures['bytes']:,} | {figures['requests']} | {len(figures['other_hosts'])} | {figures['content_ms']:.0f} |")
        finally:
            browser.quit()
    finally:
        server.terminate()
        server.wait()
    print("\n| list query | SQLite plan |\n|---|---|")
    for name, plan in plans(database):
        print(f"| {name} | {plan} |")


if __name__ == "__main__":
    main()
