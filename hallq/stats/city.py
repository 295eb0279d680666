"""The city view: every hall side by side, now and over a period, by the figures of each hall's report."""

from __future__ import annotations

from typing import Any

from hallq.operations.context import HallContext
from hallq.stats.live import live_hall
from hallq.stats.summary import Period, summary

#: the report figures compared between halls
COMPARED = (
    "tickets",
    "served",
    "no_show_rate",
    "mean_wait_s",
    "p90_wait_s",
    "satisfaction_rate",
    "bad_ratings",
)


def compare_halls(halls: dict[str, HallContext], period: Period) -> dict[str, Any]:
    """One row per hall: the queue now (waiting, open windows, longest wait, alerts) and the period's report
    total; plus which hall is worst on mean wait and on satisfaction, for the manager's eye."""
    rows = []
    for hall_id, ctx in halls.items():
        live = live_hall(ctx)
        total = summary(ctx, period, "zone")["total"]
        rows.append(
            {
                "hall_id": hall_id,
                "name": ctx.config.hall.name,
                "name_en": ctx.config.hall.name_en,
                "url": f"{ctx.config.mount}/",
                "now": {
                    "waiting": sum(zone["waiting"] for zone in live["zones"]),
                    "open_windows": sum(1 for window in live["windows"] if window["state"] == "open"),
                    "windows": len(live["windows"]),
                    "longest_wait_s": max((zone["longest_wait_s"] for zone in live["zones"]), default=0),
                    "alerts": len(live["alerts"]),
                },
                "period": {key: total[key] for key in COMPARED},
            }
        )
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "halls": rows,
        "worst_wait": _worst(rows, "mean_wait_s", highest=True),
        "worst_satisfaction": _worst(rows, "satisfaction_rate", highest=False),
    }


def _worst(rows: list[dict[str, Any]], key: str, *, highest: bool) -> str | None:
    scored = [(row["period"][key], row["hall_id"]) for row in rows if row["period"][key] is not None]
    if len(scored) < 2:
        return None
    return (max(scored) if highest else min(scored))[1]
