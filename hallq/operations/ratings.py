"""好差评: one rating per finished visit, stored with its window and clerk, an event in the ticket's log.

A visit may be rated for `[ratings] open_minutes` after it finished. Past that it is unrated for good: a row
with level NULL (source "timeout") is written, by `close_unrated` every minute or by the late attempt itself,
and it never counts as satisfied. A bad rating (levels 1 and 2) opens a follow-up in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, insert, literal, select
from sqlalchemy.exc import IntegrityError

from hallq.operations.context import HallContext
from hallq.operations.errors import Conflict, Forbidden, Invalid, NotFound
from hallq.operations.pushes import Push
from hallq.store.models import FollowUp, Rating, Ticket, TicketEvent

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
LEVELS_EN = {
    5: "Very satisfied",
    4: "Satisfied",
    3: "Fairly satisfied",
    2: "Dissatisfied",
    1: "Very dissatisfied",
}
BAD = (1, 2)
#: how a rating arrived: an evaluator pad through the bridge, the tablet page, the citizen's phone, staff
SOURCES = ("pad", "tablet", "phone", "staff")


def rating_open(ctx: HallContext, finished_at: datetime, now: datetime) -> bool:
    """A visit may be rated until `[ratings] open_minutes` after it finished."""
    return now <= finished_at + timedelta(minutes=ctx.config.ratings.open_minutes)


def rate_ticket(
    ctx: HallContext,
    ticket_id: int,
    level: int,
    reasons: list[str] | None,
    source: str,
    *,
    window_id: str | None = None,
) -> tuple[dict[str, Any], list[Push]]:
    """Rate a finished visit; `window_id` (an evaluator tablet's window) must be where it was served."""
    if level not in LEVELS:
        raise Invalid("bad_level", "level: 1 (非常不满意) .. 5 (非常满意)")
    if reasons and level not in BAD:
        raise Invalid(
            "reasons_for_bad_only", "原因只用于不满意和非常不满意 / Reasons go with levels 1 and 2 only"
        )
    now = ctx.now()
    follow_up_due = None
    try:
        with ctx.store.write_connection() as connection:
            ticket = connection.execute(
                select(
                    Ticket.status, Ticket.window_id, Ticket.clerk, Ticket.number, Ticket.finished_at
                ).where(Ticket.id == ticket_id)
            ).first()
            if ticket is None:
                raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
            if window_id is not None and ticket.window_id != window_id:
                raise Forbidden("other_window", "这张票不是在本窗口办理的 / Not a visit at this window")
            if ticket.status != "finished":
                raise Conflict(
                    "not_served", f"办结后才能评价 / Only a finished visit is rated ({ticket.status})"
                )
            closed = not rating_open(ctx, ticket.finished_at, now)
            if closed:  # recorded as unrated (committed), then refused below
                _record_unrated(connection, [ticket_id], now)
            else:
                follow_up_due = _insert_rating(
                    ctx, connection, ticket, ticket_id, level, reasons, source, now
                )
    except IntegrityError:
        with ctx.store.read() as session:
            earlier = session.scalar(select(Rating.level).where(Rating.ticket_id == ticket_id))
        if earlier is None:  # the visit was closed as unrated
            raise Conflict("rating_closed", "评价时间已过 / The time to rate this visit is over") from None
        raise Conflict("already_rated", "此次办事已评价 / This visit is already rated") from None
    if closed:
        raise Conflict("rating_closed", "评价时间已过 / The time to rate this visit is over")
    body = {
        "ticket_id": ticket_id,
        "number": ticket.number,
        "level": level,
        "label": LEVELS[level],
        "bad": level in BAD,
        "window": ticket.window_id,
        "source": source,
        "at": now.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
        "follow_up_due": follow_up_due,
    }
    return body, [Push("ticket_rated", body, ("manager", f"window:{ticket.window_id}"))]


def _insert_rating(
    ctx: HallContext,
    connection: Connection,
    ticket: Any,
    ticket_id: int,
    level: int,
    reasons: list[str] | None,
    source: str,
    now: datetime,
) -> str | None:
    """The rating, its event, and for a bad one its follow-up; returns the follow-up's due date."""
    values = {
        "ticket_id": ticket_id,
        "level": level,
        "reasons": reasons or None,
        "source": source,
        "window_id": ticket.window_id,
        "clerk": ticket.clerk,
        "rated_at": now,
    }
    rating_id = connection.execute(insert(Rating).values(values).returning(Rating.id)).scalar_one()
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
    return _open_follow_up(ctx, connection, rating_id, ticket_id, now) if level in BAD else None


def _open_follow_up(
    ctx: HallContext, connection: Connection, rating_id: int, ticket_id: int, now: datetime
) -> str:
    rated_day = now.astimezone(ctx.config.tz).date()
    due_on = ctx.config.work_calendar.add_working_days(rated_day, ctx.config.ratings.follow_up_working_days)
    connection.execute(
        insert(FollowUp).values(
            rating_id=rating_id,
            ticket_id=ticket_id,
            status="open",
            opened_at=now,
            due_on=due_on,
            updated_at=now,
        )
    )
    return due_on.isoformat()


def _record_unrated(connection: Connection, ticket_ids: list[int], now: datetime) -> None:
    if not ticket_ids:
        return
    unrated = (
        select(
            Ticket.id,
            literal(None).label("level"),
            literal("timeout").label("source"),
            Ticket.window_id,
            Ticket.clerk,
            literal(now, Rating.rated_at.type).label("rated_at"),
        )
        .where(Ticket.id.in_(ticket_ids))
        .where(~exists().where(Rating.ticket_id == Ticket.id))
    )
    columns = ["ticket_id", "level", "source", "window_id", "clerk", "rated_at"]
    connection.execute(insert(Rating).from_select(columns, unrated))
    events = select(
        Ticket.id,
        literal("unrated").label("type"),
        literal(now, TicketEvent.at.type).label("at"),
        Ticket.window_id,
        Ticket.clerk,
        literal("finished").label("status_after"),
    ).where(Ticket.id.in_(ticket_ids))
    connection.execute(
        insert(TicketEvent).from_select(
            ["ticket_id", "type", "at", "window_id", "clerk", "status_after"], events
        )
    )


def close_unrated(ctx: HallContext) -> int:
    """Record every served visit whose time to rate is over as unrated; returns how many."""
    now = ctx.now()
    cutoff = now - timedelta(minutes=ctx.config.ratings.open_minutes)
    # visits older than a week were closed by earlier runs: the day bound keeps this an index range
    first_day = ctx.day(cutoff - timedelta(days=8))
    try:
        with ctx.store.write_connection() as connection:
            ids = list(
                connection.scalars(
                    select(Ticket.id).where(
                        Ticket.service_day >= first_day,
                        Ticket.status == "finished",
                        Ticket.finished_at < cutoff,
                        ~exists().where(Rating.ticket_id == Ticket.id),
                    )
                )
            )
            _record_unrated(connection, ids, now)
    except IntegrityError:  # another server process closed the same visits first
        return 0
    return len(ids)
