"""号源 booking through the public API: slots with the places left, a booking and its manage link, the
province's share, the limits per number and address, 爽约 blocking, and check-in at the kiosk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from hallq.engine import ManualClock
from hallq.operations.context import HallContext
from hallq.store.models import Appointment, TicketNotice

from .conftest import MONDAY_10AM, Tokens

MONDAY = "2026-11-23"
#: Monday 23 November 2026, 10:30 in Shanghai: the first slot open for booking at 10:00
SLOT_1030 = "2026-11-23T10:30+08:00"
WIDE_WEEK = ("per_phone_per_week = 3", "per_phone_per_week = 20")


def slots(client: FlaskClient, service_id: str = "house_transfer", day: str = MONDAY) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/booking/slots?service_id={service_id}&date={day}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def book(client: FlaskClient, slot: str = SLOT_1030, phone: str = "13800138000", **extra: Any) -> Any:
    body = {"service_id": "house_transfer", "slot_start": slot, "name": "张三", "phone": phone, **extra}
    return client.post("/api/v1/bookings", json=body)


def key_of(manage_url: str) -> str:
    return manage_url.split("key=", 1)[1]


def test_the_days_slots_show_the_places_left_for_the_booking_page(client: FlaskClient) -> None:
    day = slots(client)
    assert [s["start"][11:16] for s in day][:3] == ["09:00", "09:30", "10:00"]
    assert len(day) == 12  # 09:00-12:00 and 13:30-16:30 in 30 minutes
    by_start = {s["start"]: s for s in day}
    # at 10:00 a 10:00 slot is closed (30 minutes before), 10:30 open: 4 places, one kept for the province
    assert by_start["2026-11-23T10:00+08:00"] | {} == {
        "start": "2026-11-23T10:00+08:00",
        "end": "2026-11-23T10:30+08:00",
        "capacity": 3,
        "left": 0,
        "open": False,
    }
    assert by_start[SLOT_1030]["left"] == 3 and by_start[SLOT_1030]["open"]
    assert slots(client, day="2026-11-22") == []  # a Sunday
    assert slots(client, day="2026-12-01")  # within 7 days ahead: listed
    assert not any(s["open"] for s in slots(client, day="2026-12-02"))  # 9 days ahead: not open
    services = client.get("/api/v1/booking/services").get_json()
    ids = {s["id"] for s in services["services"]}
    assert ids == {"house_transfer", "biz_setup", "id_card"}
    house = next(s for s in services["services"] if s["id"] == "house_transfer")
    assert house["materials"] and house["days"][0] == MONDAY and "2026-11-28" not in house["days"]
    assert client.get("/api/v1/booking/slots?service_id=seal&date=2026-11-23").status_code == 422
    assert client.get("/api/v1/booking/slots?service_id=house_transfer&date=monday").status_code == 422


def test_a_booking_takes_a_place_and_its_link_shows_and_cancels_it(client: FlaskClient) -> None:
    answer = book(client)
    assert answer.status_code == 201, answer.get_json()
    booking = answer.get_json()
    assert booking["code"].isdigit() and len(booking["code"]) == 8
    assert booking["slot_start"] == SLOT_1030 and booking["service_id"] == "house_transfer"
    assert booking["manage_url"].startswith(f"/book/{booking['code']}?key=")
    assert {s["start"]: s["left"] for s in slots(client)}[SLOT_1030] == 2
    code, key = booking["code"], key_of(booking["manage_url"])
    seen = client.get(f"/api/v1/bookings/{code}?key={key}").get_json()
    assert seen["state"] == "booked" and seen["phone"] == "138****8000" and seen["name"] == "张三"
    assert (
        seen["check_in_from"] == "2026-11-23T10:00+08:00"
        and seen["check_in_until"] == "2026-11-23T10:45+08:00"
    )
    assert client.get(f"/api/v1/bookings/{code}?key=wrong").status_code == 404
    assert client.delete(f"/api/v1/bookings/{code}?key=wrong").status_code == 404
    cancelled = client.delete(f"/api/v1/bookings/{code}?key={key}")
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    assert {s["start"]: s["left"] for s in slots(client)}[SLOT_1030] == 3  # free again at once
    again = client.delete(f"/api/v1/bookings/{code}?key={key}")
    assert again.status_code == 409 and again.get_json()["error"] == "booking_cancelled"
    assert book(client).status_code == 201  # the number may book again once it cancelled


def test_a_full_slot_refuses_the_page_and_the_province_share_stays_for_the_api(
    client: FlaskClient, tokens: Tokens
) -> None:
    for phone in ("13800000001", "13800000002", "13800000003"):
        assert book(client, phone=phone).status_code == 201
    full = book(client, phone="13800000004")
    assert full.status_code == 409 and full.get_json()["error"] == "slot_full"
    manager = Tokens.header(tokens.manager)
    province = {"code": "PROV-0001", "service_id": "house_transfer", "slot_at": SLOT_1030}
    assert client.post("/api/v1/appointments", json=province, headers=manager).status_code == 201
    one_more = client.post("/api/v1/appointments", json=province | {"code": "PROV-0002"}, headers=manager)
    assert one_more.status_code == 409 and one_more.get_json()["error"] == "slot_full"
    # a booking system's slot outside any 号源 is taken as before (no capacity to count against)
    outside = province | {"code": "PROV-0003", "service_id": "seal"}
    assert client.post("/api/v1/appointments", json=outside, headers=manager).status_code == 201


def test_bad_bookings_get_clear_errors(client: FlaskClient) -> None:
    cases = [
        ({"phone": "12345"}, 422, "invalid_phone"),
        ({"name": "   "}, 422, "invalid_name"),
        ({"slot_start": "2026-11-23T10:15+08:00"}, 422, "unknown_slot"),
        ({"slot_start": "2026-11-23T09:30+08:00"}, 409, "slot_closed"),
        ({"service_id": "seal"}, 422, "not_bookable"),
        ({"service_id": "nope"}, 422, "unknown_service"),
    ]
    for change, status, code in cases:
        answer = book(client, **change)
        assert (answer.status_code, answer.get_json()["error"]) == (status, code), change
    assert client.post("/api/v1/bookings", json={"service_id": "x"}).status_code == 422
    assert client.post("/api/v1/bookings", data="{", content_type="application/json").status_code == 400


@pytest.mark.parametrize("hall_file", [[WIDE_WEEK]], indirect=True)
def test_one_booking_per_service_per_number_and_a_throttle_per_address(client: FlaskClient) -> None:
    assert book(client).status_code == 201
    second = book(client, slot="2026-11-23T11:00+08:00")
    assert second.status_code == 409 and second.get_json()["error"] == "already_booked"
    other_service = book(client, slot="2026-11-23T11:00+08:00", service_id="biz_setup")
    assert other_service.status_code == 201
    answers = [book(client, phone=f"1390000{n:04d}").status_code for n in range(10)]
    assert answers.count(429) >= 1  # ten an hour from one address; two were made above
    assert book(client, phone="13911112222").get_json()["error"] == "too_many_bookings"


def test_bookings_per_number_per_week(client: FlaskClient, clock: ManualClock) -> None:
    for service_id, slot in [
        ("house_transfer", SLOT_1030),
        ("biz_setup", SLOT_1030),
        ("id_card", "2026-11-25T10:30+08:00"),
    ]:
        assert book(client, service_id=service_id, slot=slot).status_code == 201
    clock.advance(50 * 60)  # 10:50: the house transfer's slot is over (missed), still one of the week's three
    week = book(client, slot="2026-11-24T10:30+08:00")
    assert week.status_code == 409 and week.get_json()["error"] == "week_limit"
    assert book(client, slot="2026-11-30T10:30+08:00").status_code == 201  # next week


@pytest.mark.parametrize("hall_file", [[WIDE_WEEK]], indirect=True)
def test_three_no_shows_block_booking_for_thirty_days_but_never_the_kiosk(
    client: FlaskClient, tokens: Tokens, clock: ManualClock, ctx: HallContext
) -> None:
    for slot in ("10:30", "11:30", "14:00"):
        answer = book(client, slot=f"{MONDAY}T{slot}+08:00")
        assert answer.status_code == 201, answer.get_json()
        start = MONDAY_10AM.replace(hour=int(slot[:2]), minute=int(slot[3:]))
        clock.set(start + timedelta(minutes=16))  # check-in closed 15 minutes after the start: 爽约
    blocked = book(client, slot="2026-11-24T10:30+08:00")
    assert blocked.status_code == 403
    body = blocked.get_json()
    assert body["error"] == "booking_blocked" and body["until"] == "2026-12-23T14:15+08:00"
    assert "2026-12-23" in body["message"]
    walk_in = client.post(
        "/api/v1/tickets", json={"service_id": "house_transfer"}, headers=Tokens.header(tokens.kiosk)
    )
    assert walk_in.status_code == 201
    clock.set(MONDAY_10AM + timedelta(days=30, hours=5))  # 23 December 15:00: the block is over
    assert book(client, slot="2026-12-24T10:30+08:00").status_code == 201


def test_a_booking_checked_in_at_the_kiosk_queues_from_its_slot_and_keeps_its_number_for_messages(
    client: FlaskClient, tokens: Tokens, clock: ManualClock, ctx: HallContext
) -> None:
    booking = book(client).get_json()
    kiosk = Tokens.header(tokens.kiosk)
    walk_in = client.post("/api/v1/tickets", json={"service_id": "house_transfer"}, headers=kiosk).get_json()
    clock.advance(20 * 60)  # 10:20: check-in is open
    later = client.post("/api/v1/tickets", json={"service_id": "house_transfer"}, headers=kiosk).get_json()
    checked_in = client.post("/api/v1/tickets", json={"appointment_code": booking["code"]}, headers=kiosk)
    assert checked_in.status_code == 201, checked_in.get_json()
    ticket = checked_in.get_json()
    assert (
        ticket["service_id"] == "house_transfer" and ticket["ahead"] == 2
    )  # both walk-ins came before 10:30
    assert later["ahead"] == 1 and walk_in["ahead"] == 0
    with ctx.store.read() as session:
        notice = session.get(TicketNotice, ticket["id"])
        assert notice is not None and notice.phone == "13800138000" and notice.source == "booking"
    key = key_of(booking["manage_url"])
    late_cancel = client.delete(f"/api/v1/bookings/{booking['code']}?key={key}")
    assert late_cancel.status_code == 409 and late_cancel.get_json()["error"] == "booking_checked_in"
    assert client.get(f"/api/v1/bookings/{booking['code']}?key={key}").get_json()["state"] == "checked_in"


def test_a_cancelled_booking_does_not_check_in(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    booking = book(client).get_json()
    client.delete(f"/api/v1/bookings/{booking['code']}?key={key_of(booking['manage_url'])}")
    clock.advance(20 * 60)
    refused = client.post(
        "/api/v1/tickets", json={"appointment_code": booking["code"]}, headers=Tokens.header(tokens.kiosk)
    )
    assert refused.status_code == 409 and refused.get_json()["error"] == "appointment_cancelled"


def test_managers_see_bookings_per_slot_and_service(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    kept = book(client, phone="13800000001").get_json()
    book(client, phone="13800000002")
    gone = book(client, phone="13800000003").get_json()
    client.delete(f"/api/v1/bookings/{gone['code']}?key={key_of(gone['manage_url'])}")
    clock.advance(20 * 60)
    client.post(
        "/api/v1/tickets", json={"appointment_code": kept["code"]}, headers=Tokens.header(tokens.kiosk)
    )
    clock.advance(30 * 60)  # 10:50: the other one missed its check-in
    manager = Tokens.header(tokens.manager)
    report = client.get(f"/api/v1/stats/bookings?from={MONDAY}&to={MONDAY}", headers=manager).get_json()
    slot = next(
        s for s in report["slots"] if s["service_id"] == "house_transfer" and s["slot_start"] == SLOT_1030
    )
    assert {k: slot[k] for k in ("capacity", "booked", "checked_in", "no_show", "cancelled", "pending")} == {
        "capacity": 4,
        "booked": 2,
        "checked_in": 1,
        "no_show": 1,
        "cancelled": 1,
        "pending": 0,
    }
    house = next(s for s in report["services"] if s["service_id"] == "house_transfer")
    assert house["capacity"] == 48 and house["booked"] == 2
    assert client.get(f"/api/v1/stats/bookings?from={MONDAY}&to={MONDAY}").status_code == 401
    assert client.get("/api/v1/stats/bookings?from=x&to=y", headers=manager).status_code == 422


def test_numbers_are_forgotten_after_the_day_only_the_keyed_hash_stays(
    client: FlaskClient, clock: ManualClock, ctx: HallContext
) -> None:
    from hallq.operations.messages import forget_numbers

    booking = book(client).get_json()
    forget_numbers(ctx)
    with ctx.store.read() as session:
        assert session.get(Appointment, booking["code"]).phone == "13800138000"
    clock.advance(24 * 3600)
    forget_numbers(ctx)
    with ctx.store.read() as session:
        row = session.get(Appointment, booking["code"])
        assert row.phone is None and row.name is None and row.phone_key and "138" not in row.phone_key


def test_the_hall_file_refuses_quotas_that_cannot_work() -> None:
    from hallq.config.hall import parse_hall
    from hallq.config.tomlfile import ConfigError

    from .conftest import DEMO_HALL

    text = DEMO_HALL.read_text(encoding="utf-8")
    first = 'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["09:00", "12:00"]'
    cases = {
        'service = "nope"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["09:00", "12:00"]': 'unknown service "nope"',
        'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["08:00", "12:00"]': "opening hours",
        'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["09:00", "14:00"]': "overlaps",
        'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["12:00", "09:00"]': "the start",
    }
    for replacement, words in cases.items():
        try:
            parse_hall(text.replace(first, replacement, 1))
        except ConfigError as error:
            assert any(words in str(problem) for problem in error.problems), error.problems
        else:
            raise AssertionError(f"accepted: {replacement}")
    shared = text.replace("capacity = 4\nprovince_share = 1", "capacity = 4\nprovince_share = 4", 1)
    try:
        parse_hall(shared)
    except ConfigError as error:
        assert "province_share" in str(error.problems[0])
    else:
        raise AssertionError("a share of every place was accepted")
