"""好差评: one rating per finished visit, stored with its window and clerk, an event in the ticket's log.

A visit may be rated for `[ratings] open_minutes` after it finished, with the content its level offers
([ratings.indicators]; a bad rating must give a reason). Past that it is unrated for good: a row
with level NULL (source "timeout") is written, by `close_unrated` every minute or by the late attempt itself,
and it never counts as satisfied. In the rating's own transaction: its report to the province (the outbox,
operations/rating_reports.py) and, for a bad rating (levels 1 and 2), a follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError

from hallq.operations.context import HallContext
from hallq.operations.errors import Conflict, Forbidden, Invalid, NotFound
from hallq.operations.pushes import Push
from hallq.operations.rating_reports import enqueue, rating_payload
from hallq.store.models import FollowUp, Rating, Ticket, TicketEvent, VisitCases

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


@dataclass(frozen=True)
class RatingInput:
    """A citizen's rating as it arrives: the level, the content chosen for it ([ratings.indicators]), their
    own words, the channel, and who sent it from where (for the integrity checks)."""

    level: int
    reasons: list[str] | None = None
    comment: str | None = None
    source: str = "staff"
    device: str | None = None
    address: str | None = None


def chosen_content(ctx: HallContext, given: RatingInput) -> tuple[list[dict[str, str]], str | None]:
    """The content chosen, each with its indicator, and the comment; Invalid for content the level does not
    offer, or a bad rating with neither content nor words (a 5-key pad on the bridge cannot give them)."""
    offered = {item.text: item.indicator for item in ctx.config.ratings.indicators.for_level(given.level)}
    comment = (given.comment or "").strip()[:300] or None
    chosen: list[dict[str, str]] = []
    for reason in given.reasons or []:
        text, _, words = reason.partition("：")  # "其他：…" from an older page: the words are the comment
        if text not in offered:
            raise Invalid(
                "unknown_content",
                f"「{reason}」不是「{LEVELS[given.level]}」可选的评价内容 / {reason!r} is not content "
                f"offered for level {given.level} ([ratings.indicators] "
                f"{ctx.config.ratings.indicators.version})",
            )
        comment = comment or (words.strip()[:300] or None)
        if all(item["text"] != text for item in chosen):
            chosen.append({"indicator": offered[text], "text": text})
    if given.level in BAD and not chosen and not comment and given.source != "pad":
        raise Invalid(
            "reason_required",
            "不满意和非常不满意须选择或填写原因 / A bad rating needs a reason: choose one or write it",
        )
    return chosen, comment


def rate_ticket(
    ctx: HallContext, ticket_id: int, given: RatingInput, *, window_id: str | None = None
) -> tuple[dict[str, Any], list[Push]]:
    """Rate a finished visit; `window_id` (an evaluator tablet's window) must be where it was served."""
    if given.level not in LEVELS:
        raise Invalid("bad_level", "level: 1 (非常不满意) .. 5 (非常满意)")
    chosen, comment = chosen_content(ctx, given)
    now = ctx.now()
    follow_up_due = None
    try:
        with ctx.store.write_connection() as connection:
            ticket = connection.execute(
                select(
                    Ticket.status,
                    Ticket.window_id,
                    Ticket.clerk,
                    Ticket.number,
                    Ticket.finished_at,
                    Ticket.service_id,
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
                    ctx, connection, ticket, ticket_id, given, chosen, comment, now
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
        "level": given.level,
        "label": LEVELS[given.level],
        "bad": given.level in BAD,
        "window": ticket.window_id,
        "source": given.source,
        "indicators": chosen,
        "comment": comment,
        "at": now.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
        "follow_up_due": follow_up_due,
    }
    # the window's room (its caller, the bridge, the display, the tablet facing citizens) hears that the visit
    # was rated and how, not the citizen's own words: those are for managers
    at_window = {key: value for key, value in body.items() if key != "comment"}
    return body, [
        Push("ticket_rated", body, ("manager",)),
        Push("ticket_rated", at_window, (f"window:{ticket.window_id}",)),
    ]


def _insert_rating(
    ctx: HallContext,
    connection: Connection,
    ticket: Any,
    ticket_id: int,
    given: RatingInput,
    chosen: list[dict[str, str]],
    comment: str | None,
    now: datetime,
) -> str | None:
    """The rating, its event, its report to the province and for a bad one its follow-up; returns the
    follow-up's due date."""
    armed = connection.execute(
        select(VisitCases.cases, VisitCases.applicant).where(VisitCases.ticket_id == ticket_id)
    ).first()
    values = {
        "ticket_id": ticket_id,
        "level": given.level,
        "reasons": [item["text"] for item in chosen] or None,
        "source": given.source,
        "window_id": ticket.window_id,
        "clerk": ticket.clerk,
        "rated_at": now,
        "comment": comment,
        "indicator_version": ctx.config.ratings.indicators.version,
        "cases": armed.cases if armed else None,
        "device": (given.device or "")[:96] or None,
        "address": (given.address or "")[:45] or None,
    }
    rating_id = connection.execute(insert(Rating).values(values).returning(Rating.id)).scalar_one()
    event = {
        "ticket_id": ticket_id,
        "type": "rated",
        "at": now,
        "window_id": ticket.window_id,
        "clerk": ticket.clerk,
        "status_after": "finished",
        "detail": {"level": given.level, "source": given.source},
    }
    connection.execute(insert(TicketEvent).values(event))
    if ctx.config.province.enabled:
        rating = values | {"id": rating_id, "indicators": chosen}
        payload = rating_payload(ctx, connection, rating, ticket, armed.applicant if armed else None)
        enqueue(connection, rating_id, "rating", payload["id"], payload)
    if armed is not None and armed.applicant is not None:  # it went out with the report, or nowhere
        connection.execute(
            update(VisitCases).where(VisitCases.ticket_id == ticket_id).values(applicant=null())
        )
    return _open_follow_up(ctx, connection, rating_id, ticket_id, now) if given.level in BAD else None


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
