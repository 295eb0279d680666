"""What the demo's emulated outside systems (the province's 好差评 platform, an SMS service) share: a quiet
request handler that answers JSON, and a threaded server on 127.0.0.1 served from a daemon thread."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the tests and the demo's output stay clean


def serve_in_thread(
    host: str, port: int, handler: type[BaseHTTPRequestHandler], name: str
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """The server (not started) and the daemon thread that runs it once started."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server, threading.Thread(target=server.serve_forever, name=name, daemon=True)
