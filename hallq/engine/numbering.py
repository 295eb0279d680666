"""Ticket numbers: per zone, per service day in the hall's time zone (A001, A002 ... A999, A1000)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def service_day(instant: datetime, tz: ZoneInfo) -> date:
    """The hall's calendar day at `instant`; numbering restarts when it changes."""
    if instant.tzinfo is None:
        raise ValueError("service_day needs a timezone-aware instant")
    return instant.astimezone(tz).date()


def format_number(prefix: str, seq: int) -> str:
    if seq < 1:
        raise ValueError("ticket sequence numbers start at 1")
    return f"{prefix}{seq:03d}"
