"""Socket.IO rooms: who may connect and join, the snapshot on join, and pushes after each action."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIO, SocketIOTestClient

from .conftest import NO_SERVICE_LIMIT, Tokens


def sio(app: Flask) -> SocketIO:
    return app.extensions["socketio"]


def connect(
    app: Flask, token: str | None = None, flask_client: FlaskClient | None = None
) -> SocketIOTestClient:
    return sio(app).test_client(app, auth={"token": token} if token else None, flask_test_client=flask_client)


def received(client: SocketIOTestClient, name: str) -> list[Any]:
    return [event["args"][0] for event in client.get_received() if event["name"] == name]


def join(client: SocketIOTestClient, room: str) -> Any:
    return client.emit("join", {"room": room}, callback=True)


def test_connect_needs_a_valid_token_or_login(app: Flask, tokens: Tokens) -> None:
    assert not connect(app).is_connected()
    assert not connect(app, "hq_display_forged").is_connected()
    assert connect(app, tokens.display).is_connected()


def test_joining_the_hall_sends_a_full_snapshot(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=Tokens.header(tokens.kiosk))
    client.post("/api/v1/windows/W05/open", headers=Tokens.header(tokens.bridge))
    display = connect(app, tokens.display)
    assert join(display, "hall") == {"ok": True, "room": "hall"}
    (snapshot,) = received(display, "snapshot")
    assert snapshot["room"] == "hall"
    assert snapshot["waiting"]["A"] == 1 and snapshot["waiting"]["C"] == 0
    w05 = next(w for w in snapshot["windows"] if w["id"] == "W05")
    assert w05["state"] == "open" and w05["current"] is None
    assert snapshot["recent_calls"] == []


def test_a_call_reaches_the_hall_room_with_its_announcement(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    display = connect(app, tokens.display)
    join(display, "hall")
    display.get_received()
    client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=Tokens.header(tokens.kiosk))
    client.post("/api/v1/windows/W01/open", headers=Tokens.header(tokens.bridge))
    client.post("/api/v1/windows/W01/call-next", headers=Tokens.header(tokens.bridge))
    events = display.get_received()
    names = [e["name"] for e in events if e["name"] != "queue_changed"]
    assert names == ["ticket_issued", "window_changed", "ticket_called"]
    queues = [e["args"][0] for e in events if e["name"] == "queue_changed"]
    # opening W01 refreshes the zones it serves (A: business registration; B: also zone F's invoices)
    assert {q["zone_id"] for q in queues} == {"A", "F"}
    called = next(e["args"][0] for e in events if e["name"] == "ticket_called")
    assert called["ticket"]["number"] == "A001"
    assert called["window"] == {"id": "W01", "number": 1, "name": "企业开办"}
    assert called["announce"] == "请A001号到1号窗口办理"
    assert queues[0] == {"zone_id": "A", "waiting": 1} and queues[-1] == {"zone_id": "A", "waiting": 0}
    issued = events[0]["args"][0]
    assert "status_url" not in issued  # the status page key never goes to shared screens
    # and a display joining later sees the call in its snapshot
    late = connect(app, tokens.display)
    join(late, "hall")
    (snapshot,) = received(late, "snapshot")
    assert snapshot["recent_calls"][0]["announce"] == "请A001号到1号窗口办理"
    assert next(w for w in snapshot["windows"] if w["id"] == "W01")["current"]["number"] == "A001"


def test_window_and_ticket_rooms(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    ticket = client.post(
        "/api/v1/tickets", json={"service_id": "seal"}, headers=Tokens.header(tokens.kiosk)
    ).get_json()
    board = connect(app, tokens.bridge)
    assert join(board, "window:W01")["ok"]
    (snapshot,) = received(board, "snapshot")
    assert [t["number"] for t in snapshot["waiting"]] == ["A001"]
    watcher = connect(app, tokens.kiosk)
    assert join(watcher, f"ticket:{ticket['id']}")["ok"]
    assert received(watcher, "snapshot")[0]["ticket"]["status"] == "waiting"
    client.post("/api/v1/windows/W01/open", headers=Tokens.header(tokens.bridge))
    client.post("/api/v1/windows/W01/call-next", headers=Tokens.header(tokens.bridge))
    assert received(board, "ticket_called")[0]["ticket"]["number"] == "A001"
    assert received(watcher, "ticket_called")[0]["window"]["number"] == 1
    # W02 does not serve "seal": its board hears nothing about that ticket
    other = connect(app, tokens.bridge)
    join(other, "window:W02")
    other.get_received()
    client.post("/api/v1/windows/W01/finish", headers=Tokens.header(tokens.bridge))
    assert received(other, "ticket_finished") == []
    assert received(board, "ticket_finished")[0]["ticket"]["status"] == "finished"


@pytest.mark.parametrize(
    ("role", "room", "error"),
    [
        ("display", "lobby", "bad_room"),
        ("display", "window:W01;drop", "bad_room"),
        ("display", "manager", "forbidden"),
        ("kiosk", "window:W01", "forbidden"),
        ("display", "window:W99", "unknown_window"),
        ("display", "ticket:424242", "unknown_ticket"),
    ],
)
def test_join_refusals(app: Flask, tokens: Tokens, role: str, room: str, error: str) -> None:
    client = connect(app, getattr(tokens, role))
    ack = join(client, room)
    assert ack["ok"] is False and ack["error"] == error
    assert received(client, "snapshot") == []


def test_join_with_garbage(app: Flask, tokens: Tokens) -> None:
    client = connect(app, tokens.display)
    assert client.emit("join", "hall", callback=True)["error"] == "bad_room"
    assert client.emit("join", None, callback=True)["error"] == "bad_room"


def test_manager_room_and_logged_in_clerk(
    app: Flask, client: FlaskClient, tokens: Tokens, clerks: dict[str, str]
) -> None:
    manager = connect(app, tokens.manager)
    assert join(manager, "manager")["ok"]
    assert received(manager, "snapshot")[0]["alerts"] == []
    client.post("/api/v1/session", json={"username": "clerk01", "password": "secret-pass"})
    clerk = connect(app, flask_client=client)
    assert clerk.is_connected()
    assert join(clerk, "window:W01")["ok"]


@pytest.mark.parametrize("hall_file", [[NO_SERVICE_LIMIT]], indirect=True)  # 11 id_card tickets at once
def test_managers_are_alerted_when_a_zone_falls_behind(
    app: Flask, client: FlaskClient, tokens: Tokens, clock
) -> None:
    """Thresholds from the hall file: someone waiting over 900 s, or over 10 waiting per open window."""
    manager = connect(app, tokens.manager)
    join(manager, "manager")
    assert received(manager, "snapshot")[0]["alerts"] == []
    display = connect(app, tokens.display)
    join(display, "hall")
    kiosk = Tokens.header(tokens.kiosk)
    client.post("/api/v1/tickets", json={"service_id": "pension"}, headers=kiosk)
    (alert,) = received(manager, "zone_alert")  # someone waits and none of zone D's windows is open
    assert alert["zone_id"] == "D" and alert["reason"] == "no_window_open" and alert["open_windows"] == 0
    clock.advance(901)
    client.post("/api/v1/tickets", json={"service_id": "pension"}, headers=kiosk)
    (alert,) = received(manager, "zone_alert")
    assert alert["zone_id"] == "D" and alert["reason"] == "no_window_open+long_wait"
    assert alert["longest_wait_s"] == 901
    assert alert["waiting"] == 2 and alert["open_windows"] == 0
    assert received(display, "zone_alert") == []  # managers only
    late = connect(app, tokens.manager)
    join(late, "manager")
    assert [a["zone_id"] for a in received(late, "snapshot")[0]["alerts"]] == ["D"]
    for _ in range(9):
        client.post("/api/v1/tickets", json={"service_id": "id_card"}, headers=kiosk)
    alerts = received(manager, "zone_alert")  # ten waiting for no open window: not a long queue yet
    assert {a["reason"] for a in alerts if a["zone_id"] == "E"} == {"no_window_open"}
    client.post("/api/v1/tickets", json={"service_id": "id_card"}, headers=kiosk)
    client.post("/api/v1/tickets", json={"service_id": "id_card"}, headers=kiosk)
    alerts = received(manager, "zone_alert")
    assert alerts and alerts[-1]["zone_id"] == "E" and alerts[-1]["reason"] == "no_window_open+long_queue"


def test_a_citizens_phone_follows_its_own_ticket_only(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    kiosk = Tokens.header(tokens.kiosk)
    mine = client.post("/api/v1/tickets", json={"service_id": "seal"}, headers=kiosk).get_json()
    other = client.post("/api/v1/tickets", json={"service_id": "seal"}, headers=kiosk).get_json()
    status_token = mine["status_url"].removeprefix("/t/")
    phone = sio(app).test_client(app, auth={"status_token": status_token})
    assert phone.is_connected()
    assert join(phone, f"ticket:{mine['id']}")["ok"]
    (snapshot,) = received(phone, "snapshot")
    assert snapshot["number"] == mine["number"] and "events" not in snapshot
    assert join(phone, f"ticket:{other['id']}")["error"] == "forbidden"
    assert join(phone, "window:W01")["error"] == "forbidden"
    assert join(phone, "manager")["error"] == "forbidden"
    assert join(phone, "hall")["ok"]
    assert not sio(app).test_client(app, auth={"status_token": "wrong-token-1234567890"}).is_connected()
    assert not sio(app).test_client(app, auth={"status_token": 42}).is_connected()


def test_the_live_page_flags_a_zone_with_people_waiting_and_no_window_open(
    client: FlaskClient, tokens: Tokens, clock
) -> None:
    """In serving hours at once; not in the lunch break (12:00-13:30 in the demo hall), when windows pause."""
    manager, kiosk = Tokens.header(tokens.manager), Tokens.header(tokens.kiosk)

    def zone_alerts() -> dict[str, str]:
        live = client.get("/api/v1/stats/live", headers=manager).get_json()
        return {a["zone_id"]: a["reason"] for a in live["alerts"] if a["kind"] == "zone"}

    assert zone_alerts() == {}
    assert client.post("/api/v1/tickets", json={"service_id": "pension"}, headers=kiosk).status_code == 201
    assert zone_alerts() == {"D": "no_window_open"}
    clock.advance(2 * 3600 + 5 * 60)  # 12:05: still a long wait, but no window is meant to be open
    assert zone_alerts() == {"D": "long_wait"}
