"""A province's 好差评 system played on 127.0.0.1, for the demo and the tests: it receives ratings as the
`json-http` or `anhui` adapter sends them, and can answer errors or nothing at all (an outage)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Literal
from urllib.parse import parse_qs

from hallq.demo.loopback_http import JsonHandler, serve_in_thread
from hallq.province.shapes import decode_anhui

Mode = Literal["ok", "error", "silent"]


class ProvinceEmulator:
    """`mode`: ok answers 200, error answers 500, silent reads the request and never answers (the sender's
    timeout ends it). `received` keeps every message accepted with 200, repeats included, in order."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, form_field: str = "params") -> None:
        self.mode: Mode = "ok"
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self.form_field = form_field
        self._lock = threading.Lock()
        self._stop = threading.Event()
        emulator = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
                body = self.rfile.read(length)
                mode = emulator.mode
                if mode == "silent":
                    emulator._stop.wait(30)  # the sender gives up first; the test's end frees the thread
                    self.close_connection = True
                    return
                if mode == "error":
                    emulator.refused += 1
                    self._answer(500, {"success": False, "message": "省平台维护中 (emulated)"})
                    return
                message = emulator.parse(self.headers.get("Content-Type", ""), body)
                with emulator._lock:
                    emulator.received.append(message)
                self._answer(200, {"success": True})

            def do_GET(self) -> None:
                with emulator._lock:
                    last = emulator.received[-100:]
                self._answer(200, {"mode": emulator.mode, "received": len(emulator.received), "last": last})

        self.server, self.thread = serve_in_thread(host, port, Handler, "province-emulator")

    def parse(self, content_type: str, body: bytes) -> dict[str, Any]:
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(body.decode("ascii"))
            return {"anhui": decode_anhui(form[self.form_field][0])}
        return dict(json.loads(body.decode("utf-8")))

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hcp/evaluation"

    def ids(self) -> set[str]:
        with self._lock:
            return {m.get("id") or m["anhui"]["messageId"] for m in self.received}

    def start(self) -> ProvinceEmulator:
        self.thread.start()
        return self

    def wait_for(self, count: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if len(self.ids()) >= count:
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
