"""Read queries shared by operations and views."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hallq.context import HallContext
from hallq.engine import Capacity, QueueHead, Status, WindowView, estimate_wait
from hallq.models import Ticket, WindowState

CLOSED = "closed"


def window_view(ctx: HallContext, window_id: str) -> WindowView:
    window = ctx.config.window_by_id[window_id]
    return WindowView(window.id, frozenset(window.a_services), frozenset(window.b_services))


def window_states(session: Session) -> dict[str, WindowState]:
    return {state.window_id: state for state in session.scalars(select(WindowState))}


def waiting_by_service(session: Session, day: date) -> dict[str, int]:
    rows = session.execute(
        select(Ticket.service_id, func.count())
        .where(Ticket.service_day == day, Ticket.status == Status.WAITING)
        .group_by(Ticket.service_id)
    )
    return {service_id: count for service_id, count in rows}


def waiting_by_zone(session: Session, ctx: HallContext, day: date) -> dict[str, int]:
    """Waiting tickets per zone of the service they now wait for (a transfer moves them)."""
    counts = dict.fromkeys(ctx.config.zone_by_id, 0)
    for service_id, count in waiting_by_service(session, day).items():
        service = ctx.config.service_by_id.get(service_id)
        if service is not None:
            counts[service.zone] += count
    return counts


def ahead_of(session: Session, ticket: Ticket) -> int:
    """Tickets of the same service that will be called before this one."""
    return (
        session.scalar(
            select(func.count()).where(
                Ticket.service_day == ticket.service_day,
                Ticket.status == Status.WAITING,
                Ticket.service_id == ticket.service_id,
                Ticket.id != ticket.id,
                or_(
                    Ticket.queue_rank < ticket.queue_rank,
                    and_(Ticket.queue_rank == ticket.queue_rank, Ticket.queued_at < ticket.queued_at),
                    and_(
                        Ticket.queue_rank == ticket.queue_rank,
                        Ticket.queued_at == ticket.queued_at,
                        Ticket.id < ticket.id,
                    ),
                ),
            )
        )
        or 0
    )


def capacity_for(ctx: HallContext, states: dict[str, WindowState], service_id: str) -> Capacity:
    a_windows, b_windows = ctx.config.windows_for(service_id)

    def is_open(window_id: str) -> bool:
        state = states.get(window_id)
        return state is not None and state.state == "open"

    idle = sum(1 for w in a_windows if is_open(w.id) and states[w.id].current_ticket_id is None)
    return Capacity(
        a_open=sum(1 for w in a_windows if is_open(w.id)),
        b_open=sum(1 for w in b_windows if is_open(w.id)),
        idle=idle,
        a_configured=len(a_windows),
    )


def estimate_for(session: Session, ctx: HallContext, ticket: Ticket) -> tuple[int, int]:
    """(ahead, estimated wait in seconds) for a waiting ticket."""
    ahead = ahead_of(session, ticket)
    service = ctx.config.service_by_id[ticket.service_id]
    capacity = capacity_for(ctx, window_states(session), ticket.service_id)
    return ahead, estimate_wait(ahead, service.mean_service_s, capacity)


def queue_heads(session: Session, window: WindowView, day: date) -> list[QueueHead]:
    """The first ticket of every queue this window may call from, with each queue's length."""
    services = sorted(window.a_services | window.b_services)
    waiting = Ticket.status == Status.WAITING
    mine = or_(Ticket.target_window_id.is_(None), Ticket.target_window_id == window.id)
    counts = dict(
        session.execute(
            select(Ticket.service_id, func.count())
            .where(Ticket.service_day == day, waiting, Ticket.service_id.in_(services), mine)
            .group_by(Ticket.service_id)
        ).all()
    )
    heads: list[QueueHead] = []
    order = (Ticket.queue_rank, Ticket.queued_at, Ticket.id)
    for service_id in services:
        if not counts.get(service_id):
            continue
        row = session.execute(
            select(Ticket.id, Ticket.queue_rank, Ticket.queued_at)
            .where(Ticket.service_day == day, waiting, Ticket.service_id == service_id, mine)
            .order_by(*order)
            .limit(1)
        ).one()
        heads.append(QueueHead(service_id, row.id, row.queue_rank, row.queued_at, counts[service_id]))
    targeted = session.execute(
        select(Ticket.id, Ticket.service_id, Ticket.queue_rank, Ticket.queued_at)
        .where(Ticket.service_day == day, waiting, Ticket.target_window_id == window.id)
        .order_by(*order)
        .limit(1)
    ).first()
    if targeted is not None:
        heads.append(
            QueueHead(
                targeted.service_id, targeted.id, targeted.queue_rank, targeted.queued_at, 1, targeted=True
            )
        )
    return heads


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
