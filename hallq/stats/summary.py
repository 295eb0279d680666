"""The report table: tickets, waits, service times, idle share and ratings for a date range, by a grouping.

One grouped query per report, computed in the database; waits in whole seconds, percentiles by nearest rank
(the smallest wait with at least p% of waits at or below it), the same on SQLite and PostgreSQL.
Formulas: docs/manager.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlalchemy.sql.expression import ColumnElement

from hallq.operations.context import HallContext
from hallq.operations.errors import Invalid
from hallq.stats.open_time import open_seconds
from hallq.stats.sql import local_hour, seconds_between
from hallq.store.models import Rating, Ticket, User

GROUPS = ("zone", "service", "window", "clerk", "hour", "day")
MAX_DAYS = 366
#: reports cover days a hall can have had: far dates would overflow time zone arithmetic
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
TICKETS = Ticket.__table__
RATINGS = Rating.__table__


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def starts(self, ctx: HallContext) -> datetime:
        """The first instant of the first day, in the hall's time zone."""
        return datetime.combine(self.first, time(0), ctx.config.tz)

    @classmethod
    def parse(cls, first: str | None, last: str | None, today: date) -> Period:
        """from/to as YYYY-MM-DD (both included); missing: today."""
        try:
            start = date.fromisoformat(first) if first else today
            end = date.fromisoformat(last) if last else (start if first else today)
        except ValueError:
            raise Invalid("bad_date", "from/to: YYYY-MM-DD") from None
        if start < EARLIEST or end > LATEST:
            raise Invalid("bad_date", f"from/to: {EARLIEST} … {LATEST}")
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
    raise Invalid("bad_group_by", f"group_by: one of {', '.join(GROUPS)}")


def _aggregate(ctx: HallContext, period: Period, group_by: str) -> dict[Any, dict[str, Any]]:
    """Two grouped passes over the period's tickets: the counts and sums per group, then per group and wait.

    The second gives each group's wait histogram to the second, and from it exact nearest-rank percentiles
    on SQLite (no percentile function) and PostgreSQL alike; its rows are buckets, never tickets. SQLite's
    window functions measured 2-3x slower for the same figures (docs/benchmarks.md).
    """
    t = TICKETS.c
    seconds_waited = seconds_between(t.issued_at, t.first_called_at)
    service = case(
        (t.outcome == "served", seconds_between(func.coalesce(t.started_at, t.called_at), t.finished_at))
    )
    # an appeal upheld (申诉成立) takes the rating out of the figures; the citizen still rated (评价率)
    given = RATINGS.c.level
    level = case((RATINGS.c.excluded, None), else_=given)

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    group = _group_key(group_by, ctx, period).label("grp")
    in_period = t.service_day.between(period.first, period.last)
    sums = (
        select(
            group,
            func.count().label("tickets"),
            count_if(t.outcome == "served").label("served"),
            count_if(t.outcome == "no_show").label("no_show"),
            func.coalesce(func.sum(service), 0).label("service_sum"),
            func.count(service).label("service_n"),
            func.coalesce(func.sum(seconds_between(t.called_at, t.finished_at)), 0).label("busy_s"),
            func.count(level).label("rated"),
            count_if(given.is_(None) & (t.outcome == "served")).label("unrated"),
            count_if(given.is_not(None) & (t.outcome == "served")).label("rated_any"),
            count_if(RATINGS.c.excluded).label("excluded"),
            *(count_if(level == value).label(f"level_{value}") for value in (5, 4, 3, 2, 1)),
        )
        # a visit is rated after it was issued: the bound on rated_at (indexed) keeps PostgreSQL from hashing
        # every rating ever given to report one day
        .select_from(
            TICKETS.outerjoin(
                RATINGS, and_(RATINGS.c.ticket_id == t.id, RATINGS.c.rated_at >= period.starts(ctx))
            )
        )
        .where(in_period)
        .group_by(group)
    )
    wait = cast(func.round(seconds_waited), Integer)
    histogram = (
        select(group, wait, func.count())
        .where(in_period, t.first_called_at.is_not(None))
        .group_by(group, wait)
    )
    with ctx.store.read() as session:
        rows = {row.grp: {**row._mapping, "waits": Counter()} for row in session.execute(sums)}
        for key, seconds, count in session.execute(histogram):
            rows[key]["waits"][seconds] = count
    target = ctx.config.ranking.wait_target_s
    for row in rows.values():
        _wait_figures(row, target)
    return rows


SUMMED = [
    "tickets", "served", "no_show", "service_sum", "service_n", "busy_s", "rated", "unrated", "rated_any",
    "excluded",
    "level_5", "level_4", "level_3", "level_2", "level_1",
]  # fmt: skip


def _wait_figures(row: dict[str, Any], target_s: int) -> None:
    """Mean, nearest-rank median and P90, and tickets called within the target, from the wait histogram."""
    waits: Counter[int] = row["waits"]
    waited = sum(waits.values())
    row["waited"], row["timely"] = waited, sum(n for wait, n in waits.items() if wait <= target_s)
    row["mean_wait_s"] = sum(wait * n for wait, n in waits.items()) / waited if waited else None
    row["median_wait_s"] = row["p90_wait_s"] = None
    seen = 0
    for wait in sorted(waits):
        seen += waits[wait]
        if row["median_wait_s"] is None and seen * 100 >= waited * 50:
            row["median_wait_s"] = wait
        if seen * 100 >= waited * 90:
            row["p90_wait_s"] = wait
            break


def _total(grouped: dict[Any, dict[str, Any]], target_s: int) -> dict[str, Any]:
    """The total line: the groups' counts, sums and wait histograms added up."""
    total: dict[str, Any] = {key: sum(row[key] for row in grouped.values()) for key in SUMMED}
    total["waits"] = sum((row["waits"] for row in grouped.values()), Counter())
    _wait_figures(total, target_s)
    return total


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
        "mean_wait_s": _round(row["mean_wait_s"]),
        "median_wait_s": _round(row.get("median_wait_s")),
        "p90_wait_s": _round(row.get("p90_wait_s")),
        "mean_service_s": _round(row["service_sum"] / row["service_n"] if row["service_n"] else None),
        "open_s": _round(row.get("open_s")),
        "busy_s": _round(row["busy_s"]),
        "timely": row["timely"],
        "idle_share": None,
        "rated": row["rated"],
        "unrated": row["unrated"],
        "ratings": {str(level): row[f"level_{level}"] for level in (5, 4, 3, 2, 1)},
        "satisfaction_rate": round(good / row["rated"], 4) if row["rated"] else None,
        # 评价率: the share of served visits the citizen rated (an appeal upheld still counts as rated)
        "rating_rate": round(row["rated_any"] / row["served"], 4) if row["served"] else None,
        "excluded": row["excluded"],
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
        return {
            key: found[key].numbered_label if key in found else ("未叫号" if key is None else key)
            for key in keys
        }
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
    total = _total(grouped, ctx.config.ranking.wait_target_s)
    if group_by in ("window", "clerk"):
        opened = open_seconds(ctx, period.first, period.last, by=group_by)
        for key, row in grouped.items():
            row["open_s"] = opened.get(key)
    named = labels(ctx, group_by, list(grouped))
    numbers = {window.id: window.number for window in ctx.config.windows}
    keys = sorted(grouped, key=lambda key: (key is None, _sort_key(numbers.get(key, key))))
    rows = [_finish_row({**grouped[key], "key": _key_json(key), "label": named[key]}) for key in keys]
    total_row = _finish_row({**total, "key": None, "label": "合计"})
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
