from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import DeviceStatus
from hallq.config.hall import HallConfig
from hallq.engine import IssueRefused, check_hours
from hallq.engine.issuing import next_opening
from hallq.operations.audit import entries
from hallq.operations.errors import Invalid, NotFound
from hallq.operations.printing import set_device_state
from hallq.operations.queries import window_states
from hallq.web.auth import require_roles
from hallq.web.runtime import hall_context, send_pushes

ANY_ROLE = ("kiosk", "display", "bridge", "clerk", "manager", "admin")


@bp.get("/hall")
@require_roles(*ANY_ROLE)
def get_hall() -> dict[str, Any]:
    ctx = hall_context()
    config = ctx.config
    with ctx.store.read() as session:
        states = window_states(session)
    return {
        "name": config.hall.name,
        "name_en": config.hall.name_en,
        "timezone": config.hall.timezone,
        "issuing": issuing_now(config, ctx.now()),
        # text messages: the kiosk and the phone page offer "notify me" when the hall sends them
        "messages": {
            "enabled": config.messages.enabled,
            "notify_when_ahead": config.messages.notify_when_ahead,
        },
        "zones": [
            {"id": z.id, "name": z.name, "name_en": z.name_en, "prefix": z.prefix} for z in config.zones
        ],
        "services": [
            {
                "id": s.id,
                "zone_id": s.zone,
                "name": s.name,
                "name_en": s.name_en,
                "materials": s.materials,
                "ask_identity": s.ask_identity,
                "tickets_per_person_per_day": s.person_limit(config.limits) if s.ask_identity else None,
                "green_channel": s.green_channel,
                "issuing_hours": [f"{at:%H:%M}" for at in s.issuing_hours] if s.issuing_hours else None,
                "retiring": s.retiring,
            }
            for s in config.services
        ],
        "windows": [
            {
                "id": w.id,
                "number": w.number,
                "name": w.label,
                "a_services": w.a_services,
                "b_services": w.b_services,
                "state": states[w.id].state if w.id in states else "closed",
            }
            for w in config.windows
        ],
    }


def issuing_now(config: HallConfig, now: datetime) -> dict[str, Any]:
    """Whether the hall issues tickets now; if not, why (in words) and when it next does: the kiosk's start
    screen says so before anyone chooses a service."""
    hours, calendar = config.hall.hours, config.work_calendar
    try:
        check_hours(hours, calendar, config.tz, now)
    except IssueRefused as refused:
        upcoming = next_opening(hours, calendar, config.tz, now)
        return {
            "open": False,
            "code": refused.code,
            "message": refused.message,
            "next_open": upcoming.isoformat(timespec="minutes") if upcoming else None,
        }
    return {"open": True}


@bp.get("/devices")
@require_roles("bridge", "manager", "admin")
def get_devices() -> dict[str, Any]:
    """What a serial bridge drives: the hall file's [bridge] (devices, texts, key map), so a bridge on
    another machine needs no copy of the hall file."""
    return {"bridge": hall_context().config.bridge.model_dump()}


@bp.post("/devices/<device_id>/status")
@require_roles("bridge")
def post_device_status(device_id: str) -> dict[str, Any]:
    """A bridge reports a serial device: managers see it on the live page and get device_status."""
    ctx = hall_context()
    device = next((d for d in ctx.config.bridge.devices if d.id == device_id), None)
    if device is None:
        raise NotFound(
            "unknown_device", f"未知设备 / Unknown device {device_id!r} (hall file: [bridge] devices)"
        )
    body = parse_body(DeviceStatus)
    send_pushes(set_device_state(ctx, f"serial:{device_id}", device.kind, body.state, body.message))
    return {"device": device_id, "state": body.state}


@bp.get("/audit")
@require_roles("admin")
def get_audit() -> dict[str, Any]:
    """The audit log, newest first, 200 at a time (?before=<id> for the next page)."""
    before = request.args.get("before")
    if before is not None and not (before.isdigit() and int(before) < 2**63):
        raise Invalid("bad_before", "before: an entry id / before 须为记录编号")
    return {"entries": entries(hall_context(), int(before) if before else None)}
