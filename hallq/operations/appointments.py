"""预约: booked slots sent by a booking system (or made on hallq's page: operations/bookings.py), and their
check-in at a kiosk, giving a ticket queued from the start of the slot (hallq.engine.appointment_queue_time;
docs/call-rule.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from hallq.engine import IssueRefused, appointment_queue_time
from hallq.operations.bookings import quota_slot, take_place
from hallq.operations.context import HallContext
from hallq.operations.errors import Conflict, Invalid
from hallq.store.models import Appointment, TicketNotice


def appointment_json(appointment: Appointment, ctx: HallContext) -> dict[str, Any]:
    return {
        "code": appointment.code,
        "service_id": appointment.service_id,
        "slot_at": appointment.slot_at.astimezone(ctx.config.tz).isoformat(timespec="minutes"),
        "ticket_id": appointment.ticket_id,
    }


#: how far from now a booked slot may be (a year ahead, or a slot a booking system sends late)
BOOKABLE = timedelta(days=366)


def add_appointment(ctx: HallContext, code: str, service_id: str, slot_at: datetime) -> dict[str, Any]:
    """Record a booking; a code is unique for good (a booking system never reuses one)."""
    if service_id not in ctx.config.service_by_id:
        raise Invalid("unknown_service", f"未知事项 / Unknown service {service_id!r}")
    now = ctx.now()
    if not now - BOOKABLE <= slot_at <= now + BOOKABLE:
        raise Invalid("slot_out_of_range", "预约时段须在一年之内 / slot_at must be within a year from now")
    # a slot of the service's 号源 counts this booking too (the province's share is open to this channel)
    slot = quota_slot(ctx, service_id, slot_at)
    appointment = Appointment(
        code=code,
        service_id=service_id,
        slot_at=slot_at,
        created_at=ctx.now(),
        channel="api",
        counted=slot is not None,
    )
    exists = Conflict("appointment_exists", f"预约码已存在 / Appointment {code!r} exists")
    try:
        with ctx.store.write() as session:
            if session.get(Appointment, code) is not None:
                raise exists
            if slot is not None:
                take_place(session.connection(), service_id, slot, "api")
            session.add(appointment)
    except IntegrityError:  # the same code sent twice at once
        raise exists from None
    return appointment_json(appointment, ctx)


def booked_service(ctx: HallContext, code: str) -> str:
    """The service of a booking, for a check-in that names none (the kiosk knows only the code)."""
    with ctx.store.read() as session:
        service_id = session.scalar(select(Appointment.service_id).where(Appointment.code == code))
    if service_id is None:
        raise Invalid("unknown_appointment", f"未找到预约码 / No appointment with code {code!r}")
    return service_id


def check_in(connection: Connection, ctx: HallContext, code: str, service_id: str, now: datetime) -> datetime:
    """The queue time of a check-in with `code` for `service_id` now; refused when the code is unknown, for
    another service, already used, or outside its check-in window."""
    row = connection.execute(select(Appointment).where(Appointment.code == code)).one_or_none()
    if row is None:
        raise Invalid("unknown_appointment", f"未找到预约码 / No appointment with code {code!r}")
    if row.service_id != service_id:
        raise Invalid(
            "appointment_for_other_service",
            f"此预约办理的是另一事项 / This appointment is for another service ({row.service_id})",
        )
    if row.ticket_id is not None:
        raise Conflict("appointment_checked_in", "此预约已签到取号 / This appointment has checked in already")
    if row.cancelled_at is not None:
        raise Conflict("appointment_cancelled", "此预约已取消 / This appointment was cancelled")
    rule = ctx.config.appointments
    try:
        return appointment_queue_time(
            row.slot_at, now, rule.check_in_before_min, rule.grace_after_min, ctx.config.tz
        )
    except IssueRefused as refused:
        raise Conflict(refused.code, refused.message) from None


def claim(connection: Connection, code: str, ticket_id: int, now: datetime) -> None:
    """Tie the check-in's ticket to the appointment, once: a second check-in, or a cancellation, racing this
    one loses here (operations/bookings.py's cancel has the mirror condition)."""
    claimed = connection.execute(
        update(Appointment)
        .where(Appointment.code == code, Appointment.ticket_id.is_(None), Appointment.cancelled_at.is_(None))
        .values(ticket_id=ticket_id)
    )
    if claimed.rowcount != 1:
        cancelled = connection.scalar(select(Appointment.cancelled_at).where(Appointment.code == code))
        if cancelled is not None:
            raise Conflict("appointment_cancelled", "此预约已取消 / This appointment was cancelled")
        raise Conflict("appointment_checked_in", "此预约已签到取号 / This appointment has checked in already")
    phone = connection.scalar(select(Appointment.phone).where(Appointment.code == code))
    if phone:  # booked with a mobile number: its ticket's messages go there (docs/booking.md)
        connection.execute(
            insert(TicketNotice).values(ticket_id=ticket_id, phone=phone, source="booking", created_at=now)
        )
