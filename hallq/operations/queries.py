"""Read queries shared by operations and views. Each one is an index range scan, never a pass over the day."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from hallq.engine import QueueHead, Status, WindowView
from hallq.engine.estimate import WaitRange
from hallq.operations.context import HallContext
from hallq.operations.estimates import estimate_wait
from hallq.store.models import Ticket, WindowState


def window_view(ctx: HallContext, window_id: str) -> WindowView:
    window = ctx.config.window_by_id[window_id]
    return WindowView(window.id, frozenset(window.a_services), frozenset(window.b_services))


def zone_rooms(ctx: HallContext, zone_id: str) -> tuple[str, ...]:
    """Rooms that show a zone's queue: the hall, managers, and every window serving one of its services."""
    return ("hall", "manager", *(f"window:{w}" for w in ctx.config.windows_of_zone[zone_id]))


def window_states(session: Session) -> dict[str, WindowState]:
    return {state.window_id: state for state in session.scalars(select(WindowState))}


def window_loads(session: Session | Connection) -> dict[str, Any]:
    """Each window's state and current ticket as light rows."""
    return {row.window_id: row for row in session.execute(_WINDOW_LOADS)}


def window_visits(session: Session | Connection) -> dict[str, Any]:
    """window_loads with the current ticket's service and when it was called and started (for estimates)."""
    return {row.window_id: row for row in session.execute(_WINDOW_VISITS)}


def waiting_by_zone(session: Session, ctx: HallContext, day: date) -> dict[str, int]:
    """Waiting tickets per zone of the service they now wait for (a transfer moves them)."""
    counts = dict.fromkeys(ctx.config.zone_by_id, 0)
    rows = session.execute(
        select(Ticket.service_id, func.count())
        .where(Ticket.service_day == day, Ticket.status == Status.WAITING)
        .group_by(Ticket.service_id)
    )
    for service_id, count in rows:
        service = ctx.config.service_by_id.get(service_id)
        if service is not None:
            counts[service.zone] += count
    return counts


# Statements built once with bind parameters: SQLAlchemy then reuses their compiled form on every call.
_WAITING_BEFORE = select(func.count()).where(
    Ticket.service_day == bindparam("day"),
    Ticket.status == Status.WAITING.value,
    Ticket.service_id == bindparam("service"),
    or_(
        Ticket.queue_rank < bindparam("rank"),
        and_(Ticket.queue_rank == bindparam("rank"), Ticket.queued_at <= bindparam("queued_at")),
    ),
)
_WINDOW_LOADS = select(WindowState.window_id, WindowState.state, WindowState.current_ticket_id)
#: with each window's visit under way, for wait estimates only (the call path needs no join)
_WINDOW_VISITS = select(
    WindowState.window_id,
    WindowState.state,
    WindowState.current_ticket_id,
    Ticket.service_id.label("current_service_id"),
    Ticket.called_at.label("current_called_at"),
    Ticket.started_at.label("current_started_at"),
).outerjoin(Ticket, Ticket.id == WindowState.current_ticket_id)


def waiting_before(
    connection: Session | Connection, day: date, service_id: str, rank: int, queued_at: datetime
) -> int:
    """Waiting tickets of a service that a new ticket of `rank` queued at `queued_at` comes after: a walk-in
    queues now, a 预约 check-in from its slot (so a walk-in is not behind a booking whose slot is later)."""
    parameters = {"day": day, "service": service_id, "rank": rank, "queued_at": queued_at}
    return int(connection.execute(_WAITING_BEFORE, parameters).scalar() or 0)


def zone_services(ctx: HallContext, zone_id: str) -> list[str]:
    return ctx.config.services_of_zone[zone_id]


@cache
def _zone_queue_statement(services: int) -> Any:
    """Waiting tickets of `services` services and the earliest queue time: named parameters, not an expanding
    IN list, so SQLAlchemy reuses the compiled statement as it is (built once per number of services)."""
    names: list[Any] = [bindparam(f"service_{index}") for index in range(services)]
    return select(func.count(), func.min(Ticket.queued_at)).where(
        _WAITING_TODAY, Ticket.service_id.in_(names)
    )


def zone_queue(
    connection: Session | Connection, ctx: HallContext, day: date, zone_id: str
) -> tuple[int, Any]:
    """(tickets waiting in a zone, the earliest queue time among them or None)."""
    services = zone_services(ctx, zone_id)
    named = {f"service_{index}": service_id for index, service_id in enumerate(services)}
    row = connection.execute(_zone_queue_statement(len(services)), {"day": day, **named}).one()
    return int(row[0] or 0), row[1]


