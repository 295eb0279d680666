"""How long windows were open (from window_events), and how long the hall was scheduled to be."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from hallq.operations.context import HallContext
from hallq.store.models import WindowEvent


def day_end(ctx: HallContext, day: date) -> datetime:
    """Closing time of a service day, in UTC: a window left open at closing counts as open until then."""
    return datetime.combine(day, ctx.config.hall.hours.close, ctx.config.tz).astimezone(UTC)


def open_seconds(ctx: HallContext, first: date, last: date, *, by: str = "window") -> dict[str | None, float]:
    """Seconds in state `open` per window (by="window") or per signed-in clerk (by="clerk").

    Events are few (a handful per window and day), so they are read and added up here, in the hall's time
    zone; the ticket figures themselves are aggregated in the database.
    """
    now = ctx.now()
    query = (
        select(
            WindowEvent.window_id,
            WindowEvent.service_day,
            WindowEvent.state,
            WindowEvent.clerk,
            WindowEvent.at,
        )
        .where(WindowEvent.service_day.between(first, last))
        .order_by(WindowEvent.window_id, WindowEvent.service_day, WindowEvent.at, WindowEvent.id)
    )
    totals: dict[str | None, float] = defaultdict(float)
    with ctx.store.read() as session:
        events = session.execute(query).all()
    for index, event in enumerate(events):
        if event.state != "open":
            continue
        following = events[index + 1] if index + 1 < len(events) else None
        same_day = following is not None and (following.window_id, following.service_day) == (
            event.window_id,
            event.service_day,
        )
        end = following.at if same_day and following else min(day_end(ctx, event.service_day), now)
        seconds = (end - event.at).total_seconds()
        if seconds > 0:
            totals[event.window_id if by == "window" else event.clerk] += seconds
    return dict(totals)


def scheduled_seconds(ctx: HallContext, first: date, last: date) -> float:
    """Opening hours (less the lunch break) over the working days of first .. last."""
    hours = ctx.config.hall.hours
    day = timedelta(hours=hours.close.hour, minutes=hours.close.minute) - _since_midnight(hours.open)
    if hours.lunch:
        day -= _since_midnight(hours.lunch[1]) - _since_midnight(hours.lunch[0])
    return ctx.config.work_calendar.working_days(first, last) * day.total_seconds()


def _since_midnight(clock: time) -> timedelta:
    return timedelta(hours=clock.hour, minutes=clock.minute, seconds=clock.second)
