"""号源 booking: the slots a citizen may book, a booking from hallq's page or a booking system, and its
cancellation. A slot's places are counted in `booking_slots` by a conditional UPDATE, so concurrent bookings
in any number of server processes never take more than the slot holds (docs/booking.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from hallq.engine import IssueRefused
from hallq.engine.booking import Slot, blocked_until, bookable, find_slot, phone_key, slots_on, week_of
from hallq.engine.identity import masked_phone, normalise_phone
from hallq.operations.context import HallContext
from hallq.operations.errors import Conflict, Forbidden, Invalid, NotFound
from hallq.store.db import upsert_insert
from hallq.store.models import Appointment, BookingSlot

CODE_DIGITS = 8


class BookingBlocked(Forbidden):
    """爽约: too many bookings not kept; the answer says until when."""

    def __init__(self, until: datetime, ctx: HallContext) -> None:
        when = until.astimezone(ctx.config.tz)
        super().__init__(
            "booking_blocked",
            f"近期多次预约未到，{when:%Y-%m-%d}前暂停预约，可现场取号 / Several bookings were not kept: "
            f"booking is paused until {when:%Y-%m-%d}; tickets at the hall's kiosk are not affected",
        )
        self.until = when

    @property
    def extra(self) -> dict[str, Any]:
        return {"until": self.until.isoformat(timespec="minutes")}


def _slot_json(slot: Slot, taken: int, now: datetime, ctx: HallContext) -> dict[str, Any]:
    capacity, is_open = slot.limit("page"), bookable(slot, now, ctx.config.booking)
    return {
        "start": slot.start.isoformat(timespec="minutes"),
        "end": slot.end.isoformat(timespec="minutes"),
        "capacity": capacity,
        "left": max(0, capacity - taken) if is_open else 0,
        "open": is_open,
    }


def _booking_service(ctx: HallContext, service_id: str) -> None:
    service = ctx.config.service_by_id.get(service_id)
    if service is None or service.retiring:
        raise Invalid("unknown_service", f"未知事项 / Unknown service {service_id!r}")
    if not any(quota.service == service_id for quota in ctx.config.booking.quotas):
        raise Invalid("not_bookable", "此事项不开放预约 / This service takes no bookings")


def bookable_days(ctx: HallContext, service_id: str) -> list[date]:
    """The days a citizen may book this service now: working days with its slots, within `days_ahead`."""
    _booking_service(ctx, service_id)
    config, now = ctx.config, ctx.now()
    today = now.astimezone(config.tz).date()
    days = []
    for offset in range(config.booking.days_ahead + 1):
        day = today + timedelta(days=offset)
        slots = slots_on(day, service_id, config.booking, config.work_calendar, config.tz)
        if any(bookable(slot, now, config.booking) for slot in slots):
            days.append(day)
    return days


def service_slots(ctx: HallContext, service_id: str, day: date) -> list[dict[str, Any]]:
    """GET /api/v1/booking/slots: the day's slots with the places hallq's own page may still give."""
    _booking_service(ctx, service_id)
    config, now = ctx.config, ctx.now()
    slots = slots_on(day, service_id, config.booking, config.work_calendar, config.tz)
    if not slots:
        return []
    with ctx.store.read() as session:
        taken = dict(
            session.execute(
                select(BookingSlot.slot_at, BookingSlot.taken).where(
                    BookingSlot.service_id == service_id,
                    BookingSlot.slot_at >= slots[0].start,
                    BookingSlot.slot_at <= slots[-1].start,
                )
            ).all()
        )
    return [_slot_json(slot, taken.get(slot.start, 0), now, ctx) for slot in slots]


def take_place(connection: Connection, service_id: str, slot: Slot, channel: str) -> None:
    """One place of `slot`, or Conflict slot_full: the row is made once, then counted up only while below
    the limit; the database's row lock orders concurrent UPDATEs, each seeing the one before."""
    values = {"service_id": service_id, "slot_at": slot.start, "taken": 0}
    insert_row = upsert_insert(connection.dialect.name)(BookingSlot).values(values)
    connection.execute(insert_row.on_conflict_do_nothing())
    taken = connection.execute(
        update(BookingSlot)
        .where(
            BookingSlot.service_id == service_id,
            BookingSlot.slot_at == slot.start,
            BookingSlot.taken < slot.limit(channel),
        )
        .values(taken=BookingSlot.taken + 1)
    ).rowcount
    if taken != 1:
        raise Conflict("slot_full", "该时段已约满，请选其他时段 / This slot is fully booked; choose another")


