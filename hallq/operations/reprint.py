"""Printing a ticket again: who may, at which kiosk, for which tickets."""

from __future__ import annotations

from sqlalchemy import func, select

from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from hallq.operations.printing import queue_job
from hallq.store.models import PrintJob, Ticket

#: a ticket is worth printing while its holder may still be called
PRINTABLE = ("waiting", "called", "serving")


def queue_reprint(
    ctx: HallContext, ticket_id: int, actor: Actor, kiosk_id: str | None, base_url: str
) -> tuple[int, str]:
    """Queue a reprint and return (job id, kiosk id). A kiosk reprints only its own tickets, at itself;
    staff pick the kiosk, or it prints where the ticket was issued."""
    with ctx.store.write_connection() as connection:
        ticket = connection.execute(
            select(Ticket.status, Ticket.kiosk_id).where(Ticket.id == ticket_id)
        ).first()
        if ticket is None:
            raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
        if actor.role == "kiosk":
            own = actor.kiosk_id or kiosk_id
            if own is None or ticket.kiosk_id != own or kiosk_id not in (None, own):
                raise Forbidden(
                    "not_this_kiosk", "取号机只能补打本机取的号 / A kiosk reprints only its own tickets"
                )
            kiosk_id = own
        kiosk_id = kiosk_id or ticket.kiosk_id
        kiosk = ctx.config.kiosk_by_id.get(kiosk_id or "")
        if kiosk is None:
            known = ", ".join(ctx.config.kiosk_by_id) or "none"
            raise Invalid(
                "unknown_kiosk", f"请指定取号机 / Give a kiosk_id of the hall (configured: {known})"
            )
        if not kiosk.printer:
            raise Conflict("no_printer", f"取号机 {kiosk.id} 没有打印机 / Kiosk {kiosk.id} has no printer")
        if ticket.status not in PRINTABLE:
            raise Conflict("not_printable", f"此号已{ticket.status}，无需补打 / Ticket is {ticket.status}")
        limit = ctx.config.limits.reprints_per_ticket
        reprints = connection.execute(
            select(func.count())
            .select_from(PrintJob)
            .where(PrintJob.ticket_id == ticket_id, PrintJob.requested_by.is_not(None))
        ).scalar_one()
        if limit and reprints >= limit:
            raise TooManyRequests(
                "too_many_reprints",
                f"此号已补打 {reprints} 次，请到服务台 / Reprinted {reprints} times already: ask the staff",
            )
        job_id = queue_job(connection, ticket_id, kiosk.id, base_url, ctx.now(), requested_by=actor.name)
    return job_id, kiosk.id
