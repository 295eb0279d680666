"""Recorded days out of the store: who came when for what, how long each visit took, when windows were away.

Times become seconds after the day's local midnight, as the simulator counts them. A window counts as away
whenever it was not `open` during opening hours (paused, closed, or never opened that day), so the replay
staffs the hall as it was staffed. Tickets cancelled before they were called are left out (the citizen left
the queue: replaying them would add work nobody did); a ticket still waiting or called but never ended is
kept, its visit drawn from the service's distribution.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import select

from hallq.config.hall import HallConfig
from hallq.operations.context import HallContext
from hallq.simulate.replay import RecordedAbsence, RecordedDay, RecordedTicket
from hallq.simulate.scenario import seconds_of
from hallq.store.models import Ticket, WindowEvent

ENDED = ("finished", "no_show")


class NoRecordedDays(ValueError):
    """The days asked for hold nothing to replay; the message says what is missing."""


def _seconds(config: HallConfig, day: date, moment: datetime) -> float:
    local = moment.astimezone(config.tz)
    midnight = datetime.combine(day, datetime.min.time(), config.tz)
    return (local - midnight).total_seconds()


def read_days(ctx: HallContext, first: date, last: date) -> list[RecordedDay]:
    """Every service day from first to last that has tickets, in order."""
    config = ctx.config
    if last < first:
        raise NoRecordedDays(f"{last} comes before {first}")
    tickets = select(
        Ticket.service_day,
        Ticket.service_id,
        Ticket.queue_rank,
        Ticket.status,
        Ticket.issued_at,
        Ticket.queued_at,
        Ticket.first_called_at,
        Ticket.called_at,
        Ticket.finished_at,
        Ticket.window_id,
    ).where(Ticket.service_day.between(first, last))
    events = (
        select(WindowEvent.window_id, WindowEvent.service_day, WindowEvent.state, WindowEvent.at)
        .where(WindowEvent.service_day.between(first, last))
        .order_by(WindowEvent.service_day, WindowEvent.window_id, WindowEvent.at, WindowEvent.id)
    )
    with ctx.store.read() as session:
        ticket_rows = session.execute(tickets.order_by(Ticket.service_day, Ticket.issued_at, Ticket.id)).all()
        event_rows = session.execute(events).all()
    by_day: dict[date, list[RecordedTicket]] = defaultdict(list)
    for row in ticket_rows:
        if row.service_id not in config.service_by_id:
            continue  # a service since removed from the hall file: no window would serve it now
        if row.status == "cancelled" and row.first_called_at is None:
            continue
        visit = None
        if row.status in ENDED and row.called_at is not None and row.finished_at is not None:
            visit = max(0.0, (_utc(row.finished_at) - _utc(row.called_at)).total_seconds())
        issued = _seconds(config, row.service_day, _utc(row.issued_at))
        waited = None
        if row.first_called_at is not None:
            waited = (_utc(row.first_called_at) - _utc(row.issued_at)).total_seconds()
        by_day[row.service_day].append(
            RecordedTicket(
                service_id=row.service_id,
                issued_s=issued,
                queued_s=_seconds(config, row.service_day, _utc(row.queued_at)),
                rank=row.queue_rank,
                visit_s=visit,
                recorded_wait_s=waited,
                recorded_window_id=row.window_id if visit is not None else None,
            )
        )
    if not by_day:
        raise NoRecordedDays(f"no tickets were issued from {first} to {last}")
    states: dict[date, dict[str, list[tuple[float, str]]]] = defaultdict(lambda: defaultdict(list))
    for event in event_rows:
        states[event.service_day][event.window_id].append(
            (_seconds(config, event.service_day, _utc(event.at)), event.state)
        )
    return [
        RecordedDay(day, tuple(by_day[day]), tuple(_absences(config, states.get(day, {}))))
        for day in sorted(by_day)
    ]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _absences(config: HallConfig, timeline: dict[str, list[tuple[float, str]]]) -> list[RecordedAbsence]:
    """Stretches of opening hours in which each window was not open."""
    day_open = seconds_of(config.hall.hours.open)
    day_close = seconds_of(config.hall.hours.close)
    away: list[RecordedAbsence] = []
    for window in config.windows:
        away_since: float | None = day_open  # away until the window's first `open`
        for moment, state in timeline.get(window.id, []):
            moment = min(max(moment, day_open), day_close)
            if state == "open" and away_since is not None:
                if moment > away_since:
                    away.append(RecordedAbsence(window.id, away_since, moment))
                away_since = None
            elif state != "open" and away_since is None:
                away_since = moment
        if away_since is not None and day_close > away_since:
            away.append(RecordedAbsence(window.id, away_since, day_close))
    return away
