"""好差评: one rating per finished visit, stored with its window and clerk, an event in the ticket's log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from hallq.context import HallContext
from hallq.errors import Conflict, Invalid, NotFound
from hallq.models import Rating, Ticket, TicketEvent
from hallq.operations.pushes import Push

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD = (1, 2)


def rate_ticket(
    ctx: HallContext, ticket_id: int, level: int, reasons: list[str] | None, source: str
) -> tuple[dict[str, Any], list[Push]]:
    if level not in LEVELS:
        raise Invalid("bad_level", "level: 1 (非常不满意) .. 5 (非常满意)")
    if reasons and level not in BAD:
        raise Invalid(
            "reasons_for_bad_only", "原因只用于不满意和非常不满意 / Reasons go with levels 1 and 2 only"
        )
    now = ctx.now()
    try:
        with ctx.store.write_connection() as connection:
            ticket = connection.execute(
                select(Ticket.status, Ticket.window_id, Ticket.clerk, Ticket.number).where(
                    Ticket.id == ticket_id
                )
            ).first()
            if ticket is None:
                raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
            if ticket.status != "finished":
                raise Conflict(
                    "not_served", f"办结后才能评价 / Only a finished visit is rated ({ticket.status})"
                )
            values = {
                "ticket_id": ticket_id,
                "level": level,
                "reasons": reasons or None,
                "source": source,
                "window_id": ticket.window_id,
                "clerk": ticket.clerk,
                "rated_at": now,
            }
            connection.execute(insert(Rating).values(values))
            event = {
                "ticket_id": ticket_id,
                "type": "rated",
                "at": now,
                "window_id": ticket.window_id,
                "clerk": ticket.clerk,
                "status_after": "finished",
                "detail": {"level": level, "source": source},
            }
            connection.execute(insert(TicketEvent).values(event))
    except IntegrityError:
        raise Conflict("already_rated", "此次办事已评价 / This visit is already rated") from None
    body = {
        "ticket_id": ticket_id,
        "number": ticket.number,
        "level": level,
        "label": LEVELS[level],
        "bad": level in BAD,
        "window": ticket.window_id,
        "source": source,
        "at": now.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
    }
    return body, [Push("ticket_rated", body, ("manager", f"window:{ticket.window_id}"))]
