"""Work amplified on purpose, against the real binary: templates and conditions that grow, runs
that try to store too much, events that pile up, expressions that crowd the cache, and event
tasks that trigger themselves. Each case checks the clear error and that the server's memory stays
bounded (VmRSS from /proc, with generous bounds: below twice the idle size plus 100 MB)."""
import time

import httpx
import pytest

from conftest import start_server, wait_for
from test_tasks import FAST, api, runs_of

DOUBLING = " | [@, @]" * 40


def rss_bytes(server) -> int:
    with open(f"/proc/{server.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def bound(idle: int) -> int:
    return 2 * idle + 100 * 1024 * 1024


@pytest.fixture
def hostile(binary):
    server = start_server(binary, env=FAST)
    api("GET", server.base, "/health")
    server.idle = rss_bytes(server)
    yield server
    server.stop()


def task(base, payload, **fields):
    body = {"title": "hostile", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z", "payload": payload, **fields}
    return api("POST", base, "/tasks", json=body)


def publish_step(step_id, payload):
    return {"id": step_id, "uses": "event_publish", "with": {"topic": "hostile.out", "payload": payload}}


def test_a_template_that_can_only_grow_is_refused_at_creation(hostile):
    refused = task(hostile.base, {"params": {"a": "x"}, "pipeline": [publish_step("grow", "${params" + DOUBLING + "}")]})
    assert refused.status_code == 422
    body = refused.json()
    assert body["details"]["field"] == "payload.pipeline[0].with.payload"
    assert "bytes limit" in body["message"] or "depth limit" in body["message"]
    assert rss_bytes(hostile) < bound(hostile.idle)


def test_a_template_that_grows_on_run_data_fails_its_run_once(hostile):
    created = task(hostile.base, {"pipeline": [
        publish_step("first", {"n": 1}),
        publish_step("grow", "${steps.first" + DOUBLING + "}"),
    ]}, max_retries=3).json()
    api("POST", hostile.base, f"/tasks/{created['id']}/run_now", "/tasks/{id}/run_now")
    runs = wait_for(lambda: [r for r in runs_of(hostile.base, created["id"]) if r["status"] in ("dead", "failed", "succeeded")],
                    message="the run to end")
    assert [r["status"] for r in runs] == ["dead"], "a limit is permanent: no retry"
    assert "step grow: with.payload: template ${steps.first | [@, @]" in runs[0]["error"]
    assert "limit" in runs[0]["error"]
    assert rss_bytes(hostile) < bound(hostile.idle)


def test_a_growing_condition_starts_nothing_and_is_counted(hostile):
    created = task(hostile.base, {"pipeline": [publish_step("never", 1)]},
                   schedule_kind="condition", schedule_expr="boom.* when payload" + DOUBLING).json()
    answer = api("POST", hostile.base, "/events", json={"topic": "boom.now", "payload": {"a": "text"}})
    assert answer.status_code == 202 and answer.json()["triggered_task_ids"] == []
    metrics = httpx.get(hostile.base + "/metrics").text
    assert 'ordinaut_event_triggers_refused_total{reason="condition"}' in metrics
    assert runs_of(hostile.base, created["id"]) == []
    assert rss_bytes(hostile) < bound(hostile.idle)


def test_a_run_cannot_store_more_than_its_cap(binary):
    server = start_server(binary, env={**FAST, "ORDINAUT_MAX_RUN_OUTPUT_BYTES": "100000"})
    try:
        big = "b" * 60_000
        created = task(server.base, {"params": {"big": big}, "pipeline": [
            publish_step("one", "${params.big}"), publish_step("two", "${params.big}"),
        ]}).json()
        api("POST", server.base, f"/tasks/{created['id']}/run_now", "/tasks/{id}/run_now")
        runs = wait_for(lambda: [r for r in runs_of(server.base, created["id"]) if r["status"] in ("dead", "succeeded")],
                        message="the run to end")
        assert runs[0]["status"] == "dead"
        assert "step two: its arguments would take the run's record past 100000 bytes" in runs[0]["error"]
        run = api("GET", server.base, f"/runs/{runs[0]['id']}", "/runs/{id}").json()
        assert [step["status"] for step in run["output"]["steps"]] == ["succeeded", "failed"]
    finally:
        server.stop()


def test_retained_events_stay_within_their_bytes(binary):
    # 600 publications as fast as one client sends them: the request rate limit is not what is tested.
    server = start_server(binary, env={**FAST, "ORDINAUT_EVENTS_TOTAL_BYTES": str(8 << 20), "ORDINAUT_RATE_LIMIT": "off"})
    try:
        api("GET", server.base, "/health")
        idle = rss_bytes(server)
        payload = {"blob": "e" * (256 * 1024)}
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for index in range(600):  # 150 MB of payloads, each on a stream of its own
                assert client.post("/events", json={"topic": f"flood.{index}", "payload": payload}).status_code == 202
            too_big = client.post("/events", json={"topic": "flood.big", "payload": {"blob": "e" * (1 << 20)}})
        assert too_big.status_code == 422 and too_big.json()["details"]["field"] == "payload"
        assert rss_bytes(server) < bound(idle)
    finally:
        server.stop()


def test_distinct_long_expressions_do_not_fill_the_cache(hostile):
    with httpx.Client(base_url=hostile.base, timeout=30) as client:
        for index in range(150):
            long = "${params.a" + f" || params.b{index}" * 1000 + "}"  # ~20 KB each, all different
            refused = client.post("/tasks", json={"title": "t", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                                                  "payload": {"pipeline": [{"uses": "no.such.tool", "with": {"x": long}}]}})
            assert refused.status_code == 422
    assert rss_bytes(hostile) < bound(hostile.idle)


def test_a_task_that_triggers_itself_stops_at_the_depth_limit(hostile):
    created = task(hostile.base, {"pipeline": [{"uses": "event_publish", "with": {"topic": "loop.again"}}]},
                   schedule_kind="event", schedule_expr="loop.*").json()
    api("POST", hostile.base, "/events", json={"topic": "loop.start"})
    refusal = wait_for(lambda: [e for e in api("GET", hostile.base, f"/tasks/{created['id']}/audit", "/tasks/{id}/audit").json()["items"]
                                if e["action"] == "task.trigger_refused"], message="the refusal on the task")
    assert refusal[0]["details"]["limit"] == "depth"
    assert "ORDINAUT_EVENT_MAX_DEPTH" in refusal[0]["details"]["reason"]
    runs = runs_of(hostile.base, created["id"])
    assert len(runs) == 8, "the default depth is 8"
    assert sorted(r["context"]["event"].get("causation", {}).get("depth", 0) for r in runs) == list(range(8))
    assert 'ordinaut_event_triggers_refused_total{reason="depth"}' in httpx.get(hostile.base + "/metrics").text


def test_a_task_that_forks_is_held_to_its_rate(hostile):
    started = time.monotonic()
    created = task(hostile.base, {"pipeline": [
        {"id": "left", "uses": "event_publish", "with": {"topic": "fork.left"}},
        {"id": "right", "uses": "event_publish", "with": {"topic": "fork.right"}},
    ]}, schedule_kind="event", schedule_expr="fork.*").json()
    api("POST", hostile.base, "/events", json={"topic": "fork.start"})
    wait_for(lambda: [e for e in api("GET", hostile.base, f"/tasks/{created['id']}/audit", "/tasks/{id}/audit").json()["items"]
                      if e["action"] == "task.trigger_refused" and e["details"]["limit"] == "rate"], message="the rate refusal")
    time.sleep(1)
    runs = runs_of(hostile.base, created["id"])
    elapsed = time.monotonic() - started
    # 2⁸ − 1 = 255 runs without a guard; the default allows a burst of 30 and one a second.
    assert len(runs) <= 30 + elapsed + 2
