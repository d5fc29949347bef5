"""The web UI in a real browser (headless chromium through chromium-driver): the flows people use,
the sign-in with its cookie session and CSRF token, and the built-in's embedded files.

Screenshots of every page are written under each test's tmp_path (pytest keeps the last runs'),
and each test ends by reading the browser console: an error there fails it.
"""
import hashlib
import http.client
import json
import pathlib
import shutil
import time

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import start_server, wait_for
from test_tasks import FAST, work_extension
from webui_browser import Browser

FIXTURES = pathlib.Path(__file__).with_name("fixtures")
GOOD_PIPELINE = {"pipeline": [{"id": "work", "uses": "ext.work.work", "with": {"key": "${run.id}", "ms": 300}}]}
BAD_PIPELINE = {"pipeline": [{"id": "work", "uses": "ext.work.work", "with": {"key": 5}}]}


@pytest.fixture(scope="module")
def server(binary, tmp_path_factory):
    root = tmp_path_factory.mktemp("webui-ext")
    work_extension(root)
    # An extension that exits at start: the Extensions page must show it in error, with its message.
    broken = root / "exit"
    broken.mkdir()
    shutil.copy(FIXTURES / "misbehave.py", broken / "misbehave.py")
    (broken / "extension.json").write_text(json.dumps({"id": "exit", "name": "exit", "version": "1.0.0", "module": "misbehave.py",
                                                       "args": ["exit"], "grants": ["TOOLS"], "eager": True}))
    running = start_server(binary, env={**FAST, "ORDINAUT_EXT_PATHS": str(root)})
    wait_for(lambda: httpx.get(running.base + "/ext/status").json()["extensions"]["exit"]["state"] == "error", message="the broken extension")
    yield running
    running.stop()


@pytest.fixture
def browser(tmp_path):
    opened = Browser(tmp_path)
    yield opened
    opened.quit()


def ui(server) -> str:
    return server.base + "/ext/webui/"


def finish(browser: Browser, expected: tuple[str, ...] = ()) -> None:
    """No error in the console but the refusals the test provoked on purpose (`expected`, substrings)."""
    browser.assert_console_clean(expected)


