"""What shared screens and the citizen's phone page get carries nobody's personal data: no appointment or ID
number, no clerk's name or login, no other ticket's status token. Managers and clerks see names; the hall
does not."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient

from hallq.operations.accounts import ensure_user
from hallq.operations.context import HallContext

from .conftest import Tokens

ID_NUMBER = "440106199001011234"  # an appointment made with a citizen's ID number
CLERK, CLERK_NAME = "wangxm", "王小明"


def test_screens_and_phone_pages_carry_no_personal_data(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    ensure_user(ctx.store, CLERK, "secret-pass", "clerk", ctx.now(), CLERK_NAME)
    socketio = app.extensions["socketio"]
    screens = []
    for token in (tokens.display, tokens.bridge):  # the hall display and the bridge that drives the strip
        screen = socketio.test_client(app, auth={"token": token})
        assert screen.emit("join", {"room": "hall"}, callback=True)["ok"]
        screens.append(screen)
    booking = {"code": ID_NUMBER, "service_id": "seal", "slot_at": ctx.now().isoformat()}
    booked = client.post("/api/v1/appointments", json=booking, headers=Tokens.header(tokens.manager))
    assert booked.status_code == 201, booked.get_json()
    kiosk = Tokens.header(tokens.kiosk)
    mine = client.post(
        "/api/v1/tickets", json={"service_id": "seal", "appointment_code": ID_NUMBER}, headers=kiosk
    ).get_json()
    other = client.post("/api/v1/tickets", json={"service_id": "seal"}, headers=kiosk).get_json()
    clerk = app.test_client()
    assert (
        clerk.post("/api/v1/session", json={"username": CLERK, "password": "secret-pass"}).status_code == 200
    )
    for action in ("open", "call-next", "start", "finish", "call-next"):
        assert clerk.post(f"/api/v1/windows/W02/{action}").status_code == 200, action

    late = socketio.test_client(app, auth={"token": tokens.display})  # a display joining now: the snapshot
    assert late.emit("join", {"room": "hall"}, callback=True)["ok"]
    seen = {
        "display and strip pushes": [event for screen in (*screens, late) for event in screen.get_received()],
        "status of my ticket": client.get(
            f"/api/v1/status/{mine['status_url'].removeprefix('/t/')}"
        ).get_json(),
        "status page": client.get(mine["status_url"]).get_data(as_text=True),
        "display page": client.get("/display").get_data(as_text=True),
    }
    assert any(event["name"] == "ticket_called" for event in seen["display and strip pushes"])
    secrets = [ID_NUMBER, CLERK, CLERK_NAME, other["status_url"].removeprefix("/t/")]
    for what, payload in seen.items():
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, f"{secret!r} reached the {what}"
    shared = json.dumps(seen["display and strip pushes"], ensure_ascii=False)
    assert mine["status_url"].removeprefix("/t/") not in shared  # a ticket's own key never goes on a screen
    # the managers do see who served whom: the data is kept, only not shown to the hall
    manager = client.get("/api/v1/stats/live", headers=Tokens.header(tokens.manager)).get_json()
    assert CLERK in json.dumps(manager, ensure_ascii=False)


def test_a_status_token_leaves_the_server_only_in_the_kiosks_answer(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    """The key of a citizen's phone page rates the visit: a clerk, the window's tablet or a display must never
    see it (else anyone at a window could rate their own visit 5 stars); the database keeps only a hash."""
    from sqlalchemy import text

    from hallq.operations.accounts import create_token

    kiosk = Tokens.header(tokens.kiosk)
    waiting = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).get_json()
    served = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).get_json()
    keys = [ticket["status_url"].removeprefix("/t/") for ticket in (waiting, served)]
    assert all(len(key) >= 20 for key in keys)
    bridge = Tokens.header(tokens.bridge)
    for action in ("open", "call-next", "start"):
        assert client.post(f"/api/v1/windows/W01/{action}", headers=bridge).status_code == 200
    evaluator = create_token(ctx.store, "evaluator", ctx.now(), window_id="W01", name="tablet-w01")
    socketio = app.extensions["socketio"]
    seen: dict[str, object] = {}
    for role, token in {
        "display": tokens.display,
        "evaluator": evaluator,
        "clerk": tokens.clerk_w01,
        "manager": tokens.manager,
    }.items():
        headers = Tokens.header(token)
        seen[f"{role}: window"] = client.get("/api/v1/windows/W01", headers=headers).get_json()
        seen[f"{role}: tickets"] = [
            client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).get_json()
            for ticket in (waiting, served)
        ]
        screen = socketio.test_client(app, auth={"token": token})
        rooms = {"display": ("hall", "window:W01"), "evaluator": ("window:W01",)}.get(
            role, ("hall", "window:W01", f"ticket:{waiting['id']}")
        )
        for room in rooms:
            assert screen.emit("join", {"room": room}, callback=True)["ok"], (role, room)
        client.post("/api/v1/windows/W01/finish", headers=bridge)  # a push after the snapshots
        seen[f"{role}: socket"] = screen.get_received()
    text_seen = json.dumps(seen, ensure_ascii=False)
    assert "status_url" not in text_seen and "/t/" not in text_seen
    for key in keys:
        assert key not in text_seen
    with ctx.store.write_connection() as connection:
        stored = json.dumps(
            [list(row) for row in connection.execute(text("SELECT * FROM tickets"))], default=str
        )
    assert not any(key in stored for key in keys)  # only hashes: a copy of the database rates nothing
    assert client.get(waiting["status_url"]).status_code == 200  # and the key still opens the phone page
    assert client.get(f"/api/v1/status/{keys[0]}").get_json()["number"] == waiting["number"]
