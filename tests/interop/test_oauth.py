"""Ordinaut as an OAuth 2.1 resource server (MCP authorization, 2025-11-25), against a real authorization
server on loopback (oauth_server.py) and the official MCP SDK client.

The contract: Ordinaut is started with ORDINAUT_OAUTH_ISSUER (it discovers the AS through RFC 8414 and
then its JWKS) and ORDINAUT_PUBLIC_URL; its resource identifier, which JWT access tokens must carry as
`aud`, is `<PUBLIC_URL>/mcp`. It publishes RFC 9728 metadata, answers 401 with a `resource_metadata`
challenge, 403 `insufficient_scope` when a tool needs a scope the token lacks (task_list: tasks:read,
task_create: tasks:write; the MCP surface itself needs only a valid token), and 503 when it cannot
obtain any key to check a token with.

The `selftest` tests need no Ordinaut: they check the authorization server alone, and the SDK OAuth
client harness against the SDK's own resource server (`pytest -k selftest`)."""
import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import re
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import httpx2
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

import oauth_jose
from conftest import free_port, start_server, wait_for
from oauth_server import AuthorizationServer
from test_http_raw import ACCEPT, META, events
from test_tasks import pipeline, work_extension

MODERN = "2026-07-28"
REDIRECT_URI = "http://127.0.0.1:33418/callback"  # never contacted: the stand-in browser stops at the redirect


# --- fixtures and helpers ------------------------------------------------------------------------------

@pytest.fixture
def auth():
    with AuthorizationServer() as server:
        yield server


def start_protected(binary, auth: AuthorizationServer, env: dict | None = None):
    """`ordinaut serve` guarded by `auth`. Its resource identifier derives from ORDINAUT_PUBLIC_URL, so the
    port is chosen before it starts (a second `--port` overrides start_server's `--port 0`); a port found
    free can be taken before Ordinaut binds it, hence the few attempts."""
    for _ in range(5):
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        try:
            server = start_server(binary, "--port", str(port), env={
                "ORDINAUT_REQUIRE_SCOPES": "true", "ORDINAUT_OAUTH_ISSUER": auth.issuer,
                "ORDINAUT_PUBLIC_URL": public, **(env or {})})
        except RuntimeError:
            continue
        assert server.port == port
        server.public = public
        server.resource = public + "/mcp"
        server.metadata_url = public + "/.well-known/oauth-protected-resource/mcp"
        auth.default_audience = server.resource
        return server
    raise RuntimeError("ordinaut serve did not start on a chosen port")


@pytest.fixture
def ordinaut(binary, tmp_path):
    """Starts Ordinaut guarded by an AS when called (so that a test can prepare the AS first); stops it after."""
    started = []

    def start(auth: AuthorizationServer, **env):
        root = work_extension(tmp_path / "extensions", tmp_path / "work.log")
        server = start_protected(binary, auth, {"ORDINAUT_EXT_PATHS": str(root), **env})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def guarded(binary):
    """One AS and one Ordinaut for the tests that change nothing on either (the failure matrix)."""
    with AuthorizationServer() as auth:
        server = start_protected(binary, auth)
        server.auth = auth
        yield server
        server.stop()


def mcp_request(server, authorization=None, method="tools/call", name="task_list", arguments=None, timeout=15,
                url=None) -> httpx.Response:
    """A stateless (2026-07-28) MCP request; `authorization` is the whole header value, str or bytes.

    Sent with http.client, which puts a header value on the wire as given: httpx (h11) refuses values
    with trailing spaces such as "Bearer ", which the malformed-header cases need."""
    headers = dict(ACCEPT, **{"MCP-Protocol-Version": MODERN, "Mcp-Method": method})
    params = {"_meta": META}
    if method == "tools/call":
        headers["Mcp-Name"] = name
        params.update(name=name, arguments=arguments or {})
    if authorization is not None:
        headers["Authorization"] = authorization
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    target = urlsplit(url or server.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=timeout)
    try:
        connection.request("POST", target.path + (f"?{target.query}" if target.query else ""), body=body, headers=headers)
        answer = connection.getresponse()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=answer.read())
    finally:
        connection.close()


def bearer(token: str) -> str:
    return f"Bearer {token}"


def rpc_answer(response: httpx.Response) -> dict:
    """The JSON-RPC response message in a JSON or SSE body."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        messages = [message for _, message in events(response)]
    else:
        messages = [response.json()]
    return next(m for m in messages if "result" in m or "error" in m)


def assert_served(response: httpx.Response) -> dict:
    assert response.status_code == 200, (response.status_code, response.headers.get("www-authenticate"), response.text)
    answer = rpc_answer(response)
    assert "result" in answer and not answer["result"].get("isError"), answer
    return answer["result"]


def challenge(response: httpx.Response) -> dict:
    """The parameters of the response's Bearer challenge (RFC 6750 §3), e.g. {'error': 'invalid_token'}."""
    header = response.headers.get("www-authenticate", "")
    assert header[:7].lower() == "bearer ", f"no Bearer challenge: {header!r}"
    pattern = r'([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))'
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in re.finditer(pattern, header[7:])}


