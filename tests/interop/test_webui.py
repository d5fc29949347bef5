"""The web UI in a real browser (headless chromium through chromium-driver): the flows people use, on a
server open on loopback. Signing in with scopes required is in test_webui_access.py, through the
authorization server in test_webui_oauth.py.

Screenshots of every page are written under each test's tmp_path (pytest keeps the last runs'),
and each test ends by reading the browser console: an error there fails it.
"""
import json
import pathlib
import shutil

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
