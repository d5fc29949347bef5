"""Signing in to the web UI through the OAuth authorization server (authorization code + PKCE, Ordinaut
as the client), against the real test authorization server (oauth_server.py): the whole flow with a
plain HTTP client and its cookie jar, each refusal an attacker would try (forged, missing or replayed
state; a callback in a browser that did not start the sign-in; another issuer; a token for another
audience; a replayed code), the authorization server's error answer, and one flow in a real browser.
"""
import os
import subprocess
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from conftest import wait_for
from oauth_server import AuthorizationServer
from test_oauth import start_protected
from webui_browser import Browser

CALLBACK = "/session/oauth/callback"
TASK = {"title": "signed in through OAuth", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z",
        "payload": {"pipeline": [{"uses": "task_list"}]}}


@pytest.fixture
def auth():
    with AuthorizationServer() as server:
        yield server


@pytest.fixture
def protected(binary):
    """Starts Ordinaut with the web UI registered as a client of `auth` when called; stops it after."""
    started = []

    def start(auth: AuthorizationServer, auth_method: str = "client_secret_basic", **env):
        # The redirect URI names Ordinaut's port, known only once it runs: registered with a stand-in,
        # then corrected in the authorization server's records before any browser goes there.
        client = auth.register_client(redirect_uris=["http://127.0.0.1/stand-in"], auth_method=auth_method,
                                      grant_types=("authorization_code",))
        settings = {"ORDINAUT_UI_OAUTH_CLIENT_ID": client["client_id"], **env}
        if "client_secret" in client:
            settings["ORDINAUT_UI_OAUTH_CLIENT_SECRET"] = client["client_secret"]
        server = start_protected(binary, auth, settings)
        client["redirect_uris"] = [server.public + CALLBACK]
        server.client = client
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def to_authorization_server(client: httpx.Client, server, query: dict | None = None) -> str:
    """Starts a sign-in and follows it to the authorization server; returns the callback URL it sends back."""
    started = client.get(server.public + "/session/oauth" + ("?" + urlencode(query) if query else ""))
    assert started.status_code == 303, started.text
    answered = client.get(started.headers["location"])
    assert answered.status_code == 302, answered.text
    location = answered.headers["location"]
    assert location.startswith(server.public + CALLBACK), location
    return location


def changed(url: str, **params) -> str:
    """`url` with query parameters replaced (None removes one)."""
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def refusal(response: httpx.Response) -> str | None:
    """The `signin_error` a callback's answer sends the browser to the sign-in page with (None: signed in)."""
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    return parse_qs(location.query).get("signin_error", [None])[0]


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "none"])
def test_sign_in_through_the_authorization_server_then_act_with_the_csrf_token(auth, protected, auth_method):
    auth.token_lifetime = 120
    server = protected(auth, auth_method=auth_method)
    with httpx.Client(follow_redirects=True) as client:
        # The sign-in page learns that this server signs in through the authorization server.
        offered = client.get(server.public + "/session").json()
        assert offered["signed_in"] is False and offered["oauth"] == {"start": "/session/oauth", "name": "127.0.0.1"}
        landed = client.get(server.public + "/session/oauth", params={"return": "/ext/webui/static/#/tasks"})
        assert landed.status_code == 200 and str(landed.url) == server.public + "/ext/webui/static/#/tasks"
        hops = [(hop.status_code, urlsplit(str(hop.url)).path) for hop in landed.history]
        assert hops == [(303, "/session/oauth"), (302, "/authorize"), (303, CALLBACK)], hops
        callback = landed.history[2]
        assert callback.headers["location"] == "/ext/webui/static/#/tasks"
        cookies = callback.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("ordinaut_session="))
        # HttpOnly, Strict, and no longer than the access token lives.
        assert "HttpOnly" in session and "SameSite=Strict" in session and "Max-Age=120;" in session, session
        assert any(c.startswith("ordinaut_oauth=;") and "Max-Age=0" in c for c in cookies), cookies
        # The authorization request: PKCE S256, the resource, a 256-bit state; the exchange: the client's own credentials.
        authorize = auth.seen("/authorize")[0].params
        assert authorize["code_challenge_method"] == ["S256"] and authorize["resource"] == [server.resource]
        assert len(authorize["state"][0]) == 43 and authorize["redirect_uri"] == [server.public + CALLBACK]
        exchange = auth.seen("/token", "POST")[0]
        assert exchange.params["resource"] == [server.resource] and len(exchange.params["code_verifier"][0]) == 43
        assert ("authorization" in exchange.headers) == (auth_method == "client_secret_basic")

        me = client.get(server.public + "/session").json()
        assert me["signed_in"] is True and me["subject"] == "oauth:user-1" and me["method"] == "oauth", me
        headers = {"X-CSRF-Token": me["csrf_token"]}
        assert client.post(server.public + "/tasks", json=TASK).status_code == 403
        assert client.post(server.public + "/tasks", json=TASK, headers=headers).status_code == 201
        assert client.delete(server.public + "/session", headers=headers).status_code == 204
        assert client.get(server.public + "/session").json()["signed_in"] is False


