"""A real OAuth 2.1 authorization server for the interop tests, on 127.0.0.1 in a background thread.

It speaks enough of the standards for the official MCP SDK client to go through the whole MCP
authorization flow against it, and for Ordinaut (the resource server) to discover it and verify its
tokens: RFC 8414 / OIDC discovery metadata, RFC 7591 dynamic client registration, the authorization
code grant with PKCE S256 (auto-approved: no login page), refresh and client-credentials grants,
RFC 8707 resource indicators (the token `aud`), RFC 9068 JWT access tokens (`typ: at+jwt`), a JWKS,
RFC 7662 introspection of opaque tokens and RFC 9207 `iss` on authorization responses.

Tests steer it through Python, not HTTP: `mint` makes arbitrary (also broken) tokens, `mint_unsigned`
and `mint_hs256_with_public_key` forge them, `rotate_key` / `remove_key` / `unpublished_key` change what
the JWKS lists, `issue_opaque` / `revoke` feed introspection, `consent_scopes` limits what the
auto-approving user grants, and `requests` (`seen`, `jwks_fetches`) records every request received.
`jwks_mode` makes the JWKS endpoint fail: "down" answers 503, "reset" resets the connection without an
answer (the nearest a single endpoint gets to "connection refused"), "slow" stalls `jwks_delay` (10 s)
seconds, "garbage" answers 200 with a body that is not JSON.

HTTP plumbing is in oauth_http.py, keys and token forging in oauth_jose.py.

    with AuthorizationServer() as auth:
        token = auth.mint(aud="http://127.0.0.1:8080/mcp", scope="mcp tasks:read")
"""
import base64
import secrets
import socket
import struct
import threading
import time
import uuid
from urllib.parse import unquote, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

import oauth_jose
from oauth_http import Answer, OAuthError, Seen, error_answer, json_answer, json_body, redirect, serve, single_params
from oauth_jose import KeyRing, SigningKey, decode_unverified, forge_hmac, forge_unsigned

# The scopes Ordinaut knows (docs/security.md), as an operator would configure them at the identity provider.
DEFAULT_SCOPES = ("mcp", "tasks:read", "tasks:write", "runs:write", "runs:approve", "events:publish", "extensions:read",
                  "metrics:read", "admin")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
