"""Messages to a citizen's phone: "notify me" from the kiosk or the phone page, "near" when 3 are ahead and
"called" on the call, booking reminders, the outbox's retry with one id per message, and the three adapters
against the SMS gateway emulator on 127.0.0.1 (the vendors' own SDKs send to it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from hallq.config.booking import Messages
from hallq.demo.sms_gateway import SmsGateway
from hallq.engine import ManualClock
from hallq.operations.context import HallContext
from hallq.operations.messages import forget_numbers, message_status, scan, wall_now
from hallq.sms.adapters import adapter_for, http_adapter
from hallq.sms.sender import send_due
from hallq.store.models import Message, TicketNotice

from .conftest import Tokens

MESSAGES_ON = (
    'adapter = "none"               # "http"',
    'adapter = "http"\nurl = "http://127.0.0.1:9/send" #',
)


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    emulator = SmsGateway().start()
    yield emulator
    emulator.stop()


def to_gateway(ctx: HallContext, gateway: SmsGateway) -> Any:
    return http_adapter(ctx.config.messages.model_copy(update={"url": f"{gateway.url}/send"}))


def issue(client: FlaskClient, tokens: Tokens, count: int, service_id: str = "house_transfer") -> list[dict]:
    kiosk = Tokens.header(tokens.kiosk)
    return [
        client.post("/api/v1/tickets", json={"service_id": service_id}, headers=kiosk).get_json()
        for _ in range(count)
    ]


def sent_kinds(gateway: SmsGateway) -> list[tuple[str, str]]:
    return [(m["id"].rsplit("-", 1)[1], m["params"]["number"]) for m in gateway.messages()]


@pytest.mark.parametrize("hall_file", [[MESSAGES_ON]], indirect=True)
def test_near_at_three_ahead_then_called_and_nothing_after_the_visit(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, gateway: SmsGateway
) -> None:
    send = to_gateway(ctx, gateway)
    tickets = issue(client, tokens, 5)
    mine = tickets[-1]
    assert mine["ahead"] == 4
    notify = client.post(
        f"/api/v1/tickets/{mine['id']}/notify",
        json={"phone": "138 0013 8000"},
        headers=Tokens.header(tokens.kiosk),
    )
    assert notify.status_code == 201, notify.get_json()
    assert notify.get_json() == {"ticket_id": mine["id"], "phone": "138****8000", "when_ahead": 3}
    assert send_due(ctx, send) == (0, 0)  # four ahead: not yet
    bridge = Tokens.header(tokens.bridge)
    client.post("/api/v1/windows/W06/open", headers=bridge)
    client.post("/api/v1/windows/W06/call-next", headers=bridge)  # three ahead now
    assert send_due(ctx, send) == (1, 0)
    near = gateway.messages()[0]
    assert near["id"] == f"hallq-t{mine['id']}-near" and near["phone"] == "13800138000"
    assert near["template"] == "near" and near["params"] == {
        "number": mine["number"],
        "service": "二手房转移登记",
        "ahead": 3,
    }
    for _ in range(3):
        client.post("/api/v1/windows/W06/next", headers=bridge)
        assert send_due(ctx, send) == (0, 0)  # two, one, none ahead: "near" went once
    client.post("/api/v1/windows/W06/next", headers=bridge)  # called
    assert send_due(ctx, send) == (1, 0)
    called = gateway.messages()[1]
    assert called["id"] == f"hallq-t{mine['id']}-called" and called["params"]["window"] == "6"
    client.post("/api/v1/windows/W06/recall", headers=bridge)
    client.post("/api/v1/windows/W06/finish", headers=bridge)
    assert send_due(ctx, send) == (0, 0)
    assert len(gateway.messages()) == 2
    status = message_status(ctx)
    assert (status["sent"], status["pending"], status["failing"]) == (2, 0, 0)
    assert all("138" not in str(m) for m in status["messages"])
    with ctx.store.read() as session:  # the number leaves each message once it is sent
        assert session.scalars(select(Message.phone)).all() == [None, None]


@pytest.mark.parametrize("hall_file", [[MESSAGES_ON]], indirect=True)
def test_a_failing_gateway_gets_each_message_once_when_it_recovers(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, gateway: SmsGateway
) -> None:
    send = to_gateway(ctx, gateway)
    tickets = issue(client, tokens, 3)
    for ticket in tickets:
        status_token = ticket["status_url"].rsplit("/", 1)[1]
        body = {"phone": f"1390000000{ticket['id'] % 10}", "status_token": status_token}
        assert client.post(f"/api/v1/tickets/{ticket['id']}/notify", json=body).status_code == 201
    gateway.mode = "error"
    assert send_due(ctx, send) == (0, 3)
    assert send_due(ctx, send) == (0, 0)  # backing off
    status = message_status(ctx)
    assert status["failing"] == 3 and status["messages"][0]["result"].startswith("HTTP 500")
    for _ in range(2):  # due again: still failing
        with ctx.store.write_connection() as connection:
            connection.execute(update(Message).values(next_attempt_at=wall_now()))
        assert send_due(ctx, send) == (0, 3)
    gateway.mode = "ok"
    with ctx.store.write_connection() as connection:
        connection.execute(update(Message).values(next_attempt_at=wall_now()))
    assert send_due(ctx, send) == (3, 0)
    assert send_due(ctx, send) == (0, 0)
    ids = [m["id"] for m in gateway.messages()]
    assert sorted(ids) == sorted(f"hallq-t{t['id']}-near" for t in tickets)  # once each
    assert gateway.refused == 9
    assert message_status(ctx)["messages"][0]["attempts"] == 4


@pytest.mark.parametrize("hall_file", [[MESSAGES_ON]], indirect=True)
def test_a_message_too_late_or_for_a_finished_ticket_is_dropped(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, gateway: SmsGateway
) -> None:
    send = to_gateway(ctx, gateway)
    first, second = issue(client, tokens, 2)
    kiosk = Tokens.header(tokens.kiosk)
    for ticket in (first, second):
        client.post(f"/api/v1/tickets/{ticket['id']}/notify", json={"phone": "13800138000"}, headers=kiosk)
    assert scan(ctx) == 2
    client.post(
        f"/api/v1/tickets/{first['id']}/cancel",
        json={"reason": "left"},
        headers=Tokens.header(tokens.manager),
    )
    with ctx.store.write_connection() as connection:  # the second waited past give_up_after_min
        connection.execute(
            update(Message)
            .where(Message.ticket_id == second["id"])
            .values(created_at=wall_now() - timedelta(minutes=31))
        )
    assert send_due(ctx, send) == (0, 0)
    assert gateway.messages() == []
    with ctx.store.read() as session:
        rows = session.execute(select(Message.state, Message.last_error, Message.phone)).all()
    assert sorted(rows) == [
        ("dropped", "此号已办结 / ticket finished", None),
        ("dropped", "超时未发 / too late", None),
    ]


def test_notify_me_is_refused_clearly(client: FlaskClient, tokens: Tokens, ctx: HallContext) -> None:
    (ticket,) = issue(client, tokens, 1)
    url = f"/api/v1/tickets/{ticket['id']}/notify"
    off = client.post(url, json={"phone": "13800138000"}, headers=Tokens.header(tokens.kiosk))
    assert off.status_code == 409 and off.get_json()["error"] == "messages_off"
    assert client.post(url, json={"phone": "13800138000"}).status_code == 403
    wrong = client.post(url, json={"phone": "13800138000", "status_token": "nope"})
    assert wrong.status_code == 404
    assert client.post(url, json={}, headers=Tokens.header(tokens.kiosk)).status_code == 422


@pytest.mark.parametrize("hall_file", [[MESSAGES_ON]], indirect=True)
def test_notify_me_checks_the_number_the_kiosk_and_the_ticket(
    client: FlaskClient, tokens: Tokens, ctx: HallContext
) -> None:
    from hallq.operations.accounts import create_token

    kiosk = Tokens.header(tokens.kiosk)
    ticket = client.post(
        "/api/v1/tickets", json={"service_id": "id_card", "kiosk_id": "K1"}, headers=kiosk
    ).get_json()
    url = f"/api/v1/tickets/{ticket['id']}/notify"
    bad = client.post(url, json={"phone": "12345"}, headers=kiosk)
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_phone"
    other = create_token(ctx.store, "kiosk", ctx.now(), name="k2", kiosk_id="K2")
    refused = client.post(url, json={"phone": "13800138000"}, headers=Tokens.header(other))
    assert refused.status_code == 403 and refused.get_json()["error"] == "wrong_kiosk"
    client.post("/api/v1/windows/W14/open", headers=Tokens.header(tokens.bridge))
    client.post("/api/v1/windows/W14/call-next", headers=Tokens.header(tokens.bridge))
    client.post("/api/v1/windows/W14/finish", headers=Tokens.header(tokens.bridge))
    done = client.post(url, json={"phone": "13800138000"}, headers=kiosk)
    assert done.status_code == 409 and done.get_json()["error"] == "ticket_not_waiting"
    assert (
        client.post("/api/v1/tickets/999999/notify", json={"phone": "13800138000"}, headers=kiosk).status_code
        == 404
    )


@pytest.mark.parametrize("hall_file", [[MESSAGES_ON]], indirect=True)
def test_booking_reminders_a_day_and_an_hour_before(
    client: FlaskClient, clock: ManualClock, ctx: HallContext, gateway: SmsGateway
) -> None:
    send = to_gateway(ctx, gateway)
    body = {"service_id": "house_transfer", "name": "李四", "phone": "13700137000"}
    tomorrow = client.post(
        "/api/v1/bookings", json=body | {"slot_start": "2026-11-24T10:30+08:00"}
    ).get_json()
    soon = client.post(
        "/api/v1/bookings", json=body | {"service_id": "biz_setup", "slot_start": "2026-11-23T10:30+08:00"}
    ).get_json()
    assert send_due(ctx, send) == (0, 0)  # the one in half an hour was just booked: no reminder of it
    clock.advance(30 * 60)  # Monday 10:30: a day before the Tuesday slot
    assert send_due(ctx, send) == (1, 0)
    clock.advance(23 * 3600)  # Tuesday 9:30
    assert send_due(ctx, send) == (1, 0)
    kinds = [(m["id"], m["template"], m["params"]) for m in gateway.messages()]
    code = tomorrow["code"]
    assert kinds == [
        (
            f"hallq-b{code}-reminder_day",
            "reminder_day",
            {"code": code, "service": "二手房转移登记", "time": "11-24 10:30"},
        ),
        (
            f"hallq-b{code}-reminder_hour",
            "reminder_hour",
            {"code": code, "service": "二手房转移登记", "time": "11-24 10:30"},
        ),
    ]
    assert soon["code"] not in str(kinds)


@pytest.mark.parametrize("hall_file", [[MESSAGES_ON]], indirect=True)
def test_numbers_for_messages_are_deleted_at_the_end_of_the_day(
    client: FlaskClient, tokens: Tokens, clock: ManualClock, ctx: HallContext
) -> None:
    (ticket,) = issue(client, tokens, 1)
    client.post(
        f"/api/v1/tickets/{ticket['id']}/notify",
        json={"phone": "13800138000"},
        headers=Tokens.header(tokens.kiosk),
    )
    forget_numbers(ctx)
    with ctx.store.read() as session:
        assert session.get(TicketNotice, ticket["id"]).phone == "13800138000"
    clock.advance(24 * 3600)
    forget_numbers(ctx)
    with ctx.store.read() as session:
        assert session.get(TicketNotice, ticket["id"]).phone is None


VENDORS = [
    ("aliyun", {"sign_name": "示范政务"}),
    ("tencent", {"sign_name": "示范政务", "sdk_app_id": "1400000000"}),
]


@pytest.mark.parametrize(("adapter", "extra"), VENDORS)
def test_the_vendor_sdks_send_the_template_the_params_and_the_id(
    adapter: str, extra: dict[str, str], gateway: SmsGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = Messages(adapter=adapter, endpoint=gateway.url, timeout_s=3, **extra)  # type: ignore[arg-type]
    send = adapter_for(rule)
    assert send is not None
    params = {"number": "C012", "service": "二手房转移登记", "ahead": 3}
    missing = send("hallq-t1-near", "13800138000", "SMS_0001", params)
    assert missing is not None and "HALLQ_SMS_KEY_ID" in missing  # no key in the environment: not sent
    monkeypatch.setenv("HALLQ_SMS_KEY_ID", "test-key-id")
    monkeypatch.setenv("HALLQ_SMS_KEY_SECRET", "test-key-secret")
    assert send("hallq-t1-near", "13800138000", "SMS_0001", params) is None
    (received,) = gateway.messages()
    assert received["via"] == adapter and received["id"] == "hallq-t1-near" and received["sign"] == "示范政务"
    assert received["template"] == "SMS_0001"
    if adapter == "aliyun":
        assert received["phone"] == "13800138000" and received["params"] == params
    else:
        assert received["phone"] == "+8613800138000" and received["params"] == ["C012", "二手房转移登记", "3"]
    gateway.mode = "error"
    error = send("hallq-t1-called", "13800138000", "SMS_0002", params)
    assert error is not None and ("BUSINESS_LIMIT" in error or "LimitExceeded" in error)
    assert len(gateway.messages()) == 1
