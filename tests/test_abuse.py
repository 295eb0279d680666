"""Nobody stalls the hall or spends its day (issue 30 items 2, 6, 8, 9): logins are limited per address before
any password is checked and per username across addresses; forwarded headers count only from the proxy; a
kiosk flooding one service is slowed and reported, and managers void (作废) what it took, giving the places
back; a ticket is reprinted a few times at most; the database and instance folder are the server's alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hallq.app.factory import create_app
from hallq.config.settings import Settings
from hallq.operations.accounts import create_token, ensure_user
from hallq.operations.audit import entries
from hallq.operations.context import HallContext

from .conftest import NO_ADDRESS_LIMIT, NO_LIMITS, Tokens

LOGIN = "/api/v1/session"


def at(address: str) -> dict[str, str]:
    """A request that reaches the server from `address` (a test client's REMOTE_ADDR)."""
    return {"REMOTE_ADDR": address}


def test_an_address_trying_many_usernames_is_refused_before_any_password_is_checked(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = []
    from hallq.api import session

    real = session.check_password_hash
    monkeypatch.setattr(session, "check_password_hash", lambda *a: checked.append(1) or real(*a))
    answers = [
        client.post(
            LOGIN, json={"username": f"user{n}", "password": "guess-guess"}, environ_base=at("192.0.2.7")
        )
        for n in range(40)
    ]
    codes = [answer.status_code for answer in answers]
    assert codes == [401] * 30 + [429] * 10, codes
    assert answers[-1].get_json()["error"] == "too_many_logins"
    assert len(checked) == 30  # the refused ten cost no hashing
    # another address is not held up
    assert (
        client.post(LOGIN, json={"username": "x", "password": "y"}, environ_base=at("192.0.2.8")).status_code
        == 401
    )


def test_a_username_guessed_from_many_addresses_backs_off(ctx: HallContext, client: FlaskClient) -> None:
    ensure_user(ctx.store, "clerk07", "right-password", "clerk", ctx.now(), "七号")
    for n in range(30):  # 30 addresses, one wrong guess each: no address reaches its own limit
        answer = client.post(
            LOGIN, json={"username": "clerk07", "password": f"wrong-{n}"}, environ_base=at(f"198.51.100.{n}")
        )
        assert answer.status_code == 401
    right = {"username": "clerk07", "password": "right-password"}
    refused = client.post(LOGIN, json=right, environ_base=at("198.51.100.200"))
    assert refused.status_code == 429 and refused.get_json()["error"] == "too_many_logins"
    # other users sign in as usual
    ensure_user(ctx.store, "clerk08", "right-password", "clerk", ctx.now(), "八号")
    other = client.post(
        LOGIN, json={"username": "clerk08", "password": "right-password"}, environ_base=at("198.51.100.201")
    )
    assert other.status_code == 200


def proxied_app(tmp_path: Path, hall_file: Path) -> Flask:
    settings = Settings(
        instance=tmp_path / "proxied", hall_file=hall_file, async_mode="threading", testing=True, proxy_hops=1
    )
    return create_app(settings)


def test_forwarded_headers_count_only_from_the_proxy(tmp_path: Path, hall_file: Path) -> None:
    app = proxied_app(tmp_path, hall_file)
    client = app.test_client()

    def login(address: str, forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        body = {"username": f"user-{forwarded_for}", "password": "wrong-pass"}
        return client.post(LOGIN, json=body, headers=headers, environ_base=at(address)).status_code

    # straight to the port, past nginx: a rotating X-Forwarded-For is the client's own word, not its address
    direct = [login("192.0.2.50", f"203.0.113.{n}") for n in range(35)]
    assert direct.count(429) == 5
    # from nginx on the same machine, the forwarded address is the client's
    assert [login("127.0.0.1", f"203.0.113.{n}") for n in range(35)].count(429) == 0
    # X-Forwarded-Host is never believed (the nginx example does not set it)
    answer = client.get("/api/v1/openapi.json", headers={"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in answer.get_data(as_text=True)
    app.extensions["hallq"].store.dispose()


@pytest.mark.parametrize("hall_file", [[NO_LIMITS, NO_ADDRESS_LIMIT]], indirect=True)
def test_a_kiosk_flooding_a_capped_service_is_slowed_reported_and_voided(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens
) -> None:
    kiosk = Tokens.header(tokens.kiosk)
    manager = app.extensions["socketio"].test_client(app, auth={"token": tokens.manager})
    assert manager.emit("join", {"room": "manager"}, callback=True)["ok"]

    def take(service_id: str = "id_card") -> object:
        return client.post("/api/v1/tickets", json={"service_id": service_id}, headers=kiosk)

    taken = [take() for _ in range(12)]
    assert [answer.status_code for answer in taken] == [201] * 10 + [429] * 2
    assert taken[-1].get_json()["error"] == "too_many_tickets"
    assert take("seal").status_code == 201  # another service from the same kiosk goes on
    statuses = [event["args"][0] for event in manager.get_received() if event["name"] == "device_status"]
    assert len(statuses) == 1 and statuses[0]["state"] == "burst" and "id_card" in statuses[0]["message"]
    live = client.get("/api/v1/stats/live", headers=Tokens.header(tokens.manager)).get_json()
    assert any(alert["kind"] == "device" and alert["state"] == "burst" for alert in live["alerts"])

    # 作废: the manager voids what the flood took; the day's cap gets the places back
    from hallq.store.models import NumberCounter

    def used() -> int:
        with ctx.store.read() as session:
            row = session.get(NumberCounter, (ctx.day(), "service:id_card"))
            return row.last if row else 0

    assert used() == 10
    first = taken[0].get_json()
    body = {"reason": "同一取号机一分钟内连续取号"}
    path = f"/api/v1/tickets/{first['id']}/cancel"
    assert client.post(path, json=body, headers=Tokens.header(tokens.kiosk)).status_code == 403
    assert client.post(path, json={"reason": " "}, headers=Tokens.header(tokens.manager)).status_code == 422
    voided = client.post(path, json=body, headers=Tokens.header(tokens.manager))
    assert voided.status_code == 200 and voided.get_json()["status"] == "cancelled"
    assert used() == 9
    again = client.post(path, json=body, headers=Tokens.header(tokens.manager))
    assert again.status_code == 409 and again.get_json()["error"] == "not_waiting"
    log = entries(ctx)[0]
    assert log["action"] == "ticket.voided" and log["subject"] == first["number"]
    assert log["detail"]["reason"] == body["reason"] and log["actor"] == "manager-token"
    status = client.get(f"/api/v1/tickets/{first['id']}", headers=Tokens.header(tokens.manager)).get_json()
    assert status["status"] == "cancelled"


@pytest.mark.parametrize("hall_file", [[("daily_cap = 300", "daily_cap = 2")]], indirect=True)
def test_voiding_gives_the_zones_cap_back(client: FlaskClient, tokens: Tokens) -> None:
    kiosk, manager = Tokens.header(tokens.kiosk), Tokens.header(tokens.manager)

    def take() -> object:
        return client.post("/api/v1/tickets", json={"service_id": "house_transfer"}, headers=kiosk)

    first, _second, third = take(), take(), take()
    assert third.get_json()["error"] == "daily_cap_reached"
    cancel = client.post(
        f"/api/v1/tickets/{first.get_json()['id']}/cancel", json={"reason": "重复取号"}, headers=manager
    )
    assert cancel.status_code == 200
    assert take().status_code == 201 and take().get_json()["error"] == "daily_cap_reached"


@pytest.mark.parametrize("printers", [{"K1": "dummy://", "K2": "dummy://"}])
def test_a_ticket_is_reprinted_a_few_times_at_most(ctx: HallContext, client: FlaskClient) -> None:
    token = create_token(ctx.store, "kiosk", ctx.now(), kiosk_id="K1")
    kiosk = Tokens.header(token)
    ticket = client.post("/api/v1/tickets", json={"service_id": "biz_setup"}, headers=kiosk).get_json()
    codes = [
        client.post(f"/api/v1/tickets/{ticket['id']}/print", json={}, headers=kiosk).status_code
        for _ in range(5)
    ]
    assert codes == [202, 202, 202, 429, 429]


def test_the_database_and_instance_are_the_servers_alone(app: Flask) -> None:
    instance = Path(app.instance_path)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    database = next(instance.glob("*.sqlite3"), None) or next(instance.glob("*.db"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
