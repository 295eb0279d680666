"""预约 and messages: the public booking calls the booking page makes (throttled, no login), a citizen's
"notify me" for a ticket, and what managers see of bookings and messages (docs/booking.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import NewBooking, NotifyMe
from hallq.operations.booking_stats import booking_report
from hallq.operations.bookings import book, bookable_days, booking_view, cancel, service_slots
from hallq.operations.errors import Forbidden, Invalid, NotFound
from hallq.operations.messages import message_status, notify_me
from hallq.operations.snapshots import ticket_id_for_token
from hallq.store.models import Ticket
from hallq.web.auth import current_actor, require_roles
from hallq.web.runtime import hall_context, rate_limits


def _day(name: str) -> date:
    text = request.args.get(name, "")
    try:
        day: date | None = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:  # a year 9999 would overflow the time zone arithmetic
        raise Invalid(f"bad_{name}", f"{name} 应为日期 YYYY-MM-DD / {name} must be a date YYYY-MM-DD")
    return day


def _service_id() -> str:
    service_id = request.args.get("service_id", "")
    if not service_id:
        raise Invalid("bad_service_id", "请给出 service_id / Give service_id")
    return service_id


@bp.get("/booking/services")
def booking_services() -> dict[str, Any]:
    """The services a citizen may book, with their materials (一次性告知) and the days open for booking."""
    ctx = hall_context()
    config = ctx.config
    booked = {quota.service for quota in config.booking.quotas}
    rule = config.booking
    return {
        "hall": {"name": config.hall.name, "name_en": config.hall.name_en, "timezone": config.hall.timezone},
        "messages": config.messages.enabled,
        "rules": {
            "per_phone_per_week": rule.per_phone_per_week,
            "no_shows": rule.no_shows,
            "no_show_days": rule.no_show_days,
            "block_days": rule.block_days,
            "check_in_before_min": config.appointments.check_in_before_min,
            "grace_after_min": config.appointments.grace_after_min,
        },
        "services": [
            {
                "id": service.id,
                "name": service.name,
                "name_en": service.name_en,
                "zone_id": service.zone,
                "materials": service.materials,
                "days": [day.isoformat() for day in bookable_days(ctx, service.id)],
            }
            for service in config.services
            if service.id in booked and not service.retiring
        ],
    }


@bp.get("/booking/slots")
def booking_slots() -> list[dict[str, Any]]:
    return service_slots(hall_context(), _service_id(), _day("date"))


@bp.post("/bookings")
def post_booking() -> tuple[dict[str, Any], int]:
    body = parse_body(NewBooking)
    ctx = hall_context()
    rate_limits().booking(request.remote_addr, ctx.config.booking.per_address_per_hour)
    return book(ctx, body.service_id, body.slot_start, body.name, body.phone), 201


@bp.get("/bookings/<code>")
def get_booking(code: str) -> dict[str, Any]:
    """The booking behind a manage link (?key= from the link)."""
    return booking_view(hall_context(), code, request.args.get("key", ""))


@bp.delete("/bookings/<code>")
def delete_booking(code: str) -> dict[str, Any]:
    """Cancel with the manage link's key (?key=): the place is free again at once."""
    return cancel(hall_context(), code, request.args.get("key", ""))


@bp.post("/tickets/<int:ticket_id>/notify")
def post_notify(ticket_id: int) -> tuple[dict[str, Any], int]:
    """Notify me: the kiosk that issued the ticket (its token), or whoever holds the ticket's status token."""
    body = parse_body(NotifyMe)
    ctx = hall_context()
    if body.status_token is not None:
        if ticket_id_for_token(ctx, body.status_token) != ticket_id:
            raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
        return notify_me(ctx, ticket_id, body.phone, "status-page"), 201
    actor = current_actor()
    if actor is None or actor.role != "kiosk":
        raise Forbidden(
            "forbidden", "需取号机令牌或此票的状态码 / The issuing kiosk's token or the ticket's status token"
        )
    with ctx.store.read() as session:
        ticket = session.get(Ticket, ticket_id)
        kiosk_id = ticket.kiosk_id if ticket is not None else None
    if ticket is None:
        raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
    if actor.kiosk_id is not None and kiosk_id != actor.kiosk_id:
        raise Forbidden("wrong_kiosk", "此票不是本取号机所出 / This kiosk did not issue this ticket")
    return notify_me(ctx, ticket_id, body.phone, "kiosk"), 201


@bp.get("/messages")
@require_roles("manager", "admin")
def get_messages() -> dict[str, Any]:
    """Today's messages with their send result (numbers are never shown)."""
    return message_status(hall_context())


@bp.get("/stats/bookings")
@require_roles("manager", "admin")
def get_booking_stats() -> dict[str, Any]:
    """Bookings per service and slot from `from` to `to`: booked, checked in, no-show, cancelled."""
    return booking_report(hall_context(), _day("from"), _day("to"))
