"""The managers' two standing questions, answered from the log: how many windows each hour of a typical day
(`staffing_for_weekday`), and which quiet windows could be merged into another (`consolidation`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hallq.config.hall import HallConfig
from hallq.operations.context import HallContext
from hallq.simulate.replay import RecordedDay
from hallq.whatif.log import NoRecordedDays, read_days
from hallq.whatif.replay import BadChange, Changes, recorded_figures, what_if
from hallq.whatif.staffing import staffing_advice

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def typical_days(ctx: HallContext, weekday: int, weeks: int, before: date) -> list[RecordedDay]:
    """The recorded days that fell on `weekday` (0 = Monday) in the `weeks` weeks before `before`."""
    last = before - timedelta(days=(before.weekday() - weekday - 1) % 7 + 1)
    first = last - timedelta(weeks=weeks - 1)
    days = [d for d in read_days(ctx, first, last) if d.day.weekday() == weekday]
    if not days:
        raise NoRecordedDays(f"no {WEEKDAYS[weekday]} with tickets from {first} to {last}")
    return days


def staffing_for_weekday(ctx: HallContext, weekday: int, before: date) -> dict[str, Any]:
    staffing = ctx.config.hall.staffing
    days = typical_days(ctx, weekday, staffing.weeks, before)
    advice = staffing_advice(ctx.config, days, staffing.p90_wait_target_s)
    return {
        "weekday": WEEKDAYS[weekday],
        "days": [day.day.isoformat() for day in days],
        "target_p90_wait_s": staffing.p90_wait_target_s,
        "rows": [row.as_dict() for row in advice],
    }


def _least_busy_neighbour(config: HallConfig, window_id: str, utilisation: dict[str, float]) -> str:
    """The least busy other window serving a zone of this one's A services (else the least busy window)."""
    services = config.service_by_id
    window = config.window_by_id[window_id]
    zones = {services[s].zone for s in window.a_services}
    others = [w for w in config.windows if w.id != window_id]
    same_zone = [w for w in others if any(services[s].zone in zones for s in (*w.a_services, *w.b_services))]
    return min(same_zone or others, key=lambda w: (utilisation.get(w.id, 0.0), w.number)).id


def consolidation(
    config: HallConfig,
    days: list[RecordedDay],
    into: str | None = None,
    progress: Callable[[float], None] = lambda share: None,
) -> dict[str, Any]:
    """Windows busy under `[hall.staffing] quiet_below` of their open time, and what the replay says if each
    closes and its services move to `into` (a named 综合窗口) or to its least busy neighbour."""
    threshold = config.hall.staffing.quiet_below
    if into is not None and into not in config.window_by_id:
        raise BadChange(f"unknown window {into!r}")
    recorded = recorded_figures(config, days)
    utilisation: dict[str, float] = recorded["utilisation"]
    as_recorded = what_if(config, days)["replayed"]
    rows = []
    for index, window in enumerate(config.windows):
        progress(index / len(config.windows))
        busy = utilisation.get(window.id, 0.0)
        if busy >= threshold or window.id == into or busy == 0.0:
            continue  # busy enough, the 综合窗口 itself, or never open in these days (nothing to merge)
        target = into or _least_busy_neighbour(config, window.id, utilisation)
        merged = what_if(config, days, Changes(move_services=((window.id, target),)))["replayed"]
        rows.append(
            {
                "window": window.id,
                "utilisation": busy,
                "into": target,
                "into_utilisation_before": as_recorded["utilisation"][target],
                "into_utilisation_after": merged["utilisation"][target],
                "mean_wait_s_before": as_recorded["hall"]["mean_wait_s"],
                "mean_wait_s_after": merged["hall"]["mean_wait_s"],
                "p90_wait_s_before": as_recorded["hall"]["p90_wait_s"],
                "p90_wait_s_after": merged["hall"]["p90_wait_s"],
                "over_limit_before": as_recorded["hall"]["over_limit_share"],
                "over_limit_after": merged["hall"]["over_limit_share"],
            }
        )
    return {"days": [day.day.isoformat() for day in days], "quiet_below": threshold, "rows": rows}
