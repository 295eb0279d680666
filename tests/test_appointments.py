"""预约 check-in: a booking from the booking system, checked in at a kiosk, queues from its slot's start."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from hallq.engine import ManualClock

from .conftest import MONDAY_10AM, Tokens


def book(client: FlaskClient, tokens: Tokens, code: str, minutes_from_now: int, service_id: str = "seal"):  # type: ignore[no-untyped-def]
    slot = (MONDAY_10AM + timedelta(minutes=minutes_from_now)).isoformat()
    return client.post(
        "/api/v1/appointments",
        json={"code": code, "service_id": service_id, "slot_at": slot},
        headers=Tokens.header(tokens.manager),
    )


def take(client: FlaskClient, tokens: Tokens, service_id: str = "seal", **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tickets", json={"service_id": service_id, **extra}, headers=Tokens.header(tokens.kiosk)
    )


def test_a_booked_citizen_is_called_at_their_slot_not_behind_everyone_who_came_first(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    booked = book(client, tokens, "YY-2026-0001", 20)  # slot 10:20; now 10:00
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json() == {
        "code": "YY-2026-0001",
        "service_id": "seal",
        "slot_at": "2026-11-23T10:20+08:00",
        "ticket_id": None,
    }
    early = take(client, tokens)  # queued at 10:00
    clock.advance(10 * 60)
    checked_in = take(client, tokens, appointment_code="YY-2026-0001")  # 10:10, ten minutes early
    assert checked_in.status_code == 201, checked_in.get_json()
    assert checked_in.get_json()["ahead"] == 1  # only the 10:00 walk-in comes first
    clock.advance(5 * 60)
    walk_ins = [take(client, tokens).get_json() for _ in range(2)]  # 10:15: before the slot, so ahead of it
    assert [t["ahead"] for t in walk_ins] == [1, 2]  # the booking queues from 10:20: behind them
    clock.advance(10 * 60)
    late_walk_in = take(client, tokens).get_json()  # 10:25: after the slot
    assert late_walk_in["ahead"] == 4
    bridge = Tokens.header(tokens.bridge)
    client.post("/api/v1/windows/W02/open", headers=bridge)
    order = []
    for _ in range(5):
        called = client.post("/api/v1/windows/W02/call-next", headers=bridge).get_json()["ticket"]
        order.append(called["id"])
        client.post("/api/v1/windows/W02/finish", headers=bridge)
    ids = [
        early.get_json()["id"],
        *(t["id"] for t in walk_ins),
        checked_in.get_json()["id"],
        late_walk_in["id"],
    ]
    assert order == ids
    again = take(client, tokens, appointment_code="YY-2026-0001")
    assert again.status_code == 409 and again.get_json()["error"] == "appointment_checked_in"


def test_check_in_outside_its_window_or_with_a_wrong_code_is_refused_and_uses_no_number(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    assert book(client, tokens, "EARLY-1", 45).status_code == 201  # 10:45: check-in opens at 10:15
    assert book(client, tokens, "LATE-1", -20).status_code == 201  # 9:40: check-in closed at 9:55
    assert book(client, tokens, "OTHER-1", 0, service_id="biz_setup").status_code == 201
    cases = [
        ("EARLY-1", "seal", 409, "appointment_too_early"),
        ("LATE-1", "seal", 409, "appointment_missed"),
        ("OTHER-1", "seal", 422, "appointment_for_other_service"),
        ("NOPE-0000", "seal", 422, "unknown_appointment"),
    ]
    for code, service_id, status, error in cases:
        answer = take(client, tokens, service_id, appointment_code=code)
        assert (answer.status_code, answer.get_json()["error"]) == (status, error), code
        assert answer.get_json()["message"]
    assert take(client, tokens).get_json()["number"] == "A001"  # the refusals used no number
    clock.advance(30 * 60)  # 10:30: EARLY-1's check-in is open now
    assert take(client, tokens, appointment_code="EARLY-1").get_json()["number"] == "A002"


def test_bookings_are_checked_and_unique(client: FlaskClient, tokens: Tokens) -> None:
    assert book(client, tokens, "DUP-0001", 10).status_code == 201
    duplicate = book(client, tokens, "DUP-0001", 30)
    assert duplicate.status_code == 409 and duplicate.get_json()["error"] == "appointment_exists"
    assert book(client, tokens, "X-0001", 10, service_id="nope").get_json()["error"] == "unknown_service"
    manager = Tokens.header(tokens.manager)
    bad = [
        {"code": "no spaces!", "service_id": "seal", "slot_at": "2026-11-23T10:00:00+08:00"},
        {"code": "NAIVE-001", "service_id": "seal", "slot_at": "2026-11-23T10:00:00"},  # no UTC offset
        {"code": "NOTIME-01", "service_id": "seal", "slot_at": "tomorrow"},
    ]
    for body in bad:
        answer = client.post("/api/v1/appointments", json=body, headers=manager)
        assert answer.status_code == 422, body
    kiosk = client.post(
        "/api/v1/appointments",
        json={"code": "KIOSK-01", "service_id": "seal", "slot_at": "2026-11-23T10:00:00+08:00"},
        headers=Tokens.header(tokens.kiosk),
    )
    assert kiosk.status_code == 403
