"""作废: a manager voids a waiting ticket (tickets taken in a flood, a citizen who has left). Audited with the
reason; the ticket's place in the day's caps (放号量) is given back, so a flood cannot spend a capped
service's day for good."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from hallq.engine import Status
from hallq.operations.audit import record
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, NotFound
from hallq.operations.issuing import VOIDED_SCOPE, bump_counter, public_ticket
from hallq.operations.pushes import Push
from hallq.operations.queries import window_visits
from hallq.operations.views import ticket_json
from hallq.operations.zones import zone_pushes
from hallq.store.models import NumberCounter, Ticket, TicketEvent

TICKETS = Ticket.__table__


def void_ticket(
    ctx: HallContext, ticket_id: int, actor: Actor, reason: str
) -> tuple[dict[str, Any], list[Push]]:
    now = ctx.now()
    with ctx.store.write_connection() as connection:
        ticket = connection.execute(select(TICKETS).where(TICKETS.c.id == ticket_id)).first()
        if ticket is None:
            raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
        if ticket.status != Status.WAITING.value:
            raise Conflict(
                "not_waiting", f"{ticket.number} 不在等候中，不能作废 / Only a waiting ticket can be voided"
            )
        voided = connection.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == Status.WAITING.value)
            .values(status=Status.CANCELLED.value, outcome="voided", finished_at=now)
            .returning(*TICKETS.c)
        ).first()
        if voided is None:
            raise Conflict(
                "busy", f"{ticket.number}: 刚被其他操作改变，请重试 / changed meanwhile, try again"
            )
        event = {"reason": reason, "by": actor.name}
        connection.execute(
            insert(TicketEvent).values(
                ticket_id=ticket_id,
                type="voided",
                at=now,
                window_id=None,
                clerk=None,
                status_after=Status.CANCELLED.value,
                detail=event,
            )
        )
        record(
            connection, now, "ticket.voided", actor, ticket.number, {"service": ticket.service_id, **event}
        )
        if ticket.service_day == ctx.day(now):  # today's caps get the place back
            connection.execute(
                update(NumberCounter)
                .where(
                    NumberCounter.service_day == ticket.service_day,
                    NumberCounter.scope == f"service:{ticket.service_id}",
                    NumberCounter.last > 0,
                )
                .values(last=NumberCounter.last - 1)
            )
            bump_counter(connection, ticket.service_day, f"{VOIDED_SCOPE}{ticket.zone_id}")
        pushes = zone_pushes(ctx, connection, ctx.day(now), [ticket.zone_id], window_visits(connection), now)
    body = ticket_json(voided, ctx.config)
    rooms = ("hall", "manager", f"ticket:{ticket_id}")
    return body, [Push("ticket_cancelled", public_ticket(body), rooms), *pushes]
