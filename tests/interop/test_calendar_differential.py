"""Differential test of Ordinaut's schedules against python-dateutil.

A bounded number of random RRULEs and cron expressions (fixed seed, so a failure replays) are
expanded by `ordinaut schedule next` and by dateutil, and compared in zoned wall-clock time.

dateutil works on naive wall-clock times, so its output is placed in the zone the way RFC 5545 says
(and Ordinaut does): a time in a spring-forward gap moves forward by the gap, and an occurrence
that lands on an instant already produced is produced once. Those two adjustments are the
documented differences; everything else must agree exactly.
"""
import json
import random
import subprocess
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr, rruleset

ZONES = ["UTC", "Europe/Chisinau", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
COUNT = 8


def random_rule(rng: random.Random) -> str:
    freq = rng.choice(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY"])
    parts = [f"FREQ={freq}"]
    if rng.random() < 0.4:
        parts.append(f"INTERVAL={rng.randint(1, 3)}")
    if rng.random() < 0.5:
        chosen = rng.sample(DAYS, rng.randint(1, 3))
        if freq in ("MONTHLY", "YEARLY") and rng.random() < 0.4:
            chosen = [f"{rng.choice([1, 2, -1])}{day}" for day in chosen[:1]]
        parts.append("BYDAY=" + ",".join(chosen))
    if freq in ("MONTHLY", "YEARLY", "DAILY") and rng.random() < 0.3:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in rng.sample([1, 2, 15, 28, 29, 30, 31, -1], 2)))
    if freq in ("YEARLY", "MONTHLY", "DAILY") and rng.random() < 0.3:
        parts.append("BYMONTH=" + ",".join(str(m) for m in sorted(rng.sample(range(1, 13), rng.randint(1, 4)))))
    if freq != "HOURLY" and rng.random() < 0.7:
        parts.append("BYHOUR=" + ",".join(str(h) for h in sorted(rng.sample([0, 1, 2, 3, 8, 12, 23], rng.randint(1, 2)))))
    if rng.random() < 0.6:
        parts.append("BYMINUTE=" + ",".join(str(m) for m in sorted(rng.sample([0, 15, 30, 45], rng.randint(1, 2)))))
    # dateutil never checks UNTIL while BYSETPOS selects nothing, so an impossible BYSETPOS on a
    # sub-weekly rule would make it search to year 9999: keep BYSETPOS to rules with many candidates.
    if freq in ("WEEKLY", "MONTHLY", "YEARLY") and len(parts) > 2 and rng.random() < 0.15:
        parts.append(f"BYSETPOS={rng.choice([1, -1, 2])}")
    if rng.random() < 0.2:
        parts.append(f"COUNT={rng.randint(1, 12)}")
    if freq == "WEEKLY" and rng.random() < 0.3:
        parts.append(f"WKST={rng.choice(DAYS)}")
    return ";".join(parts)


def random_cron(rng: random.Random) -> str:
    def field(low, high, allow_star=True):
        kind = rng.random()
        if allow_star and kind < 0.3:
            return "*"
        if kind < 0.5:
            return f"*/{rng.randint(2, max(2, (high - low) // 2))}"
        if kind < 0.7:
            a = rng.randint(low, high)
            b = rng.randint(a, high)
            return f"{a}-{b}"
        return ",".join(str(v) for v in sorted(rng.sample(range(low, high + 1), rng.randint(1, 3))))

    return " ".join([field(0, 59, False), field(0, 23), field(1, 28), field(1, 12), field(0, 6)])


def expand_cron(expression: str, low_high):
    values = []
    for part in expression.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            low, high = low_high
        elif "-" in part:
            low, high = map(int, part.split("-"))
        else:
            low = int(part)
            high = low_high[1] if step > 1 else low
        values.extend(range(low, high + 1, step))
    return sorted(set(values))


