"""HTTP plumbing of the test authorization server (oauth_server.py): a threaded stdlib server on loopback
that records every request and hands it to the owner's `route`, plus small response helpers."""
import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

MAX_BODY = 1 << 20


class OAuthError(Exception):
    """An OAuth error response: `{"error": ..., "error_description": ...}` with `status` and `headers`."""

    def __init__(self, error: str, description: str, status: int = 400, headers: dict | None = None) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status, self.headers = error, description, status, headers or {}


@dataclass
class Seen:
    """One request received. `params` holds query and form parameters (lists, as parse_qs gives them);
    `headers` has lower-case names."""
    method: str
    path: str
    params: dict
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None


Answer = tuple[int, dict, bytes]  # status, headers, body


def serve(owner) -> ThreadingHTTPServer:
    """A server on a free loopback port whose requests go to `owner.record(seen)` then `owner.route(handler,
    seen)`, which returns an Answer, or None when it dealt with the connection itself."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True  # a handler stalled on purpose must not hold up close()
    httpd.owner = owner
    return httpd


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "oauth-interop/1"
    timeout = 30  # idle keep-alive connections are dropped after this

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        owner = self.server.owner
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True  # the rest of the body stays unread
        body = self.rfile.read(min(length, MAX_BODY)) if length else b""
        params = parse_qs(url.query, keep_blank_values=True)
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            for name, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        seen = Seen(self.command, url.path, params, {k.lower(): v for k, v in self.headers.items()}, body)
        owner.record(seen)
        answer = owner.route(self, seen)
        if answer is None:
            return
        status, headers, payload = answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the owner's record is the log
        pass


def json_answer(status: int, value, headers: dict | None = None) -> Answer:
    return status, dict({"Content-Type": "application/json"}, **(headers or {})), json.dumps(value).encode()


def error_answer(error: OAuthError) -> Answer:
    return json_answer(error.status, {"error": error.error, "error_description": error.description}, error.headers)


def json_body(seen: Seen, error: str = "invalid_request"):
    try:
        return json.loads(seen.body or b"null")
    except ValueError:
        raise OAuthError(error, "the body is not JSON") from None


def single_params(seen: Seen) -> dict[str, str]:
    """Parameters that must not repeat (RFC 6749 §3.1); `resource` may (RFC 8707), and is read separately."""
    repeated = [name for name, values in seen.params.items() if len(values) > 1 and name != "resource"]
    if repeated:
        raise OAuthError("invalid_request", f"repeated parameter {repeated[0]}")
    return {name: values[0] for name, values in seen.params.items()}


def redirect(uri: str, query: dict) -> Answer:
    separator = "&" if urlsplit(uri).query else "?"
    return 302, {"Location": uri + separator + urlencode(query), "Cache-Control": "no-store"}, b""
