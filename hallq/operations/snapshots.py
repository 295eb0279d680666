"""What a room shows, whole: sent on join so a reconnecting screen is right again at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hallq.engine.estimate import WaitRange
from hallq.engine.identity import masked_phone
from hallq.operations.context import HallContext
from hallq.operations.errors import NotFound
from hallq.operations.queries import (
    estimate_for,
    waiting_by_zone,
    waiting_for_window,
    window_loads,
    window_states,
    window_view,
)
from hallq.operations.ratings import rating_open
from hallq.operations.status_tokens import MAX_LENGTH, token_hash
from hallq.operations.views import (
    current_calls,
    events_json,
    recent_calls,
    ticket_json,
    wait_json,
    window_json,
)
from hallq.operations.zones import current_alerts
from hallq.store.models import DeviceState, Rating, RatingAppeal, Ticket, TicketNotice

#: how many of a window's no-shows of today its caller lists
NO_SHOWS_LISTED = 10


def hall_snapshot(ctx: HallContext) -> dict[str, Any]:
    with ctx.store.read() as session:
        states = window_states(session)
        return {
            "room": "hall",
            "hall": {"name": ctx.config.hall.name, "name_en": ctx.config.hall.name_en},
            "zones": [
                {"id": z.id, "name": z.name, "name_en": z.name_en, "prefix": z.prefix}
                for z in ctx.config.zones
            ],
            "windows": current_calls(session, ctx, states),
            "recent_calls": recent_calls(session, ctx),
            "waiting": waiting_by_zone(session, ctx, ctx.day()),
            "voice": voice_settings(ctx),
        }


def voice_settings(ctx: HallContext) -> dict[str, Any]:
    """How displays announce calls ([voice]): the server's recording first unless the hall says "browser"."""
    voice = ctx.config.voice
    return {
        "engine": voice.engine,
        "repeat": voice.repeat,
        "pause_s": voice.pause_s,
        "volume": voice.volume,
        "english": voice.speak_english and bool(voice.call_en),
        "banner_english": voice.banner_english,
    }


def manager_snapshot(ctx: HallContext) -> dict[str, Any]:
    """The hall as displays see it, plus the zones over an alert threshold now."""
    with ctx.store.read() as session:
        alerts = current_alerts(ctx, session, window_loads(session))
    return {**hall_snapshot(ctx), "room": "manager", "alerts": alerts, "devices": device_states(ctx)}


def device_states(ctx: HallContext) -> list[dict[str, Any]]:
    with ctx.store.read() as session:
        rows = session.scalars(select(DeviceState).order_by(DeviceState.device_id)).all()
        return [
            {
                "device": row.device_id,
                "kind": row.kind,
                "state": row.state,
                "message": row.message,
                "at": row.changed_at.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
            }
            for row in rows
        ]


def window_snapshot(ctx: HallContext, window_id: str) -> dict[str, Any]:
    if window_id not in ctx.config.window_by_id:
        raise NotFound("unknown_window", f"未知窗口 / Unknown window {window_id!r}")
    view = window_view(ctx, window_id)
    with ctx.store.read() as session:
        states = window_states(session)
        state = states.get(window_id)
        current = session.get(Ticket, state.current_ticket_id) if state and state.current_ticket_id else None
        waiting = waiting_for_window(session, view, ctx.day())
        return {
            "room": f"window:{window_id}",
            "window": window_json(ctx, window_id, state),
            "current": ticket_json(current, ctx.config) if current else None,
            "waiting": [
                {**ticket_json(t, ctx.config), "a_service": t.service_id in view.a_services} for t in waiting
            ],
            "pending_rating": pending_rating(session, ctx, window_id),
            # today's bad ratings of this window, for the clerk who may appeal one (申诉)
            "bad_ratings": bad_ratings_today(session, ctx, window_id),
            # today's no-shows of this window, newest first: one may be put back in its place (过号重排)
            "no_shows": [
                ticket_json(t, ctx.config)
                for t in session.scalars(
                    select(Ticket)
                    .where(
                        Ticket.window_id == window_id,
                        Ticket.status == "no_show",
                        Ticket.service_day == ctx.day(),
                    )
                    .order_by(Ticket.finished_at.desc())
                    .limit(NO_SHOWS_LISTED)
                )
            ],
        }


def bad_ratings_today(session: Any, ctx: HallContext, window_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Rating, Ticket.number, RatingAppeal.state)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .outerjoin(RatingAppeal, RatingAppeal.rating_id == Rating.id)
        .where(Ticket.service_day == ctx.day(), Ticket.window_id == window_id, Rating.level.in_((1, 2)))
        .order_by(Rating.rated_at.desc())
    ).all()
    return [
        {
            "rating_id": rating.id,
            "number": number,
            "level": rating.level,
            # the content chosen; the citizen's own words stay with managers (every member of the window's
            # room, the display and the tablet facing citizens too, receives this snapshot)
            "reasons": rating.reasons or [],
            "appeal": appeal_state,
        }
        for rating, number, appeal_state in rows
    ]


