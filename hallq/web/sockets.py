"""Socket.IO: connect with a token (or a logged-in session), join rooms, get a snapshot on join."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_socketio import SocketIO, emit, join_room

from hallq.operations.context import Actor
from hallq.operations.errors import HallqError
from hallq.operations.snapshots import (
    hall_snapshot,
    manager_snapshot,
    ticket_id_for_token,
    ticket_snapshot,
    ticket_status,
    window_snapshot,
)
from hallq.web.agent_link import agent_joined, agent_left, kiosk_snapshot, record_agent_result
from hallq.web.auth import actor_from
from hallq.web.runtime import emit_pushes, hall_context
from hallq.web.safe_json import MALFORMED

ROOM = re.compile(r"^(hall|manager|(window|kiosk|printer):[A-Za-z0-9_-]{1,32}|ticket:\d{1,12})$")
ROOM_ROLES = {
    "hall": {"kiosk", "display", "bridge", "clerk", "manager", "admin", "citizen"},
    "manager": {"manager", "admin"},
    "window": {"display", "bridge", "evaluator", "clerk", "manager", "admin"},
    "ticket": {"kiosk", "display", "bridge", "clerk", "manager", "admin", "citizen"},
    # a kiosk page hears how its tickets printed; a kiosk agent takes its kiosk's print jobs
    "kiosk": {"kiosk", "clerk", "manager", "admin"},
    "printer": {"agent"},
}
STATUS_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def citizen(auth: Any) -> Actor | None:
    """A citizen's phone, known by its ticket's status token (/t/<token>): it may follow that ticket only."""
    status_token = auth.get("status_token") if isinstance(auth, dict) else None
    if not isinstance(status_token, str) or not STATUS_TOKEN.match(status_token):
        return None
    ticket_id = ticket_id_for_token(hall_context(), status_token)
    return Actor(role="citizen", name="citizen", ticket_id=ticket_id) if ticket_id is not None else None


def register_socket_handlers(server: SocketIO) -> dict[str, Actor]:
    """Register the handlers; returns who is connected to this process (sid -> actor), which
    web/revocation.py watches."""
    actors: dict[str, Actor] = {}
    #: sid -> kiosk id of the kiosk agents connected to this process
    agents: dict[str, str] = {}

    @server.on("connect")
    def on_connect(auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) and isinstance(auth.get("token"), str) else None
        actor = actor_from(token) or citizen(auth)
        if actor is None:
            raise ConnectionRefusedError("unauthorized")
        actors[request.sid] = actor  # type: ignore[attr-defined]

    @server.on("disconnect")
    def on_disconnect(*_reason: Any) -> None:
        actor = actors.pop(request.sid, None)  # type: ignore[attr-defined]
        if actor is not None and request.sid in agents:  # type: ignore[attr-defined]
            emit_pushes(server, agent_left(hall_context(), agents.pop(request.sid)))  # type: ignore[attr-defined]

    @server.on("print_result")
    def on_print_result(data: Any = None) -> dict[str, Any]:
        actor = actors.get(request.sid)  # type: ignore[attr-defined]
        if actor is None or actor.role != "agent" or actor.kiosk_id is None:
            return {"ok": False, "error": "forbidden", "message": "a print agent's token, bound to its kiosk"}
        try:
            emit_pushes(server, record_agent_result(hall_context(), actor.kiosk_id, data))
        except HallqError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message}
        return {"ok": True}

    @server.on(MALFORMED)
    def on_malformed(*_: Any) -> dict[str, Any]:
        return {
            "ok": False,
            "error": MALFORMED,
            "message": "a packet that is not valid JSON, or nested too deeply",
        }

    @server.on("join")
    def on_join(data: Any = None) -> dict[str, Any]:
        actor = actors.get(request.sid)  # type: ignore[attr-defined]
        room = data.get("room") if isinstance(data, dict) else None
        if actor is None:
            return {"ok": False, "error": "unauthorized"}
        return join(actor, room)

    @server.on("agent_join")
    def on_agent_join(_data: Any = None) -> dict[str, Any]:
        """A kiosk agent joins its own kiosk's printer room; its token says which kiosk."""
        actor = actors.get(request.sid)  # type: ignore[attr-defined]
        if actor is None or actor.role != "agent" or actor.kiosk_id is None:
            return {
                "ok": False,
                "error": "forbidden",
                "message": "needs an agent token bound to a kiosk (hallq token agent --kiosk K2)",
            }
        return {**join(actor, f"printer:{actor.kiosk_id}"), "kiosk": actor.kiosk_id}

    def join(actor: Actor, room: Any) -> dict[str, Any]:
        if not isinstance(room, str) or not ROOM.match(room):
            return {
                "ok": False,
                "error": "bad_room",
                "message": "room: hall, manager, window:<id>, kiosk:<id>, printer:<id> or ticket:<id>",
            }
        kind, _, key = room.partition(":")
        if (
            actor.role not in ROOM_ROLES[kind]
            or (actor.ticket_id is not None and kind == "ticket" and key != str(actor.ticket_id))
            or (kind == "kiosk" and actor.role == "kiosk" and actor.kiosk_id not in (None, key))
            or (kind == "printer" and actor.kiosk_id != key)
            or (actor.role == "evaluator" and key != actor.window_id)
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
            elif kind in ("kiosk", "printer"):
                snapshot = kiosk_snapshot(ctx, key)
            elif actor.role == "citizen":
                snapshot = ticket_status(ctx, int(key))
            else:
                snapshot = {"room": room, "ticket": ticket_snapshot(ctx, int(key))}
        except HallqError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message}
        join_room(room)
        emit("snapshot", snapshot)
        if kind == "printer":
            agents[request.sid] = key  # type: ignore[attr-defined]
            jobs, pushes = agent_joined(ctx, key)
            emit_pushes(server, pushes)
            for job in jobs:
                emit("print_job", job)
        return {"ok": True, "room": room}

    return actors
