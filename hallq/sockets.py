"""Socket.IO: connect with a token (or a logged-in session), join rooms, get a snapshot on join."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_socketio import SocketIO, emit, join_room

from hallq.context import Actor
from hallq.errors import HallqError
from hallq.operations.snapshots import hall_snapshot, manager_snapshot, ticket_snapshot, window_snapshot
from hallq.runtime import hall_context
from hallq.webauth import actor_from

ROOM = re.compile(r"^(hall|manager|window:[A-Za-z0-9_-]{1,32}|ticket:\d{1,12})$")
ROOM_ROLES = {
    "hall": {"kiosk", "display", "bridge", "clerk", "manager", "admin"},
    "manager": {"manager", "admin"},
    "window": {"display", "bridge", "clerk", "manager", "admin"},
    "ticket": {"kiosk", "display", "bridge", "clerk", "manager", "admin"},
}


def register_socket_handlers(server: SocketIO) -> None:
    actors: dict[str, Actor] = {}

    @server.on("connect")
    def on_connect(auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) and isinstance(auth.get("token"), str) else None
        actor = actor_from(token)
        if actor is None:
            raise ConnectionRefusedError("unauthorized")
        actors[request.sid] = actor  # type: ignore[attr-defined]

    @server.on("disconnect")
    def on_disconnect(*_reason: Any) -> None:
        actors.pop(request.sid, None)  # type: ignore[attr-defined]

    @server.on("join")
    def on_join(data: Any = None) -> dict[str, Any]:
        actor = actors.get(request.sid)  # type: ignore[attr-defined]
        room = data.get("room") if isinstance(data, dict) else None
        if actor is None:
            return {"ok": False, "error": "unauthorized"}
        if not isinstance(room, str) or not ROOM.match(room):
            return {
                "ok": False,
                "error": "bad_room",
                "message": "room: hall, manager, window:<id> or ticket:<id>",
            }
        kind, _, key = room.partition(":")
        if actor.role not in ROOM_ROLES[kind]:
            return {"ok": False, "error": "forbidden", "message": f"role {actor.role} may not join {kind}"}
        ctx = hall_context()
        try:
            if kind == "hall":
                snapshot = hall_snapshot(ctx)
            elif kind == "manager":
                snapshot = manager_snapshot(ctx)
            elif kind == "window":
                snapshot = window_snapshot(ctx, key)
            else:
                snapshot = {"room": room, "ticket": ticket_snapshot(ctx, int(key))}
        except HallqError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message}
        join_room(room)
        emit("snapshot", snapshot)
        return {"ok": True, "room": room}
