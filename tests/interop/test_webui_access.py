"""The web UI with scopes required, in a real Chromium and over plain HTTP: signing in with a token and out,
controls hidden from a principal that may not use them, the CSRF token on every change, bounded and expiring
sessions, and the embedded files served with types and ETags and nothing outside them."""

import hashlib
import http.client
import json
import time

import httpx
import pytest
from selenium.webdriver.common.keys import Keys

from conftest import start_server
from test_webui import finish, ui
from webui_browser import Browser


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
