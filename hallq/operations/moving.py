"""Moving a service's waiting tickets to another service (managers; issue 31): the way out when a service is
removed while citizens still wait for it. Each ticket keeps its number and its place (its queue time), as a
window's transfer does; each move is in the ticket's events and the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from hallq.engine import Status
from hallq.operations.audit import record
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Invalid
from hallq.operations.hall_versions import OPEN_STATUSES
from hallq.operations.pushes import Push
from hallq.operations.queries import window_visits
from hallq.operations.views import ticket_json
from hallq.operations.zones import zone_pushes
from hallq.store.models import Ticket, TicketEvent

TICKETS = Ticket.__table__


def move_waiting(
    ctx: HallContext, from_service: str, to_service: str, actor: Actor
) -> tuple[int, list[Push]]:
    """Every waiting ticket of `from_service` waits for `to_service` now; how many, and the pushes."""
    services = ctx.config.service_by_id
    if from_service not in services or to_service not in services:
        unknown = from_service if from_service not in services else to_service
        raise Invalid("unknown_service", f"未知事项 / Unknown service {unknown!r}")
    if from_service == to_service:
        raise Invalid("invalid_request", "请选择另一个事项 / Choose another service")
    target = services[to_service]
    if target.retiring:
        raise Invalid("service_retiring", f"{target.name}已停止取号 / {target.name} takes no new tickets")
    now = ctx.now()
    detail = {"from_service": from_service, "to_service": to_service, "by": actor.name}
    with ctx.store.write_connection() as connection:
        moved = connection.execute(
            update(Ticket)
            .where(
                Ticket.service_day == ctx.day(now),
                Ticket.service_id == from_service,
                Ticket.status == Status.WAITING.value,
            )
            .values(service_id=to_service)
            .returning(*TICKETS.c)
        ).all()
        if not moved:
            return 0, []
        connection.execute(
            insert(TicketEvent),
            [
                {
                    "ticket_id": ticket.id,
                    "type": "transferred",
                    "at": now,
                    "window_id": None,
                    "clerk": None,
                    "status_after": Status.WAITING.value,
                    "detail": detail,
                }
                for ticket in moved
            ],
        )
        numbers = [ticket.number for ticket in moved[:50]]
        audited = {**detail, "count": len(moved), "numbers": numbers}
        record(connection, now, "service.tickets_moved", actor, from_service, audited)
        zones = sorted({ticket.zone_id for ticket in moved})
        pushes = zone_pushes(ctx, connection, ctx.day(now), zones, window_visits(connection), now)
    for ticket in moved:
        body: dict[str, Any] = {"ticket": ticket_json(ticket, ctx.config), "window": None}
        pushes.append(Push("ticket_transferred", body, ("manager", f"ticket:{ticket.id}")))
    return len(moved), pushes


def open_by_service(ctx: HallContext) -> dict[str, int]:
    """Today's tickets still waiting or in hand at a window, by service (what keeps a service from being
    removed; a past day's queue is never called again)."""
    with ctx.store.read_connection() as connection:
        rows = connection.execute(
            select(Ticket.service_id, func.count())
            .where(Ticket.service_day == ctx.day(), Ticket.status.in_(OPEN_STATUSES))
            .group_by(Ticket.service_id)
        )
        return {service_id: int(count) for service_id, count in rows}
