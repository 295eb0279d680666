"""Power cut: SIGKILL the server during sustained traffic (about 50 issues/s and a window calling), start it
again, and find every acknowledged ticket and call kept, no number twice, the queue in order, windows and
tickets agreeing, and a display that resyncs by itself. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import select

from hallq.operations.accounts import create_token
from hallq.operations.clocks import SystemClock
from hallq.store.db import Store, sqlite_url
from hallq.store.models import Ticket, WindowState

from .conftest import ANY_HOUR, NO_ADDRESS_LIMIT, NO_LIMITS, NO_SERVICE_LIMIT, demo_hall_copy
from .livehall import free_port, live_serve
from .postgres import scratch_database

pytestmark = pytest.mark.server
WINDOW = "W06"  # its one A service is house_transfer: its queue is plain first come, first served
SERVICE = "house_transfer"


class Traffic:
    """A kiosk issuing about 50 tickets a second and a window calling and finishing, until the server dies;
    they keep only what the server acknowledged."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url, self.tokens = url, tokens
        self.issued: list[dict[str, Any]] = []
        self.called: list[int] = []
        self.finished: list[int] = []
        self.threads = [threading.Thread(target=self._kiosk), threading.Thread(target=self._window)]

    def _post(self, session: requests.Session, path: str, token: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = session.post(f"{self.url}/api/v1{path}", json=body, headers=headers, timeout=5)
        except requests.RequestException:
            return None  # the server is gone: nothing was acknowledged
        assert response.status_code < 500, response.text
        return response

    def _kiosk(self) -> None:
        with requests.Session() as session:
            while True:
                answer = self._post(session, "/tickets", self.tokens["kiosk"], {"service_id": SERVICE})
                if answer is None:
                    return
                assert answer.status_code == 201, answer.text
                self.issued.append(answer.json())
                time.sleep(0.02)

    def _window(self) -> None:
        token = self.tokens["bridge"]
        with requests.Session() as session:
            while True:
                answer = self._post(session, f"/windows/{WINDOW}/call-next", token)
                if answer is None:
                    return
                ticket = answer.json()["ticket"]
                if ticket is None:
                    time.sleep(0.05)
                    continue
                self.called.append(ticket["id"])
                time.sleep(0.05)
                if self._post(session, f"/windows/{WINDOW}/finish", token) is None:
                    return
                self.finished.append(ticket["id"])


def _display(url: str, token: str) -> tuple[socketio.Client, list[dict[str, Any]]]:
    """A display that rejoins its room on every (re)connect, as display.js does, and keeps each snapshot."""
    snapshots: list[dict[str, Any]] = []
    client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
    client.on("snapshot", snapshots.append)
    client.on("connect", lambda: client.emit("join", {"room": "hall"}))
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client, snapshots


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, tuple[str, ...]]]:
    with ExitStack() as stack:
        if request.param == "postgresql":
            url = stack.enter_context(scratch_database())
            store, options = Store(url, pool_size=1), ("--database-url", url)
        else:
            (tmp_path / "instance").mkdir()
            store, options = Store(sqlite_url(tmp_path / "instance")), ()
        store.migrate()
        yield store, options
        store.dispose()


def test_sigkill_under_traffic_loses_nothing_acknowledged(
    tmp_path: Path, database: tuple[Store, tuple[str, ...]]
) -> None:
    store, options = database
    hall_file = demo_hall_copy(tmp_path, ANY_HOUR, NO_LIMITS, NO_SERVICE_LIMIT, NO_ADDRESS_LIMIT)
    now = SystemClock().now()
    tokens = {role: create_token(store, role, now) for role in ("kiosk", "bridge", "display")}
    instance, port = tmp_path / "instance", free_port()
    url = f"http://127.0.0.1:{port}"
    with live_serve(instance, hall_file, port, extra=options) as server:
        requests.post(
            f"{url}/api/v1/windows/{WINDOW}/open", headers={"Authorization": f"Bearer {tokens['bridge']}"}
        ).raise_for_status()
        display, snapshots = _display(url, tokens["display"])
        traffic = Traffic(url, tokens)
        for thread in traffic.threads:
            thread.start()
        time.sleep(3)
        os.kill(server.pid, signal.SIGKILL)  # no goodbye: a power cut
        for thread in traffic.threads:
            thread.join(10)
    seen_before = len(snapshots)
    assert len(traffic.issued) > 60 and traffic.called, "too little traffic to mean anything"

    with live_serve(instance, hall_file, port, extra=options):
        # the display comes back by itself, rejoins and is whole again
        deadline = time.monotonic() + 15
        while len(snapshots) == seen_before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(snapshots) > seen_before, "the display did not resync after the restart"
        resynced = snapshots[-1]
        with store.read() as session:
            tickets = {t.id: t for t in session.scalars(select(Ticket))}
            states = {s.window_id: s for s in session.scalars(select(WindowState))}
        # every ticket answered 201 is there, with its number; no number twice; no gap
        for answered in traffic.issued:
            assert tickets[answered["id"]].number == answered["number"]
        seqs = sorted(t.seq for t in tickets.values() if t.zone_id == "C")
        assert seqs == list(range(1, len(seqs) + 1))
        # every acknowledged call and finish held
        assert all(tickets[i].status != "waiting" for i in traffic.called)
        assert all(tickets[i].status == "finished" for i in traffic.finished)
        # the window and its tickets agree: at most one in hand, and it is the window's current ticket
        in_hand = [t.id for t in tickets.values() if t.status in ("called", "serving")]
        assert in_hand == ([states[WINDOW].current_ticket_id] if states[WINDOW].current_ticket_id else [])
        assert states[WINDOW].state == "open"
        shown = next(w for w in resynced["windows"] if w["id"] == WINDOW)["current"]
        assert (shown["id"] if shown else None) == states[WINDOW].current_ticket_id
        # the queue resumes in order: finish what is in hand, and the next call is the oldest waiting
        bridge = {"Authorization": f"Bearer {tokens['bridge']}"}
        if in_hand:
            requests.post(
                f"{url}/api/v1/windows/{WINDOW}/finish", headers=bridge, timeout=5
            ).raise_for_status()
        waiting = sorted((t.queued_at, t.seq, t.id) for t in tickets.values() if t.status == "waiting")
        nxt = requests.post(f"{url}/api/v1/windows/{WINDOW}/call-next", headers=bridge, timeout=5).json()
        assert nxt["ticket"]["id"] == waiting[0][2]
    display.disconnect()
