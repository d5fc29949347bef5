"""W9 peers: croniter and python-dateutil on the same workloads as bench/swift/main.swift."""
import json
import random
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jmespath
from croniter import croniter
from dateutil.rrule import rrulestr

zone = ZoneInfo("America/New_York")
week = datetime(2025, 3, 6, tzinfo=zone)
rng = random.Random(1)
afters = [week + timedelta(seconds=rng.randrange(7 * 86400)) for _ in range(10_000)]


def measure(label, operations, body, repeats=3):
    body()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        body()
        samples.append((time.perf_counter_ns() - start) / operations)
    samples.sort()
    print(json.dumps({"label": label, "ns_per_op": round(samples[len(samples) // 2], 1), "min": round(samples[0], 1),
                      "max": round(samples[-1], 1), "ops": operations}))


crons = [f"{rng.randrange(60)} {rng.randrange(24)} * * {rng.randrange(7)}" for _ in range(10_000)]
measure("cron next (croniter)", len(crons), lambda: [croniter(c, a).get_next(datetime) for c, a in zip(crons, afters)])

rules = [rrulestr(f"FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR'][i % 5]};BYHOUR={i % 24};BYMINUTE={i % 60}",
                  dtstart=datetime(2024, 1, 1, tzinfo=zone)) for i in range(10_000)]
measure("rrule next (python-dateutil)", len(rules), lambda: [r.after(a) for r, a in zip(rules, afters)])

document = {"steps": {"x": {"items": [{"score": i % 7, "name": f"item{i}"} for i in range(1000)]}}}
compiled = jmespath.compile("steps.x.items[?score > `3`].name")
measure("jmespath (python jmespath, compiled)", 1, lambda: compiled.search(document), repeats=200)