def give_place_back(connection: Connection, service_id: str, slot_at: datetime) -> None:
    connection.execute(
        update(BookingSlot)
        .where(BookingSlot.service_id == service_id, BookingSlot.slot_at == slot_at, BookingSlot.taken > 0)
        .values(taken=BookingSlot.taken - 1)
    )


def quota_slot(ctx: HallContext, service_id: str, slot_at: datetime) -> Slot | None:
    config = ctx.config
    return find_slot(slot_at, service_id, config.booking, config.work_calendar, config.tz)


def _manage_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def manage_url(ctx: HallContext, code: str, key: str) -> str:
    return f"{ctx.config.mount}/book/{code}?key={key}"


def _no_shows(connection: Connection, ctx: HallContext, key: str, now: datetime) -> list[datetime]:
    """Slots of this number's bookings never checked in nor cancelled whose check-in closed."""
    grace = timedelta(minutes=ctx.config.appointments.grace_after_min)
    since = now - timedelta(days=ctx.config.booking.no_show_days) - grace
    rows = connection.execute(
        select(Appointment.slot_at).where(
            Appointment.phone_key == key,
            Appointment.ticket_id.is_(None),
            Appointment.cancelled_at.is_(None),
            Appointment.slot_at >= since,
            Appointment.slot_at < now - grace,
        )
    ).scalars()
    return [slot_at + grace for slot_at in rows]


def _one_number_at_a_time(connection: Connection, key: str) -> None:
    """Bookings by one number wait for each other until commit, so its limits are checked against every
    booking it made before (SQLite's writes are one at a time already; PostgreSQL takes an advisory lock
    on the number's hash, released with the transaction)."""
    if connection.dialect.name == "postgresql":
        lock = int.from_bytes(hashlib.sha256(f"booking|{key}".encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})


def _check_limits(connection: Connection, ctx: HallContext, key: str, service_id: str, slot: Slot) -> None:
    _one_number_at_a_time(connection, key)
    booking, now = ctx.config.booking, ctx.now()
    until = blocked_until(_no_shows(connection, ctx, key, now), booking, now)
    if until is not None:
        raise BookingBlocked(until, ctx)
    grace = timedelta(minutes=ctx.config.appointments.grace_after_min)
    active = Appointment.phone_key == key, Appointment.cancelled_at.is_(None)
    held = connection.scalar(
        select(func.count()).where(
            *active,
            Appointment.service_id == service_id,
            Appointment.ticket_id.is_(None),
            Appointment.slot_at >= now - grace,
        )
    )
    if held:
        raise Conflict(
            "already_booked",
            "您已预约此事项，如需改约请先取消原预约 / You hold a booking for this service: cancel it to book "
            "another time",
        )
    monday, next_monday = week_of(slot.start, ctx.config.tz)
    in_week = connection.scalar(
        select(func.count()).where(*active, Appointment.slot_at >= monday, Appointment.slot_at < next_monday)
    )
    if (in_week or 0) >= booking.per_phone_per_week:
        raise Conflict(
            "week_limit",
            f"同一手机号每周最多预约{booking.per_phone_per_week}次 / At most {booking.per_phone_per_week} "
            "bookings a week per mobile number",
        )


def _new_code(connection: Connection) -> str:
    for _ in range(20):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if connection.scalar(select(Appointment.code).where(Appointment.code == code)) is None:
            return code
    raise Conflict("busy", "请稍后再试 / Please try again")  # pragma: no cover - 10^8 codes


