"""An OTLP/HTTP sink for the tracing benchmark: answers every POST with 200 and counts the bytes, so the
exporter's cost is real (serialising and sending) while the receiving side costs next to nothing."""
import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        Sink.received += len(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