def test_a_forged_missing_or_replayed_state_is_refused(auth, protected):
    server = protected(auth)
    with httpx.Client() as client:
        callback = to_authorization_server(client, server)
        assert refusal(client.get(changed(callback, state=None))) == "state"
        assert refusal(client.get(changed(callback, state="A" * 43))) == "state"
        # The forged attempts used nothing up: the real answer still signs in, once.
        assert refusal(client.get(callback)) is None
        assert "ordinaut_session" in client.cookies
        client.cookies.clear()
        to_authorization_server(client, server)  # a fresh binding cookie in the jar
        assert refusal(client.get(callback)) == "state"
    # No refused callback reached the token endpoint.
    assert len(auth.seen("/token", "POST")) == 1


def test_a_callback_in_a_browser_that_did_not_start_the_sign_in_is_refused(auth, protected):
    server = protected(auth)
    with httpx.Client() as victim, httpx.Client() as attacker:
        # Login CSRF: the attacker's own callback, opened in the victim's browser (which holds no binding cookie).
        callback = to_authorization_server(attacker, server)
        answer = victim.get(callback)
        assert refusal(answer) == "binding"
        assert "ordinaut_session" not in victim.cookies
        # ... and with another sign-in's binding cookie.
        to_authorization_server(victim, server)
        assert refusal(victim.get(to_authorization_server(attacker, server))) == "binding"
        assert not auth.seen("/token", "POST")


def test_an_answer_naming_another_issuer_is_refused(auth, protected):
    server = protected(auth)
    with httpx.Client() as client:
        assert refusal(client.get(changed(to_authorization_server(client, server), iss="http://127.0.0.1:1"))) == "issuer"
        # The server promises `iss` (RFC 9207): an answer without it is refused too.
        assert refusal(client.get(changed(to_authorization_server(client, server), iss=None))) == "issuer"
    assert not auth.seen("/token", "POST")


def test_the_authorization_servers_error_answer_reaches_the_sign_in_page(auth, protected):
    server = protected(auth)
    auth.consent_scopes = set()  # the user grants nothing: access_denied
    with httpx.Client() as client:
        answer = client.get(to_authorization_server(client, server))
        assert refusal(answer) == "denied:access_denied"
        assert answer.headers["location"].startswith("/ext/webui/static/?")
        # Nothing the authorization server wrote is passed on: only the registered error code.
        assert "granted" not in answer.headers["location"]
        assert "ordinaut_session" not in client.cookies


def test_a_token_for_another_audience_is_refused(auth, protected):
    server = protected(auth)
    mint = auth.mint
    auth.mint = lambda **claims: mint(**{**claims, "aud": "http://127.0.0.1:1/mcp"})
    with httpx.Client() as client:
        answer = client.get(to_authorization_server(client, server))
        assert refusal(answer) == "token"
        assert "ordinaut_session" not in client.cookies
    assert len(auth.seen("/token", "POST")) == 1
    # The line is written before the answer, but read from the server's stderr by another thread.
    wait_for(lambda: any("sign-in refused (token)" in line and "not for this resource" in line for line in server.log),
             message=f"the refusal in the server log: {server.log}")


def test_a_replayed_code_is_refused_by_the_authorization_server(auth, protected):
    server = protected(auth)
    with httpx.Client() as client:
        first = to_authorization_server(client, server)
        assert refusal(client.get(first)) is None
        used_code = parse_qs(urlsplit(first).query)["code"][0]
        # A new sign-in (its own state and binding), carrying the code already exchanged.
        second = to_authorization_server(client, server)
        assert refusal(client.get(changed(second, code=used_code))) == "exchange"
    tokens = auth.seen("/token", "POST")
    assert len(tokens) == 2 and tokens[1].params["code"] == [used_code]


