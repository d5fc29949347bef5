"""The API the web UI stands on, through the real binary with scopes required: a subprocess
extension's static/ folder (types, validators, 304s, traversal in every spelling, symlink escape,
size cap), cursor pages, stats, schedule previews (REST and the schedule_preview tool), task
validation, the change stream with Last-Event-ID, the served contract, and the attacker's requests
(missing scope, oversized bodies, bad cursors, preview bounds). Responses are checked against
protocol/openapi.json."""
import hashlib
import http.client
import json
import os
import pathlib
import shutil

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from conftest import ROOT, openapi_checked, start_server

OPENAPI = json.loads((ROOT / "protocol" / "openapi.json").read_text())
FIXTURES = pathlib.Path(__file__).with_name("fixtures")
TOKENS = {
    "reader": ("reader-token-0123456789abcdef", "tasks:read ext:site:routes mcp"),
    "writer": ("writer-token-0123456789abcdef", "tasks:read tasks:write"),
    "outsider": ("outsider-token-0123456789abcd", "mcp"),
}
TASK = {
    "title": "nightly report", "schedule_kind": "cron", "schedule_expr": "0 3 * * *", "timezone": "Europe/Chisinau",
    "payload": {"pipeline": [{"id": "wait", "uses": "ordinaut.approval", "with": {"prompt": "go?"}}]},
}


def auth(name):
    return {"Authorization": "Bearer " + TOKENS[name][0]}


def checked(response, path, method="get"):
    return openapi_checked(response, path, method)