def assert_refused(response: httpx.Response, server, status: int = 401, error: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.headers.get("www-authenticate"), response.text)
    params = challenge(response)
    assert params.get("resource_metadata") == server.metadata_url, params
    if error is not None:
        assert params.get("error") == error, params
    return params


class MemoryStorage:
    """The SDK's TokenStorage protocol, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens) -> None:
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info) -> None:
        self.client_info = client_info


class StandInBrowser:
    """Plays the user's browser for the SDK: `redirect` opens the authorization URL (the AS approves at
    once) without following the redirect, and `callback` hands the code, state and iss back to the SDK."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._pending: AuthorizationCodeResult | None = None

    async def redirect(self, url: str) -> None:
        self.urls.append(url)
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url)  # httpx does not follow redirects unless told to
        assert response.status_code == 302, response.text
        location = urlsplit(response.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
        query = {name: values[0] for name, values in parse_qs(location.query).items()}
        assert "error" not in query, query
        self._pending = AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        result, self._pending = self._pending, None
        assert result is not None, "the SDK asked for the callback before opening the authorization URL"
        return result


def sdk_auth(server_url: str, browser: StandInBrowser) -> OAuthClientProvider:
    metadata = OAuthClientMetadata(client_name="ordinaut-interop", redirect_uris=[REDIRECT_URI],
                                   grant_types=["authorization_code", "refresh_token"], response_types=["code"])
    return OAuthClientProvider(server_url=server_url, client_metadata=metadata, storage=MemoryStorage(),
                               redirect_handler=browser.redirect, callback_handler=browser.callback)


def sdk_client(url: str, provider: OAuthClientProvider, mode: str = "legacy"):
    http = httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(30, read=120))
    return http, Client(streamable_http_client(url, http_client=http), mode=mode, cache=None)


def authorization_requests(auth: AuthorizationServer) -> list:
    return auth.seen("/authorize", "GET")


# --- the authorization server on its own (passes without Ordinaut) --------------------------------------