def test_only_paths_on_this_server_are_returned_to(auth, protected):
    server = protected(auth)
    with httpx.Client() as client:
        for unsafe in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            answer = client.get(to_authorization_server(client, server, {"return": unsafe}))
            assert refusal(answer) is None and answer.headers["location"] == "/ext/webui/", unsafe


def test_without_a_ui_client_only_tokens_are_offered(auth, binary):
    server = start_protected(binary, auth)
    try:
        assert "oauth" not in httpx.get(server.public + "/session").json()
        assert httpx.get(server.public + "/session/oauth").status_code == 404
    finally:
        server.stop()


def test_without_a_client_id_the_web_ui_registers_itself_once(auth, binary):
    server = start_protected(binary, auth, {"ORDINAUT_UI_OAUTH_REGISTER": "true"})
    try:
        for _ in range(2):
            with httpx.Client(follow_redirects=True) as client:
                assert client.get(server.public + "/session").json()["oauth"]["start"] == "/session/oauth"
                assert str(client.get(server.public + "/session/oauth").url) == server.public + "/ext/webui/static/"
                assert client.get(server.public + "/session").json()["signed_in"] is True
    finally:
        server.stop()
    registered = [c for c in auth.clients.values() if c.get("client_name", "").startswith("Ordinaut web UI")]
    assert len(registered) == 1, registered
    assert registered[0]["redirect_uris"] == [server.public + CALLBACK] and registered[0]["token_endpoint_auth_method"] == "none"
    assert registered[0]["grant_types"] == ["authorization_code"]


@pytest.mark.parametrize("env, message", [
    ({"ORDINAUT_UI_OAUTH_CLIENT_ID": "webui"}, "ORDINAUT_UI_OAUTH_CLIENT_ID needs ORDINAUT_OAUTH_ISSUER"),
    ({"ORDINAUT_UI_OAUTH_CLIENT_SECRET": "s"}, "ORDINAUT_UI_OAUTH_CLIENT_SECRET needs ORDINAUT_UI_OAUTH_CLIENT_ID"),
    ({"ORDINAUT_UI_OAUTH_REGISTER": "true"}, "ORDINAUT_UI_OAUTH_REGISTER needs ORDINAUT_OAUTH_ISSUER"),
    ({"ORDINAUT_UI_OAUTH_MAX_PENDING": "0"}, "ORDINAUT_UI_OAUTH_MAX_PENDING"),
    ({"ORDINAUT_UI_OAUTH_PENDING_SECONDS": "5"}, "ORDINAUT_UI_OAUTH_PENDING_SECONDS"),
])
def test_a_web_ui_client_without_what_it_needs_stops_the_start(binary, tmp_path, env, message):
    finished = subprocess.run([str(binary), "serve", "--port", "0"], env={**os.environ, "ORDINAUT_DATA_DIR": str(tmp_path), **env},
                              capture_output=True, text=True, timeout=30)
    assert finished.returncode != 0 and message in finished.stderr, finished.stderr


# --- In a real browser ----------------------------------------------------------------------------

def test_sign_in_with_the_authorization_server_in_a_browser_then_sign_out(auth, protected, tmp_path):
    server = protected(auth)
    browser = Browser(tmp_path)
    try:
        auth.consent_scopes = set()
        browser.open(server.public + "/ext/webui/")
        browser.heading("Sign in")
        browser.shot("sign-in-choices")
        browser.click("#oauth-sign-in")
        # Declined at the authorization server: back on the sign-in page, with why.
        browser.text("main .error", "declined the sign-in (access_denied)")
        assert "signin_error" not in browser.driver.current_url
        browser.shot("declined")
        auth.consent_scopes = None
        assert browser.find("#oauth-sign-in").text == "Sign in with 127.0.0.1"
        browser.click("#oauth-sign-in")
        browser.heading("Overview")
        browser.text("#who", "Signed in as")
        cookie = browser.driver.get_cookie("ordinaut_session")
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
        assert browser.driver.get_cookie("ordinaut_oauth") is None
        browser.shot("signed-in")
        browser.click("#sign-out")
        browser.heading("Sign in")
        browser.find("#oauth-sign-in")
        assert httpx.get(server.public + "/session", cookies={"ordinaut_session": cookie["value"]}).json()["signed_in"] is False
        browser.assert_console_clean()
    finally:
        browser.quit()