def pending_rating(session: Any, ctx: HallContext, window_id: str) -> dict[str, Any] | None:
    """The window's last visit while its rating tablet still asks for it (`[bridge] rating_timeout_s` after
    办结) and nobody rated it: a tablet that reloads or reconnects asks again for the time that is left."""
    now = ctx.now()
    asks_s = ctx.config.bridge.rating_timeout_s
    last = session.execute(
        select(Ticket.id, Ticket.number, Ticket.finished_at)
        # today's only: the index (service_day, status, ...) keeps this a few hundred rows, not the window's
        # whole history, on every caller and tablet refresh
        .where(Ticket.service_day == ctx.day(now), Ticket.status == "finished", Ticket.window_id == window_id)
        .order_by(Ticket.finished_at.desc())
        .limit(1)
    ).first()
    if last is None or last.finished_at is None:
        return None
    left_s = asks_s - (now - last.finished_at).total_seconds()
    if left_s <= 0 or not rating_open(ctx, last.finished_at, now):
        return None
    if session.scalar(select(Rating.id).where(Rating.ticket_id == last.id)) is not None:
        return None
    return {"ticket": {"id": last.id, "number": last.number}, "ask_for_s": round(left_s, 1)}


def ticket_snapshot(ctx: HallContext, ticket_id: int, *, with_events: bool = True) -> dict[str, Any]:
    with ctx.store.read() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
        body = ticket_json(ticket, ctx.config)
        if ticket.status == "waiting":
            body["ahead"], estimate = estimate_for(session, ctx, ticket)
        else:
            body["ahead"], estimate = 0, WaitRange(0, 0, 0)
        body |= wait_json(estimate)
        if with_events:
            body["events"] = events_json(session, ticket.id, ctx.config)
        return body


def ticket_id_for_token(ctx: HallContext, status_token: str) -> int | None:
    """The ticket a status page's token stands for; None for anything else (also an overlong string)."""
    if len(status_token) > MAX_LENGTH:
        return None
    with ctx.store.read() as session:
        return session.scalar(select(Ticket.id).where(Ticket.status_token_hash == token_hash(status_token)))


def ticket_status(ctx: HallContext, ticket_id: int) -> dict[str, Any]:
    """What a citizen's phone shows (/t/<token>): the ticket's progress and nothing about anyone."""
    full = ticket_snapshot(ctx, ticket_id, with_events=False)
    window = ctx.config.window_by_id.get(full["window"] or "")
    service = ctx.config.service_by_id.get(full["service_id"])
    return {
        "room": f"ticket:{ticket_id}",
        "number": full["number"],
        "service_name": full["service_name"],
        "service_name_en": service.name_en if service else "",
        "zone_id": full["zone_id"],
        "status": full["status"],
        "ahead": full["ahead"],
        "estimated_wait_s": full["estimated_wait_s"],
        "estimated_wait_range_s": full["estimated_wait_range_s"],
        "no_window_open": full.get("no_window_open", False),
        "issued_at": full["issued_at"],
        "called_at": full["called_at"],
        "window": {"number": window.number, "name": window.label} if window else None,
        "rating": rating_state(ctx, ticket_id) if full["status"] == "finished" else None,
        # 一次性告知: the whole list (the 58 mm ticket prints the first few and says "扫码查看完整清单")
        "materials": list(service.materials) if service else [],
        "notify": notify_state(ctx, ticket_id, full["status"]),
    }


def notify_state(ctx: HallContext, ticket_id: int, status: str) -> dict[str, Any]:
    """Whether the phone page offers "notify me", and to which number (masked) messages go already."""
    rule = ctx.config.messages
    with ctx.store.read() as session:
        phone = session.scalar(select(TicketNotice.phone).where(TicketNotice.ticket_id == ticket_id))
    return {
        "available": rule.enabled and status == "waiting",
        "when_ahead": rule.notify_when_ahead,
        "phone": masked_phone(phone),
    }


def rating_state(ctx: HallContext, ticket_id: int) -> dict[str, Any]:
    """Whether the citizen may still rate this visit, or how it was rated."""
    with ctx.store.read() as session:
        finished_at = session.scalar(select(Ticket.finished_at).where(Ticket.id == ticket_id))
        rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket_id))
    return {
        "open": rating is None and finished_at is not None and rating_open(ctx, finished_at, ctx.now()),
        "level": rating.level if rating else None,
        # the content each level offers, and the version the rating will record
        "content": rating_content(ctx),
    }


def rating_content(ctx: HallContext) -> dict[str, Any]:
    """What the rating widget shows after a level is chosen ([ratings.indicators])."""
    indicators = ctx.config.ratings.indicators
    return {"version": indicators.version, "top": indicators.top, "by_level": indicators.by_level()}
