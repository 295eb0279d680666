"""The hall floor's promises (issue 32) that need no browser: a rating tablet that reloads asks again."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hallq.engine import ManualClock
from hallq.operations.accounts import create_token
from hallq.operations.context import HallContext

from .conftest import Tokens


def window_room(app: Flask, token: str, window_id: str) -> dict[str, Any]:
    """The snapshot a device gets when it joins the window's room (as after a reload or a reconnect)."""
    tablet = app.extensions["socketio"].test_client(app, auth={"token": token})
    assert tablet.emit("join", {"room": f"window:{window_id}"}, callback=True)["ok"]
    snapshot: dict[str, Any] = next(m["args"][0] for m in tablet.get_received() if m["name"] == "snapshot")
    tablet.disconnect()
    return snapshot


def test_a_rating_tablet_that_reloads_asks_again_for_the_time_left(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    evaluator = create_token(ctx.store, "evaluator", ctx.now(), window_id="W01", name="tablet-W01")
    desk = Tokens.header(tokens.clerk_w01)
    kiosk = Tokens.header(tokens.kiosk)
    assert window_room(app, evaluator, "W01")["pending_rating"] is None
    ticket = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).get_json()
    for verb in ("open", "call-next", "finish"):
        assert client.post(f"/api/v1/windows/W01/{verb}", headers=desk).status_code == 200
    clock.advance(2.5)  # the tablet reloads 2.5 s after 办结
    pending = window_room(app, evaluator, "W01")["pending_rating"]
    assert pending == {"ticket": {"id": ticket["id"], "number": ticket["number"]}, "ask_for_s": 57.5}
    clock.advance(60)  # the tablet's asking time is over: it stays idle (the phone may still rate)
    assert window_room(app, evaluator, "W01")["pending_rating"] is None

    second = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).get_json()
    for verb in ("call-next", "finish"):
        assert client.post(f"/api/v1/windows/W01/{verb}", headers=desk).status_code == 200
    rated = client.post(
        f"/api/v1/tickets/{second['id']}/rating", json={"level": 5}, headers=Tokens.header(evaluator)
    )
    assert rated.status_code == 201, rated.get_data(as_text=True)
    assert window_room(app, evaluator, "W01")["pending_rating"] is None  # rated: nothing to ask again