def cron_as_ruleset(expression: str, dtstart: datetime) -> rruleset:
    minute, hour, dom, month, dow = expression.split()
    common = dict(freq=3, dtstart=dtstart, byminute=expand_cron(minute, (0, 59)), byhour=expand_cron(hour, (0, 23)),
                  bymonth=expand_cron(month, (1, 12)), bysecond=[0])
    from dateutil.rrule import rrule
    weekdays = [(d + 6) % 7 for d in expand_cron(dow, (0, 6))]  # cron 0=Sunday -> dateutil 0=Monday
    days = expand_cron(dom, (1, 31))
    result = rruleset()
    if not dom.startswith("*") and not dow.startswith("*"):
        result.rrule(rrule(bymonthday=days, **common))
        result.rrule(rrule(byweekday=weekdays, **common))
    else:
        result.rrule(rrule(bymonthday=days, byweekday=weekdays, **common))
    return result


def in_zone(naive_times, zone_name: str, after_utc: datetime) -> list[str]:
    """dateutil's naive wall-clock times placed by RFC 5545 rules, after `after_utc`, de-duplicated."""
    zone = ZoneInfo(zone_name)
    placed = []
    last = None
    for examined, naive in enumerate(naive_times):
        if examined > 50_000:
            break
        instant = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
        if instant <= after_utc or (last is not None and instant <= last):
            continue
        last = instant
        local = instant.astimezone(zone)
        placed.append(local.isoformat())
        if len(placed) == COUNT:
            break
    return placed


def ordinaut(binary, expression: str, zone: str, dtstart: datetime, after: datetime, kind: str) -> list[str]:
    arguments = [str(binary), "schedule", "next", expression, "--kind", kind, "--tz", zone,
                 "--after", after.strftime("%Y-%m-%dT%H:%M:%SZ"), "--count", str(COUNT), "--json"]
    if kind == "rrule":
        arguments += ["--dtstart", dtstart.strftime("%Y-%m-%dT%H:%M")]
    output = subprocess.run(arguments, capture_output=True, text=True, timeout=30)
    if output.returncode != 0 and "no occurrence" in output.stderr:
        return []  # A rule that never fires is refused with that message; dateutil yields nothing.
    assert output.returncode == 0, f"{expression} in {zone}: {output.stderr}"
    return [o["local"] for o in json.loads(output.stdout)["occurrences"]]


@pytest.mark.parametrize("seed", range(6))
def test_rrules_agree_with_dateutil(binary, seed):
    rng = random.Random(1000 + seed)
    disagreements = []
    for _ in range(40):
        rule = random_rule(rng)
        zone = rng.choice(ZONES)
        dtstart = datetime(2024, 1, 1) + timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23), minutes=rng.choice([0, 30]))
        after = dtstart.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc) - timedelta(minutes=1)
        try:
            parsed = rrulestr(rule, dtstart=dtstart)
        except ValueError:
            continue
        # dateutil searches up to year 9999 for a rule that never fires; bound it (COUNT applied by hand).
        count = parsed._count
        years = 3 if "FREQ=HOURLY" in rule else 60
        bounded = parsed.replace(count=None, until=dtstart + timedelta(days=years * 366))
        naive = list(bounded.xafter(dtstart - timedelta(seconds=1), count=min(count or COUNT * 4, COUNT * 4), inc=True))
        expected = in_zone(naive, zone, after)
        actual = ordinaut(binary, rule, zone, dtstart, after, "rrule")
        if actual != expected:
            disagreements.append(f"{rule} dtstart={dtstart} {zone}:\n  ordinaut {actual}\n  dateutil {expected}")
    assert not disagreements, "\n".join(disagreements[:5])


@pytest.mark.parametrize("seed", range(4))
def test_cron_agrees_with_dateutil(binary, seed):
    rng = random.Random(2000 + seed)
    disagreements = []
    for _ in range(40):
        expression = random_cron(rng)
        zone = rng.choice(ZONES)
        start = datetime(2024, 1, 1) + timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23))
        after = start.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        margin = start - timedelta(hours=3)
        naive = cron_as_ruleset(expression, margin).xafter(margin)
        expected = in_zone(naive, zone, after)
        actual = ordinaut(binary, expression, zone, start, after, "cron")
        if actual != expected:
            disagreements.append(f"{expression} after {start} {zone}:\n  ordinaut {actual}\n  dateutil {expected}")
    assert not disagreements, "\n".join(disagreements[:5])
