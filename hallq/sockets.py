"""Socket.IO: connect with a token (or a logged-in session), join rooms, get a snapshot on join."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_socketio import SocketIO, emit, join_room

from hallq.context import Actor
from hallq.errors import HallqError
from hallq.operations.snapshots import (
    hall_snapshot,
    manager_snapshot,
    ticket_id_for_token,
    ticket_snapshot,
    ticket_status,
    window_snapshot,
)
from hallq.runtime import hall_context
from hallq.webauth import actor_from

ROOM = re.compile(r"^(hall|manager|window:[A-Za-z0-9_-]{1,32}|ticket:\d{1,12})$")
ROOM_ROLES = {
    "hall": {"kiosk", "display", "bridge", "clerk", "manager", "admin", "citizen"},
    "manager": {"manager", "admin"},
    "window": {"display", "bridge", "clerk", "manager", "admin"},
    "ticket": {"kiosk", "display", "bridge", "clerk", "manager", "admin", "citizen"},
}
STATUS_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def citizen(auth: Any) -> Actor | None:
    """A citizen's phone, known by its ticket's status token (/t/<token>): it may follow that ticket only."""
    status_token = auth.get("status_token") if isinstance(auth, dict) else None
    if not isinstance(status_token, str) or not STATUS_TOKEN.match(status_token):
        return None
    ticket_id = ticket_id_for_token(hall_context(), status_token)
    return Actor(role="citizen", name="citizen", ticket_id=ticket_id) if ticket_id is not None else None


def register_socket_handlers(server: SocketIO) -> None:
    actors: dict[str, Actor] = {}

    @server.on("connect")
    def on_connect(auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) and isinstance(auth.get("token"), str) else None
        actor = actor_from(token) or citizen(auth)
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
        if actor.role not in ROOM_ROLES[kind] or (
            actor.ticket_id is not None and kind == "ticket" and key != str(actor.ticket_id)
        ):
            return {"ok": False, "error": "forbidden", "message": f"role {actor.role} may not join {kind}"}
        ctx = hall_context()
        try:
            if kind == "hall":
                snapshot = hall_snapshot(ctx)
            elif kind == "manager":
                snapshot = manager_snapshot(ctx)
            elif kind == "window":
                snapshot = window_snapshot(ctx, key)
            elif actor.role == "citizen":
                snapshot = ticket_status(ctx, int(key))
            else:
                snapshot = {"room": room, "ticket": ticket_snapshot(ctx, int(key))}
        except HallqError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message}
        join_room(room)
        emit("snapshot", snapshot)
        return {"ok": True, "room": room}
