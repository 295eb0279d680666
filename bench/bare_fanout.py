"""The floor of a push: a bare Flask-SocketIO server (eventlet, no hallq code) that emits `ticket_called` to
the room "hall" when a request asks it to. bench/issue_and_call.py measures it beside hallq's own push in the
same run, so the ratio shows what hallq adds. Run by issue_and_call.py: `python bench/bare_fanout.py PORT`."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402


def main() -> None:
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="eventlet")

    @socketio.on("join")
    def join(data: dict) -> dict:
        join_room(data["room"])
        return {"ok": True}

    @app.post("/call")
    def call() -> dict:
        ticket = {"id": int(request.get_json()["id"])}
        socketio.emit("ticket_called", {"ticket": ticket}, to="hall")
        return {"ticket": ticket}

    @app.get("/api/v1/openapi.json")
    def ready() -> dict:
        return {}

    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False)


if __name__ == "__main__":
    main()