AUTH_METHODS = ("client_secret_post", "client_secret_basic", "none")
JWKS_MODES = ("ok", "down", "slow", "garbage", "reset")
_DEFAULT = object()  # "not given", where None means "leave it out"
_PKCE_VERIFIER_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class AuthorizationServer:
    def __init__(self, alg: str = "RS256", scopes=DEFAULT_SCOPES, token_lifetime: int = 300) -> None:
        self.keys = KeyRing(alg)
        self.scopes_supported = list(scopes)
        self.token_lifetime = token_lifetime
        self.access_token_format = "jwt"  # or "opaque": then resource servers must introspect
        self.jwks_mode = "ok"  # one of JWKS_MODES
        self.jwks_delay = 10.0  # how long jwks_mode="slow" stalls before answering
        self.consent_scopes: set[str] | None = None  # the user grants requested ∩ this; None grants all asked
        self.require_resource = True  # refuse authorization requests without an RFC 8707 `resource`
        self.default_audience: str | None = None  # `aud` of minted tokens that do not name one
        self.clients: dict[str, dict] = {}
        self.requests: list[Seen] = []
        self.issued: list[dict] = []  # token endpoint responses, newest last
        self._codes: dict[str, dict] = {}
        self._refresh_tokens: dict[str, dict] = {}
        self._opaque: dict[str, dict] = {}
        self._revoked_jti: set[str] = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = serve(self)
        self.port = self._httpd.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="oauth-server", daemon=True)

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> "AuthorizationServer":
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # wakes handlers sleeping in jwks_mode="slow"
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "AuthorizationServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- test controls ------------------------------------------------------------------------------

    def metadata(self) -> dict:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "registration_endpoint": f"{base}/register",
            "jwks_uri": f"{base}/jwks",
            "introspection_endpoint": f"{base}/introspect",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": list(self.scopes_supported),
            "authorization_response_iss_parameter_supported": True,
            "subject_types_supported": ["public"],  # for the OpenID configuration document
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def rotate_key(self, alg: str = "RS256") -> str:
        """Publishes a new key and signs with it from now on; returns its kid."""
        return self.keys.rotate(alg).kid

    def remove_key(self, kid: str) -> None:
        """Drops a key from the JWKS (a revoked key); `mint(sign_with=kid)` still signs with it."""
        self.keys.remove(kid)

    def unpublished_key(self, alg: str = "RS256") -> str:
        """A key the JWKS never listed (an unknown kid); returns its kid for `mint(sign_with=...)`."""
        return self.keys.new_key(alg, publish=False).kid

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def seen(self, path: str, method: str | None = None) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path and method in (None, r.method)]

    def jwks_fetches(self) -> int:
        return len(self.seen("/jwks", "GET"))

    def register_client(self, redirect_uris=(), auth_method: str = "client_secret_basic",
                        grant_types=("client_credentials",), scope: str | None = None) -> dict:
        """Registers a client directly (what an operator would do); returns its record with the secret."""
        return self._register({"redirect_uris": list(redirect_uris), "token_endpoint_auth_method": auth_method,
                               "grant_types": list(grant_types), **({"scope": scope} if scope else {})})

    def token_parts(self, sub="user-1", scope="mcp tasks:read tasks:write", aud=_DEFAULT, exp_in=None, nbf_in=0,
                    iat_in=0, alg=None, kid=_DEFAULT, iss=_DEFAULT, client_id="interop-client", typ="at+jwt",
                    extra_header=None, extra_claims=None, sign_with=None) -> tuple[dict, dict, SigningKey]:
        """The header, claims and signing key `mint` uses; arguments as for `mint`."""
        if sign_with is not None:
            key = sign_with if isinstance(sign_with, SigningKey) else self.keys.get(sign_with)
        else:
            key = self.keys.for_alg(alg) if alg else self.keys.current
        now = int(time.time())
        claims = {"iss": self.issuer if iss is _DEFAULT else iss, "sub": sub,
                  "aud": self.default_audience if aud is _DEFAULT else aud, "client_id": client_id,
                  "scope": scope if scope is None or isinstance(scope, str) else " ".join(scope),
                  "iat": now + iat_in, "nbf": now + nbf_in,
                  "exp": now + (self.token_lifetime if exp_in is None else exp_in), "jti": uuid.uuid4().hex}
        claims.update(extra_claims or {})
        header = {"alg": alg or key.alg, "typ": typ, "kid": key.kid if kid is _DEFAULT else kid}
        header.update(extra_header or {})
        return ({k: v for k, v in header.items() if v is not None},
                {k: v for k, v in claims.items() if v is not None}, key)

    def mint(self, **kwargs) -> str:
        """A signed JWT access token. Claims default to a valid token for `default_audience`; any claim or
        header value can be overridden, and None leaves it out (e.g. `aud=None`, `kid=None`, `scope=None`).
        `exp_in`/`nbf_in`/`iat_in` are seconds from now; `sign_with` is a kid (also of a removed or
        unpublished key); `alg` picks a published key of that algorithm unless `sign_with` is given."""
        header, claims, key = self.token_parts(**kwargs)
        return oauth_jose.sign(header, claims, key.key)

    def mint_unsigned(self, **kwargs) -> str:
        """The token `mint` would make, as `alg: none` with an empty signature."""
        header, claims, _ = self.token_parts(**kwargs)
        return forge_unsigned(header, claims)

    def mint_hs256_with_public_key(self, form: str = "pem", **kwargs) -> str:
        """Algorithm confusion: HS256 keyed with the signing key's public key bytes (`form`: pem, der, jwk,
        pem_pkcs1), header kid naming that key."""
        header, claims, key = self.token_parts(**kwargs)
        return forge_hmac(header, claims, key.public_key_encodings()[form])

    def issue_opaque(self, sub="user-1", scope="mcp tasks:read tasks:write", aud=_DEFAULT, exp_in=None,
                     client_id="interop-client") -> str:
        """A random (non-JWT) access token that only introspection can explain."""
        token = "opaque." + secrets.token_urlsafe(32)
        now = int(time.time())
        with self._lock:
            self._opaque[token] = {"sub": sub, "scope": scope, "client_id": client_id, "iss": self.issuer,
                                   "aud": self.default_audience if aud is _DEFAULT else aud, "iat": now, "nbf": now,
                                   "exp": now + (self.token_lifetime if exp_in is None else exp_in),
                                   "token_type": "Bearer", "revoked": False}
        return token

    def revoke(self, token: str) -> None:
        """Revokes an opaque token, a refresh token, or a JWT (for introspection: a JWT stays verifiable)."""
        with self._lock:
            if token in self._opaque:
                self._opaque[token]["revoked"] = True
            elif self._refresh_tokens.pop(token, None) is None:
                self._revoked_jti.add(decode_unverified(token)[1].get("jti", ""))

    # --- HTTP ---------------------------------------------------------------------------------------

    def route(self, handler, seen: Seen) -> Answer | None:
        routes = {
            ("GET", "/.well-known/oauth-authorization-server"): lambda: json_answer(200, self.metadata()),
            ("GET", "/.well-known/openid-configuration"): lambda: json_answer(200, self.metadata()),
            ("GET", "/jwks"): lambda: self._jwks(handler),
            ("POST", "/register"): lambda: json_answer(201, self._register(json_body(seen, "invalid_client_metadata"))),
            ("GET", "/authorize"): lambda: self._authorize(seen),
            ("POST", "/token"): lambda: self._token(seen),
            ("POST", "/introspect"): lambda: self._introspect(seen),
        }
        route = routes.get((seen.method, seen.path))
        if route is None:
            known_path = any(path == seen.path for _, path in routes)
            return json_answer(405 if known_path else 404, {"error": "method_not_allowed" if known_path else "not_found"})
        try:
            return route()
        except OAuthError as error:
            return error_answer(error)

    def _jwks(self, handler) -> Answer | None:
        mode = self.jwks_mode
        if mode == "down":
            return json_answer(503, {"error": "temporarily_unavailable"})
        if mode == "garbage":
            return 200, {"Content-Type": "application/json"}, b"<html>this is not a key set{"
        if mode == "reset":  # no response at all: the connection is reset
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            return None
        if mode == "slow":
            self._closing.wait(self.jwks_delay)
        return json_answer(200, self.keys.jwks())

    def _register(self, body: dict) -> dict:
        """RFC 7591 §3: validates the metadata, then answers it back with the client's credentials."""
        if not isinstance(body, dict):
            raise OAuthError("invalid_client_metadata", "the body must be a JSON object")
        method = body.get("token_endpoint_auth_method", "client_secret_basic")  # RFC 7591 §2 default
        grants = body.get("grant_types", ["authorization_code"])
        if method not in AUTH_METHODS:
            raise OAuthError("invalid_client_metadata", f"token_endpoint_auth_method {method!r} is not supported")
        if not isinstance(grants, list) or not set(grants) <= set(GRANT_TYPES):
            raise OAuthError("invalid_client_metadata", f"grant_types must be a subset of {list(GRANT_TYPES)}")
        if "client_credentials" in grants and method == "none":
            raise OAuthError("invalid_client_metadata", "client_credentials needs a confidential client")
        if not set(body.get("response_types", ["code"])) <= {"code"}:
            raise OAuthError("invalid_client_metadata", "only the code response type is supported")
        self._check_scope(body.get("scope"), "invalid_client_metadata")
        redirects = body.get("redirect_uris", [])
        if "authorization_code" in grants and not redirects:
            raise OAuthError("invalid_redirect_uri", "redirect_uris is required for authorization_code")
        for uri in redirects:
            parts = urlsplit(uri) if isinstance(uri, str) else None
            loopback = parts is not None and parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
            if parts is None or parts.fragment or not (parts.scheme == "https" or loopback):
                raise OAuthError("invalid_redirect_uri", f"{uri!r} must be https or a loopback http URI without fragment")
        client = dict(body, client_id="client-" + uuid.uuid4().hex, client_id_issued_at=int(time.time()),
                      token_endpoint_auth_method=method, grant_types=grants, redirect_uris=redirects)
        if method != "none":
            client.update(client_secret=secrets.token_urlsafe(32), client_secret_expires_at=0)
        with self._lock:
            self.clients[client["client_id"]] = client
        return client

    def _check_scope(self, scope: str | None, error: str = "invalid_scope") -> list[str]:
        requested = scope.split() if scope else []
        unknown = [s for s in requested if s not in self.scopes_supported]
        if unknown:
            raise OAuthError(error, f"unknown scope {' '.join(unknown)}")
        return requested

    def _check_resources(self, seen: Seen, required: bool) -> list[str]:
        resources = seen.params.get("resource", [])  # RFC 8707 §2: may repeat
        if required and not resources:
            raise OAuthError("invalid_target", "the resource parameter (RFC 8707) is required")
        for resource in resources:
            parts = urlsplit(resource)
            if not parts.scheme or not parts.netloc or parts.fragment:
                raise OAuthError("invalid_target", f"resource {resource!r} must be an absolute URI without fragment")
        return resources

    def _authorize(self, seen: Seen) -> Answer:
        """Auto-approving authorization endpoint: errors about the client or redirect URI are shown (400),
        all others go back to the client on its redirect URI (RFC 6749 §4.1.2.1)."""
        single = single_params(seen)
        client = self.clients.get(single.get("client_id", ""))
        if client is None:
            raise OAuthError("invalid_request", "unknown client_id")
        redirect_uri = single.get("redirect_uri")
        if redirect_uri not in client["redirect_uris"]:  # exact string match (OAuth 2.1 §4.1.1)
            raise OAuthError("invalid_request", "redirect_uri is not registered for this client")
        state = single.get("state")
        try:
            if single.get("response_type") != "code":
                raise OAuthError("unsupported_response_type", "only response_type=code")
            if "authorization_code" not in client["grant_types"]:
                raise OAuthError("unauthorized_client", "the client may not use the authorization code grant")
            challenge = single.get("code_challenge", "")
            if single.get("code_challenge_method") != "S256":
                raise OAuthError("invalid_request", "PKCE with code_challenge_method=S256 is required")
            if len(challenge) != 43 or not set(challenge) <= _PKCE_VERIFIER_CHARS - {".", "~"}:
                raise OAuthError("invalid_request", "code_challenge must be a base64url SHA-256 digest")
            if not state:
                raise OAuthError("invalid_request", "state is required by this server")
            requested = self._check_scope(single.get("scope") or client.get("scope") or "mcp")
            resources = self._check_resources(seen, self.require_resource)
            granted = [s for s in requested if self.consent_scopes is None or s in self.consent_scopes]
            if not granted:
                raise OAuthError("access_denied", "the user granted none of the requested scopes")
        except OAuthError as error:
            query = {"error": error.error, "error_description": error.description, "iss": self.issuer}
            return redirect(redirect_uri, dict(query, **({"state": state} if state else {})))
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = {"client_id": client["client_id"], "redirect_uri": redirect_uri, "challenge": challenge,
                                 "scope": " ".join(granted), "resources": resources, "sub": "user-1",
                                 "expires": time.time() + 60}
        return redirect(redirect_uri, {"code": code, "state": state, "iss": self.issuer})

    def _authenticate_client(self, seen: Seen, single: dict) -> dict:
        """RFC 6749 §2.3: exactly one of client_secret_basic, client_secret_post, or none (public client)."""
        unauthorized = OAuthError("invalid_client", "client authentication failed", 401,
                                  {"WWW-Authenticate": 'Basic realm="oauth-interop"'})
        authorization = seen.headers.get("authorization", "")
        if authorization[:6].lower() == "basic ":
            if "client_secret" in single:
                raise OAuthError("invalid_request", "more than one client authentication method")
            try:  # RFC 6749 §2.3.1: both halves are form-urlencoded before base64
                client_id, _, secret = base64.b64decode(authorization[6:].strip(), validate=True).decode().partition(":")
            except ValueError:
                raise unauthorized from None
            client_id, secret, method = unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " ")), "client_secret_basic"
        elif "client_secret" in single:
            client_id, secret, method = single.get("client_id", ""), single["client_secret"], "client_secret_post"
        else:
            client_id, secret, method = single.get("client_id", ""), None, "none"
        client = self.clients.get(client_id)
        if client is None or client["token_endpoint_auth_method"] != method:
            raise unauthorized
        if method != "none" and not secrets.compare_digest(secret.encode(), client["client_secret"].encode()):
            raise unauthorized
        if single.get("client_id", client_id) != client_id:
            raise unauthorized
        return client

    def _token(self, seen: Seen) -> Answer:
        single = single_params(seen)
        client = self._authenticate_client(seen, single)
        grant = single.get("grant_type")
        if grant not in GRANT_TYPES:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        if grant not in client["grant_types"]:
            raise OAuthError("unauthorized_client", f"the client may not use {grant}")
        resources = self._check_resources(seen, required=False)
        if grant == "authorization_code":
            with self._lock:
                record = self._codes.pop(single.get("code", ""), None)  # single use
            if record is None or record["expires"] < time.time() or record["client_id"] != client["client_id"]:
                raise OAuthError("invalid_grant", "the code is unknown, used, expired or another client's")
            if single.get("redirect_uri") != record["redirect_uri"]:
                raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
            verifier = single.get("code_verifier", "")
            if not 43 <= len(verifier) <= 128 or not set(verifier) <= _PKCE_VERIFIER_CHARS:
                raise OAuthError("invalid_grant", "code_verifier is malformed")
            if not secrets.compare_digest(create_s256_code_challenge(verifier), record["challenge"]):
                raise OAuthError("invalid_grant", "PKCE verification failed")
            sub, scope, allowed = record["sub"], record["scope"], record["resources"]
        elif grant == "refresh_token":
            with self._lock:
                record = self._refresh_tokens.pop(single.get("refresh_token", ""), None)  # rotated on use
            if record is None or record["client_id"] != client["client_id"]:
                raise OAuthError("invalid_grant", "the refresh token is unknown, used or another client's")
            sub, scope, allowed = record["sub"], record["scope"], record["resources"]
            if single.get("scope"):  # RFC 6749 §6: may narrow, never widen
                if not set(self._check_scope(single["scope"])) <= set(scope.split()):
                    raise OAuthError("invalid_scope", "a refresh may not widen the scope")
                scope = single["scope"]
        else:
            sub, allowed = client["client_id"], None
            scope = " ".join(self._check_scope(single.get("scope") or client.get("scope") or "mcp"))
        if allowed is not None and resources and not set(resources) <= set(allowed):
            raise OAuthError("invalid_target", "resource was not part of the authorization")  # RFC 8707 §2.2
        resources = resources or allowed or []
        aud = resources[0] if len(resources) == 1 else (resources or None)
        if self.access_token_format == "opaque":
            access = self.issue_opaque(sub=sub, scope=scope, aud=aud, client_id=client["client_id"])
        else:
            access = self.mint(sub=sub, scope=scope, aud=aud, client_id=client["client_id"])
        response = {"access_token": access, "token_type": "Bearer", "expires_in": self.token_lifetime, "scope": scope}
        if grant != "client_credentials" and "refresh_token" in client["grant_types"]:
            response["refresh_token"] = "refresh." + secrets.token_urlsafe(32)
            with self._lock:
                self._refresh_tokens[response["refresh_token"]] = {
                    "client_id": client["client_id"], "sub": sub, "scope": scope, "resources": allowed or resources}
        with self._lock:
            self.issued.append(dict(response, grant_type=grant, resources=resources))
        return json_answer(200, response, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _introspect(self, seen: Seen) -> Answer:
        """RFC 7662: callers authenticate as a confidential client; unknown, expired or revoked is inactive."""
        single = single_params(seen)
        client = self._authenticate_client(seen, single)
        if client["token_endpoint_auth_method"] == "none":
            raise OAuthError("invalid_client", "introspection needs a confidential client", 401)
        token = single.get("token", "")
        with self._lock:
            record = dict(self._opaque.get(token) or {})
        if not record:
            claims = self.keys.verify(token) if token.count(".") == 2 else None
            if claims and claims.get("jti") not in self._revoked_jti:
                record = dict(claims, token_type="Bearer", revoked=False)
        now = time.time()
        if not record or record.pop("revoked") or record.get("exp", now + 1) <= now or record.get("nbf", 0) > now:
            return json_answer(200, {"active": False})
        return json_answer(200, dict({k: v for k, v in record.items() if v is not None}, active=True))
