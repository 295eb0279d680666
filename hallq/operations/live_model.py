"""What the running hall's wait estimate has learned: the engine's WaitModel, fed from the day's ticket log
at most every REFRESH_S seconds (so every server process learns from every window, whichever called)."""

from __future__ import annotations

import copy
import threading
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.orm import Session

from hallq.config.hall import HallConfig
from hallq.engine import WaitModel
from hallq.store.models import Ticket

#: how often a process reads the day's log again
REFRESH_S = 30.0
#: when a process first reads the day (it started mid-day): how far back, and at most how many of the latest
#: calls; the model follows the latest visits (about 30 a service) and calls (20 a window) anyway
LOOKBACK = timedelta(hours=3)
LATEST_CALLS = 1000
#: each later read takes what changed since the one before, and this much earlier as well, for a change
#: stamped just before that read but committed just after it (what is already learned is skipped)
OVERLAP = timedelta(seconds=60)

_COLUMNS = (
    Ticket.id,
    Ticket.window_id,
    Ticket.service_id,
    Ticket.called_at,
    Ticket.started_at,
    Ticket.finished_at,
)
_FIRST_READ = (
    select(*_COLUMNS)
    .where(
        Ticket.service_day == bindparam("day"),
        Ticket.called_at.is_not(None),
        Ticket.called_at >= bindparam("since"),
    )
    .order_by(Ticket.called_at.desc())
    .limit(LATEST_CALLS)
)
_CHANGES = select(*_COLUMNS).where(
    Ticket.service_day == bindparam("day"),
    or_(Ticket.called_at >= bindparam("since"), Ticket.finished_at >= bindparam("since")),
)


def fresh_model(config: HallConfig) -> WaitModel:
    return WaitModel(
        {service.id: service.mean_service_s for service in config.services},
        {window.id: frozenset(window.a_services) for window in config.windows},
        {window.id: frozenset(window.b_services) for window in config.windows},
    )


class LiveWaitModel:
    """One per hall and process, learning the day's calls and visits from the log as they happen: the first
    read takes the last LOOKBACK, every later one what changed since, so a read costs the same all day long.
    Thread-safe (under eventlet its lock is green)."""

    def __init__(self, config: HallConfig) -> None:
        self.config = config
        self.model = fresh_model(config)
        self.day: date | None = None
        self.read_at: datetime | None = None
        #: the calls and finished visits the model has learned today: (ticket id, called_at / finished_at),
        #: so a ticket called again after a transfer counts again
        self.calls_learned: set[tuple[int, datetime]] = set()
        self.visits_learned: set[tuple[int, datetime]] = set()
        self.lock = threading.Lock()

    def stale(self, day: date, now: datetime) -> bool:
        """Due for a read of the log (older than REFRESH_S by the hall's clock, or of another day)."""
        return (
            self.read_at is None
            or day != self.day
            or not 0 <= (now - self.read_at).total_seconds() < REFRESH_S
        )

    def current(self, connection: Connection | Session, day: date, now: datetime) -> WaitModel:
        """The model, brought up to date from the log when older than REFRESH_S by the hall's clock."""
        if not self.stale(day, now):
            return self.model
        with self.lock:
            if self.stale(day, now):
                if self.read_at is None or day != self.day or now < self.read_at:  # a new day, or a restart
                    model, self.day = fresh_model(self.config), day
                    self.calls_learned, self.visits_learned = set(), set()
                    rows = connection.execute(_FIRST_READ, {"day": day, "since": now - LOOKBACK}).all()
                else:
                    # learned on a copy, then swapped in: other threads estimate from the model meanwhile
                    model = copy.deepcopy(self.model)
                    since = self.read_at - OVERLAP
                    rows = connection.execute(_CHANGES, {"day": day, "since": since}).all()
                self.learn(model, rows)
                self.model, self.read_at = model, now
        return self.model

    def learn(self, model: WaitModel, rows: Any) -> None:
        """Feed `model` the calls and finished visits not learned yet, each in time order."""
        calls = sorted(
            (row for row in rows if row.called_at and (row.id, row.called_at) not in self.calls_learned),
            key=lambda row: row.called_at,
        )
        for row in calls:
            self.calls_learned.add((row.id, row.called_at))
            if row.window_id is not None:
                model.call(row.window_id, row.service_id)
        visits = sorted(
            (row for row in rows if row.finished_at and (row.id, row.finished_at) not in self.visits_learned),
            key=lambda row: row.finished_at,
        )
        for row in visits:
            self.visits_learned.add((row.id, row.finished_at))
            began = row.started_at or row.called_at
            hour = row.finished_at.astimezone(self.config.tz).hour
            model.visit(row.service_id, (row.finished_at - began).total_seconds(), hour, row.window_id)
