"""The monthly ranking of windows (红旗窗口) and clerks (先进工作者); weights in the hall file's [ranking].

score = 100 x (ws x satisfaction + wt x timeliness + wa x attendance) / (ws + wt + wa)
        - penalty x bad rate (%), never below 0
- satisfaction: (非常满意 + 满意 + 基本满意) / rated visits
- bad rate: (不满意 + 非常不满意) / rated visits, in percent: a rate, not a count, so a busy window is not
  ranked below a quiet one for serving more people
- timeliness: tickets called within `wait_target_s` of issue / tickets called
- attendance: time open (signed in, not paused) / the hall's scheduled hours on the month's working days
Fewer than `min_rated` rated visits: listed, not ranked.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from hallq.operations.context import HallContext
from hallq.operations.errors import Invalid
from hallq.stats.open_time import scheduled_seconds
from hallq.stats.summary import EARLIEST, LATEST, Period, summary

TITLES = {"window": "红旗窗口", "clerk": "先进工作者"}


def month_period(month: str | None, today: date) -> Period:
    """YYYY-MM (default: the month before today's, the one a ranking is posted for)."""
    if month:
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            raise Invalid("bad_month", "month: YYYY-MM") from None
        if not EARLIEST <= first <= LATEST:
            raise Invalid("bad_month", f"month: {EARLIEST:%Y-%m} … {LATEST:%Y-%m}")
    else:
        first = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return Period(first, last)


def score_row(row: dict[str, Any], scheduled_s: float, weights: dict[str, float], penalty: float) -> float:
    called = row["served"] + row["no_show"]
    parts = {
        "satisfaction": row["satisfaction_rate"] or 0.0,
        "timeliness": row["timely"] / called if called else 0.0,
        "attendance": min(1.0, (row["open_s"] or 0.0) / scheduled_s) if scheduled_s else 0.0,
    }
    bad_rate = row["bad_ratings"] / row["rated"] if row["rated"] else 0.0
    row.update({f"{name}_part": round(value, 4) for name, value in parts.items()})
    row["bad_rate_part"] = round(bad_rate, 4)
    weighted = sum(weights[name] * value for name, value in parts.items()) / sum(weights.values())
    return max(0.0, round(100 * weighted - penalty * 100 * bad_rate, 2))


def ranking(ctx: HallContext, period: Period) -> dict[str, Any]:
    rule = ctx.config.ranking
    weights = {
        "satisfaction": rule.satisfaction_weight,
        "timeliness": rule.timeliness_weight,
        "attendance": rule.attendance_weight,
    }
    scheduled_s = scheduled_seconds(ctx, period.first, period.last)
    result: dict[str, Any] = {
        "month": period.first.strftime("%Y-%m"),
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "scheduled_s": scheduled_s,
        "rule": rule.model_dump(),
    }
    for kind in ("window", "clerk"):
        rows = [row for row in summary(ctx, period, kind)["rows"] if row["key"] is not None]
        for row in rows:
            row["score"] = score_row(row, scheduled_s, weights, rule.bad_rating_penalty)
            row["qualified"] = row["rated"] >= rule.min_rated
        rows.sort(key=lambda row: (not row["qualified"], -row["score"], -row["rated"]))
        place = 0
        for row in rows:
            if row["qualified"]:
                place += 1
                row["place"] = place
            else:
                row["place"] = None
            row["title"] = TITLES[kind] if row["place"] is not None and row["place"] <= rule.titles else None
        result[f"{kind}s"] = rows
    return result