def open_windows_for_zone(ctx: HallContext, loads: Mapping[str, Any], zone_id: str) -> int:
    return sum(1 for w in ctx.config.windows_of_zone[zone_id] if w in loads and loads[w].state == "open")


def ahead_of(session: Session, ticket: Ticket) -> int:
    """Tickets of the same service that will be called before this one (queue order: rank, time, id)."""
    key = (Ticket.queue_rank, Ticket.queued_at, Ticket.id)
    mine = (ticket.queue_rank, ticket.queued_at, ticket.id)
    count = session.scalar(
        select(func.count()).where(
            Ticket.service_day == ticket.service_day,
            Ticket.status == Status.WAITING,
            Ticket.service_id == ticket.service_id,
            Ticket.queue_rank <= ticket.queue_rank,
            # typed literals, so the time is compared as stored (UTC), not as a local string
            tuple_(*key)
            < tuple_(*(literal(value, column.type) for column, value in zip(key, mine, strict=True))),
        )
    )
    return int(count or 0)


def estimate_for(session: Session, ctx: HallContext, ticket: Ticket) -> tuple[int, WaitRange]:
    """(ahead, the estimated wait and its range) for a waiting ticket."""
    ahead = ahead_of(session, ticket)
    return ahead, estimate_wait(ctx, session, window_visits(session), ticket.service_id, ahead)


_WAITING_TODAY = and_(Ticket.service_day == bindparam("day"), Ticket.status == Status.WAITING.value)
_FOR_WINDOW = or_(Ticket.target_window_id.is_(None), Ticket.target_window_id == bindparam("window_id"))
_QUEUE_ORDER = (Ticket.queue_rank, Ticket.queued_at, Ticket.id)


def open_a_windows(ctx: HallContext, loads: Mapping[str, Any]) -> dict[str, int]:
    """For every service, how many of its A windows are open now."""
    counts = dict.fromkeys(ctx.config.service_by_id, 0)
    for window in ctx.config.windows:
        load = loads.get(window.id)
        if load is not None and load.state == "open":
            for service_id in window.a_services:
                counts[service_id] += 1
    return counts


@cache
def _heads_statement(services: int) -> Any:
    """The first ticket of each of `services` queues with the queue's length, and the first of the tickets
    sent to the window: one statement, no IN list to expand (built once per number of queues)."""
    columns = (Ticket.service_id, Ticket.id, Ticket.queue_rank, Ticket.queued_at)

    def waiting(index: int) -> Any:
        return (
            select(func.count())
            .where(_WAITING_TODAY, Ticket.service_id == bindparam(f"service_{index}"), _FOR_WINDOW)
            .scalar_subquery()
        )

    branches = [
        select(*columns, literal(False).label("targeted"), waiting(index).label("waiting"))
        .where(_WAITING_TODAY, Ticket.service_id == bindparam(f"service_{index}"), _FOR_WINDOW)
        .order_by(*_QUEUE_ORDER)
        .limit(1)
        .subquery()
        .select()
        for index in range(services)
    ]
    targeted = (
        select(*columns, literal(True).label("targeted"), literal(1).label("waiting"))
        .where(_WAITING_TODAY, Ticket.target_window_id == bindparam("window_id"))
        .order_by(*_QUEUE_ORDER)
        .limit(1)
        .subquery()
        .select()
    )
    return union_all(*branches, targeted)


def queue_heads(
    connection: Session | Connection,
    window: WindowView,
    services: Collection[str],
    day: date,
    a_open: Mapping[str, int],
) -> list[QueueHead]:
    """The first ticket of every queue in `services` this window may call from, with each queue's length."""
    services = sorted(services)
    named = {f"service_{index}": service_id for index, service_id in enumerate(services)}
    rows = connection.execute(_heads_statement(len(services)), {"day": day, "window_id": window.id, **named})
    return [
        QueueHead(
            row.service_id,
            row.id,
            row.queue_rank,
            row.queued_at,
            int(row.waiting),
            targeted=bool(row.targeted),
            a_open=a_open.get(row.service_id, 0),
        )
        for row in rows
    ]


def waiting_for_window(session: Session, window: WindowView, day: date, limit: int = 50) -> list[Ticket]:
    """The tickets this window may call, in queue order (for the caller page)."""
    services = window.a_services | window.b_services
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.service_day == day,
                Ticket.status == Status.WAITING,
                or_(
                    and_(Ticket.service_id.in_(services), Ticket.target_window_id.is_(None)),
                    Ticket.target_window_id == window.id,
                ),
            )
            .order_by(Ticket.queue_rank, Ticket.queued_at, Ticket.id)
            .limit(limit)
        )
    )