def book(ctx: HallContext, service_id: str, slot_start: datetime, name: str, phone: str) -> dict[str, Any]:
    """POST /api/v1/bookings: a booking from hallq's page; 201's answer, with the manage link."""
    _booking_service(ctx, service_id)
    slot = quota_slot(ctx, service_id, slot_start)
    if slot is None:
        raise Invalid("unknown_slot", "没有这个预约时段 / No such slot for this service")
    now = ctx.now()
    if not bookable(slot, now, ctx.config.booking):
        raise Conflict("slot_closed", "该时段已停止预约 / This slot no longer takes bookings")
    name = " ".join(name.split())
    if not 1 <= len(name) <= 32:
        raise Invalid("invalid_name", "请填写姓名（32字以内）/ Give your name (up to 32 characters)")
    try:
        number = normalise_phone(phone)
    except IssueRefused as refused:
        raise Invalid(refused.code, refused.message) from None
    key, manage_key = phone_key(ctx.identity_secret, number), secrets.token_urlsafe(16)
    for attempt in range(3):
        try:
            with ctx.store.write_connection() as connection:
                _check_limits(connection, ctx, key, service_id, slot)
                take_place(connection, service_id, slot, "page")
                code = _new_code(connection)
                connection.execute(
                    insert(Appointment).values(
                        code=code,
                        service_id=service_id,
                        slot_at=slot.start,
                        created_at=now,
                        channel="page",
                        name=name,
                        phone=number,
                        phone_key=key,
                        manage_hash=_manage_hash(manage_key),
                        counted=True,
                    )
                )
            break
        except IntegrityError:  # the same new code drawn by a concurrent booking: draw again
            if attempt == 2:
                raise
    return {
        "code": code,
        "slot_start": slot.start.isoformat(timespec="minutes"),
        "slot_end": slot.end.isoformat(timespec="minutes"),
        "service_id": service_id,
        "manage_url": manage_url(ctx, code, manage_key),
    }


def _owned(connection: Connection, code: str, key: str) -> Any:
    row = connection.execute(select(Appointment).where(Appointment.code == code)).one_or_none()
    stored = row.manage_hash if row is not None else None
    if stored is None or not hmac.compare_digest(stored, _manage_hash(key or "")):
        raise NotFound("unknown_booking", "未找到此预约（链接有误）/ No such booking (a wrong or old link)")
    return row


def booking_state(row: Any, now: datetime, grace_min: int) -> str:
    if row.cancelled_at is not None:
        return "cancelled"
    if row.ticket_id is not None:
        return "checked_in"
    if now > row.slot_at + timedelta(minutes=grace_min):
        return "no_show"
    return "booked"


def booking_view(ctx: HallContext, code: str, key: str) -> dict[str, Any]:
    """What the manage link shows: the booking, its state, and when check-in opens and closes."""
    with ctx.store.read() as session:
        row = _owned(session.connection(), code, key)
    tz, rule = ctx.config.tz, ctx.config.appointments
    slot = quota_slot(ctx, row.service_id, row.slot_at)
    return {
        "code": row.code,
        "service_id": row.service_id,
        "slot_start": row.slot_at.astimezone(tz).isoformat(timespec="minutes"),
        "slot_end": slot.end.isoformat(timespec="minutes") if slot else None,
        "state": booking_state(row, ctx.now(), rule.grace_after_min),
        "name": row.name,
        "phone": masked_phone(row.phone),
        "check_in_from": (row.slot_at - timedelta(minutes=rule.check_in_before_min))
        .astimezone(tz)
        .isoformat(timespec="minutes"),
        "check_in_until": (row.slot_at + timedelta(minutes=rule.grace_after_min))
        .astimezone(tz)
        .isoformat(timespec="minutes"),
    }


def cancel(ctx: HallContext, code: str, key: str) -> dict[str, Any]:
    """DELETE /api/v1/bookings/<code>: the place is free again at once; the number is forgotten."""
    grace_min = ctx.config.appointments.grace_after_min
    with ctx.store.write_connection() as connection:
        row = _owned(connection, code, key)
        state = booking_state(row, ctx.now(), grace_min)
        if state != "booked":
            raise Conflict(f"booking_{state}", _NOT_CANCELLABLE[state])
        # only a booking still open is cancelled: of two cancels (or a cancel and a check-in) racing, one wins
        # and the place is given back once
        cancelled = connection.execute(
            update(Appointment)
            .where(
                Appointment.code == code, Appointment.cancelled_at.is_(None), Appointment.ticket_id.is_(None)
            )
            .values(cancelled_at=ctx.now(), phone=None, name=None)
        ).rowcount
        if cancelled != 1:  # what won is committed: say what it was
            state = booking_state(_owned(connection, code, key), ctx.now(), grace_min)
            raise Conflict(f"booking_{state}", _NOT_CANCELLABLE.get(state, _NOT_CANCELLABLE["cancelled"]))
        if row.counted:
            give_place_back(connection, row.service_id, row.slot_at)
    return {"code": code, "state": "cancelled"}


_NOT_CANCELLABLE = {
    "cancelled": "此预约已取消 / This booking is cancelled already",
    "checked_in": "此预约已签到取号 / This booking has checked in already",
    "no_show": "此预约已过期 / This booking's time has passed",
}
