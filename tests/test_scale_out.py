"""Several server processes on one PostgreSQL database and one Redis message queue, as a city runs hallq:
pushes cross processes, eight clerks on two processes never share or skip a ticket, issuing from both stays
unique and gapless, `serve --workers` shares one port, and the halls of a city never hear each other."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import func, select

from hallq.operations.accounts import create_token
from hallq.operations.clocks import SystemClock
from hallq.store.db import Store
from hallq.store.models import Ticket, TicketEvent

from .conftest import ANY_HOUR, NO_ADDRESS_LIMIT, NO_LIMITS, NO_SERVICE_LIMIT, demo_hall_copy
from .livehall import free_port, free_ports, live_serve
from .postgres import require_redis, scratch_database
from .test_city import write_city

pytestmark = pytest.mark.server

#: eight windows whose A and B services overlap in zones A, B, C and F
WINDOWS = ("W01", "W02", "W04", "W05", "W06", "W07", "W12", "W13")
SERVICES = (
    "biz_setup",
    "biz_change",
    "seal",
    "construction_permit",
    "house_transfer",
    "mortgage",
    "invoice",
    "housing_fund",
)


@dataclass
class TwoServers:
    urls: tuple[str, str]
    database_url: str
    tokens: dict[str, str]

    def store(self) -> Store:
        return Store(self.database_url, pool_size=1)


def _tokens(database_url: str) -> dict[str, str]:
    store = Store(database_url, pool_size=1)
    now = SystemClock().now()
    found = {
        role: create_token(store, role, now, name=f"{role}-test") for role in ("kiosk", "display", "bridge")
    }
    for window_id in WINDOWS:
        found[window_id] = create_token(store, "clerk", now, window_id=window_id, name=f"clerk-{window_id}")
    store.dispose()
    return found


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoServers]:
    redis_url = require_redis()
    folder = tmp_path_factory.mktemp("two")
    hall_file = demo_hall_copy(folder, ANY_HOUR, NO_LIMITS, NO_SERVICE_LIMIT, NO_ADDRESS_LIMIT)
    with scratch_database() as database_url:
        ports = tuple(free_ports(2))
        options = ("--database-url", database_url, "--message-queue", redis_url)
        # both start at once: their migrations queue on a PostgreSQL advisory lock
        with (
            live_serve(folder / "one", hall_file, ports[0], extra=options),
            live_serve(folder / "two", hall_file, ports[1], extra=options),
        ):
            urls = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
            yield TwoServers(urls, database_url, _tokens(database_url))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _display(url: str, token: str, room: str = "hall", path: str = "socket.io") -> tuple[Any, list[dict]]:
    calls: list[dict] = []
    client = socketio.Client(reconnection=False)
    client.on("ticket_called", calls.append)
    client.connect(url, auth={"token": token}, transports=["websocket"], socketio_path=path, wait_timeout=10)
    assert client.call("join", {"room": room}, timeout=5) == {"ok": True, "room": room}
    return client, calls


def _wait_for(condition: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_call_through_one_process_reaches_a_display_on_the_other(two_servers: TwoServers) -> None:
    first, second = two_servers.urls
    tokens = two_servers.tokens
    display, calls = _display(second, tokens["display"])
    try:
        issued = requests.post(
            f"{first}/api/v1/tickets",
            json={"service_id": "id_card"},
            headers=bearer(tokens["kiosk"]),
            timeout=5,
        )
        assert issued.status_code == 201, issued.text
        bridge = bearer(tokens["bridge"])
        assert requests.post(f"{first}/api/v1/windows/W14/open", headers=bridge, timeout=5).status_code == 200
        called = requests.post(f"{first}/api/v1/windows/W14/call-next", headers=bridge, timeout=5)
        assert called.status_code == 200 and called.json()["ticket"]["number"] == issued.json()["number"]
        assert _wait_for(lambda: calls), "the call made on process 1 never reached the display on process 2"
        assert calls[0]["ticket"]["number"] == issued.json()["number"]
        assert (
            requests.post(f"{first}/api/v1/windows/W14/finish", headers=bridge, timeout=5).status_code == 200
        )
    finally:
        display.disconnect()


def _issue(url: str, token: str, service_id: str, count: int) -> list[dict[str, Any]]:
    with requests.Session() as http:
        answers = []
        for _ in range(count):
            response = http.post(
                f"{url}/api/v1/tickets", json={"service_id": service_id}, headers=bearer(token), timeout=10
            )
            assert response.status_code == 201, response.text
            answers.append(response.json())
        return answers


def test_issuing_from_both_processes_at_once_is_unique_and_gapless(two_servers: TwoServers) -> None:
    kiosk = two_servers.tokens["kiosk"]
    jobs = [(two_servers.urls[index % 2], SERVICES[index % len(SERVICES)]) for index in range(8)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        batches = list(pool.map(lambda job: _issue(job[0], kiosk, job[1], 40), jobs))
    answered = [ticket for batch in batches for ticket in batch]
    assert len(answered) == 320
    numbers = [ticket["number"] for ticket in answered]
    assert len(set(numbers)) == len(numbers), "a number was handed out twice"
    store = two_servers.store()
    with store.read() as session:
        rows = session.execute(select(Ticket.zone_id, Ticket.seq, Ticket.number)).all()
    store.dispose()
    assert {ticket["number"] for ticket in answered} <= {row.number for row in rows}
    for zone in {row.zone_id for row in rows}:
        seqs = sorted(row.seq for row in rows if row.zone_id == zone)
        assert seqs == list(range(1, len(seqs) + 1)), f"gap or duplicate in zone {zone}"


def test_eight_clerks_on_two_processes_never_share_or_skip_a_ticket(two_servers: TwoServers) -> None:
    tokens, urls = two_servers.tokens, two_servers.urls
    _issue(urls[0], tokens["kiosk"], "biz_setup", 5)  # the queue is never empty when the clerks start
    for index, window_id in enumerate(WINDOWS):
        opened = requests.post(
            f"{urls[index % 2]}/api/v1/windows/{window_id}/open", headers=bearer(tokens[window_id]), timeout=5
        )
        assert opened.status_code == 200, opened.text
    store = two_servers.store()
    with store.read() as session:
        waiting = set(session.scalars(select(Ticket.id).where(Ticket.status == "waiting")))
    # more tickets arrive while the clerks work, half through each process
    arriving = threading.Thread(
        target=lambda: [
            _issue(urls[n % 2], tokens["kiosk"], SERVICES[n % len(SERVICES)], 5) for n in range(8)
        ]
    )

    def clerk(index: int) -> list[int]:
        window_id, url = WINDOWS[index], urls[index % 2]
        headers, called = bearer(tokens[window_id]), []
        with requests.Session() as http:
            idle_since = None
            while True:
                answer = http.post(f"{url}/api/v1/windows/{window_id}/call-next", headers=headers, timeout=10)
                assert answer.status_code == 200, answer.text
                ticket = answer.json()["ticket"]
                if ticket is None:
                    idle_since = idle_since or time.monotonic()
                    if not arriving.is_alive() and time.monotonic() - idle_since > 0.5:
                        return called
                    time.sleep(0.05)
                    continue
                idle_since = None
                called.append(ticket["id"])
                done = http.post(f"{url}/api/v1/windows/{window_id}/finish", headers=headers, timeout=10)
                assert done.status_code == 200, done.text

    arriving.start()
    with ThreadPoolExecutor(len(WINDOWS)) as pool:
        per_clerk = list(pool.map(clerk, range(len(WINDOWS))))
    arriving.join()
    called = [ticket_id for tickets in per_clerk for ticket_id in tickets]
    assert len(called) == len(set(called)), "a ticket was called by two windows"
    assert sum(1 for tickets in per_clerk if tickets) >= 6, "the clerks did not really work at once"
    with store.read() as session:
        left = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "waiting"))
        finished = set(session.scalars(select(Ticket.id).where(Ticket.status == "finished")))
        calls_per_ticket = dict(
            session.execute(
                select(TicketEvent.ticket_id, func.count())
                .where(TicketEvent.type == "called")
                .group_by(TicketEvent.ticket_id)
            ).all()
        )
    store.dispose()
    assert left == 0, f"{left} tickets were skipped"
    assert waiting <= set(called) and set(called) <= finished
    assert all(calls_per_ticket[ticket_id] == 1 for ticket_id in called)


def test_workers_share_one_port_and_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    redis_url = require_redis()
    hall_file = demo_hall_copy(tmp_path, ANY_HOUR, NO_LIMITS, NO_SERVICE_LIMIT, NO_ADDRESS_LIMIT)
    port = free_port()
    with scratch_database() as database_url:
        options = ("--database-url", database_url, "--message-queue", redis_url, "--workers", "2")
        with live_serve(tmp_path / "instance", hall_file, port, extra=options) as parent:
            url = f"http://127.0.0.1:{port}"
            children = _children(parent.pid, count=2)
            # the parent listens at once; the workers answer once their app (and its schema) is ready
            assert _wait_for(lambda: _answers(f"{url}/api/v1/hall", None) is not None, timeout=30)
            tokens = _tokens(database_url)
            displays = [_display(url, tokens["display"]) for _ in range(4)]
            try:
                issued = _issue(url, tokens["kiosk"], "id_card", 1)[0]
                bridge = bearer(tokens["bridge"])
                assert requests.post(f"{url}/api/v1/windows/W14/open", headers=bridge, timeout=5).ok
                assert requests.post(f"{url}/api/v1/windows/W14/call-next", headers=bridge, timeout=5).ok
                for _, calls in displays:  # wherever each display's websocket landed
                    assert _wait_for(lambda calls=calls: calls), "a display missed the call"
                    assert calls[0]["ticket"]["number"] == issued["number"]
            finally:
                for client, _ in displays:
                    client.disconnect()
            os.kill(children[0], signal.SIGKILL)
            replaced = _children(parent.pid, count=2, without=children[0])
            assert children[0] not in replaced
            for _ in range(10):  # whichever worker takes each connection, the hall answers
                assert _wait_for(lambda: _answers(f"{url}/api/v1/hall", tokens["display"]) == 200, timeout=20)


def _answers(url: str, token: str | None) -> int | None:
    """The status code, or None when nothing answers."""
    try:
        return requests.get(url, headers=bearer(token) if token else {}, timeout=2).status_code
    except requests.RequestException:
        return None


def _children(parent_pid: int, count: int, without: int | None = None, timeout: float = 20.0) -> list[int]:
    """The worker processes of a `serve --workers` parent, once `count` of them run (from /proc)."""
    deadline = time.monotonic() + timeout
    found: list[int] = []
    while time.monotonic() < deadline:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != without:
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                if int(fields[1]) == parent_pid and fields[0] != "Z":
                    found.append(int(entry))
        if len(found) == count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} workers of {parent_pid}, found {found}")


def test_two_city_processes_push_each_halls_calls_to_its_own_screens_only(tmp_path: Path) -> None:
    """Two `serve --city` processes share Redis: a call in north made on process 1 reaches north's display on
    process 2, and south's display there hears nothing (each hall has its own channel)."""
    redis_url = require_redis()
    city_file = write_city(tmp_path, any_hour=True)
    ports = tuple(free_ports(2))
    with scratch_database() as database_url:
        options = ("--database-url", database_url, "--message-queue", redis_url, "--city", str(city_file))
        with (
            live_serve(tmp_path / "one", city_file, ports[0], extra=options),
            live_serve(tmp_path / "two", city_file, ports[1], extra=options),
        ):
            first, second = (f"http://127.0.0.1:{port}" for port in ports)
            assert _wait_for(lambda: _answers(f"{second}/h/south/api/v1/hall", None) == 401, timeout=30)
            tokens = {}
            for hall_id in ("north", "south"):
                store = Store(database_url, schema=f"hall_{hall_id}", pool_size=1)
                now = SystemClock().now()
                tokens[hall_id] = {
                    role: create_token(store, role, now) for role in ("kiosk", "display", "bridge")
                }
                store.dispose()
            north_display, north_calls = _display(
                second, tokens["north"]["display"], path="h/north/socket.io"
            )
            south_display, south_calls = _display(
                second, tokens["south"]["display"], path="h/south/socket.io"
            )
            try:
                north = f"{first}/h/north/api/v1"
                issued = _issue(f"{first}/h/north", tokens["north"]["kiosk"], "b2", 1)[0]
                bridge = bearer(tokens["north"]["bridge"])
                assert requests.post(f"{north}/windows/W3/open", headers=bridge, timeout=5).ok
                called = requests.post(f"{north}/windows/W3/call-next", headers=bridge, timeout=5)
                assert called.ok and called.json()["ticket"]["number"] == issued["number"]
                assert _wait_for(lambda: north_calls), "north's display on process 2 missed north's call"
                time.sleep(0.5)  # time enough for a wrongly routed push to arrive too
                assert south_calls == [], "south's display heard a call of north"
                # south's own numbering is untouched by north's tickets
                assert _issue(f"{second}/h/south", tokens["south"]["kiosk"], "b2", 1)[0]["number"] == "B001"
            finally:
                north_display.disconnect()
                south_display.disconnect()