@pytest.fixture(scope="module")
def site(binary, tmp_path_factory):
    root = tmp_path_factory.mktemp("webui-api")
    tokens = root / "tokens.json"
    tokens.write_text(json.dumps({"tokens": [
        {"name": name, "sha256": hashlib.sha256(token.encode()).hexdigest(), "scopes": scopes.split()}
        for name, (token, scopes) in TOKENS.items()]}))
    folder = root / "extensions" / "site"
    (folder / "static" / "docs").mkdir(parents=True)
    shutil.copy(FIXTURES / "echo_ext.py", folder / "echo_ext.py")
    (folder / "extension.json").write_text(json.dumps({
        "id": "site", "name": "site", "version": "1.0.0", "module": "echo_ext.py", "requests": ["STATIC"], "grants": ["STATIC"]}))
    (folder / "static" / "index.html").write_text("<!doctype html><title>site</title>")
    (folder / "static" / "app.mjs").write_text("export const answer = 42;")
    (folder / "static" / "style.css").write_text("body { color: black }")
    (folder / "static" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (folder / "static" / "data.json").write_text("{}")
    (folder / "static" / "docs" / "index.html").write_text("<h1>docs</h1>")
    (folder / "static" / "big.txt").write_text("x" * 5000)
    (folder / "secret.txt").write_text("the neighbour of static/")
    os.symlink(folder / "secret.txt", folder / "static" / "escape.txt")
    os.symlink(folder, folder / "static" / "up")
    running = start_server(binary, env={
        "ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(tokens), "ORDINAUT_EXT_PATHS": str(root / "extensions"),
        "ORDINAUT_STATIC_MAX_FILE_BYTES": "4096", "ORDINAUT_MAX_BODY_BYTES": "65536", "ORDINAUT_CHANGES_KEEPALIVE_SECONDS": "1",
    })
    yield running
    running.stop()


def raw_get(site, path, headers=None):
    """A GET whose path is sent byte for byte (httpx would resolve `..` before sending)."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    try:
        connection.request("GET", path, headers={**auth("reader"), **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- STATIC -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,content_type", [
    ("/ext/site/static/", "text/html; charset=utf-8"), ("/ext/site/static/docs/", "text/html; charset=utf-8"),
    ("/ext/site/static/app.mjs", "text/javascript; charset=utf-8"), ("/ext/site/static/style.css", "text/css; charset=utf-8"),
    ("/ext/site/static/logo.svg", "image/svg+xml"), ("/ext/site/static/data.json", "application/json"),
])
def test_static_files_have_their_content_types(site, path, content_type):
    status, headers, _ = raw_get(site, path)
    assert status == 200 and headers["Content-Type"] == content_type
    assert headers["ETag"] and headers["Last-Modified"] and headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_answer_304_to_a_current_copy(site):
    status, headers, body = raw_get(site, "/ext/site/static/style.css")
    assert status == 200 and body == b"body { color: black }"
    assert raw_get(site, "/ext/site/static/style.css", {"If-None-Match": headers["ETag"]})[0] == 304
    assert raw_get(site, "/ext/site/static/style.css", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert raw_get(site, "/ext/site/static/style.css", {"If-None-Match": '"stale"'})[0] == 200
    assert raw_get(site, "/ext/site/static/style.css", {"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})[0] == 200


@pytest.mark.parametrize("path", [
    "/ext/site/static/../secret.txt", "/ext/site/static/%2e%2e/secret.txt", "/ext/site/static/%2E%2E/secret.txt",
    "/ext/site/static/.%2e/secret.txt", "/ext/site/static/..%2fsecret.txt", "/ext/site/static/..%2Fsecret.txt",
    "/ext/site/static/..%5csecret.txt", "/ext/site/static/..\\secret.txt", "/ext/site/static/docs/../../secret.txt",
    "/ext/site/static/%252e%252e/secret.txt", "/ext/site/static/escape.txt", "/ext/site/static/up/secret.txt",
    "/ext/site/static/up/extension.json", "/ext/site/static/%00", "/ext/site/static/nothing-here.txt",
])
def test_paths_leaving_the_folder_answer_404(site, path):
    status, _, body = raw_get(site, path)
    assert status == 404, path
    assert b"neighbour" not in body and b"echo_ext" not in body


def test_a_file_over_the_cap_is_refused_saying_why(site):
    status, _, body = raw_get(site, "/ext/site/static/big.txt")
    assert status == 404 and b"ORDINAUT_STATIC_MAX_FILE_BYTES" in body


def test_static_files_need_the_extension_route_scope(site):
    assert httpx.get(site.base + "/ext/site/static/style.css").status_code == 401
    assert httpx.get(site.base + "/ext/site/static/style.css", headers=auth("outsider")).status_code == 403


# --- Lists, stats, previews, validation ----------------------------------------------------------------

def test_task_pages_follow_their_cursor(site):
    for index in range(3):
        created = httpx.post(site.base + "/tasks", json={**TASK, "title": f"page {index}"}, headers=auth("writer"))
        assert created.status_code == 201, created.text
    titles, cursor = [], None
    for _ in range(10):
        query = {"q": "page", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = checked(httpx.get(site.base + "/tasks", params=query, headers=auth("reader")), "/tasks").json()
        titles += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert titles == ["page 0", "page 1", "page 2"]
    for query in [{"cursor": "garbage"}, {"cursor": "cjAx"}, {"limit": 0}, {"status": "sleeping"}]:
        response = checked(httpx.get(site.base + "/tasks", params=query, headers=auth("reader")), "/tasks")
        assert response.status_code == 422, query
    assert checked(httpx.get(site.base + "/runs", params={"cursor": "nope"}, headers=auth("reader")), "/runs").status_code == 422
    assert checked(httpx.get(site.base + "/runs", params={"since": "2026-01-01T00:00:00Z"}, headers=auth("reader")), "/runs").status_code == 200


def test_stats_answer_the_overview(site):
    stats = checked(httpx.get(site.base + "/stats", headers=auth("reader")), "/stats").json()
    assert stats["extensions_in_error"]["count"] == len(stats["extensions_in_error"]["ids"])
    assert stats["workers"]["alive"] >= 1, "this node's heartbeat"


def test_a_preview_marks_dst_and_bounds_its_count(site):
    body = {"schedule_kind": "rrule", "schedule_expr": "FREQ=DAILY;BYHOUR=2;BYMINUTE=30", "timezone": "Europe/Chisinau",
            "after": "2025-03-28T12:00", "count": 3}
    preview = checked(httpx.post(site.base + "/schedules/preview", json=body, headers=auth("reader")), "/schedules/preview", "post").json()
    assert [item["local"] for item in preview["occurrences"]] == [
        "2025-03-29T02:30:00+02:00", "2025-03-30T03:30:00+03:00", "2025-03-31T02:30:00+03:00"]
    assert [item["dst_shift"] for item in preview["occurrences"]] == [None, "moved", None]
    for count in [0, 101, -1, "ten"]:
        response = checked(httpx.post(site.base + "/schedules/preview", json={**body, "count": count}, headers=auth("reader")),
                           "/schedules/preview", "post")
        assert response.status_code == 422 and response.json()["details"]["field"] == "count"


def test_validation_finds_the_error_and_creates_nothing(site):
    before = httpx.get(site.base + "/tasks", params={"limit": 500}, headers=auth("reader")).json()["count"]
    bad = {**TASK, "payload": {"pipeline": [{"id": "a", "uses": "no_such_tool"}]}}
    result = checked(httpx.post(site.base + "/tasks/validate", json=bad, headers=auth("reader")), "/tasks/validate", "post").json()
    assert result["valid"] is False and result["errors"][0]["path"] == "/payload/pipeline/0/uses"
    result = checked(httpx.post(site.base + "/tasks/validate", json=TASK, headers=auth("reader")), "/tasks/validate", "post").json()
    assert result == {"valid": True, "errors": []}
    assert httpx.get(site.base + "/tasks", params={"limit": 500}, headers=auth("reader")).json()["count"] == before


def test_the_schedule_preview_tool_answers_like_rest(site):
    async def call():
        async with httpx.AsyncClient(headers=auth("reader"), timeout=30) as client:
            async with streamable_http_client(site.url, http_client=client) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    result = await session.call_tool("schedule_preview", {
                        "schedule_kind": "cron", "schedule_expr": "30 2 * * *", "timezone": "Europe/Chisinau",
                        "after": "2025-03-29T12:00", "count": 1})
                    return result
    result = anyio.run(call)
    assert not result.is_error, result
    assert result.structured_content["occurrences"][0]["dst_shift"] == "moved"


# --- The attacker's requests -------------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", "/stats"), ("GET", "/changes"), ("POST", "/schedules/preview"), ("POST", "/tasks/validate"), ("GET", "/tasks"),
])
def test_every_new_route_needs_its_scope(site, method, path):
    assert httpx.request(method, site.base + path, json={}).status_code == 401
    assert httpx.request(method, site.base + path, json={}, headers=auth("outsider")).status_code == 403


def test_oversized_bodies_are_refused(site):
    huge = {"schedule_kind": "cron", "schedule_expr": "0 3 * * *", "pad": "x" * 100_000}
    for path in ["/schedules/preview", "/tasks/validate"]:
        response = httpx.post(site.base + path, json=huge, headers=auth("reader"))
        assert response.status_code == 413, (path, response.text)


def test_the_contract_is_served_openly_and_the_root_explains(site):
    served = httpx.get(site.base + "/openapi.json")
    assert served.status_code == 200 and served.json() == OPENAPI
    # The built-in web UI is on by default: the root leads to it (without it, 404 explains; WebAPITests).
    root = httpx.get(site.base + "/", follow_redirects=False)
    assert root.status_code == 303 and root.headers["location"] == "/ext/webui/"


# --- The change stream ---------------------------------------------------------------------------------

def read_events(response, wanted, limit=200):
    """Reads SSE events until `wanted(events)` holds; at most `limit` lines."""
    events, current = [], {}
    for count, line in enumerate(response.iter_lines()):
        if count > limit:
            break
        if line == "":
            if "event" in current:
                events.append(current)
                current = {}
                if wanted(events):
                    break
            continue
        if line.startswith(":"):
            continue
        key, _, value = line.partition(": ")
        current[key] = value
    return events


def test_changes_stream_and_resume_from_the_last_event_id(site):
    with httpx.stream("GET", site.base + "/changes", headers=auth("reader"), timeout=30) as stream:
        assert stream.status_code == 200 and stream.headers["content-type"] == "text/event-stream"
        created = httpx.post(site.base + "/tasks", json={**TASK, "title": "watched"}, headers=auth("writer")).json()
        events = read_events(stream, lambda seen: any(e.get("event") == "task.created" for e in seen))
    change = next(e for e in events if e.get("event") == "task.created")
    assert json.loads(change["data"])["task_id"] == created["id"]
    last_id = change["id"]
    paused = httpx.post(site.base + f"/tasks/{created['id']}/pause", headers=auth("writer"))
    assert paused.status_code == 200
    with httpx.stream("GET", site.base + "/changes", headers={**auth("reader"), "Last-Event-ID": last_id}, timeout=30) as stream:
        events = read_events(stream, lambda seen: any(e.get("event") == "task.status" for e in seen))
    status = next(e for e in events if e.get("event") == "task.status")
    assert json.loads(status["data"]) == {"task_id": created["id"], "title": "watched", "status": "paused"}
    assert int(status["id"]) > int(last_id)
    with httpx.stream("GET", site.base + "/changes", headers={**auth("reader"), "Last-Event-ID": "99999999"}, timeout=30) as stream:
        events = read_events(stream, lambda seen: len(seen) >= 1)
    assert events[0]["event"] == "reset", "an id from before a restart asks the client to reload"


def test_an_idle_change_stream_sends_keep_alives(site):
    with httpx.stream("GET", site.base + "/changes", headers=auth("reader"), timeout=30) as stream:
        for count, line in enumerate(stream.iter_lines()):
            assert count < 50, "no keep-alive comment"
            if line.startswith(": keep-alive"):
                break
