"""A kiosk that takes tickets for one service faster than people can (web/ratelimits.py refuses the excess):
managers see it on the live page as a device alert until it has been quiet for a while."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hallq.operations.context import HallContext
from hallq.operations.printing import set_device_state
from hallq.operations.pushes import Push
from hallq.store.models import DeviceState

#: a burst alert stays this long after the last refused ticket
QUIET_FOR = timedelta(minutes=10)
STATE = "burst"


def report_burst(ctx: HallContext, kiosk: str, service_id: str, per_minute: int) -> list[Push]:
    service = ctx.config.service_by_id.get(service_id)
    name = service.name if service else service_id
    message = (
        f"取号机 {kiosk} 一分钟内为「{name}」取号超过 {per_minute} 张，已限制 / "
        f"kiosk {kiosk} took more than {per_minute} tickets a minute for {service_id}: slowed down"
    )
    return set_device_state(ctx, f"kiosk:{kiosk}", "kiosk", STATE, message)


def clear_old_bursts(ctx: HallContext) -> list[Push]:
    """Housekeeping: a kiosk quiet for QUIET_FOR is back to ok."""
    cutoff = ctx.now() - QUIET_FOR
    with ctx.store.read() as session:
        quiet = session.scalars(
            select(DeviceState.device_id).where(DeviceState.state == STATE, DeviceState.changed_at < cutoff)
        ).all()
    return [push for device in quiet for push in set_device_state(ctx, device, "kiosk", "ok", None)]
