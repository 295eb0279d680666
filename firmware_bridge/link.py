"""The bridge's link to the hallq server: Socket.IO (room "hall"; a window's room for its ratings) for what
to show, HTTP for what the keys do, both with the bridge token. python-socketio reconnects by itself; each
(re)join brings a full snapshot, so the boards are right again after a server restart."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import requests
import socketio

from hallq.net.urls import socketio_path

log = logging.getLogger(__name__)

#: server events the bridge acts on
EVENTS = (
    "snapshot",
    "ticket_called",
    "ticket_recalled",
    "ticket_started",
    "ticket_finished",
    "ticket_no_show",
    "ticket_transferred",
    "window_changed",
    "ticket_rated",
    "rating_requested",
    "config_changed",
)


class LinkRefused(Exception):
    pass


class ServerLink:
    def __init__(self, server_url: str, token: str, on_event: Callable[[str, dict[str, Any]], None]) -> None:
        self.server_url = server_url.rstrip("/")
        self.token = token
        self.on_event = on_event
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=5)
        self.client.on("connect", self._joined)
        for name in EVENTS:
            self.client.on(name, self._handler(name))
        self.connected = 0  # how many times it (re)connected
        #: the rooms joined at every (re)connect: "hall", and window rooms for their ratings (Bridge.rooms)
        self.rooms = ["hall"]

    def _handler(self, name: str) -> Callable[[Any], None]:
        def handle(data: Any) -> None:
            if isinstance(data, dict):
                self.on_event(name, data)

        return handle

    def _joined(self) -> None:
        self.connected += 1
        for room in self.rooms:
            self.client.emit("join", {"room": room})  # the hall's snapshot follows

    def join(self, rooms: list[str]) -> None:
        """Join rooms not joined yet (a new evaluator after a configuration change); all of them again at
        every reconnect."""
        new = [room for room in rooms if room not in self.rooms]
        self.rooms = list(rooms)
        if self.client.connected:
            for room in new:
                self.client.emit("join", {"room": room})

    def get(self, path: str) -> dict[str, Any]:
        response = self.http.get(f"{self.server_url}/api/v1{path}", timeout=10)
        if response.status_code in (401, 403):
            raise LinkRefused(f"the server refused the bridge token ({response.status_code})")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def start(self) -> None:
        try:
            self.client.connect(
                self.server_url,
                auth={"token": self.token},
                transports=["websocket"],
                socketio_path=socketio_path(self.server_url),
                retry=True,
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError:
            raise LinkRefused("the server refused the bridge token") from None

    def stop(self) -> None:
        self.client.disconnect()

    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """A window action or a rating; (status, body), status 0 when the server cannot be reached."""
        try:
            response = self.http.post(f"{self.server_url}/api/v1{path}", json=body or {}, timeout=5)
        except requests.RequestException as exc:
            log.warning("bridge: %s failed: %s", path, exc)
            return 0, {"error": "unreachable", "message": str(exc)}
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return response.status_code, answer if isinstance(answer, dict) else {}
