"""The report table: tickets, waits, service times, idle share and ratings for a date range, by a grouping.

One aggregate query per report (plus one for the total line), computed in the database; percentiles by
nearest rank (the smallest wait with at least p% of waits at or below it) from a window function, so SQLite
and PostgreSQL give the same figures. Formulas: docs/manager.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.sql.expression import ColumnElement

from hallq.context import HallContext
from hallq.errors import Invalid
from hallq.models import Rating, Ticket, User
from hallq.stats.open_time import open_seconds
from hallq.stats.sql import local_hour, seconds_between

GROUPS = ("zone", "service", "window", "clerk", "hour", "day")
MAX_DAYS = 366
TICKETS = Ticket.__table__
RATINGS = Rating.__table__


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @classmethod
    def parse(cls, first: str | None, last: str | None, today: date) -> Period:
        """from/to as YYYY-MM-DD (both included); missing: today."""
        try:
            start = date.fromisoformat(first) if first else today
            end = date.fromisoformat(last) if last else (start if first else today)
        except ValueError:
            raise Invalid("bad_date", "from/to: YYYY-MM-DD") from None
        if end < start:
            raise Invalid("bad_range", "to 不能早于 from / 'to' is before 'from'")
        if (end - start).days >= MAX_DAYS:
            raise Invalid("range_too_long", f"最多 {MAX_DAYS} 天 / At most {MAX_DAYS} days per report")
        return cls(start, end)


def _group_key(group_by: str, ctx: HallContext, period: Period) -> ColumnElement[Any]:
    if group_by == "zone":
        return TICKETS.c.zone_id
    if group_by == "service":
        return TICKETS.c.service_id
    if group_by == "window":
        return TICKETS.c.window_id
    if group_by == "clerk":
        return TICKETS.c.clerk
    if group_by == "hour":
        middle = datetime.combine(period.first + (period.last - period.first) / 2, time(12), UTC)
        return local_hour(TICKETS.c.issued_at, ctx.config.tz, middle)
    if group_by == "day":
        return TICKETS.c.service_day
    if group_by == "all":
        return literal("all")
    raise Invalid("bad_group_by", f"group_by: one of {', '.join(GROUPS)}")


def _aggregate(ctx: HallContext, period: Period, group_by: str) -> dict[Any, dict[str, Any]]:
    t = TICKETS.c
    wait = case((t.first_called_at.is_not(None), seconds_between(t.issued_at, t.first_called_at)))
    service = case(
        (t.outcome == "served", seconds_between(func.coalesce(t.started_at, t.called_at), t.finished_at))
    )
    busy = case(
        (
            and_(t.finished_at.is_not(None), t.called_at.is_not(None)),
            seconds_between(t.called_at, t.finished_at),
        )
    )
    base = (
        select(
            _group_key(group_by, ctx, period).label("grp"),
            t.outcome,
            wait.label("wait_s"),
            service.label("service_s"),
            busy.label("busy_s"),
            RATINGS.c.level,
        )
        .select_from(TICKETS.outerjoin(RATINGS, RATINGS.c.ticket_id == t.id))
        .where(t.service_day.between(period.first, period.last))
        .cte("base")
    )
    b = base.c

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    totals = select(
        b.grp,
        func.count().label("tickets"),
        count_if(b.outcome == "served").label("served"),
        count_if(b.outcome == "no_show").label("no_show"),
        func.avg(b.wait_s).label("mean_wait_s"),
        func.avg(b.service_s).label("mean_service_s"),
        func.coalesce(func.sum(b.busy_s), 0).label("busy_s"),
        count_if(b.wait_s <= ctx.config.ranking.wait_target_s).label("timely"),
        func.count(b.level).label("rated"),
        count_if(b.level.is_(None) & (b.outcome == "served")).label("unrated"),
        *(count_if(b.level == level).label(f"level_{level}") for level in (5, 4, 3, 2, 1)),
    ).group_by(b.grp)
    ranked = (
        select(
            b.grp,
            b.wait_s,
            func.row_number().over(partition_by=b.grp, order_by=b.wait_s).label("rank"),
            func.count().over(partition_by=b.grp).label("n"),
        )
        .where(b.wait_s.is_not(None))
        .subquery("ranked")
    )
    r = ranked.c
    percentiles = select(
        r.grp,
        func.min(case((r.rank * 2 >= r.n, r.wait_s))).label("median_wait_s"),
        func.min(case((r.rank * 10 >= r.n * 9, r.wait_s))).label("p90_wait_s"),
    ).group_by(r.grp)
    with ctx.store.read() as session:
        rows = {row.grp: dict(row._mapping) for row in session.execute(totals)}
        for row in session.execute(percentiles):
            rows[row.grp].update(median_wait_s=row.median_wait_s, p90_wait_s=row.p90_wait_s)
    return rows


def _finish_row(row: dict[str, Any]) -> dict[str, Any]:
    """Rates and rounding, the same for every row; formulas in docs/manager.md."""
    called = row["served"] + row["no_show"]
    good = row["level_5"] + row["level_4"] + row["level_3"]
    out = {
        "key": row["key"],
        "label": row["label"],
        "tickets": row["tickets"],
        "served": row["served"],
        "no_show": row["no_show"],
        "no_show_rate": round(row["no_show"] / called, 4) if called else None,
        "mean_wait_s": _round(row.get("mean_wait_s")),
        "median_wait_s": _round(row.get("median_wait_s")),
        "p90_wait_s": _round(row.get("p90_wait_s")),
        "mean_service_s": _round(row.get("mean_service_s")),
        "open_s": _round(row.get("open_s")),
        "busy_s": _round(row["busy_s"]),
        "timely": row["timely"],
        "idle_share": None,
        "rated": row["rated"],
        "unrated": row["unrated"],
        "ratings": {str(level): row[f"level_{level}"] for level in (5, 4, 3, 2, 1)},
        "satisfaction_rate": round(good / row["rated"], 4) if row["rated"] else None,
        "bad_ratings": row["level_2"] + row["level_1"],
    }
    if row.get("open_s"):
        out["idle_share"] = round(max(0.0, row["open_s"] - row["busy_s"]) / row["open_s"], 4)
    return out


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def labels(ctx: HallContext, group_by: str, keys: list[Any]) -> dict[Any, str]:
    config = ctx.config
    if group_by == "zone":
        return {key: config.zone_by_id[key].name if key in config.zone_by_id else str(key) for key in keys}
    if group_by == "service":
        return {key: config.service_by_id[key].name if key in config.service_by_id else key for key in keys}
    if group_by == "window":
        found = config.window_by_id
        return {key: found[key].label if key in found else ("未叫号" if key is None else key) for key in keys}
    if group_by == "clerk":
        with ctx.store.read() as session:
            names = {
                row.username: row.display_name
                for row in session.execute(select(User.username, User.display_name))
            }
        return {key: names.get(key, key) if key else "—" for key in keys}
    if group_by == "hour":
        return {key: f"{key:02d}:00–{(key + 1) % 24:02d}:00" for key in keys}
    return {key: str(key) for key in keys}


def summary(ctx: HallContext, period: Period, group_by: str) -> dict[str, Any]:
    """The report: one row per group (ordered by key, empty groups left out) and the total line."""
    if group_by not in GROUPS:
        raise Invalid("bad_group_by", f"group_by: one of {', '.join(GROUPS)}")
    grouped = _aggregate(ctx, period, group_by)
    total = _aggregate(ctx, period, "all").get("all")
    if group_by in ("window", "clerk"):
        opened = open_seconds(ctx, period.first, period.last, by=group_by)
        for key, row in grouped.items():
            row["open_s"] = opened.get(key)
    named = labels(ctx, group_by, list(grouped))
    numbers = {window.id: window.number for window in ctx.config.windows}
    keys = sorted(grouped, key=lambda key: (key is None, _sort_key(numbers.get(key, key))))
    rows = [_finish_row({**grouped[key], "key": _key_json(key), "label": named[key]}) for key in keys]
    empty = {"tickets": 0, "served": 0, "no_show": 0, "busy_s": 0, "timely": 0, "rated": 0, "unrated": 0}
    empty.update({f"level_{level}": 0 for level in range(1, 6)})
    total_row = _finish_row({**(total or empty), "key": None, "label": "合计"})
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "group_by": group_by,
        "timezone": ctx.config.hall.timezone,
        "rows": rows,
        "total": total_row,
    }


def _sort_key(key: Any) -> Any:
    return (0, key, "") if isinstance(key, int) else (1, 0, str(key))


def _key_json(key: Any) -> Any:
    return key.isoformat() if isinstance(key, date) else key
