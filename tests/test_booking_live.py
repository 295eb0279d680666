"""Booking and messages on real servers: 40 citizens booking one slot of 5 at once through two server
processes (SQLite shared by both, and PostgreSQL) get exactly 5 bookings; a running server messages a citizen
through an SMS gateway that fails, then recovers: each message arrives once, "called" within 5 s."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from hallq.demo.sms_gateway import SmsGateway
from hallq.operations.accounts import create_token
from hallq.operations.clocks import SystemClock
from hallq.store.db import Store, sqlite_url
from hallq.store.models import Appointment, BookingSlot

from .conftest import ANY_HOUR, NO_ADDRESS_LIMIT, NO_LIMITS, NO_SERVICE_LIMIT, demo_hall_copy
from .livehall import free_port, free_ports, live_serve, until
from .postgres import scratch_database

pytestmark = pytest.mark.server

#: house transfers bookable every day from midnight to noon in slots of 5, none kept for the province
EVERY_DAY = ("weekdays = [1, 2, 3, 4, 5]     # ISO", "weekdays = [1, 2, 3, 4, 5, 6, 7]     # ISO")
SLOTS_OF_FIVE = (
    'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["09:00", "12:00"]\nslot_minutes = 30\n'
    "capacity = 4\nprovince_share = 1",
    'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5, 6, 7]\nhours = ["00:00", "12:00"]\n'
    "slot_minutes = 30\ncapacity = 5\nprovince_share = 0",
)
NO_THROTTLE = ("per_address_per_hour = 10", "per_address_per_hour = 0")


def booking_hall(folder: Path, *more: tuple[str, str]) -> Path:
    return demo_hall_copy(
        folder,
        ANY_HOUR,
        NO_LIMITS,
        NO_SERVICE_LIMIT,
        NO_ADDRESS_LIMIT,
        EVERY_DAY,
        SLOTS_OF_FIVE,
        NO_THROTTLE,
        *more,
    )


def first_open_slot(url: str) -> str:
    today = date.today()
    for day in (today, today + timedelta(days=1)):
        answer = requests.get(
            f"{url}/api/v1/booking/slots",
            params={"service_id": "house_transfer", "date": day.isoformat()},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        for slot in answer.json():
            if slot["open"] and slot["left"] == 5:
                return str(slot["start"])
    raise AssertionError("no open slot today or tomorrow")


@contextmanager
def two_processes(folder: Path, database: str) -> Iterator[tuple[list[str], str]]:
    hall_file = booking_hall(folder)
    with ExitStack() as stack:
        if database == "sqlite":  # two processes on one SQLite file (WAL; writes take BEGIN IMMEDIATE)
            instances = [folder / "hall", folder / "hall"]
            url = sqlite_url(folder / "hall")
            options: tuple[str, ...] = ()
        else:
            url = stack.enter_context(scratch_database())
            instances = [folder / "one", folder / "two"]
            options = ("--database-url", url)
            # one hall's processes share its secret (docs/deployment.md): a number's keyed hash is one
            for instance in instances:
                instance.mkdir()
                (instance / "secret_key").write_text("booking-test-secret-" + "x" * 40)
        ports = free_ports(2)
        stack.enter_context(live_serve(instances[0], hall_file, ports[0], extra=options))
        stack.enter_context(live_serve(instances[1], hall_file, ports[1], extra=options))
        yield [f"http://127.0.0.1:{port}" for port in ports], url


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_forty_concurrent_bookings_of_a_slot_of_five_through_two_processes_make_exactly_five(
    tmp_path: Path, database: str
) -> None:
    with two_processes(tmp_path, database) as (urls, database_url):
        slot = first_open_slot(urls[0])

        def attempt(n: int) -> int:
            body = {
                "service_id": "house_transfer",
                "slot_start": slot,
                "name": f"市民{n}",
                "phone": f"1390000{n:04d}",
            }
            return requests.post(f"{urls[n % 2]}/api/v1/bookings", json=body, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=40) as pool:
            answers = list(pool.map(attempt, range(40)))
        assert sorted(answers) == [201] * 5 + [409] * 35, answers
        left = requests.get(
            f"{urls[1]}/api/v1/booking/slots",
            params={"service_id": "house_transfer", "date": slot[:10]},
            timeout=5,
        ).json()
        assert next(s for s in left if s["start"] == slot)["left"] == 0
        store = Store(database_url, pool_size=1)
        try:
            with store.read() as session:
                assert session.scalar(select(func.count()).select_from(Appointment)) == 5
                assert session.scalar(select(BookingSlot.taken)) == 5
        finally:
            store.dispose()


def open_slots(url: str, count: int) -> list[str]:
    today, found = date.today(), []
    for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
        answer = requests.get(
            f"{url}/api/v1/booking/slots",
            params={"service_id": "house_transfer", "date": day.isoformat()},
            timeout=5,
        )
        found += [slot["start"] for slot in answer.json() if slot["open"] and slot["left"]]
    assert len(found) >= count, found
    return found[:count]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_one_number_booking_ten_slots_at_once_through_two_processes_gets_one(
    tmp_path: Path, database: str
) -> None:
    """One active booking per number and service, also when a script sends ten at once to two processes."""
    with two_processes(tmp_path, database) as (urls, _):
        slots = open_slots(urls[0], 10)

        def attempt(n: int) -> int:
            body = {
                "service_id": "house_transfer",
                "slot_start": slots[n],
                "name": "同一人",
                "phone": "13900001111",
            }
            return requests.post(f"{urls[n % 2]}/api/v1/bookings", json=body, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(attempt, range(10)))
        assert sorted(answers) == [201] + [409] * 9, answers


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_booking_cancelled_ten_times_at_once_through_two_processes_gives_its_place_back_once(
    tmp_path: Path, database: str
) -> None:
    """The manage link opened twice and tapped again and again: one cancel wins, one place goes back."""
    with two_processes(tmp_path, database) as (urls, database_url):
        slot = first_open_slot(urls[0])
        made = [
            requests.post(
                f"{urls[0]}/api/v1/bookings",
                json={"service_id": "house_transfer", "slot_start": slot, "name": "市民", "phone": phone},
                timeout=10,
            )
            for phone in ("13900002222", "13900003333")
        ]
        assert [answer.status_code for answer in made] == [201, 201]
        code, key = made[0].json()["code"], made[0].json()["manage_url"].split("key=")[1]

        def cancel(n: int) -> tuple[int, str]:
            answer = requests.delete(f"{urls[n % 2]}/api/v1/bookings/{code}", params={"key": key}, timeout=30)
            return answer.status_code, answer.json().get("error", "")

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(cancel, range(10)))
        assert sorted(answers) == [(200, "")] + [(409, "booking_cancelled")] * 9, answers
        store = Store(database_url, pool_size=1)
        try:
            with store.read() as session:
                assert session.scalar(select(BookingSlot.taken)) == 1
        finally:
            store.dispose()


@pytest.fixture
def messaging_hall(tmp_path: Path) -> Iterator[tuple[str, SmsGateway, dict[str, str]]]:
    gateway = SmsGateway().start()
    messages = (
        'adapter = "none"               # "http"',
        f'adapter = "http"\nurl = "{gateway.url}/send"\nretry_first_s = 1\nretry_max_s = 2 #',
    )
    hall_file = booking_hall(tmp_path, messages)
    instance = tmp_path / "hall"
    port = free_port()
    try:
        with live_serve(instance, hall_file, port):
            store = Store(sqlite_url(instance), pool_size=1)
            now = SystemClock().now()
            tokens = {role: create_token(store, role, now, name=f"{role}-t") for role in ("kiosk", "bridge")}
            store.dispose()
            yield f"http://127.0.0.1:{port}", gateway, tokens
    finally:
        gateway.stop()


def _post(url: str, token: str, body: dict[str, Any] | None = None) -> Any:
    answer = requests.post(url, json=body or {}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_a_running_server_messages_near_and_called_through_a_gateway_that_fails_then_recovers(
    messaging_hall: tuple[str, SmsGateway, dict[str, str]],
) -> None:
    url, gateway, tokens = messaging_hall
    kiosk, bridge = tokens["kiosk"], tokens["bridge"]
    tickets = [_post(f"{url}/api/v1/tickets", kiosk, {"service_id": "house_transfer"}) for _ in range(5)]
    mine = tickets[-1]
    status_token = mine["status_url"].rsplit("/", 1)[1]
    notify = requests.post(
        f"{url}/api/v1/tickets/{mine['id']}/notify",
        json={"phone": "13800138000", "status_token": status_token},
        timeout=5,
    )
    assert notify.status_code == 201, notify.text
    gateway.mode = "error"
    _post(f"{url}/api/v1/windows/W06/open", bridge)
    _post(f"{url}/api/v1/windows/W06/call-next", bridge)  # three ahead of mine now
    until(lambda: gateway.refused >= 2, timeout=10, what="the failing gateway to be tried twice")
    gateway.mode = "ok"
    until(lambda: gateway.messages(), timeout=10, what="the near message after the gateway recovered")
    (near,) = gateway.messages()
    assert near["id"] == f"hallq-t{mine['id']}-near" and near["params"]["ahead"] == 3
    for _ in range(3):
        _post(f"{url}/api/v1/windows/W06/next", bridge)
    called_at = time.monotonic()
    called = _post(f"{url}/api/v1/windows/W06/next", bridge)
    assert called["ticket"]["id"] == mine["id"]
    until(lambda: len(gateway.messages()) == 2, timeout=5, what="the called message within 5 s")
    took = gateway.messages()[1]["at"] - called_at
    assert took < 5.0
    assert gateway.messages()[1]["params"] == {
        "number": mine["number"],
        "service": "二手房转移登记",
        "window": "6",
    }
    _post(f"{url}/api/v1/windows/W06/finish", bridge)
    time.sleep(2.5)  # two more turns of the sender: nothing more for this ticket
    ids = [m["id"] for m in gateway.messages()]
    assert ids == [f"hallq-t{mine['id']}-near", f"hallq-t{mine['id']}-called"]
