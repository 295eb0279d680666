"""What the managers' live page shows now: queues, windows, faults, overdue follow-ups, today's totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from hallq.engine.alerts import zone_alert
from hallq.operations.booking_stats import bookings_today
from hallq.operations.context import HallContext
from hallq.operations.follow_ups import list_follow_ups, overdue_count
from hallq.operations.messages import message_status
from hallq.operations.queries import open_windows_for_zone, window_states, zone_queue
from hallq.operations.rating_reports import report_status
from hallq.operations.views import current_calls, iso
from hallq.operations.zones import serving_now
from hallq.stats.summary import Period, summary
from hallq.store.models import DeviceState, WindowEvent


def live_hall(ctx: HallContext) -> dict[str, Any]:
    now = ctx.now()
    day = ctx.day(now)
    alerts_rule = ctx.config.hall.alerts
    alerts: list[dict[str, Any]] = []
    serving = serving_now(ctx, now)
    with ctx.store.read() as session:
        states = window_states(session)  # read once: the zones' open windows and the window cards
        zones = []
        for zone in ctx.config.zones:
            waiting, earliest = zone_queue(session, ctx, day, zone.id)
            longest = max(0, int((now - earliest).total_seconds())) if earliest else 0
            open_windows = open_windows_for_zone(ctx, states, zone.id)
            alert = zone_alert(
                zone.id,
                waiting,
                longest,
                open_windows,
                max_longest_wait_s=alerts_rule.longest_wait_s,
                max_waiting_per_open_window=alerts_rule.waiting_per_open_window,
                serving_hours=serving,
            )
            zones.append(
                {
                    "id": zone.id,
                    "name": zone.name,
                    "name_en": zone.name_en,
                    "waiting": waiting,
                    "longest_wait_s": longest,
                    "open_windows": open_windows,
                    "alert": alert is not None,
                }
            )
            if alert is not None:
                alerts.append({"kind": "zone", "zone_id": zone.id, "name": zone.name, "reason": alert.reason})
        windows = current_calls(session, ctx, states)
        paused = [w["id"] for w in windows if w["state"] == "paused"]
        paused_since = _paused_since(session, paused, day - timedelta(days=7))
        for window in windows:
            window["label"] = ctx.config.window_by_id[window["id"]].numbered_label
            window["clerk"] = states[window["id"]].clerk if window["id"] in states else None
            since = paused_since.get(window["id"])
            window["paused_s"] = int((now - since).total_seconds()) if since else None
            if window["paused_s"] is not None and window["paused_s"] > alerts_rule.paused_window_s:
                alerts.append(
                    {
                        "kind": "window_paused",
                        "window_id": window["id"],
                        "name": window["name"],
                        "paused_s": window["paused_s"],
                    }
                )
        devices = []
        for device in session.scalars(select(DeviceState).order_by(DeviceState.device_id)):
            down_s = int((now - device.changed_at).total_seconds())
            row: dict[str, Any] = {
                "device": device.device_id,
                "kind": device.kind,
                "state": device.state,
                "message": device.message,
                "at": iso(device.changed_at, ctx.config),  # since when it is in this state
                "for_s": down_s,
            }
            devices.append(row)
            # a kiosk's flood (burst) at once; a device down or in fault once it stays so
            waited = device.state not in ("offline", "fault") or down_s > alerts_rule.device_down_s
            if device.state != "ok" and waited:
                alerts.append({**row, "kind": "device", "device_kind": device.kind})
    overdue = overdue_count(ctx)
    if overdue:  # one line for all of them, the oldest three named: the follow-ups page lists them
        oldest = list_follow_ups(ctx, "overdue", limit=3)
        alerts.append(
            {
                "kind": "follow_up_overdue",
                "count": overdue,
                "oldest": [
                    {"id": f["id"], "number": f["number"], "due_on": f["due_on"], "window": f["window"]}
                    for f in oldest
                ],
            }
        )
    province = report_status(ctx) if ctx.config.province.enabled else None
    if province is not None and province["alert"]:
        alerts.append({"kind": "province", **province})
    today = summary(ctx, Period(day, day), "zone")["total"]
    return {
        "at": iso(now, ctx.config),
        "hall": {"name": ctx.config.hall.name, "name_en": ctx.config.hall.name_en},
        "zones": zones,
        "windows": windows,
        "alerts": alerts,
        "devices": devices,
        "today": today,
        "overdue_follow_ups": overdue,
        "province": province,
        # 预约 today per service, and the text messages sent to citizens (docs/booking.md)
        "bookings": bookings_today(ctx),
        "messages": message_status(ctx, limit=10) if ctx.config.messages.enabled else None,
    }


def _paused_since(session: Any, window_ids: list[str], since: date) -> dict[str, datetime]:
    if not window_ids:
        return {}
    rows = session.execute(
        select(WindowEvent.window_id, func.max(WindowEvent.at))
        .where(
            WindowEvent.service_day >= since,
            WindowEvent.window_id.in_(window_ids),
            WindowEvent.state == "paused",
        )
        .group_by(WindowEvent.window_id)
    )
    return {row[0]: row[1] for row in rows}


def waiting_in_zone(ctx: HallContext, zone_id: str) -> list[dict[str, Any]]:
    """The zone's waiting tickets in queue order, for a manager who voids one (作废) from the live page."""
    from hallq.store.models import Ticket

    now, config = ctx.now(), ctx.config
    query = (
        select(Ticket)
        .where(Ticket.service_day == ctx.day(now), Ticket.zone_id == zone_id, Ticket.status == "waiting")
        .order_by(Ticket.queue_rank, Ticket.queued_at)
        .limit(500)
    )
    with ctx.store.read() as session:
        rows = session.scalars(query).all()
    return [
        {
            "id": row.id,
            "number": row.number,
            "service_id": row.service_id,
            "service_name": config.service_by_id[row.service_id].name
            if row.service_id in config.service_by_id
            else row.service_id,
            "priority": row.priority,
            "issued_at": iso(row.issued_at, config),
            "kiosk_id": row.kiosk_id,
            "waited_s": max(0, int((now - row.queued_at).total_seconds())),
        }
        for row in rows
    ]
