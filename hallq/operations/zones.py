"""After a change to a zone's queue: the queue_changed push for screens, and an alert for managers if due."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from hallq.engine.alerts import ZoneAlert, in_serving_hours, zone_alert
from hallq.operations.context import HallContext
from hallq.operations.pushes import Push
from hallq.operations.queries import open_windows_for_zone, zone_queue, zone_rooms


def serving_now(ctx: HallContext, now: datetime) -> bool:
    """A working day, in opening hours, not the lunch break: a zone with no window open then is alerted. A
    hall that does not keep its hours (`[hall.hours] enforce = false`, the demo) serves at any hour."""
    local = now.astimezone(ctx.config.tz)
    hours = ctx.config.hall.hours
    if not hours.enforce:
        return True
    return ctx.config.work_calendar.is_working_day(local.date()) and in_serving_hours(hours, local.time())


def alert_for(
    ctx: HallContext,
    connection: Session | Connection,
    day: date,
    zone_id: str,
    loads: Mapping[str, Any],
    now: datetime,
) -> tuple[int, ZoneAlert | None]:
    """(waiting in the zone, its alert or None)."""
    waiting, earliest = zone_queue(connection, ctx, day, zone_id)
    # an appointment checked in early queues from its slot, which may be later than now
    longest = max(0.0, (now - earliest).total_seconds()) if earliest is not None else 0.0
    rule = ctx.config.hall.alerts
    alert = zone_alert(
        zone_id,
        waiting,
        longest,
        open_windows_for_zone(ctx, loads, zone_id),
        max_longest_wait_s=rule.longest_wait_s,
        max_waiting_per_open_window=rule.waiting_per_open_window,
        serving_hours=serving_now(ctx, now),
    )
    return waiting, alert


def alert_json(alert: ZoneAlert, ctx: HallContext, now: datetime) -> dict[str, Any]:
    return {
        "zone_id": alert.zone_id,
        "reason": alert.reason,
        "waiting": alert.waiting,
        "longest_wait_s": alert.longest_wait_s,
        "open_windows": alert.open_windows,
        "at": now.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
    }


def zone_pushes(
    ctx: HallContext,
    connection: Session | Connection,
    day: date,
    zone_ids: Iterable[str],
    loads: Mapping[str, Any],
    now: datetime,
) -> list[Push]:
    pushes = []
    for zone_id in sorted(set(zone_ids)):
        waiting, alert = alert_for(ctx, connection, day, zone_id, loads, now)
        pushes.append(
            Push("queue_changed", {"zone_id": zone_id, "waiting": waiting}, zone_rooms(ctx, zone_id))
        )
        if alert is not None:
            pushes.append(Push("zone_alert", alert_json(alert, ctx, now), ("manager",)))
    return pushes


def current_alerts(
    ctx: HallContext, connection: Session | Connection, loads: Mapping[str, Any]
) -> list[dict[str, Any]]:
    now = ctx.now()
    day = ctx.day(now)
    alerts = [alert_for(ctx, connection, day, zone.id, loads, now)[1] for zone in ctx.config.zones]
    return [alert_json(alert, ctx, now) for alert in alerts if alert is not None]
