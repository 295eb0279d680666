"""The demo's month of history looks like a hall's (issue 32, item 15): citizens by hour and weekday, waits
that follow from the staffing (the simulator), nothing issued while the hall issues nothing."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from hallq.demo.history import write_history
from hallq.operations.context import HallContext
from hallq.store.models import Ticket


def test_a_synthetic_month_is_a_plausible_hall(ctx: HallContext) -> None:
    today = ctx.day()
    written = write_history(ctx, today - timedelta(days=14), today - timedelta(days=1), 440, queued=True)
    hours = ctx.config.hall.hours
    assert hours.lunch is not None
    with ctx.store.read() as session:
        rows = session.execute(select(Ticket.service_day, Ticket.issued_at, Ticket.first_called_at)).all()
    assert len(rows) == written > 0
    per_day = Counter(row.service_day for row in rows)
    assert len(set(per_day.values())) > 1  # no two weeks of exactly 300 a day
    mondays = [count for day, count in per_day.items() if day.isoweekday() == 1]
    fridays = [count for day, count in per_day.items() if day.isoweekday() == 5]
    assert min(mondays) > max(fridays)  # Monday's backlog, a quieter Friday
    issued = [row.issued_at.astimezone(ctx.config.tz).time() for row in rows]
    assert all(hours.open <= at < hours.last_issue for at in issued)
    assert not any(hours.lunch[0] <= at < hours.lunch[1] for at in issued)  # nobody issues in the lunch break
    by_hour = Counter(at.hour for at in issued)
    assert by_hour[10] > by_hour[16]  # the morning peak, the quiet late afternoon
    waits = [(row.first_called_at - row.issued_at).total_seconds() for row in rows]
    assert sum(wait < 1 for wait in waits) / len(waits) < 0.3  # most people wait a while (70% waited 0 s)
    assert 60 < statistics.median(waits) < 1800