def test_a_configuration_saved_on_one_process_is_in_force_on_both(two_servers: TwoServers) -> None:
    """Issue 31: a new version saved through process 1 is what process 2 serves within 2 seconds, and a
    display connected to process 2 hears config_changed (through Redis)."""
    first, second = two_servers.urls
    store = two_servers.store()
    admin = bearer(create_token(store, "admin", SystemClock().now(), name="admin-two"))
    store.dispose()
    heard: list[dict] = []
    display, _calls = _display(second, two_servers.tokens["display"])
    display.on("config_changed", heard.append)
    try:
        current = requests.get(f"{first}/api/v1/config", headers=admin, timeout=5).json()
        document = current["hall"]
        seal = next(s for s in document["services"] if s["id"] == "seal")
        seal["materials"] = [*seal["materials"], "两进程共享的新材料"]
        body = {"base_version": current["version"], "hall": document, "note": "scale-out"}
        started = time.monotonic()
        saved = requests.put(f"{first}/api/v1/config", json=body, headers=admin, timeout=10)
        assert saved.status_code == 200, saved.text

        def served_by_second() -> bool:
            hall = requests.get(
                f"{second}/api/v1/hall", headers=bearer(two_servers.tokens["kiosk"]), timeout=5
            )
            return "两进程共享的新材料" in hall.text

        assert _wait_for(served_by_second, timeout=5)
        assert time.monotonic() - started < 3  # each process looks every second
        assert _wait_for(lambda: heard, timeout=5) and heard[0] == {"version": saved.json()["version"]}
        stale = requests.put(f"{second}/api/v1/config", json=body, headers=admin, timeout=10)
        assert stale.status_code == 409 and stale.json()["current_version"] == saved.json()["version"]
    finally:
        display.disconnect()
