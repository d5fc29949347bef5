#!/usr/bin/env python3
"""A local service for the webhook example (standard library only).

    ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN=secret python3 receiver.py 8765

GET /forecast?city=X answers a JSON forecast; POST /notify records the JSON body and answers it
back; GET /notifications lists what was received; GET /slow sleeps 10 s; GET /fail answers 500.
Every request must carry "Authorization: Bearer $ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN".
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = os.environ.get("ORDINAUT_SECRET_WEATHER_HOOKS_TOKEN", "")
received = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            self.answer(401, {"error": "unauthorized"})
            return False
        return True

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/notifications":
            return self.answer(200, {"received": received})
        if not self.authorized():
            return
        if url.path == "/forecast":
            city = parse_qs(url.query).get("city", ["?"])[0]
            return self.answer(200, {"city": city, "summary": "sunny", "high_c": 24, "low_c": 13})
        if url.path == "/slow":
            time.sleep(10)
            return self.answer(200, {})
        if url.path == "/fail":
            return self.answer(500, {"error": "the forecast service is down"})
        self.answer(404, {"error": "not found"})

    def do_POST(self):
        if not self.authorized():
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"null")
        if urlparse(self.path).path == "/notify":
            received.append(body)
            return self.answer(200, {"delivered": True, "echo": body})
        self.answer(404, {"error": "not found"})


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever()