def test_oauth_server_selftest_discovery_and_registration(auth):
    with httpx.Client(base_url=auth.issuer, timeout=10) as http:
        oauth = http.get("/.well-known/oauth-authorization-server").json()
        assert http.get("/.well-known/openid-configuration").json() == oauth
        assert oauth["issuer"] == auth.issuer and oauth["jwks_uri"] == auth.issuer + "/jwks"
        assert oauth["code_challenge_methods_supported"] == ["S256"]
        assert set(oauth["grant_types_supported"]) == {"authorization_code", "refresh_token", "client_credentials"}
        assert {"tasks:read", "tasks:write", "mcp", "admin"} <= set(oauth["scopes_supported"])
        for key in ("authorization_endpoint", "token_endpoint", "registration_endpoint", "introspection_endpoint"):
            assert oauth[key].startswith(auth.issuer + "/")
        assert http.get("/.well-known/nothing").status_code == 404

        public = http.post("/register", json={"redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "none",
                                              "grant_types": ["authorization_code", "refresh_token"]})
        assert public.status_code == 201 and "client_secret" not in public.json()
        confidential = http.post("/register", json={"redirect_uris": [REDIRECT_URI], "client_name": "c"}).json()
        assert confidential["token_endpoint_auth_method"] == "client_secret_basic" and confidential["client_secret"]
        assert confidential["client_name"] == "c" and confidential["client_id"] in auth.clients
        for bad, error in [({"redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri"),
                           ({"redirect_uris": [REDIRECT_URI + "#f"]}, "invalid_redirect_uri"),
                           ({"redirect_uris": []}, "invalid_redirect_uri"),
                           ({"redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"),
                           ({"redirect_uris": [REDIRECT_URI], "scope": "root"}, "invalid_client_metadata")]:
            refused = http.post("/register", json=bad)
            assert refused.status_code == 400 and refused.json()["error"] == error, bad


def authorize(http: httpx.Client, client_id: str, verifier: str, **overrides) -> httpx.Response:
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "state": "s-1",
             "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256",
             "scope": "mcp tasks:read", "resource": "http://127.0.0.1:1/mcp", **overrides}
    return http.get("/authorize?" + urlencode({k: v for k, v in query.items() if v is not None}))


def redirect_query(response: httpx.Response) -> dict:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def test_oauth_server_selftest_code_flow_with_pkce_refresh_and_client_credentials(auth):
    jwt = pytest.importorskip("jwt")  # PyJWT (an mcp dependency): an independent verifier of what joserfc signed
    resource = "http://127.0.0.1:1/mcp"
    verifier = secrets.token_urlsafe(48)
    with httpx.Client(base_url=auth.issuer, timeout=10) as http:
        client = http.post("/register", json={"redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "none",
                                              "grant_types": ["authorization_code", "refresh_token"]}).json()
        cid = client["client_id"]
        assert authorize(http, "nobody", verifier).status_code == 400  # never redirected to an unverified URI
        assert authorize(http, cid, verifier, redirect_uri=REDIRECT_URI + "x").status_code == 400
        for overrides, error in [({"code_challenge_method": "plain"}, "invalid_request"),
                                 ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
                                 ({"resource": None}, "invalid_target"), ({"resource": "relative/mcp"}, "invalid_target"),
                                 ({"scope": "mcp root"}, "invalid_scope"), ({"response_type": "token"}, "unsupported_response_type"),
                                 ({"state": None}, "invalid_request")]:
            query = redirect_query(authorize(http, cid, verifier, **overrides))
            assert query["error"] == error and query["iss"] == auth.issuer, (overrides, query)

        query = redirect_query(authorize(http, cid, verifier))
        assert query["state"] == "s-1" and query["iss"] == auth.issuer
        exchange = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT_URI,
                    "client_id": cid, "code_verifier": verifier, "resource": resource}
        wrong = http.post("/token", data=dict(exchange, code_verifier=secrets.token_urlsafe(48)))
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        assert http.post("/token", data=exchange).json()["error"] == "invalid_grant"  # the failed try used the code up

        exchange["code"] = redirect_query(authorize(http, cid, verifier))["code"]
        assert http.post("/token", data=dict(exchange, resource="http://127.0.0.1:2/mcp")).json()["error"] == "invalid_target"
        exchange["code"] = redirect_query(authorize(http, cid, verifier))["code"]
        issued = http.post("/token", data=exchange)
        assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
        tokens = issued.json()
        assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 300 and tokens["scope"] == "mcp tasks:read"
        assert http.post("/token", data=exchange).json()["error"] == "invalid_grant"  # codes are single use

        jwks = http.get("/jwks").json()
        header, claims = oauth_jose.decode_unverified(tokens["access_token"])
        assert header == {"alg": "RS256", "typ": "at+jwt", "kid": auth.keys.current.kid}
        assert [k["kid"] for k in jwks["keys"]] == [header["kid"]]
        key = jwt.PyJWK(jwks["keys"][0]).key
        verified = jwt.decode(tokens["access_token"], key, algorithms=["RS256"], audience=resource, issuer=auth.issuer)
        assert verified["scope"] == "mcp tasks:read" and verified["client_id"] == cid and verified["sub"] == "user-1"
        assert verified["exp"] - verified["iat"] == 300 and verified["nbf"] <= time.time() and verified["jti"]
        assert jose_jwt.decode(tokens["access_token"], KeySet.import_key_set(jwks), algorithms=["RS256"]).claims == claims

        refreshed = http.post("/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                              "client_id": cid, "scope": "mcp"}).json()
        assert refreshed["scope"] == "mcp" and refreshed["refresh_token"] != tokens["refresh_token"]
        assert oauth_jose.decode_unverified(refreshed["access_token"])[1]["aud"] == resource
        reused = http.post("/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": cid})
        assert reused.json()["error"] == "invalid_grant"  # refresh tokens rotate
        assert http.post("/token", data={"grant_type": "client_credentials", "client_id": cid}).json()["error"] == "unauthorized_client"

        machine = auth.register_client(scope="mcp tasks:read")
        basic = base64.b64encode(f"{machine['client_id']}:{machine['client_secret']}".encode()).decode()
        granted = http.post("/token", data={"grant_type": "client_credentials", "resource": resource},
                            headers={"Authorization": f"Basic {basic}"}).json()
        assert oauth_jose.decode_unverified(granted["access_token"])[1]["aud"] == resource and "refresh_token" not in granted
        wrong_method = http.post("/token", data={"grant_type": "client_credentials", "client_id": machine["client_id"],
                                                 "client_secret": machine["client_secret"]})
        assert wrong_method.status_code == 401  # registered for client_secret_basic
        poster = auth.register_client(auth_method="client_secret_post")
        posted = http.post("/token", data={"grant_type": "client_credentials", "client_id": poster["client_id"],
                                           "client_secret": poster["client_secret"], "scope": "tasks:write"})
        assert posted.json()["scope"] == "tasks:write"
        bad = http.post("/token", data={"grant_type": "client_credentials", "client_id": poster["client_id"], "client_secret": "x"})
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert [r.param("resource") for r in auth.seen("/token")][:1] == [resource]


