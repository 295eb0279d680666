"""A service's day-to-day settings from the administration page (issue 31): 绿色通道, its own issuing
hours, removing it while citizens still wait (move them, or let the queue drain first), a clerk's windows
and when each device token was last used."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hallq.engine import ManualClock
from hallq.operations.audit import entries
from hallq.operations.context import HallContext
from hallq.web.live_config import retire_drained

from .conftest import Tokens
from .test_config_versions import current, put, service


def issue(client: FlaskClient, tokens: Tokens, service_id: str, **extra: Any) -> Any:
    body = {"service_id": service_id, **extra}
    return client.post("/api/v1/tickets", json=body, headers=Tokens.header(tokens.kiosk))


def saved(client: FlaskClient, tokens: Tokens, change: Any) -> int:
    latest = current(client, tokens.admin)
    hall = copy.deepcopy(latest["hall"])
    change(hall)
    answer = put(client, tokens.admin, latest["version"], hall)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return int(answer.get_json()["version"])


def test_green_channel_and_a_service_own_issuing_hours(
    ctx: HallContext, client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    def settle(hall: dict[str, Any]) -> None:
        service(hall, "seal")["green_channel"] = False
        service(hall, "invoice")["issuing_hours"] = ["09:00", "11:30"]

    saved(client, tokens, settle)
    hall = client.get("/api/v1/hall", headers=Tokens.header(tokens.kiosk)).get_json()
    seal = next(s for s in hall["services"] if s["id"] == "seal")
    invoice = next(s for s in hall["services"] if s["id"] == "invoice")
    assert seal["green_channel"] is False and invoice["issuing_hours"] == ["09:00", "11:30"]
    refused = issue(client, tokens, "seal", priority="green")
    assert refused.status_code == 409 and refused.get_json()["error"] == "no_green_channel"
    assert "不设绿色通道" in refused.get_json()["message"]
    assert issue(client, tokens, "seal").status_code == 201
    assert issue(client, tokens, "invoice", priority="green").status_code == 201  # 10:00, inside its hours
    clock.advance(105 * 60)  # 11:45
    late = issue(client, tokens, "invoice")
    assert late.status_code == 409 and late.get_json()["error"] == "service_closed"
    assert "09:00-11:30" in late.get_json()["message"]
    assert issue(client, tokens, "seal").status_code == 201  # the hall still issues

    def outside(hall: dict[str, Any]) -> None:
        service(hall, "invoice")["issuing_hours"] = ["08:00", "11:30"]

    latest = current(client, tokens.admin)
    hall_doc = copy.deepcopy(latest["hall"])
    outside(hall_doc)
    answer = put(client, tokens.admin, latest["version"], hall_doc)
    assert answer.status_code == 422
    assert "取号时段 须在大厅开放时间之内" in answer.get_json()["errors"][0]["message"]


def test_a_service_removed_while_citizens_wait_drains_first(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    waiting = issue(client, tokens, "seal").get_json()
    version = saved(client, tokens, lambda hall: service(hall, "seal").update(retiring=True))
    refused = issue(client, tokens, "seal")
    assert refused.status_code == 409 and refused.get_json()["error"] == "service_retiring"
    listed = client.get("/api/v1/hall", headers=Tokens.header(tokens.kiosk)).get_json()["services"]
    assert next(s for s in listed if s["id"] == "seal")["retiring"] is True
    opened = client.get("/api/v1/config/open-tickets", headers=Tokens.header(tokens.manager)).get_json()
    assert opened["services"]["seal"] == 1
    assert retire_drained(app) is None and ctx.version == version  # a citizen still waits
    # the waiting citizen is served as usual at window 1 (seal is its B service)
    clerk = Tokens.header(tokens.clerk_w01)
    assert client.post("/api/v1/windows/W01/open", headers=clerk).status_code == 200
    called = client.post("/api/v1/windows/W01/call", json={"ticket_id": waiting["id"]}, headers=clerk)
    assert called.status_code == 200, called.get_data(as_text=True)
    assert client.post("/api/v1/windows/W01/finish", headers=clerk).status_code == 200
    removed = retire_drained(app)
    assert removed == version + 1 and ctx.version == removed and "seal" not in ctx.config.service_by_id
    assert all("seal" not in [*w.a_services, *w.b_services] for w in ctx.config.windows)
    latest = current(client, tokens.manager)
    assert latest["saved_by"] == "server" and "公章刻制备案" in latest["note"]
    # the ticket's history keeps its service
    history = client.get(f"/api/v1/tickets/{waiting['id']}", headers=Tokens.header(tokens.manager))
    assert history.status_code == 200 and history.get_json()["service_id"] == "seal"


def test_waiting_tickets_move_to_another_service_keeping_their_place(
    ctx: HallContext, client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    first = issue(client, tokens, "seal").get_json()
    clock.advance(60)
    second = issue(client, tokens, "seal").get_json()
    clock.advance(60)
    later = issue(client, tokens, "biz_setup").get_json()
    manager = Tokens.header(tokens.manager)
    path = "/api/v1/services/seal/move-waiting"
    assert client.post(path, json={"to_service": "nope"}, headers=manager).status_code == 422
    assert client.post(path, json={"to_service": "seal"}, headers=manager).status_code == 422
    assert (
        client.post(path, json={"to_service": "biz_setup"}, headers=Tokens.header(tokens.kiosk)).status_code
        == 403
    )
    moved = client.post(path, json={"to_service": "biz_setup"}, headers=manager)
    assert moved.status_code == 200 and moved.get_json()["moved"] == 2
    # window 2 (biz_setup is its A service) calls them in their old order, before the later ticket
    window = client.get("/api/v1/windows/W02", headers=manager).get_json()
    queue = [t["number"] for t in window["waiting"]]
    assert queue[:3] == [first["number"], second["number"], later["number"]]
    events = client.get(f"/api/v1/tickets/{first['id']}", headers=manager).get_json()["events"]
    assert events[-1]["type"] == "transferred" and events[-1]["detail"]["to_service"] == "biz_setup"
    (audit,) = [e for e in entries(ctx) if e["action"] == "service.tickets_moved"]
    assert audit["detail"]["count"] == 2 and audit["detail"]["numbers"] == [first["number"], second["number"]]
    # now nobody waits for seal: it can be removed at once
    without = copy.deepcopy(current(client, tokens.admin))
    hall = without["hall"]
    hall["services"] = [s for s in hall["services"] if s["id"] != "seal"]
    for w in hall["windows"]:
        for key in ("a_services", "b_services"):
            w[key] = [s for s in w.get(key, []) if s != "seal"]
    assert put(client, tokens.admin, without["version"], hall).status_code == 200


def test_retiring_a_window_only_service_is_refused_at_once(client: FlaskClient, tokens: Tokens) -> None:
    """A service whose removal would leave a window with nothing to do is refused when it is set retiring,
    not silently kept forever."""
    latest = current(client, tokens.admin)
    hall = copy.deepcopy(latest["hall"])
    lonely = next(w for w in hall["windows"] if w["id"] == "W14")
    only = lonely["a_services"][0]
    lonely["a_services"], lonely["b_services"] = [only], []
    for w in hall["windows"]:
        if w["id"] != "W14":
            for key in ("a_services", "b_services"):
                w[key] = [s for s in w.get(key, []) if s != only]
    lonely_version = put(client, tokens.admin, latest["version"], hall)
    assert lonely_version.status_code == 200, lonely_version.get_data(as_text=True)
    service(hall, only)["retiring"] = True
    answer = put(client, tokens.admin, lonely_version.get_json()["version"], hall)
    assert answer.status_code == 422
    assert "窗口至少要有一项A岗或B岗事项" in answer.get_json()["errors"][0]["message"]


def test_a_clerk_signs_in_only_at_their_windows(
    app: Flask, client: FlaskClient, tokens: Tokens, clerks: dict[str, str]
) -> None:
    admin = Tokens.header(tokens.admin)
    unknown = client.patch("/api/v1/users/clerk01", json={"windows": ["W99"]}, headers=admin)
    assert unknown.status_code == 422 and "W99" in unknown.get_json()["message"]
    changed = client.patch("/api/v1/users/clerk01", json={"windows": ["W03", "W02"]}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["windows"] == ["W02", "W03"]
    clerk = app.test_client()
    assert (
        clerk.post("/api/v1/session", json={"username": "clerk01", "password": "secret-pass"}).status_code
        == 200
    )
    assert clerk.get("/api/v1/session").get_json()["windows"] == ["W02", "W03"]
    refused = clerk.post("/api/v1/windows/W01/open")
    assert refused.status_code == 403 and "1号窗口" in refused.get_json()["message"]
    assert clerk.post("/api/v1/windows/W02/open").status_code == 200
    # any window again: [] (the list is read at every request, no new sign-in needed)
    assert client.patch("/api/v1/users/clerk01", json={"windows": []}, headers=admin).status_code == 200
    assert clerk.post("/api/v1/windows/W01/open").status_code == 200
    made = client.post(
        "/api/v1/users",
        json={"username": "wang.fang", "password": "first-pass", "windows": ["W05"]},
        headers=admin,
    )
    assert made.status_code == 201 and made.get_json()["windows"] == ["W05"]


def test_each_token_shows_when_it_was_last_used(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    admin = Tokens.header(tokens.admin)

    def last_used(name: str) -> str | None:
        listed = client.get("/api/v1/tokens", headers=admin).get_json()["tokens"]
        value: str | None = next(t for t in listed if t["name"] == name)["last_used_at"]
        return value

    assert last_used("kiosk-1") is None
    assert client.get("/api/v1/hall", headers=Tokens.header(tokens.kiosk)).status_code == 200
    assert last_used("kiosk-1") == "2026-11-23T10:00:00+08:00"
    clock.advance(5 * 60)
    display = app.extensions["socketio"].test_client(app, auth={"token": tokens.display})
    assert display.is_connected()
    clock.advance(5 * 60)  # a display that only listens: its open socket is a use
    assert last_used("display-1") == "2026-11-23T10:10:00+08:00"
    assert last_used("kiosk-1") == "2026-11-23T10:00:00+08:00"
    assert last_used("bridge-1") is None
