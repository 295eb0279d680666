"""The running hall's wait estimate: the engine's WaitModel, fed from the day's ticket log at most every
REFRESH_S seconds (so every server process learns from every window, whichever process called), and the
windows as they are at the moment of the estimate."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from hallq.engine import WindowNow
from hallq.engine.estimate import WaitRange
from hallq.operations.context import HallContext
from hallq.operations.live_model import LiveWaitModel


def live_model(ctx: HallContext) -> LiveWaitModel:
    if ctx.wait_model is None:
        ctx.wait_model = LiveWaitModel(ctx.config)
    return ctx.wait_model


def refresh_before_writing(ctx: HallContext) -> None:
    """Read the log (when due) on a read connection, so a write transaction never waits on it."""
    now, model = ctx.now(), live_model(ctx)
    if model.stale(ctx.day(now), now):  # most requests: not due, and no read transaction opened at all
        with ctx.store.read() as session:
            model.current(session, ctx.day(now), now)


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
) -> WaitRange:
    """How long a ticket of the service with `ahead` tickets before it is expected to wait, now: the single
    figure and the range the wait likely falls in."""
    now = ctx.now()
    model = live_model(ctx).current(connection, ctx.day(now), now)
    hour = now.astimezone(ctx.config.tz).hour
    return model.estimate_range(service_id, ahead, windows_now(loads, now), hour)
