"""The scheduler under faults, with the real binary: kill -9 in the middle of runs on both backends,
a PostgreSQL that goes away under a server, and three nodes sharing 10,000 runs while one dies."""
import json
import signal
import time

import httpx
import pytest

from conftest import start_server, wait_for
from test_tasks import FAST, api, pipeline, runs_of, work_extension


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_9_mid_run_loses_and_duplicates_nothing(binary, tmp_path, request, backend):
    env = {**FAST, "ORDINAUT_EXT_PATHS": str(work_extension(tmp_path / "ext", tmp_path / "work.log")),
           "ORDINAUT_LEASE_SECONDS": "3", "ORDINAUT_WORKERS": "4", "ORDINAUT_DATA_DIR": str(tmp_path / "data")}
    if backend == "postgres":
        env["ORDINAUT_DATABASE_URL"] = request.getfixturevalue("postgres").new_database()
    first = start_server(binary, env=env)
    task = api("POST", first.base, "/tasks", json={"title": "slow", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                                                   "payload": pipeline(ms=400)}).json()
    for _ in range(12):
        api("POST", first.base, f"/tasks/{task['id']}/run_now", "/tasks/{id}/run_now")
    due_soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    once = api("POST", first.base, "/tasks", json={"title": "missed while down", "schedule_kind": "once", "schedule_expr": due_soon,
                                                   "payload": pipeline(key="once")}).json()
    wait_for(lambda: any(r["status"] == "running" for r in runs_of(first.base, task["id"])), message="runs in progress")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    time.sleep(4)  # the one-off falls due while no server runs
    second = start_server(binary, env=env)
    try:
        try:
            runs = wait_for(lambda: (lambda rs: rs if len(rs) == 12 and all(r["status"] == "succeeded" for r in rs) else None)(
                runs_of(second.base, task["id"])), timeout=90, message="all twelve runs")
        except AssertionError as timeout:
            raise AssertionError(f"{timeout}\n{describe(runs_of(second.base, task['id']), second)}") from None
        assert len({r["id"] for r in runs}) == 12
        assert any(r["takeovers"] == 1 for r in runs), "a run held by the killed server was taken over"
        once_runs = wait_for(lambda: runs_of(second.base, once["id"], "succeeded"), message="the missed one-off")
        assert len(once_runs) == 1
        health = api("GET", second.base, "/health").json()
        assert health["due"] == 0 and health["running"] == 0
        executed = {json.loads(line)["run_id"] for line in (tmp_path / "work.log").read_text().splitlines()}
        assert {r["id"] for r in runs} <= executed
    finally:
        second.stop()


def describe(runs: list[dict], server) -> str:
    """What a timed-out wait saw: each run's state, and what the server warned about."""
    lines = [f"{r['id']} attempt {r['attempt']} {r['status']} takeovers {r['takeovers']} {r.get('error') or ''}" for r in runs]
    warnings = [line.rstrip() for line in server.log if "warning" in line or "error" in line]
    return "runs:\n" + "\n".join(lines) + "\nserver warnings:\n" + "\n".join(warnings[-40:])


def test_a_database_outage_answers_503_and_recovers(binary, tmp_path, postgres):
    env = {**FAST, "ORDINAUT_EXT_PATHS": str(work_extension(tmp_path / "ext")), "ORDINAUT_DATABASE_URL": postgres.new_database()}
    server = start_server(binary, env=env)
    try:
        task = api("POST", server.base, "/tasks", json={"title": "t", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                                                        "payload": pipeline()}).json()
        postgres.kill9()
        try:
            down = api("GET", server.base, "/health")
            assert down.status_code == 503 and down.json()["error"] == "unavailable"
            refused = api("POST", server.base, f"/tasks/{task['id']}/run_now", "/tasks/{id}/run_now")
            assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
            assert api("GET", server.base, "/tasks").status_code == 503
        finally:
            postgres.start()
        wait_for(lambda: httpx.get(server.base + "/health").status_code == 200, message="recovery")
        api("POST", server.base, f"/tasks/{task['id']}/run_now", "/tasks/{id}/run_now")
        wait_for(lambda: runs_of(server.base, task["id"], "succeeded"), message="a run after recovery")
        assert server.process.poll() is None
    finally:
        server.stop()


def test_three_nodes_run_10000_due_runs_exactly_once(binary, tmp_path, postgres):
    url = postgres.new_database()
    database = url.rsplit("/", 1)[1]
    env = {**FAST, "ORDINAUT_DATABASE_URL": url, "ORDINAUT_LEASE_SECONDS": "3", "ORDINAUT_WORKERS": "8", "ORDINAUT_CLAIM_BATCH": "8"}
    nodes = [start_server(binary, env={**env, "ORDINAUT_EXT_PATHS": str(work_extension(tmp_path / f"ext{n}", tmp_path / f"work{n}.log"))})
             for n in range(3)]
    try:
        task = api("POST", nodes[0].base, "/tasks", json={"title": "bulk", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                                                          "payload": pipeline()}).json()
        postgres.psql(f"""INSERT INTO due_work (task_id, run_at, priority, attempt, trigger_kind, context, created_at)
                          SELECT '{task["id"]}', 0, 5, 1, 'manual', '{{}}', 0 FROM generate_series(1, 10000);
                          NOTIFY ordinaut_work;""", database)
        count = lambda sql: int(postgres.psql(sql, database))
        wait_for(lambda: count("SELECT count(*) FROM runs WHERE status = 'succeeded'") >= 2500, timeout=300, message="a quarter")
        nodes[1].process.send_signal(signal.SIGKILL)
        nodes[1].process.wait()
        wait_for(lambda: count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 10000, timeout=600, message="all runs")
        assert count("SELECT count(*) FROM runs") == 10000
        assert count("SELECT count(DISTINCT due_id) FROM runs") == 10000
        assert count("SELECT count(*) FROM due_work") == 0
        per_node = [len((tmp_path / f"work{n}.log").read_text().splitlines()) for n in range(3)]
        assert all(lines > 0 for lines in per_node), per_node
    finally:
        for node in nodes:
            if node.process.poll() is None:
                node.stop()
