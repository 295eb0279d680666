"""Issuing a ticket: number, ticket and event in one write transaction, so no duplicate and no gap."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hallq.context import HallContext
from hallq.engine import IssueRefused, Priority, Status, check_caps, check_hours, format_number
from hallq.errors import Conflict, Invalid
from hallq.models import NumberCounter, Ticket, TicketEvent
from hallq.operations.pushes import Push
from hallq.operations.queries import estimate_for, waiting_by_zone
from hallq.operations.views import ticket_json


@dataclass(frozen=True)
class IssueRequest:
    service_id: str
    priority: Priority = Priority.NORMAL
    appointment_code: str | None = None
    kiosk_id: str | None = None


def bump_counter(session: Session, day: date, scope: str) -> int:
    """Add one to a day's counter and return the new value, atomically on SQLite and PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(NumberCounter)
        .values(service_day=day, scope=scope, last=1)
        .on_conflict_do_update(
            index_elements=[NumberCounter.service_day, NumberCounter.scope],
            set_={"last": NumberCounter.last + 1},
        )
        .returning(NumberCounter.last)
    )
    return int(session.execute(statement).scalar_one())


def new_status_token() -> str:
    return secrets.token_urlsafe(18)


def issue_ticket(ctx: HallContext, request: IssueRequest) -> tuple[dict[str, Any], list[Push]]:
    config = ctx.config
    service = config.service_by_id.get(request.service_id)
    if service is None:
        raise Invalid("unknown_service", f"未知事项 / Unknown service {request.service_id!r}")
    zone = config.zone_by_id[service.zone]
    now = ctx.now()
    try:
        check_hours(config, now)
    except IssueRefused as refused:
        raise Conflict(refused.code, refused.message) from None
    day = ctx.day(now)
    with ctx.store.write() as session:
        seq = bump_counter(session, day, f"zone:{zone.id}")
        service_count = bump_counter(session, day, f"service:{service.id}") if service.daily_cap else 0
        try:
            check_caps(config, service, seq, service_count)
        except IssueRefused as refused:
            raise Conflict(refused.code, refused.message) from None
        ticket = Ticket(
            service_day=day,
            zone_id=zone.id,
            seq=seq,
            number=format_number(zone.prefix, seq),
            service_id=service.id,
            priority=request.priority.value,
            queue_rank=request.priority.rank,
            status=Status.WAITING.value,
            issued_at=now,
            queued_at=now,
            recalls=0,
            kiosk_id=request.kiosk_id,
            appointment_code=request.appointment_code,
            estimated_wait_s=0,
            status_token=new_status_token(),
        )
        session.add(ticket)
        session.flush()
        ahead, estimate = estimate_for(session, ctx, ticket)
        ticket.estimated_wait_s = estimate
        session.add(
            TicketEvent(
                ticket_id=ticket.id,
                type="issued",
                at=now,
                status_after=Status.WAITING.value,
                detail={"kiosk_id": request.kiosk_id} if request.kiosk_id else None,
            )
        )
        waiting = waiting_by_zone(session, ctx, day)[zone.id]
    body = ticket_json(ticket, config, ahead=ahead, estimated_wait_s=estimate)
    a_windows, b_windows = config.windows_for(service.id)
    window_rooms = tuple(f"window:{w.id}" for w in (*a_windows, *b_windows))
    pushes = [
        Push("ticket_issued", public_ticket(body), ("hall", "manager")),
        Push("queue_changed", {"zone_id": zone.id, "waiting": waiting}, ("hall", "manager", *window_rooms)),
    ]
    return body, pushes


def public_ticket(body: dict[str, Any]) -> dict[str, Any]:
    """What may be pushed to shared screens: no status token."""
    return {k: v for k, v in body.items() if k not in ("status_url", "status_token")}
