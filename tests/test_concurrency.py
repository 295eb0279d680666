"""Two processes x 8 threads issuing 200 tickets each on one SQLite file: unique numbers, no gaps."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from hallq.config.hall import load_hall
from hallq.engine import ManualClock, make_policy
from hallq.operations.context import HallContext
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.store.db import Store, sqlite_url
from hallq.store.models import Ticket, TicketEvent

from .conftest import DEMO_HALL, DESKS, MONDAY_10AM, desks_over_one_queue

PROCESSES, THREADS, PER_THREAD = 2, 8, 200
SERVICES = ("biz_setup", "seal", "pension", "ss_card")  # zones A and D, no daily caps


def _issue_many(instance: str, worker: int) -> list[str]:
    store = Store(sqlite_url(Path(instance)))
    ctx = HallContext(load_hall(DEMO_HALL), store, ManualClock(MONDAY_10AM), make_policy())

    def thread(index: int) -> list[str]:
        service = SERVICES[(worker * THREADS + index) % len(SERVICES)]
        return [issue_ticket(ctx, IssueRequest(service))[0]["number"] for _ in range(PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [n for batch in pool.map(thread, range(THREADS)) for n in batch]
    store.dispose()
    return numbers


def test_two_processes_eight_threads_each_unique_and_gapless(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(PROCESSES) as pool:
        results = pool.starmap(_issue_many, [(str(tmp_path), worker) for worker in range(PROCESSES)])
    answered = [n for numbers in results for n in numbers]
    assert len(answered) == PROCESSES * THREADS * PER_THREAD
    assert len(set(answered)) == len(answered), "a number was handed out twice"
    with store.read() as session:
        rows = session.execute(select(Ticket.zone_id, Ticket.seq, Ticket.number)).all()
        issued_events = session.scalar(select(TicketEvent.id).order_by(TicketEvent.id.desc()).limit(1))
    assert sorted(r.number for r in rows) == sorted(answered)
    for zone in ("A", "D"):
        seqs = sorted(r.seq for r in rows if r.zone_id == zone)
        assert seqs == list(range(1, len(seqs) + 1)), f"gap in zone {zone}"
    assert issued_events == len(answered)
    store.dispose()


def test_windows_calling_at_once_never_share_a_ticket(tmp_path: Path) -> None:
    """Six windows with overlapping A/B services, each in its own thread, call and finish until empty."""
    from hallq.operations import windows as ops

    store = Store(sqlite_url(tmp_path))
    ctx, bridge = desks_over_one_queue(store, 300)
    desks = DESKS

    def work(window_id: str) -> list[int]:
        called = []
        while True:
            outcome = ops.call_next(ctx, window_id, bridge)
            if outcome.ticket is None:
                return called
            called.append(outcome.ticket["id"])
            ops.finish(ctx, window_id, bridge)

    with ThreadPoolExecutor(len(desks)) as pool:
        per_window = list(pool.map(work, desks))
    called = [ticket_id for batch in per_window for ticket_id in batch]
    assert len(called) == 300 and len(set(called)) == 300, "a ticket was called twice or skipped"
    assert all(batch for batch in per_window), "a window never got to call"
    with store.read() as session:
        calls = session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.type == "called")).all()
        statuses = set(session.scalars(select(Ticket.status)).all())
    assert sorted(calls) == sorted(called)
    assert statuses == {"finished"}
    store.dispose()