def test_oauth_server_selftest_minted_and_forged_tokens(auth):
    jwt = pytest.importorskip("jwt")
    auth.default_audience = "http://127.0.0.1:1/mcp"

    def verify(token: str, **options):
        keys = {k["kid"]: k for k in httpx.get(auth.issuer + "/jwks", timeout=5).json()["keys"]}
        header, _ = oauth_jose.decode_unverified(token)
        return jwt.decode(token, jwt.PyJWK(keys[header["kid"]]).key, algorithms=[header["alg"]],
                          audience=auth.default_audience, issuer=auth.issuer, **options)

    first = auth.keys.current.kid
    assert verify(auth.mint(scope="mcp"))["scope"] == "mcp"
    for alg in ("ES256", "EdDSA"):
        kid = auth.rotate_key(alg)
        token = auth.mint()
        assert oauth_jose.decode_unverified(token)[0]["kid"] == kid and verify(token)["aud"] == auth.default_audience
    assert verify(auth.mint(alg="RS256"))  # an older published key is still usable by alg
    assert len(httpx.get(auth.issuer + "/jwks").json()["keys"]) == 3
    auth.remove_key(first)
    assert first not in {k["kid"] for k in auth.keys.jwks()["keys"]}
    assert auth.mint(sign_with=first)  # the removed key still signs: a token from a revoked key
    hidden = auth.unpublished_key()
    assert hidden not in {k["kid"] for k in auth.keys.jwks()["keys"]}

    with pytest.raises(jwt.ExpiredSignatureError):
        verify(auth.mint(exp_in=-120), leeway=60)
    with pytest.raises(jwt.ImmatureSignatureError):
        verify(auth.mint(nbf_in=600))
    with pytest.raises(jwt.InvalidAudienceError):
        verify(auth.mint(aud="http://elsewhere/mcp"))
    assert "aud" not in oauth_jose.decode_unverified(auth.mint(aud=None))[1]
    header, claims = oauth_jose.decode_unverified(auth.mint(kid="nope", extra_header={"x5u": "http://evil"}, scope=None,
                                                            extra_claims={"scp": ["mcp", "tasks:read"]}))
    assert header["kid"] == "nope" and header["x5u"] == "http://evil" and claims["scp"] == ["mcp", "tasks:read"]
    assert "scope" not in claims

    unsigned = auth.mint_unsigned()
    assert unsigned.endswith(".") and oauth_jose.decode_unverified(unsigned)[0]["alg"] == "none"
    rsa = auth.rotate_key("RS256")
    forged = auth.mint_hs256_with_public_key("pem")
    header, _ = oauth_jose.decode_unverified(forged)
    assert header["alg"] == "HS256" and header["kid"] == rsa
    signing_input, _, signature = forged.rpartition(".")
    pem = auth.keys.current.public_key_encodings()["pem"]
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert oauth_jose.b64url(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()) == signature
    tampered = oauth_jose.tamper(auth.mint(scope="mcp"), scope="mcp admin")
    assert oauth_jose.decode_unverified(tampered)[1]["scope"] == "mcp admin"
    with pytest.raises(jwt.InvalidSignatureError):
        verify(tampered)
    assert len(auth.mint(extra_claims={"pad": "x" * 9000})) > 8192


def test_oauth_server_selftest_jwks_modes_and_request_record(auth):
    before = auth.jwks_fetches()
    with httpx.Client(base_url=auth.issuer, timeout=15) as http:
        auth.jwks_mode = "down"
        assert http.get("/jwks").status_code == 503
        auth.jwks_mode = "garbage"
        garbage = http.get("/jwks")
        assert garbage.status_code == 200
        with pytest.raises(ValueError):
            garbage.json()
        auth.jwks_mode = "reset"
        with pytest.raises(httpx.TransportError):
            http.get("/jwks")
        auth.jwks_mode, auth.jwks_delay = "slow", 2.0
        with ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            slow = pool.submit(httpx.get, auth.issuer + "/jwks", timeout=15)
            wait_for(lambda: auth.jwks_fetches() == before + 4, timeout=5, message="the slow JWKS request")
            assert http.get("/.well-known/oauth-authorization-server").status_code == 200  # not blocked meanwhile
            assert not slow.done()  # answered while the slow request still waits: no timing threshold needed
            assert slow.result(timeout=10).json()["keys"] and time.monotonic() - started >= 1.9
        auth.jwks_mode = "ok"
        assert http.get("/jwks").json() == auth.keys.jwks()
    assert auth.jwks_fetches() == before + 5


def test_oauth_server_selftest_introspection(auth):
    rs = auth.register_client()
    credentials = (rs["client_id"], rs["client_secret"])
    with httpx.Client(base_url=auth.issuer, timeout=10) as http:
        token = auth.issue_opaque(aud="http://127.0.0.1:1/mcp", scope="mcp tasks:read")
        assert http.post("/introspect", data={"token": token}).status_code == 401
        active = http.post("/introspect", data={"token": token}, auth=credentials).json()
        assert active["active"] is True and active["aud"] == "http://127.0.0.1:1/mcp" and active["scope"] == "mcp tasks:read"
        assert active["iss"] == auth.issuer and active["exp"] > time.time() and "revoked" not in active
        auth.revoke(token)
        assert http.post("/introspect", data={"token": token}, auth=credentials).json() == {"active": False}
        expired = auth.issue_opaque(exp_in=-1)
        assert http.post("/introspect", data={"token": expired}, auth=credentials).json() == {"active": False}
        assert http.post("/introspect", data={"token": "opaque.unknown"}, auth=credentials).json() == {"active": False}
        signed = auth.mint(aud="http://127.0.0.1:1/mcp")
        assert http.post("/introspect", data={"token": signed}, auth=credentials).json()["active"] is True
        auth.revoke(signed)
        assert http.post("/introspect", data={"token": signed}, auth=credentials).json() == {"active": False}
        form = http.post("/introspect", data={"token": auth.issue_opaque(), "client_id": rs["client_id"],
                                              "client_secret": rs["client_secret"]})
        assert form.status_code == 401  # registered for client_secret_basic, so the post method is refused

        auth.access_token_format = "opaque"
        granted = http.post("/token", data={"grant_type": "client_credentials", "resource": "http://127.0.0.1:1/mcp"},
                            auth=credentials).json()
        assert granted["access_token"].startswith("opaque.")
        assert http.post("/introspect", data={"token": granted["access_token"]}, auth=credentials).json()["active"] is True