def create_task(base: str, **fields) -> dict:
    body = {"title": "t", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z", "payload": GOOD_PIPELINE, **fields}
    response = httpx.post(base + "/tasks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_root_and_the_extension_address_lead_to_the_overview(server, browser):
    browser.open(server.base + "/")
    browser.heading("Overview")
    assert browser.driver.current_url.startswith(server.base + "/ext/webui/static/")
    figures = browser.find(".cards")
    browser.wait(lambda d: "…" not in figures.text, "the figures")
    assert len(browser.all(".card")) == 7
    browser.shot("overview")
    # Each figure links to the list behind it.
    browser.click('[data-card="running"]')
    browser.heading("Runs")
    assert browser.find('select[name="status"]').get_attribute("value") == "running"
    browser.shot("runs-filtered")
    finish(browser)


def test_create_a_task_through_the_form_see_its_errors_then_watch_its_run(server, browser):
    browser.open(ui(server))
    browser.heading("Overview")
    browser.driver.execute_script("window.stayed = true")
    browser.click('a[href="#/tasks"]')
    browser.heading("Tasks")
    browser.click('a[href="#/tasks/new"]')
    browser.heading("New task")
    browser.find('input[name="title"]').send_keys("Browser made")
    expression = browser.find('input[name="schedule_expr"]')
    expression.clear()
    expression.send_keys("61 * * * *")
    browser.set_value('textarea[name="payload"]', json.dumps(BAD_PIPELINE))
    assert "61" in browser.text("#schedule-errors li", "/schedule_expr")
    browser.shot("task-form-schedule-error")
    # The server reports the first problem it meets: with the schedule fixed, the pipeline's shows, located.
    expression.clear()
    expression.send_keys("0 9 * * 1-5")
    browser.text("#payload-errors li", "/payload/pipeline/0")
    assert not browser.all("#schedule-errors li")
    browser.shot("task-form-pipeline-error")

    browser.set_value('textarea[name="payload"]', json.dumps(GOOD_PIPELINE))
    browser.wait(lambda d: not browser.all("#schedule-errors li") and not browser.all("#payload-errors li"), "the errors to clear")
    browser.wait(lambda d: len(browser.all("#schedule-preview li")) == 5, "the schedule preview")
    browser.shot("task-form-valid")
    browser.click('form button[type="submit"]')
    browser.heading("Browser made")
    assert "active" in browser.find("#task-status").text
    browser.text("#no-runs", "No run yet")
    browser.shot("task")

    browser.click("#run-now")
    # The run appears and finishes on the page without a reload.
    browser.text("section[aria-labelledby='h-runs'] tbody", "succeeded")
    assert browser.driver.execute_script("return window.stayed") is True
    browser.shot("task-run-finished")

    browser.click("#pause")
    browser.text("#task-status", "paused")
    browser.click("#resume")
    browser.text("#task-status", "active")
    browser.text("section[aria-labelledby='h-audit']", "resume")

    browser.click("section[aria-labelledby='h-runs'] tbody a")
    browser.heading("Run ")
    browser.text("#run-status", "succeeded")
    step = browser.find("#steps details summary")
    step.click()
    details = browser.text("#steps details", "Input")
    assert "Output" in details and "attempt" in details
    browser.shot("run-step-detail")
    finish(browser)


def test_a_task_stopped_by_failures_says_why_until_it_is_resumed(server, browser):
    stuck = {"pipeline": [{"id": "work", "uses": "ext.work.work", "with": {"key": "${run.id}", "ms": 5000}, "timeout_seconds": 1}]}
    task = create_task(server.base, title="Keeps timing out", schedule_expr="2000-01-01T00:00:00Z", payload=stuck,
                       max_retries=0, max_consecutive_failures=1)
    wait_for(lambda: httpx.get(f"{server.base}/tasks/{task['id']}").json()["paused_reason"] == "failures", message="the task to stop")
    browser.open(ui(server) + f"#/tasks/{task['id']}")
    browser.heading("Keeps timing out")
    assert "paused" in browser.find("#task-status").text
    assert "1 failed run(s) in a row" in browser.text("#paused-reason", "resume it once the cause is fixed")
    assert browser.find("#consecutive-failures").text == "1 of 1"
    browser.shot("task-stopped-by-failures")
    browser.click("#resume")
    browser.text("#task-status", "active")
    browser.text("#consecutive-failures", "0 of 1")
    assert not browser.all("#paused-reason")
    # The form shows the task's limit and changes it.
    browser.click(f'a[href="#/tasks/{task["id"]}/edit"]')
    limit = browser.find('input[name="max_consecutive_failures"]')
    assert limit.get_attribute("value") == "1"
    limit.clear()
    limit.send_keys("3")
    browser.click('form button[type="submit"]')
    browser.text("#consecutive-failures", "0 of 3")
    httpx.post(f"{server.base}/tasks/{task['id']}/cancel")
    finish(browser)


def test_a_run_page_follows_its_steps_live(server, browser):
    task = create_task(server.base, title="slow", payload={"pipeline": [
        {"id": "first", "uses": "ext.work.work", "with": {"key": "a", "ms": 1500}},
        {"id": "second", "uses": "ext.work.work", "with": {"key": "b", "ms": 10}}]})
    assert httpx.post(f"{server.base}/tasks/{task['id']}/run_now").json()["queued"] is True
    run = wait_for(lambda: next(iter(httpx.get(server.base + "/runs", params={"task_id": task["id"]}).json()["items"]), None),
                   message="the run to start")
    browser.open(ui(server) + f"static/#/runs/{run['id']}")
    browser.heading("Run ")
    # Opened while the first step still works (1.5 s); the page follows it to the end.
    browser.text("#run-status", "succeeded")
    assert len(browser.all("#steps > li")) == 2
    browser.shot("run-live")
    finish(browser)


def test_approve_a_waiting_run_from_the_inbox(server, browser):
    task = create_task(server.base, title="needs a yes", payload={"pipeline": [
        {"id": "ask", "uses": "ordinaut.approval", "with": {"prompt": "Ship the report?"}},
        {"id": "work", "uses": "ext.work.work", "with": {"key": "after"}}]})
    httpx.post(f"{server.base}/tasks/{task['id']}/run_now")
    wait_for(lambda: httpx.get(server.base + "/runs", params={"task_id": task["id"], "status": "waiting"}).json()["items"],
             message="the run to wait for its approval")
    browser.open(ui(server) + "static/#/approvals")
    browser.heading("Approvals")
    card = browser.text("article.card", "Ship the report?")
    assert "work" in card
    browser.shot("approvals")
    browser.find("article.card textarea").send_keys("looks right")
    browser.click('article.card button[data-answer="approve"]')
    browser.text("#inbox-empty", "Nothing is waiting")
    runs = wait_for(lambda: (lambda items: items if items and items[0]["status"] == "succeeded" else None)(
        httpx.get(server.base + "/runs", params={"task_id": task["id"]}).json()["items"]), message="the approved run to finish")
    audit = httpx.get(f"{server.base}/tasks/{task['id']}/audit").json()["items"]
    answered = [entry for entry in audit if "approv" in entry["action"]]
    assert answered and "looks right" in json.dumps(answered)
    finish(browser)


def test_an_extension_in_error_shows_its_message(server, browser):
    browser.open(ui(server) + "static/#/extensions")
    browser.heading("Extensions")
    error = browser.text('[data-extension="exit"] .extension-error', "in ")
    assert error.strip() != "in"
    assert "error" in browser.find('[data-extension="exit"] h2').text
    assert "TOOLS" in browser.find('[data-extension="work"]').text
    browser.shot("extensions")
    finish(browser)


def test_try_a_tool_from_its_generated_form(server, browser):
    browser.open(ui(server) + "static/#/tools")
    browser.heading("Tools")
    browser.click('a[href="#/tools/ext.work.work"]')
    browser.heading("ext.work.work")
    browser.find('input[name="key"]').send_keys("from-the-form")
    browser.find('input[name="ms"]').send_keys("0")
    browser.click("form button[type='submit']")
    browser.text("#tool-result", '"key": "from-the-form"')
    browser.shot("tool-result")
    finish(browser)


def test_publish_an_event_and_see_it_in_the_tail(server, browser):
    browser.open(ui(server) + "static/#/events")
    browser.heading("Events")
    pattern = browser.find('input[name="pattern"]')
    pattern.clear()
    pattern.send_keys("webui.*", Keys.ENTER)
    browser.text(".status-line", "Following webui.*")
    browser.wait(lambda d: "reconnecting" not in browser.find(".status-line").text and browser.find(".status-line").text == "Following webui.*", "the tail to open")
    browser.find('input[name="topic"]').send_keys("webui.hello")
    browser.set_value('textarea[name="payload"]', '{"n": 1}')
    browser.click("form[aria-labelledby='h-publish'] button[type='submit']")
    browser.text("form[aria-labelledby='h-publish']", "Published")
    browser.text('#tail li[data-topic="webui.hello"]', '{"n":1}')
    # Another topic is not shown.
    httpx.post(server.base + "/events", json={"topic": "other.thing", "payload": {}})
    httpx.post(server.base + "/events", json={"topic": "webui.second", "payload": {}})
    browser.text('#tail li[data-topic="webui.second"]', "webui.second")
    assert not browser.all('#tail li[data-topic="other.thing"]')
    browser.shot("events")
    finish(browser)


def test_pages_fit_a_narrow_screen_and_are_keyboard_reachable(server, tmp_path):
    create_task(server.base, title="a task with a rather long title that must wrap on a phone screen")
    narrow = Browser(tmp_path, width=375, height=800)
    try:
        for route, title in [("#/", "Overview"), ("#/tasks", "Tasks"), ("#/runs", "Runs"), ("#/approvals", "Approvals"),
                             ("#/extensions", "Extensions"), ("#/tools", "Tools"), ("#/events", "Events"), ("#/tasks/new", "New task")]:
            narrow.open(ui(server) + "static/" + route)
            narrow.heading(title)
            narrow.wait(lambda d: "Loading…" not in narrow.find("main").text, "the page to load")
            assert narrow.horizontal_overflow() <= 0, f"{route} scrolls sideways at 375 px"
            narrow.shot("narrow-" + title.lower().replace(" ", "-"))
        # On a fresh load, the first Tab reaches the skip link, which is then visible.
        narrow.driver.refresh()
        narrow.heading("New task")
        body = narrow.driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        active = narrow.driver.switch_to.active_element
        assert active.text == "Skip to content" and active.is_displayed()
        # Every input has a label.
        unlabelled = narrow.driver.execute_script(
            "return [...document.querySelectorAll('input, select, textarea')].filter(e => !e.labels || e.labels.length === 0).map(e => e.name)")
        assert unlabelled == []
        assert narrow.all("header") and narrow.all("nav[aria-label='Main']") and narrow.all("main")
        finish(narrow)
    finally:
        narrow.quit()


# --- Signing in: cookie sessions and CSRF ---------------------------------------------------------

ADMIN_TOKEN = "webui-admin-token-0123456789"
READER_TOKEN = "webui-reader-token-0123456789"


@pytest.fixture(scope="module")
def locked(binary, tmp_path_factory):
    folder = tmp_path_factory.mktemp("webui-tokens")
    tokens = folder / "tokens.json"
    tokens.write_text(json.dumps({"tokens": [
        {"name": "admin", "sha256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(), "scopes": ["admin"]},
        {"name": "reader", "sha256": hashlib.sha256(READER_TOKEN.encode()).hexdigest(), "scopes": ["tasks:read"]},
    ]}))
    running = start_server(binary, env={"ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(tokens),
                                        "ORDINAUT_UI_MAX_SESSIONS": "3"})
    yield running
    running.stop()


def sign_in(browser: Browser, server, token: str) -> None:
    browser.open(ui(server))
    browser.heading("Sign in")
    browser.find('input[name="token"]').send_keys(token, Keys.ENTER)


def test_sign_in_with_a_token_then_sign_out(locked, browser):
    browser.open(ui(locked))
    browser.heading("Sign in")
    assert not browser.find("header nav").is_displayed()
    browser.shot("sign-in")
    browser.find('input[name="token"]').send_keys("not-a-token", Keys.ENTER)
    browser.text("form.login .error", "not valid")
    browser.find('input[name="token"]').clear()
    browser.find('input[name="token"]').send_keys(ADMIN_TOKEN, Keys.ENTER)
    browser.heading("Overview")
    cookie = browser.driver.get_cookie("ordinaut_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie.get("secure") is False
    assert "expiry" in cookie
    assert browser.driver.execute_script("return document.cookie") == ""
    browser.shot("signed-in")
    # The page acts through the cookie: create a task through the REST API.
    browser.go("#/tasks")
    browser.heading("Tasks")
    browser.click("#sign-out")
    browser.heading("Sign in")
    # Signing out revoked the session on the server, not only in this browser.
    answer = httpx.get(locked.base + "/session", cookies={"ordinaut_session": cookie["value"]}).json()
    assert answer["signed_in"] is False
    # The one error: the wrong token's 401, which the browser logs as a failed request.
    finish(browser, expected=("/session - Failed to load resource: the server responded with a status of 401",))


def test_controls_a_principal_may_not_use_are_not_shown(locked, browser):
    task = httpx.post(locked.base + "/tasks", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                      json={"title": "read only", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
                            "payload": {"pipeline": [{"uses": "task_list"}]}}).json()
    sign_in(browser, locked, READER_TOKEN)
    browser.heading("Overview")
    visible = [link.text for link in browser.all("#nav a") if link.is_displayed()]
    assert visible == ["Overview", "Tasks", "Runs", "Approvals"]
    browser.go("#/tasks")
    browser.heading("Tasks")
    assert not browser.all('a[href="#/tasks/new"]')
    browser.go(f"#/tasks/{task['id']}")
    browser.heading("read only")
    assert not browser.all("#pause") and not browser.all("#run-now")
    browser.shot("reader-task")
    finish(browser)


def cookie_session(base: str) -> tuple[str, str]:
    signed = httpx.post(base + "/session", json={"token": ADMIN_TOKEN})
    assert signed.status_code == 201, signed.text
    return signed.cookies["ordinaut_session"], signed.json()["csrf_token"]


def test_state_changing_requests_need_the_sessions_csrf_token(locked):
    base = locked.base
    secret, csrf = cookie_session(base)
    cookies = {"ordinaut_session": secret}
    body = {"title": "csrf", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z", "payload": {"pipeline": [{"uses": "task_list"}]}}
    # Reading needs only the cookie.
    assert httpx.get(base + "/tasks", cookies=cookies).status_code == 200
    # Writing without the token, with a forged one, or with another session's, is refused.
    _, other_csrf = cookie_session(base)
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")},
                    {"X-CSRF-Token": other_csrf}):
        refused = httpx.post(base + "/tasks", cookies=cookies, headers=headers, json=body)
        assert refused.status_code == 403 and refused.json()["error"] == "csrf_token_invalid", headers
    # The same for DELETE /session (signing someone out) and MCP.
    assert httpx.delete(base + "/session", cookies=cookies).status_code == 403
    # Another origin is refused even with the right token.
    evil = httpx.post(base + "/tasks", cookies=cookies, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}, json=body)
    assert evil.status_code == 403 and evil.json()["error"] == "origin_not_allowed"
    # A form post (what another site can send without CORS) is refused before the session is looked at.
    form = httpx.post(base + "/tasks", cookies=cookies, headers={"X-CSRF-Token": csrf}, data={"title": "x"})
    assert form.status_code == 415
    # With the token it goes through, as the token's principal.
    created = httpx.post(base + "/tasks", cookies=cookies, headers={"X-CSRF-Token": csrf}, json=body)
    assert created.status_code == 201 and created.json()["created_by"] == "admin"
    # GET /session tells the page its token again after a reload.
    assert httpx.get(base + "/session", cookies=cookies).json()["csrf_token"] == csrf
    # A cookie that names no session is refused (and told to forget itself), never taken as anonymous.
    stale = httpx.get(base + "/tasks", cookies={"ordinaut_session": "made-up"})
    assert stale.status_code == 401 and "Max-Age=0" in stale.headers["set-cookie"]


def test_sessions_are_bounded_and_expire(binary, tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tokens": [{"name": "admin", "sha256": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(), "scopes": ["admin"]}]}))
    running = start_server(binary, env={"ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_TOKENS_FILE": str(tokens),
                                        "ORDINAUT_UI_SESSION_SECONDS": "1", "ORDINAUT_UI_MAX_SESSIONS": "2"})
    try:
        first, _ = cookie_session(running.base)
        signed = httpx.post(running.base + "/session", json={"token": ADMIN_TOKEN})
        assert "Max-Age=1" in signed.headers["set-cookie"] and "HttpOnly" in signed.headers["set-cookie"]
        assert "SameSite=Strict" in signed.headers["set-cookie"]
        cookie_session(running.base)
        # A third session pushed the first out.
        assert httpx.get(running.base + "/tasks", cookies={"ordinaut_session": first}).status_code == 401
        latest, _ = cookie_session(running.base)
        assert httpx.get(running.base + "/tasks", cookies={"ordinaut_session": latest}).status_code == 200
        time.sleep(1.2)
        assert httpx.get(running.base + "/tasks", cookies={"ordinaut_session": latest}).status_code == 401
        assert httpx.get(running.base + "/session", cookies={"ordinaut_session": latest}).json()["signed_in"] is False
    finally:
        running.stop()


def test_a_wrong_token_opens_no_session(locked):
    refused = httpx.post(locked.base + "/session", json={"token": "nope"})
    assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert httpx.post(locked.base + "/session", json={"tok": ADMIN_TOKEN}).status_code == 400
    assert httpx.post(locked.base + "/session", content="token=x", headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415


# --- The built-in's embedded files ---------------------------------------------------------------

def test_embedded_files_have_types_etags_and_nothing_outside(locked):
    base = locked.base + "/ext/webui/static"
    page = httpx.get(base + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "img-src 'self' data:" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    script = httpx.get(base + "/js/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert httpx.get(base + "/app.css").headers["content-type"].startswith("text/css")
    tag = script.headers["etag"]
    again = httpx.get(base + "/js/app.js", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(base + "/js/app.js", headers={"If-None-Match": '"other"'}).status_code == 200
    for path in ("/../extension.json", "/%2e%2e/extension.json", "/js/..%2fapp.js", "/..\\extension.json", "/js/", "/nothing.js",
                 "/js/../../extension.json"):
        assert raw_get(locked.port, "/ext/webui/static" + path) == 404, path


def raw_get(port: int, path: str) -> int:
    """A GET of `path` exactly as written (no client-side clean-up of dot segments)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()
