"""JSON shapes of tickets, windows and the room snapshots (shared/api-contract.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from hallq.config.hall import HallConfig
from hallq.engine.estimate import WaitRange
from hallq.operations.context import HallContext
from hallq.operations.wording import call_wording
from hallq.store.models import Ticket, TicketEvent, WindowState

#: a ticket as an ORM object or as a row of a Core query: both carry the same attributes
TicketRecord = Ticket | Row[Any]


class WindowStateLike(Protocol):
    state: str
    clerk: str | None


def iso(value: datetime | None, config: HallConfig) -> str | None:
    """ISO 8601 in the hall's time zone, with its offset."""
    return value.astimezone(config.tz).isoformat(timespec="seconds") if value else None


def ticket_json(
    ticket: TicketRecord,
    config: HallConfig,
    *,
    ahead: int | None = None,
    estimate: WaitRange | None = None,
) -> dict[str, Any]:
    service = config.service_by_id.get(ticket.service_id)
    body: dict[str, Any] = {
        "id": ticket.id,
        "number": ticket.number,
        "service_id": ticket.service_id,
        "service_name": service.name if service else ticket.service_id,
        "zone_id": service.zone if service else ticket.zone_id,
        "priority": ticket.priority,
        "status": ticket.status,
        "issued_at": iso(ticket.issued_at, config),
        "called_at": iso(ticket.called_at, config),
        "window": ticket.window_id,
        "recalls": ticket.recalls,
    }
    if ahead is not None:
        body["ahead"] = ahead
    if estimate is not None:
        body |= wait_json(estimate)
    return body


def wait_json(estimate: WaitRange) -> dict[str, Any]:
    """The single figure and the range a ticket shows ("约 10–20 分钟"), in seconds."""
    return {
        "estimated_wait_s": estimate.estimate_s,
        "estimated_wait_range_s": [estimate.low_s, estimate.high_s],
        "no_window_open": estimate.no_window_open,
    }


def call_json(
    ticket: TicketRecord, config: HallConfig, at: datetime, *, recalled: bool = False
) -> dict[str, Any]:
    """The payload of ticket_called / ticket_recalled: what a display shows and says (`recalled`: 重呼)."""
    window = config.window_by_id[ticket.window_id] if ticket.window_id else None
    words = call_wording(config, ticket.number, ticket.service_id, window) if window else None
    return {
        "ticket": {"id": ticket.id, "number": ticket.number, "service_id": ticket.service_id},
        "window": {"id": window.id, "number": window.number, "name": window.label} if window else None,
        "at": iso(at, config),
        "recalled": recalled,
        "announce": words.shown if words else "",
        "announce_en": words.shown_en if words else "",
    }


def events_json(session: Session, ticket_id: int, config: HallConfig) -> list[dict[str, Any]]:
    events = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.at, TicketEvent.id)
    )
    return [
        {"type": e.type, "at": iso(e.at, config), "window": e.window_id, "clerk": e.clerk, "detail": e.detail}
        for e in events
    ]


def window_json(ctx: HallContext, window_id: str, state: WindowStateLike | None) -> dict[str, Any]:
    window = ctx.config.window_by_id[window_id]
    return {
        "id": window.id,
        "number": window.number,
        "name": window.label,
        "a_services": window.a_services,
        "b_services": window.b_services,
        "state": state.state if state else "closed",
        "clerk": state.clerk if state else None,
    }


def current_calls(session: Session, ctx: HallContext, states: dict[str, WindowState]) -> list[dict[str, Any]]:
    """Every window with its state and the ticket it is calling or serving."""
    current_ids = [s.current_ticket_id for s in states.values() if s.current_ticket_id]
    tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(current_ids)))}
    rows = []
    for window in ctx.config.windows:
        state = states.get(window.id)
        ticket = tickets.get(state.current_ticket_id) if state and state.current_ticket_id else None
        row = window_json(ctx, window.id, state)
        row.pop("clerk")
        row["current"] = (
            {
                "id": ticket.id,
                "number": ticket.number,
                "status": ticket.status,
                "called_at": iso(ticket.called_at, ctx.config),
            }
            if ticket
            else None
        )
        rows.append(row)
    return rows


def recent_calls(session: Session, ctx: HallContext, limit: int = 10) -> list[dict[str, Any]]:
    """The day's latest calls, newest first, one line a ticket: a recall moves it to the top, marked."""
    day_start = ctx.day()
    rows = session.execute(
        select(TicketEvent, Ticket)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.type.in_(("called", "recalled")), Ticket.service_day == day_start)
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(limit * 4)  # recalls of the same tickets take some of these rows
    ).all()
    calls: list[dict[str, Any]] = []
    seen: set[int] = set()
    for event, ticket in rows:
        window = ctx.config.window_by_id.get(event.window_id or "")
        if window is None or ticket.id in seen or len(calls) == limit:
            continue
        seen.add(ticket.id)
        calls.append(
            {
                "ticket": {"id": ticket.id, "number": ticket.number},
                "window": {"id": window.id, "number": window.number, "name": window.label},
                "at": iso(event.at, ctx.config),
                "recalled": event.type == "recalled",
                "announce": call_wording(ctx.config, ticket.number, ticket.service_id, window).shown,
            }
        )
    return calls