@contextlib.contextmanager
def sdk_resource_server(auth: AuthorizationServer, required_scopes=("mcp",)):
    """The SDK's own MCP server as a resource server verifying our JWTs through the JWKS: a reference
    to check the client-side harness (StandInBrowser, MemoryStorage) with before Ordinaut implements OAuth."""
    import uvicorn
    from mcp.server.auth.provider import AccessToken
    from mcp.server.auth.settings import AuthSettings
    from mcp.server.mcpserver import MCPServer

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    resource = f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"

    class JwksVerifier:
        async def verify_token(self, token: str):
            async with httpx2.AsyncClient(timeout=5) as http:
                keys = KeySet.import_key_set((await http.get(auth.issuer + "/jwks")).json())
            try:
                claims = jose_jwt.decode(token, keys, algorithms=["RS256", "ES256"]).claims
                jose_jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": auth.issuer},
                                           aud={"essential": True, "value": resource}).validate(claims)
            except Exception:  # noqa: BLE001 - any failure is an invalid token
                return None
            return AccessToken(token=token, client_id=claims["client_id"], scopes=claims.get("scope", "").split(),
                               expires_at=claims["exp"], resource=claims["aud"], subject=claims["sub"], claims=claims)

    app = MCPServer("oauth-harness", token_verifier=JwksVerifier(), auth=AuthSettings(
        issuer_url=auth.issuer, resource_server_url=resource, required_scopes=list(required_scopes),
        validate_token_resource=True))

    @app.tool()
    def task_list() -> str:
        return "no tasks"

    server = uvicorn.Server(uvicorn.Config(app.streamable_http_app(), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, timeout=20, message="the SDK resource server")
        yield resource
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


async def test_oauth_server_selftest_sdk_client_against_sdk_resource_server(auth):
    """The whole MCP authorization flow of the SDK client against this AS, with the SDK's resource server."""
    with sdk_resource_server(auth) as resource:
        http, client = sdk_client(resource, sdk_auth(resource, StandInBrowser()))
        async with http, client:
            result = await client.call_tool("task_list", {})
        assert result.content[0].text == "no tasks"
    [request] = authorization_requests(auth)
    assert request.param("resource") == resource and request.param("code_challenge_method") == "S256"
    assert [r.param("resource") for r in auth.seen("/token")] == [resource]
    assert len(auth.seen("/register")) == 1 and auth.jwks_fetches() >= 1


# --- Ordinaut: discovery and challenges -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"])
def test_protected_resource_metadata(guarded, path):
    response = httpx.get(guarded.public + path, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    metadata = response.json()
    assert metadata["resource"] == guarded.resource
    assert metadata["authorization_servers"] == [guarded.auth.issuer]
    assert {"tasks:read", "tasks:write", "mcp", "admin"} <= set(metadata["scopes_supported"])
    assert metadata["bearer_methods_supported"] == ["header"]


def test_a_request_without_a_token_is_challenged_towards_the_metadata(guarded):
    response = mcp_request(guarded)
    params = assert_refused(response, guarded, 401)
    assert params.get("scope"), params  # MCP 2025-11-25: SHOULD name the scopes to ask for
    assert "error" not in params, params  # RFC 6750 §3.1: no error code when no credentials were sent
    assert httpx.get(guarded.base + "/health", timeout=5).status_code == 200  # health stays open


def test_a_token_in_the_query_string_is_not_accepted(guarded):
    # MCP 2025-11-25 "Access tokens MUST NOT be included in the URI query string".
    response = mcp_request(guarded, url=guarded.url + "?access_token=" + guarded.auth.mint())
    assert_refused(response, guarded, 401)


# --- Ordinaut: the official SDK through the whole flow --------------------------------------------------

@pytest.mark.parametrize("mode", ["legacy", MODERN])
async def test_the_sdk_client_authorizes_and_calls_tools(auth, ordinaut, mode):
    """401 → RFC 9728 metadata → RFC 8414 metadata → RFC 7591 registration → code + PKCE → token → MCP."""
    server = ordinaut(auth)
    http, client = sdk_client(server.url, sdk_auth(server.url, StandInBrowser()), mode)
    async with http, client:
        listed = await client.call_tool("task_list", {})
        assert not listed.is_error, listed
        assert "task_list" in {tool.name for tool in (await client.list_tools()).tools}
    # One authorization, or two if Ordinaut's 401 challenged for less than task_list needs (then a step-up).
    requests = authorization_requests(auth)
    assert 1 <= len(requests) <= 2
    for request in requests:
        assert request.param("resource") == server.resource  # RFC 8707: the canonical URI of the MCP server
        assert request.param("code_challenge_method") == "S256" and request.param("client_id") in auth.clients
    assert [r.param("resource") for r in auth.seen("/token")] == [server.resource] * len(requests)
    assert len(auth.seen("/register")) == 1
    assert oauth_jose.decode_unverified(auth.issued[-1]["access_token"])[1]["aud"] == server.resource


async def test_the_sdk_client_steps_up_when_a_tool_needs_more_scope(auth, ordinaut):
    """MCP 2025-11-25 "Step-Up Authorization Flow". SDK 2.3 does it by itself: OAuthClientProvider treats a 403
    with error="insufficient_scope" like a 401, re-authorizes asking for the union of the scopes it held and
    the challenged ones (SEP-2350), and retries the request once."""
    auth.consent_scopes = {"mcp", "tasks:read"}  # the user grants no more than this at first
    server = ordinaut(auth)
    http, client = sdk_client(server.url, sdk_auth(server.url, StandInBrowser()))
    async with http, client:
        assert not (await client.call_tool("task_list", {})).is_error
        first_grants = [issued["scope"] for issued in auth.issued]
        assert all("tasks:write" not in scope.split() for scope in first_grants)
        assert "task_create" not in {tool.name for tool in (await client.list_tools()).tools}  # filtered by scope
        auth.consent_scopes = None  # now the user approves whatever is asked
        # A pipeline of a built-in tool the stepped-up token may call: a task acts with its creator's scopes.
        created = await client.call_tool("task_create", {"title": "stepped up", "schedule_kind": "once",
                                                         "schedule_expr": "2099-01-01T00:00:00Z",
                                                         "payload": {"pipeline": [{"id": "list", "uses": "task_list", "with": {}}]}})
        assert not created.is_error, created
        assert created.structured_content["title"] == "stepped up"
    step_up = authorization_requests(auth)[-1]
    assert {"tasks:write", "tasks:read"} <= set(step_up.param("scope").split())  # the union, not just the new scope
    assert step_up.param("resource") == server.resource
    assert len(authorization_requests(auth)) == len(first_grants) + 1
    assert len(auth.seen("/register")) == 1  # the registration is reused


def test_tools_are_listed_by_scope_and_the_mcp_surface_needs_only_a_valid_token(guarded):
    auth = guarded.auth

    def listed(scope: str) -> set:
        result = assert_served(mcp_request(guarded, bearer(auth.mint(scope=scope)), method="tools/list"))
        # The listing depends on the token, so no cache may share it across tokens (2026-07-28 SEP-2549).
        assert result["cacheScope"] == "private", result.get("cacheScope")
        return {tool["name"] for tool in result["tools"]}

    assert not {"task_list", "task_create"} & listed("mcp")
    assert "task_list" in listed("mcp tasks:read") and "task_create" not in listed("mcp tasks:read")
    assert {"task_list", "task_create"} <= listed("mcp tasks:read tasks:write")
    initialize = httpx.post(guarded.url, headers=dict(ACCEPT, Authorization=bearer(auth.mint(scope="mcp"))), timeout=10,
                            json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    assert initialize.status_code == 200 and "result" in rpc_answer(initialize)


# --- Ordinaut: the failure matrix (raw HTTP) -----------------------------------------------------------

OTHER = "http://127.0.0.1:1/mcp"


def corrupt_signature(token: str) -> str:
    head, _, signature = token.rpartition(".")
    raw = bytearray(oauth_jose.b64url_decode(signature))
    raw[len(raw) // 2] ^= 0x01
    return f"{head}.{oauth_jose.b64url(bytes(raw))}"


MATRIX = [
    # id, Authorization header from (auth, server), expected status(es), expected WWW-Authenticate error
    ("valid", lambda a, s: bearer(a.mint()), 200, None),
    ("expired", lambda a, s: bearer(a.mint(iat_in=-600, nbf_in=-600, exp_in=-120)), 401, "invalid_token"),
    ("expired-within-60s-leeway", lambda a, s: bearer(a.mint(iat_in=-320, nbf_in=-320, exp_in=-20)), 200, None),
    ("not-yet-valid", lambda a, s: bearer(a.mint(nbf_in=600)), 401, "invalid_token"),
    ("wrong-audience", lambda a, s: bearer(a.mint(aud=OTHER)), 401, "invalid_token"),
    ("no-audience", lambda a, s: bearer(a.mint(aud=None)), 401, "invalid_token"),
    ("audience-list-naming-us", lambda a, s: bearer(a.mint(aud=[OTHER, s.resource])), 200, None),
    ("wrong-issuer", lambda a, s: bearer(a.mint(iss="http://127.0.0.1:1")), 401, "invalid_token"),
    ("no-expiry", lambda a, s: bearer(a.mint(extra_claims={"exp": None})), 401, "invalid_token"),
    ("alg-none", lambda a, s: bearer(a.mint_unsigned()), 401, "invalid_token"),
    ("hs256-keyed-with-public-pem", lambda a, s: bearer(a.mint_hs256_with_public_key("pem")), 401, "invalid_token"),
    ("hs256-keyed-with-public-pkcs1", lambda a, s: bearer(a.mint_hs256_with_public_key("pem_pkcs1")), 401, "invalid_token"),
    ("hs256-keyed-with-public-der", lambda a, s: bearer(a.mint_hs256_with_public_key("der")), 401, "invalid_token"),
    ("hs256-keyed-with-public-jwk", lambda a, s: bearer(a.mint_hs256_with_public_key("jwk")), 401, "invalid_token"),
    ("tampered-payload", lambda a, s: bearer(oauth_jose.tamper(a.mint(scope="mcp"), scope="mcp tasks:read tasks:write admin")),
     401, "invalid_token"),
    ("tampered-signature", lambda a, s: bearer(corrupt_signature(a.mint())), 401, "invalid_token"),
    ("not-a-jwt", lambda a, s: "Bearer not-a-jwt", 401, "invalid_token"),
    ("over-8KiB", lambda a, s: bearer(a.mint(extra_claims={"pad": "x" * 9000})), 401, None),
    ("bearer-without-token", lambda a, s: "Bearer", 401, None),
    ("bearer-space-without-token", lambda a, s: "Bearer ", 401, None),
    ("bearer-two-spaces-without-token", lambda a, s: "Bearer  ", 401, None),
    ("basic-scheme", lambda a, s: "Basic dXNlcjpwYXNz", 401, None),
    ("non-ascii", lambda a, s: "Bearer tök€n".encode(), 401, None),
    # RFC 7235 §2.1: the auth-scheme is case-insensitive.
    ("lowercase-scheme", lambda a, s: "bearer " + a.mint(), 200, None),
    # RFC 6750 §2.1 is `"Bearer" 1*SP b64token`, so two spaces before a good token are legal syntax: the
    # contract calls this malformed (401); accepting it is also defensible. Anything else is a bug.
    ("two-spaces-before-a-good-token", lambda a, s: "Bearer  " + a.mint(), (200, 401), None),
    ("scp-array-instead-of-scope", lambda a, s: bearer(a.mint(scope=None, extra_claims={"scp": ["mcp", "tasks:read"]})), 200, None),
    ("insufficient-scope", lambda a, s: bearer(a.mint(scope="mcp")), 403, "insufficient_scope"),
    ("no-scope-at-all", lambda a, s: bearer(a.mint(scope=None)), 403, "insufficient_scope"),
]


@pytest.mark.parametrize("make, status, error", [case[1:] for case in MATRIX], ids=[case[0] for case in MATRIX])
def test_failure_matrix(guarded, make, status, error):
    response = mcp_request(guarded, make(guarded.auth, guarded))
    if status == 200:
        assert_served(response)
        return
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.headers.get("www-authenticate"), response.text)
    if response.status_code == 200:
        assert_served(response)
        return
    params = assert_refused(response, guarded, response.status_code, error)
    if response.status_code == 403:  # MCP 2025-11-25 "Runtime Insufficient Scope Errors"
        assert "tasks:read" in params.get("scope", "").split(), params


def test_a_tool_needing_tasks_write_names_it_in_the_challenge(guarded):
    token = guarded.auth.mint(scope="mcp tasks:read")
    response = mcp_request(guarded, bearer(token), name="task_create", arguments={
        "title": "t", "schedule_kind": "once", "schedule_expr": "2099-01-01T00:00:00Z", "payload": pipeline()})
    params = assert_refused(response, guarded, 403, "insufficient_scope")
    assert "tasks:write" in params["scope"].split()


# --- Ordinaut: keys and the JWKS -----------------------------------------------------------------------

def hammer(server, authorization: str, count: int) -> list[int]:
    return [mcp_request(server, authorization).status_code for _ in range(count)]


def test_unknown_kids_refetch_the_jwks_but_not_more_than_once_per_window(auth, ordinaut):
    server = ordinaut(auth)
    assert_served(mcp_request(server, bearer(auth.mint())))
    baseline, started = auth.jwks_fetches(), time.monotonic()
    assert baseline >= 1
    unknown = bearer(auth.mint(sign_with=auth.unpublished_key()))
    # A key never published: each try is refused; the first (or, if Ordinaut counts its warm-up fetch in
    # the window, one within ~10 s) makes it refetch the JWKS in case the key was rotated in.
    wait_for(lambda: mcp_request(server, unknown).status_code == 401 and auth.jwks_fetches() > baseline,
             timeout=30, message="a JWKS refetch for an unknown kid")
    assert set(hammer(server, unknown, 40)) == {401}
    elapsed = time.monotonic() - started
    assert auth.jwks_fetches() - baseline <= 1 + int(elapsed / 8), (auth.jwks_fetches() - baseline, elapsed)
    assert_served(mcp_request(server, bearer(auth.mint())))  # known keys keep working throughout


def test_a_removed_key_is_refused_once_the_jwks_was_refetched(auth, ordinaut):
    server = ordinaut(auth)
    old = auth.keys.current.kid
    assert_served(mcp_request(server, bearer(auth.mint())))
    auth.remove_key(old)
    auth.rotate_key("RS256")
    fresh = bearer(auth.mint())
    # The new kid is unknown to Ordinaut's cache, which makes it refetch (possibly after its ~10 s window).
    wait_for(lambda: mcp_request(server, fresh).status_code == 200, timeout=30, message="the rotated key to be accepted")
    assert_refused(mcp_request(server, bearer(auth.mint(sign_with=old))), server, 401, "invalid_token")


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_ec_and_edwards_keys_work_after_rotation(auth, ordinaut, alg):
    server = ordinaut(auth)
    assert_served(mcp_request(server, bearer(auth.mint())))
    auth.rotate_key(alg)
    token = bearer(auth.mint())
    assert oauth_jose.decode_unverified(token[7:])[0]["alg"] == alg
    wait_for(lambda: mcp_request(server, token).status_code == 200, timeout=30, message=f"an {alg} token to be accepted")
    assert_served(mcp_request(server, token))
    assert_refused(mcp_request(server, bearer(oauth_jose.tamper(auth.mint(), sub="mallory"))), server, 401, "invalid_token")


@pytest.mark.parametrize("mode", ["down", "reset", "garbage", "slow"])
def test_cached_keys_keep_working_while_the_jwks_is_unavailable(auth, ordinaut, mode):
    server = ordinaut(auth)
    cached = auth.keys.current.kid
    assert_served(mcp_request(server, bearer(auth.mint())))
    auth.jwks_mode = mode
    started = time.monotonic()
    for scope in ("mcp tasks:read", "mcp tasks:read tasks:write"):
        assert_served(mcp_request(server, bearer(auth.mint(scope=scope))))
    assert time.monotonic() - started < 5  # a cached key needs no fetch, so a stalled JWKS does not matter
    # A kid Ordinaut has never seen while the JWKS cannot be had: 503 if it tried to refetch and failed
    # (the expected answer: nothing says the token is bad), 401 if its refetch window meant it did not try.
    auth.rotate_key("RS256")
    assert mcp_request(server, bearer(auth.mint()), timeout=30).status_code in (401, 503)
    auth.jwks_mode = "ok"
    assert_served(mcp_request(server, bearer(auth.mint(sign_with=cached))))


@pytest.mark.parametrize("mode", ["down", "reset", "garbage"])
def test_with_no_key_to_be_had_tokens_get_503_and_the_server_recovers(auth, ordinaut, mode):
    auth.jwks_mode = mode
    server = ordinaut(auth)
    token = bearer(auth.mint())
    for _ in range(3):
        response = mcp_request(server, token, timeout=30)
        assert response.status_code == 503, (response.status_code, response.text)
    assert httpx.get(server.base + "/health", timeout=5).status_code == 200
    assert_refused(mcp_request(server), server, 401)  # challenges need no key
    assert server.process.poll() is None
    auth.jwks_mode = "ok"
    wait_for(lambda: mcp_request(server, token).status_code == 200, timeout=30, message="recovery once the JWKS is back")


def test_a_stalled_jwks_fetch_does_not_block_other_requests(auth, ordinaut):
    auth.jwks_mode = "slow"  # every JWKS request stalls 10 s
    server = ordinaut(auth)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(mcp_request, server, bearer(auth.mint()), timeout=40)
        wait_for(lambda: auth.jwks_fetches() >= 1, timeout=20, message="Ordinaut to ask for the JWKS")
        started = time.monotonic()
        assert httpx.get(server.base + "/health", timeout=5).status_code == 200
        assert_refused(mcp_request(server, timeout=5), server, 401)
        assert_refused(mcp_request(server, "Bearer not-a-jwt", timeout=5), server, 401, "invalid_token")
        assert time.monotonic() - started < 3
        # Whether Ordinaut waits the 10 s out (200) or gives up earlier (503) is its choice; nothing else is.
        assert pending.result(timeout=45).status_code in (200, 503)
    assert server.process.poll() is None


# --- Ordinaut: opaque tokens through introspection -----------------------------------------------------

def test_opaque_tokens_are_checked_by_introspection(auth, ordinaut):
    rs = auth.register_client()
    server = ordinaut(auth, ORDINAUT_OAUTH_INTROSPECTION_URL=auth.issuer + "/introspect",
                      ORDINAUT_OAUTH_CLIENT_ID=rs["client_id"], ORDINAUT_OAUTH_CLIENT_SECRET=rs["client_secret"])
    assert_served(mcp_request(server, bearer(auth.issue_opaque(scope="mcp tasks:read"))))
    calls = auth.seen("/introspect")
    assert calls and all(c.headers.get("authorization", "").startswith("Basic ") or c.param("client_secret") for c in calls)

    revoked = auth.issue_opaque(scope="mcp tasks:read")
    auth.revoke(revoked)
    assert_refused(mcp_request(server, bearer(revoked)), server, 401, "invalid_token")
    assert_refused(mcp_request(server, bearer("opaque.never-issued")), server, 401, "invalid_token")
    assert_refused(mcp_request(server, bearer(auth.issue_opaque(exp_in=-120))), server, 401, "invalid_token")
    # Introspection says "active", but for another resource: MCP servers MUST check the audience.
    assert_refused(mcp_request(server, bearer(auth.issue_opaque(aud=OTHER))), server, 401, "invalid_token")
    assert_refused(mcp_request(server, bearer(auth.issue_opaque(scope="mcp"))), server, 403, "insufficient_scope")
