"""号源: the bookable slots of a service on a day, and the 爽约 rule. Pure: the caller gives the clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from hallq.engine.calendar import WorkCalendar


class Quota(Protocol):
    """One `[[booking.quotas]]` table (hallq.config.booking.Quota)."""

    service: str
    weekdays: list[int]
    hours: tuple[time, time]
    slot_minutes: int
    capacity: int
    province_share: int


class Booking(Protocol):
    """The `[booking]` table (hallq.config.booking.Booking)."""

    days_ahead: int
    closes_before_min: int
    no_shows: int
    no_show_days: int
    block_days: int

    @property
    def quotas(self) -> Sequence[Quota]: ...


#: the weekday whose quotas a 调休 make-up day (a weekend day worked) follows when it has none of its own
MAKE_UP_DAY_FOLLOWS = 1


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int
    #: places kept for the province's platform; hallq's own page offers capacity - province_share
    province_share: int

    def limit(self, channel: str) -> int:
        """How many bookings the slot takes in all when the next one comes through `channel`."""
        return self.capacity if channel == "api" else self.capacity - self.province_share


def quotas_on(day: date, service_id: str, booking: Booking, calendar: WorkCalendar) -> list[Quota]:
    if not calendar.is_working_day(day):
        return []
    own = [q for q in booking.quotas if q.service == service_id]
    on_day = [q for q in own if day.isoweekday() in q.weekdays]
    if not on_day and day in calendar.extra_workdays:
        on_day = [q for q in own if MAKE_UP_DAY_FOLLOWS in q.weekdays]
    return sorted(on_day, key=lambda q: q.hours[0])


def slots_on(
    day: date, service_id: str, booking: Booking, calendar: WorkCalendar, tz: ZoneInfo
) -> list[Slot]:
    """The day's slots of a service in order; a last piece shorter than `slot_minutes` is no slot."""
    slots = []
    for quota in quotas_on(day, service_id, booking, calendar):
        start = datetime.combine(day, quota.hours[0], tz)
        stop = datetime.combine(day, quota.hours[1], tz)
        step = timedelta(minutes=quota.slot_minutes)
        while start + step <= stop:
            slots.append(Slot(start, start + step, quota.capacity, quota.province_share))
            start += step
    return slots


def find_slot(
    start: datetime, service_id: str, booking: Booking, calendar: WorkCalendar, tz: ZoneInfo
) -> Slot | None:
    """The slot beginning at `start` (any offset), or None when the service has no such slot."""
    local = start.astimezone(tz)
    for slot in slots_on(local.date(), service_id, booking, calendar, tz):
        if slot.start == local:
            return slot
    return None


def bookable(slot: Slot, now: datetime, booking: Booking) -> bool:
    """Open for booking: within `days_ahead`, and not closing within `closes_before_min`."""
    today = now.astimezone(slot.start.tzinfo).date()
    in_range = slot.start.date() <= today + timedelta(days=booking.days_ahead)
    return in_range and slot.start - timedelta(minutes=booking.closes_before_min) >= now


def blocked_until(no_shows: Sequence[datetime], booking: Booking, now: datetime) -> datetime | None:
    """爽约: with `no_shows` missed slots within `no_show_days`, booking is blocked for `block_days` from the
    last of them; None when not blocked."""
    recent = sorted(at for at in no_shows if now - timedelta(days=booking.no_show_days) <= at <= now)
    if len(recent) < booking.no_shows:
        return None
    until = recent[-1] + timedelta(days=booking.block_days)
    return until if until > now else None


def week_of(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 around `moment`, in the hall's time zone."""
    day = moment.astimezone(tz).date()
    monday = datetime.combine(day - timedelta(days=day.isoweekday() - 1), time(0), tz)
    return monday, monday + timedelta(days=7)


def phone_key(secret: bytes, phone: str) -> str:
    """A mobile number's lasting keyed hash for the 爽约 count and the limits: the number itself is kept only
    while a booking needs it for its messages."""
    digest = hmac.new(secret, f"booking|phone|{phone}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
