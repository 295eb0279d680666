"""What managers see of 预约: per service and slot, how many were booked, checked in, missed (爽约) or
cancelled, and how full the 号源 was."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from hallq.engine.booking import slots_on
from hallq.operations.bookings import booking_state
from hallq.operations.context import HallContext
from hallq.operations.errors import Invalid
from hallq.store.models import Appointment

MAX_DAYS = 366
STATES = ("booked", "checked_in", "no_show", "cancelled")


def booking_report(ctx: HallContext, first: date, last: date) -> dict[str, Any]:
    """Rows per (service, slot) with a booking or a quota; totals per service. "booked" counts every booking
    not cancelled (it holds a place): checked in, missed, or still to come."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise Invalid("bad_range", "日期范围无效（最多一年）/ Invalid date range (a year at most)")
    config, now = ctx.config, ctx.now()
    tz = config.tz
    start = datetime.combine(first, time(0), tz)
    stop = datetime.combine(last + timedelta(days=1), time(0), tz)
    with ctx.store.read() as session:
        rows = session.execute(
            select(
                Appointment.service_id,
                Appointment.slot_at,
                Appointment.ticket_id,
                Appointment.cancelled_at,
                Appointment.channel,
            ).where(Appointment.slot_at >= start, Appointment.slot_at < stop)
        ).all()
    grace = config.appointments.grace_after_min
    cells: dict[tuple[str, datetime], dict[str, Any]] = {}

    def cell(service_id: str, slot_at: datetime, capacity: int | None) -> dict[str, Any]:
        key = (service_id, slot_at)
        if key not in cells:
            cells[key] = {"service_id": service_id, "slot_start": slot_at, "capacity": capacity}
            cells[key] |= {state: 0 for state in STATES} | {"pending": 0, "by_page": 0, "by_api": 0}
        return cells[key]

    day = first
    while day <= last:
        for service in config.services:
            for slot in slots_on(day, service.id, config.booking, config.work_calendar, tz):
                cell(service.id, slot.start, slot.capacity)
        day += timedelta(days=1)
    for row in rows:
        target = cell(row.service_id, row.slot_at.astimezone(tz), None)
        state = booking_state(row, now, grace)
        if state == "booked":
            target["pending"] += 1
        else:
            target[state] += 1
        if state != "cancelled":
            target["booked"] += 1
            target["by_page" if row.channel == "page" else "by_api"] += 1
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((*STATES, "pending", "capacity"), 0)
    )
    for (service_id, _), values in cells.items():
        for key in (*STATES, "pending"):
            totals[service_id][key] += values[key]
        totals[service_id]["capacity"] += values["capacity"] or 0
    ordered = sorted(cells.values(), key=lambda c: (c["slot_start"], c["service_id"]))
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "slots": [
            c | {"slot_start": c["slot_start"].isoformat(timespec="minutes")}
            for c in ordered
            if c["booked"] or c["cancelled"] or c["capacity"]
        ],
        "services": [{"service_id": service_id, **values} for service_id, values in sorted(totals.items())],
    }


def bookings_today(ctx: HallContext) -> list[dict[str, Any]]:
    """The live page's line per service: today's bookings so far."""
    today, services = ctx.day(), ctx.config.service_by_id
    rows = [row for row in booking_report(ctx, today, today)["services"] if row["booked"] or row["capacity"]]
    for row in rows:
        service = services.get(row["service_id"])
        row["name"], row["name_en"] = (service.name, service.name_en) if service else (row["service_id"], "")
    return rows
