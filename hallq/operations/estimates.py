"""The running hall's wait estimate: the engine's WaitModel, fed from the day's ticket log at most every
REFRESH_S seconds (so every server process learns from every window, whichever process called), and the
windows as they are at the moment of the estimate."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from hallq.context import HallContext
from hallq.engine import WaitModel, WindowNow
from hallq.hallconfig import HallConfig
from hallq.models import Ticket

#: how often a process reads the day's log again
REFRESH_S = 30.0
#: how far back the log is read, and at most how many of its latest calls: the model follows the latest
#: visits (about 30 a service) and calls (20 a window) anyway, so a busy day costs no more to read than a
#: calm one
LOOKBACK = timedelta(hours=3)
LATEST_CALLS = 1000

_RECENT = (
    select(Ticket.window_id, Ticket.service_id, Ticket.called_at, Ticket.started_at, Ticket.finished_at)
    .where(
        Ticket.service_day == bindparam("day"),
        Ticket.called_at.is_not(None),
        Ticket.called_at >= bindparam("since"),
    )
    .order_by(Ticket.called_at.desc())
    .limit(LATEST_CALLS)
)


def fresh_model(config: HallConfig) -> WaitModel:
    return WaitModel(
        {service.id: service.mean_service_s for service in config.services},
        {window.id: frozenset(window.a_services) for window in config.windows},
        {window.id: frozenset(window.b_services) for window in config.windows},
    )


def learn(model: WaitModel, config: HallConfig, rows: Any) -> WaitModel:
    """Feed a model the calls and finished visits of the log (rows of _RECENT, oldest first)."""
    for row in rows:
        if row.window_id is not None:
            model.call(row.window_id, row.service_id)
        if row.finished_at is not None:
            began = row.started_at or row.called_at
            hour = row.finished_at.astimezone(config.tz).hour
            model.visit(row.service_id, (row.finished_at - began).total_seconds(), hour, row.window_id)
    return model


class LiveWaitModel:
    """One per hall and process; thread-safe (under eventlet its lock is green)."""

    def __init__(self, config: HallConfig) -> None:
        self.config = config
        self.model = fresh_model(config)
        self.read_at: datetime | None = None
        self.lock = threading.Lock()

    def _stale(self, now: datetime) -> bool:
        return self.read_at is None or not 0 <= (now - self.read_at).total_seconds() < REFRESH_S

    def current(self, connection: Connection | Session, day: date, now: datetime) -> WaitModel:
        """The model, read again from the log when it is older than REFRESH_S by the hall's clock."""
        if not self._stale(now):
            return self.model
        with self.lock:
            if self._stale(now):
                latest = connection.execute(_RECENT, {"day": day, "since": now - LOOKBACK}).all()
                self.model = learn(fresh_model(self.config), self.config, reversed(latest))
                self.read_at = now
        return self.model


def live_model(ctx: HallContext) -> LiveWaitModel:
    if ctx.wait_model is None:
        ctx.wait_model = LiveWaitModel(ctx.config)
    return ctx.wait_model


def refresh_before_writing(ctx: HallContext) -> None:
    """Read the log (when due) on a read connection, so a write transaction never waits on it."""
    now = ctx.now()
    with ctx.store.read() as session:
        live_model(ctx).current(session, ctx.day(now), now)


def windows_now(loads: Mapping[str, Any], now: datetime) -> dict[str, WindowNow]:
    """What the estimate needs of each window (rows of queries.window_visits)."""
    found = {}
    for window_id, load in loads.items():
        began = load.current_started_at or load.current_called_at
        elapsed = (now - began).total_seconds() if began is not None else 0.0
        found[window_id] = WindowNow(window_id, load.state == "open", load.current_service_id, elapsed)
    return found


def estimate_wait(
    ctx: HallContext, connection: Connection | Session, loads: Mapping[str, Any], service_id: str, ahead: int
) -> int:
    """Seconds a ticket of the service with `ahead` tickets before it is expected to wait, now."""
    now = ctx.now()
    model = live_model(ctx).current(connection, ctx.day(now), now)
    return model.estimate(service_id, ahead, windows_now(loads, now), now.astimezone(ctx.config.tz).hour)
