"""Who may use what: every route and every Socket.IO room, walked with every kind of caller. The tables below
are the rule; a new route without a line here fails the test."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hallq.operations.accounts import create_token
from hallq.operations.context import HallContext

from .conftest import Tokens

CALLERS = (
    "anonymous",
    "kiosk",
    "agent",
    "display",
    "bridge",
    "evaluator",
    "integration",
    "clerk",
    "other_clerk",
    "manager",
    "admin",
)
PUBLIC = set(CALLERS)
STAFF = {"kiosk", "display", "bridge", "clerk", "other_clerk", "manager", "admin"}
MANAGERS = {"manager", "admin"}
AT_WINDOW = {"clerk", "bridge", "manager", "admin"}  # other_clerk's token is bound to another window

#: (method, route) -> who gets past authentication and authorisation
RULES: dict[tuple[str, str], set[str]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/kiosk"): PUBLIC,  # page shells: they carry no data, the device token unlocks the API
    ("GET", "/caller"): PUBLIC,
    ("GET", "/display"): PUBLIC,
    ("GET", "/evaluate/<window_id>"): PUBLIC,
    ("GET", "/t/<status_token>"): PUBLIC,  # the unguessable token is the key
    ("GET", "/t/<status_token>/ticket.png"): PUBLIC,
    ("GET", "/t/<status_token>/qr.svg"): PUBLIC,
    ("GET", "/api/v1/status/<status_token>"): PUBLIC,
    ("POST", "/api/v1/status/<status_token>/rating"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("POST", "/api/v1/session"): PUBLIC,  # logging in
    ("DELETE", "/api/v1/session"): PUBLIC,
    ("GET", "/api/v1/session"): PUBLIC - {"anonymous"},
    ("GET", "/manager/login"): PUBLIC,
    ("GET", "/manager"): MANAGERS,
    ("GET", "/manager/reports"): MANAGERS,
    ("GET", "/manager/ranking"): MANAGERS,
    ("GET", "/manager/follow-ups"): MANAGERS,
    ("GET", "/manager/whatif"): MANAGERS,
    ("GET", "/manager/admin"): MANAGERS,
    ("POST", "/manager/whatif/runs"): MANAGERS,
    ("GET", "/manager/whatif/runs/<int:run_id>"): MANAGERS,
    ("GET", "/manager/whatif/runs/<int:run_id>.json"): MANAGERS,
    ("GET", "/manager/whatif/runs/<int:run_id>/staffing.<extension>"): MANAGERS,
    ("GET", "/api/v1/hall"): STAFF,
    ("GET", "/api/v1/devices"): {"bridge", "manager", "admin"},
    ("POST", "/api/v1/devices/<device_id>/status"): {"bridge"},
    ("GET", "/api/v1/audit"): {"admin"},
    ("GET", "/api/v1/follow-ups"): MANAGERS,
    ("PATCH", "/api/v1/follow-ups/<int:follow_up_id>"): MANAGERS,
    ("GET", "/api/v1/stats/summary"): MANAGERS,
    ("GET", "/api/v1/stats/export.csv"): MANAGERS,
    ("GET", "/api/v1/stats/export.xlsx"): MANAGERS,
    ("GET", "/api/v1/stats/live"): MANAGERS,
    ("GET", "/api/v1/stats/ranking"): MANAGERS,
    ("GET", "/api/v1/stats/waiting"): MANAGERS,
    ("POST", "/api/v1/tickets"): {"kiosk", "clerk", "other_clerk", "manager", "admin"},
    ("POST", "/api/v1/appointments"): MANAGERS | {"integration"},  # a booking system, the province's platform
    # 预约 on a phone: public and throttled; a booking is seen or cancelled only with its manage link's key
    ("GET", "/book"): PUBLIC,
    ("GET", "/book/<code>"): PUBLIC,
    ("GET", "/book/<code>/qr.svg"): PUBLIC,
    ("GET", "/api/v1/booking/services"): PUBLIC,
    ("GET", "/api/v1/booking/slots"): PUBLIC,
    ("POST", "/api/v1/bookings"): PUBLIC,
    ("GET", "/api/v1/bookings/<code>"): PUBLIC,
    ("DELETE", "/api/v1/bookings/<code>"): PUBLIC,
    # notify me: the issuing kiosk, or anyone with the ticket's status token (tests/test_messages.py)
    ("POST", "/api/v1/tickets/<int:ticket_id>/notify"): {"kiosk"},
    ("GET", "/api/v1/messages"): MANAGERS,
    ("GET", "/api/v1/stats/bookings"): MANAGERS,
    ("GET", "/api/v1/tickets/<int:ticket_id>"): STAFF,
    ("GET", "/api/v1/tickets/<int:ticket_id>/call.wav"): {
        "display",
        "bridge",
        "clerk",
        "other_clerk",
        "manager",
        "admin",
    },
    ("POST", "/api/v1/tickets/<int:ticket_id>/print"): {"kiosk", "clerk", "other_clerk", "manager", "admin"},
    ("POST", "/api/v1/tickets/<int:ticket_id>/rating"): {"bridge", "evaluator", "manager", "admin"},
    ("POST", "/api/v1/tickets/<int:ticket_id>/cancel"): MANAGERS,
    ("GET", "/api/v1/config"): MANAGERS,
    ("PUT", "/api/v1/config"): MANAGERS,  # managers: materials, the calendar and staffing only
    ("GET", "/api/v1/config/versions"): MANAGERS,
    ("GET", "/api/v1/config/versions/<int:number>"): MANAGERS,
    ("POST", "/api/v1/config/versions/<int:number>/restore"): {"admin"},
    ("GET", "/api/v1/config/open-tickets"): MANAGERS,
    ("POST", "/api/v1/services/<service_id>/move-waiting"): MANAGERS,
    ("GET", "/api/v1/config/export.toml"): MANAGERS,
    ("GET", "/api/v1/users"): {"admin"},
    ("POST", "/api/v1/users"): {"admin"},
    ("PATCH", "/api/v1/users/<username>"): {"admin"},
    ("GET", "/api/v1/tokens"): {"admin"},
    ("POST", "/api/v1/tokens"): {"admin"},
    ("DELETE", "/api/v1/tokens/<int:token_id>"): {"admin"},
    ("GET", "/api/v1/windows/<window_id>"): {"display", "clerk", "other_clerk", "bridge", "manager", "admin"},
    ("POST", "/api/v1/windows/<window_id>/<verb>"): AT_WINDOW,
    ("POST", "/api/v1/windows/<window_id>/call"): AT_WINDOW,
    ("POST", "/api/v1/windows/<window_id>/transfer"): AT_WINDOW,
    ("POST", "/api/v1/windows/<window_id>/requeue"): AT_WINDOW,
    ("POST", "/api/v1/windows/<window_id>/open"): AT_WINDOW,
    ("POST", "/api/v1/ratings/<int:rating_id>/appeal"): {"clerk", "other_clerk", "manager", "admin"},
    ("POST", "/api/v1/ratings/<int:rating_id>/appeal/decision"): MANAGERS,
    ("GET", "/api/v1/appeals"): MANAGERS,
    ("GET", "/api/v1/ratings/flags"): MANAGERS,
    ("GET", "/api/v1/province/status"): MANAGERS,
    # the evaluation trigger: a department's case system, or the clerk at 办结
    ("POST", "/api/v1/windows/<window_id>/evaluation"): AT_WINDOW | {"integration"},
}

#: room -> who may join it
ROOMS: dict[str, set[str]] = {
    "hall": STAFF,
    "manager": MANAGERS,
    "window:W01": {"display", "bridge", "evaluator", "clerk", "other_clerk", "manager", "admin"},
    "window:W02": {"display", "bridge", "clerk", "other_clerk", "manager", "admin"},  # evaluator is at W01
    "ticket:1": STAFF,
    "kiosk:K1": {"kiosk", "clerk", "other_clerk", "manager", "admin"},
    "kiosk:K2": {"clerk", "other_clerk", "manager", "admin"},  # the kiosk token is bound to K1
    "printer:K1": {
        "agent"
    },  # print jobs go to that kiosk's agent only (a kiosk page's token cannot pose as it)
    "printer:K2": set(),
}
SAMPLES = {
    "window_id": "W01",
    "service_id": "seal",
    "ticket_id": "1",
    "status_token": "x" * 20,
    "follow_up_id": "1",
    "verb": "pause",
    "device_id": "board-W01",
    "run_id": "1",
    "extension": "csv",
    "number": "1",
    "username": "nobody",
    "token_id": "999",
    "rating_id": "1",
    "code": "12345678",
}


@pytest.fixture
def callers(ctx: HallContext, tokens: Tokens) -> dict[str, str | None]:
    now = ctx.now()
    return {
        "anonymous": None,
        "kiosk": create_token(ctx.store, "kiosk", now, kiosk_id="K1"),
        "agent": create_token(ctx.store, "agent", now, kiosk_id="K1"),
        "display": tokens.display,
        "bridge": tokens.bridge,
        "evaluator": create_token(ctx.store, "evaluator", now, window_id="W01"),
        "integration": create_token(ctx.store, "integration", now),
        "clerk": tokens.clerk_w01,
        "other_clerk": create_token(ctx.store, "clerk", now, window_id="W02"),
        "manager": tokens.manager,
        "admin": tokens.admin,
    }


def _a_served_ticket(client: FlaskClient, callers: dict[str, str | None]) -> None:
    """Ticket 1, taken at kiosk K1 and served at window W01: what reprints and ratings are about."""
    kiosk, bridge = Tokens.header(callers["kiosk"] or ""), Tokens.header(callers["bridge"] or "")
    assert client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).status_code == 201
    for action in ("open", "call-next", "finish"):
        assert client.post(f"/api/v1/windows/W01/{action}", headers=bridge).status_code == 200


def _denied(status: int, location: str) -> bool:
    return status in (401, 403) or (status == 302 and "/login" in location)


def test_every_route_admits_exactly_whom_it_should(
    app: Flask, client: FlaskClient, callers: dict[str, str | None]
) -> None:
    _a_served_ticket(client, callers)
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.endswith("static")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == set(RULES), f"routes without a rule here: {routes - set(RULES)}"
    bodies = {
        "call": {"ticket_id": 1},
        "transfer": {"service_id": "biz_change"},
        "requeue": {"ticket_id": 1},
        "rating": {"level": 5},
        "cancel": {"reason": "test"},
        "move-waiting": {"to_service": "biz_setup"},
        "evaluation": {"cases": [{"case_number": "BJ-1"}]},
        "appeal": {"reason": "citizen misunderstood"},
        "decision": {"decision": "rejected", "note": "checked"},
        "notify": {"phone": "13800138000"},
    }
    wrong = []
    for (method, rule), allowed in sorted(RULES.items()):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES[m.group(1)], rule)
        for caller, token in callers.items():
            headers = Tokens.header(token) if token else {}
            body = bodies.get(rule.rsplit("/", 1)[-1], {"service_id": "biz_setup", "status": "contacted"})
            response = app.test_client().open(path, method=method, json=body, headers=headers)
            assert response.status_code < 500, (method, path, caller, response.get_data(as_text=True))
            denied = _denied(response.status_code, response.headers.get("Location", ""))
            if denied == (caller in allowed):
                wrong.append(f"{method} {path} as {caller}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_room_admits_exactly_whom_it_should(
    app: Flask, client: FlaskClient, callers: dict[str, str | None]
) -> None:
    _a_served_ticket(client, callers)
    socketio = app.extensions["socketio"]
    wrong = []
    for caller, token in callers.items():
        connection = socketio.test_client(app, auth={"token": token} if token else {})
        if token is None:
            assert not connection.is_connected(), "an anonymous socket was let in"
            continue
        for room, allowed in ROOMS.items():
            answer = connection.emit("join", {"room": room}, callback=True)
            if answer["ok"] != (caller in allowed):
                wrong.append(f"{caller} joining {room}: {answer}")
        connection.disconnect()
    assert not wrong, "\n".join(wrong)
