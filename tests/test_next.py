"""下一位 (POST /api/v1/windows/<id>/next): one press ends the current ticket and calls the next, in one
transaction, on every window state; never two windows on one ticket (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hallq.config.hall import load_hall
from hallq.engine import ManualClock, make_policy
from hallq.operations import windows as ops
from hallq.operations.context import Actor, HallContext
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.operations.window_act import ensure_window_rows
from hallq.store.db import Store, sqlite_url
from hallq.store.models import Ticket, TicketEvent

from .conftest import DESKS, MONDAY_10AM, Tokens, demo_hall_copy, desks_over_one_queue
from .postgres import scratch_database


def press(client: FlaskClient, token: str, verb: str, window: str = "W01") -> tuple[int, dict]:
    response = client.post(f"/api/v1/windows/{window}/{verb}", headers=Tokens.header(token))
    return response.status_code, response.get_json()


def issue(client: FlaskClient, tokens: Tokens, service: str = "biz_setup") -> dict:
    response = client.post(
        "/api/v1/tickets", json={"service_id": service}, headers=Tokens.header(tokens.kiosk)
    )
    assert response.status_code == 201, response.get_json()
    body: dict = response.get_json()
    return body


def status_of(client: FlaskClient, tokens: Tokens, ticket_id: int) -> str:
    body = client.get(f"/api/v1/tickets/{ticket_id}", headers=Tokens.header(tokens.manager)).get_json()
    return str(body["status"])


def test_next_with_nothing_current_calls_like_call_next(client: FlaskClient, tokens: Tokens) -> None:
    assert press(client, tokens.bridge, "open")[0] == 200
    status, body = press(client, tokens.bridge, "next")
    assert status == 200 and body["ticket"] is None  # nobody waiting: nothing ended, nothing called
    first = issue(client, tokens)
    status, body = press(client, tokens.bridge, "next")
    assert status == 200 and body["ticket"]["id"] == first["id"] and body["ticket"]["status"] == "called"


def test_next_finishes_the_ticket_being_served_and_calls_the_next(
    client: FlaskClient, tokens: Tokens
) -> None:
    press(client, tokens.bridge, "open")
    first, second = issue(client, tokens), issue(client, tokens)
    press(client, tokens.bridge, "call-next")
    press(client, tokens.bridge, "start")
    status, body = press(client, tokens.bridge, "next")
    assert status == 200 and body["ticket"]["id"] == second["id"]
    assert status_of(client, tokens, first["id"]) == "finished"
    # the finished visit can be rated at the window's evaluator (it was armed by ticket_finished)
    rating = client.post(
        f"/api/v1/tickets/{first['id']}/rating", json={"level": 5}, headers=Tokens.header(tokens.bridge)
    )
    assert rating.status_code == 201, rating.get_json()


def test_next_on_a_ticket_called_and_never_started_finishes_it_by_default(
    client: FlaskClient, tokens: Tokens
) -> None:
    press(client, tokens.bridge, "open")
    first = issue(client, tokens)
    press(client, tokens.bridge, "call-next")
    status, body = press(client, tokens.bridge, "next")
    assert status == 200 and body["ticket"] is None  # it ended, and nobody else waits
    assert status_of(client, tokens, first["id"]) == "finished"


def test_the_hall_file_may_make_it_a_no_show(tmp_path: Path) -> None:
    hall = demo_hall_copy(tmp_path, ("[hall]\n", '[hall]\nnext_ends_called_as = "no_show"\n'))
    with sqlite_store(tmp_path) as store:
        store.migrate()
        ctx = HallContext(load_hall(hall), store, ManualClock(MONDAY_10AM), make_policy())
        ensure_window_rows(ctx)
        first, _ = issue_ticket(ctx, IssueRequest("biz_setup"))
        second, _ = issue_ticket(ctx, IssueRequest("biz_setup"))
        bridge = Actor(role="bridge", name="bridge-test")
        ops.change_state(ctx, "W01", bridge, "open")
        ops.call_next(ctx, "W01", bridge)
        outcome = ops.next_ticket(ctx, "W01", bridge)
        assert outcome.ticket is not None and outcome.ticket["id"] == second["id"]
        with store.read() as session:
            assert session.get(Ticket, first["id"]).status == "no_show"  # type: ignore[union-attr]


@pytest.mark.parametrize("state", ["paused", "closed"])
def test_next_on_a_window_not_open_is_refused_and_keeps_its_ticket(
    client: FlaskClient, tokens: Tokens, state: str
) -> None:
    first = issue(client, tokens)
    if state == "paused":
        press(client, tokens.bridge, "open")
        press(client, tokens.bridge, "call-next")
        press(client, tokens.bridge, "pause")
    status, body = press(client, tokens.bridge, "next")
    assert status == 409 and body["error"] == "window_not_open"
    assert status_of(client, tokens, first["id"]) == ("called" if state == "paused" else "waiting")


@contextmanager
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(sqlite_url(tmp_path))
    yield store
    store.dispose()


@contextmanager
def postgres_store(tmp_path: Path) -> Iterator[Store]:
    with scratch_database() as url:
        store = Store(url)
        yield store
        store.dispose()


@pytest.mark.parametrize("stores", [sqlite_store, postgres_store], ids=["sqlite", "postgresql"])
def test_windows_pressing_next_at_once_never_share_a_ticket(tmp_path: Path, stores: object) -> None:
    with stores(tmp_path) as store:  # type: ignore[operator]
        ctx, bridge = desks_over_one_queue(store, 200)
        desks = DESKS

        def work(window_id: str) -> list[int]:
            called = []
            while True:
                outcome = ops.next_ticket(ctx, window_id, bridge)
                if outcome.ticket is None:
                    return called
                called.append(outcome.ticket["id"])

        with ThreadPoolExecutor(len(desks)) as pool:
            per_window = list(pool.map(work, desks))
        called = [ticket_id for batch in per_window for ticket_id in batch]
        assert len(called) == 200 and len(set(called)) == 200, "a ticket was called twice or skipped"
        with store.read() as session:
            calls = session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.type == "called")).all()
            statuses = set(session.scalars(select(Ticket.status)).all())
        assert sorted(calls) == sorted(called)
        assert statuses == {"finished"}  # each window's last ticket ended with the press that found nobody
