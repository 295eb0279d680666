"""Addresses of a hallq server as its own clients (bridge, kiosk agent) reach it."""

from __future__ import annotations

from urllib.parse import urlsplit


def socketio_path(server_url: str) -> str:
    """The Socket.IO path under a server URL: "socket.io" for a hall on its own, "h/town/socket.io" for
    http://host/h/town, a hall of a city deployment (python-socketio ignores the URL's own path)."""
    prefix = urlsplit(server_url).path.strip("/")
    return f"{prefix}/socket.io" if prefix else "socket.io"
