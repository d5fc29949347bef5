"""A small OTLP/HTTP receiver for the tracing tests: it accepts `POST /v1/traces` with the JSON
encoding, checks each body against opentelemetry-proto's `ExportTraceServiceRequest` (an unknown
field or a wrong type is an error, answered 400), and keeps the spans, flattened, for assertions.
OTLP/JSON writes trace and span ids as hex where protobuf's JSON mapping expects base64, which
json_format would accept and misread: ids are checked as hex separately."""
import http.server
import json
import re
import threading

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


HEX = {"traceId": re.compile(r"[0-9a-f]{32}"), "spanId": re.compile(r"[0-9a-f]{16}"), "parentSpanId": re.compile(r"[0-9a-f]{16}")}


def id_problem(body: dict) -> str | None:
    """Why the ids of spans and links are not OTLP/JSON's lowercase hex, or None."""
    for resource in body.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                for item in [span, *span.get("links", [])]:
                    for key, pattern in HEX.items():
                        if key in item and not pattern.fullmatch(item[key]):
                            return f"{key} {item[key]!r} is not lowercase hex of the right length"
    return None


class OTLPReceiver:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.problems: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                problem = None
                if self.path != "/v1/traces":
                    problem = f"posted to {self.path}"
                elif self.headers.get("Content-Type") != "application/json":
                    problem = f"Content-Type {self.headers.get('Content-Type')}"
                else:
                    try:
                        message = json_format.Parse(body, ExportTraceServiceRequest())
                        problem = id_problem(json.loads(body))
                    except json_format.ParseError as error:
                        problem = f"not an ExportTraceServiceRequest: {error}"
                with receiver.lock:
                    if problem:
                        receiver.problems.append(problem)
                    else:
                        receiver.requests.append({"headers": dict(self.headers), "body": json.loads(body),
                                                  "message": message})
                self.send_response(400 if problem else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self) -> list[dict]:
        """Every span received, with `service` (its resource's service.name) added."""
        with self.lock:
            bodies = [request["body"] for request in self.requests]
        spans = []
        for body in bodies:
            for resource in body["resourceSpans"]:
                attributes = {a["key"]: a["value"] for a in resource["resource"]["attributes"]}
                for scope in resource["scopeSpans"]:
                    for span in scope["spans"]:
                        spans.append({**span, "service": attributes["service.name"]["stringValue"],
                                      "attrs": {a["key"]: next(iter(a["value"].values())) for a in span.get("attributes", [])}})
        return spans

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
