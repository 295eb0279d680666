"""The managers' pages (/manager): the live hall, reports with charts and exports, ranking, follow-ups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hallq.operations.booking_stats import booking_report
from hallq.operations.errors import HallqError
from hallq.operations.follow_ups import FILTERS, STATUSES, STATUSES_EN, list_follow_ups
from hallq.operations.ratings import LEVELS, LEVELS_EN
from hallq.stats.export import COLUMNS, GROUP_NAMES
from hallq.stats.integrity import integrity_flags
from hallq.stats.ranking import month_period, ranking
from hallq.stats.summary import GROUPS, Period, summary
from hallq.web.i18n import page_texts, pick
from hallq.web.runtime import hall_context
from manager import access, texts
from manager.charts import bars, rating_bars

bp = Blueprint(
    "manager",
    __name__,
    url_prefix="/manager",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.before_request
def managers_only() -> Response | None:
    if request.endpoint in ("manager.login", "manager.static"):
        return None
    return access.managers_only()


bp.context_processor(access.hall_name)


@bp.get("/login")
def login() -> str:
    target, home = request.args.get("next", ""), f"{request.script_root}/manager"
    return render_template("manager/login.html", next=target if target.startswith(home) else home)


@bp.get("")
def live() -> str:
    ctx = hall_context()
    return render_template(
        "manager/live.html", hall=ctx.config.hall, alerts=ctx.config.hall.alerts, texts=page_texts(texts.LIVE)
    )


@bp.get("/admin")
def admin() -> str:
    """The hall administered from its own pages (issue 31): zones and services, AB岗, the calendar,
    accounts, device tokens, versions. Managers read all and may change materials, the calendar and window
    staffing; admins change everything (the API checks it either way)."""
    from hallq.web.auth import current_actor

    actor = current_actor()
    assert actor is not None
    admin_texts = page_texts(texts.ADMIN | texts.ADMIN_BOOKING)
    return render_template("manager/admin.html", role=actor.role, texts=admin_texts)


#: what the report covers when opened with no range
DEFAULT_DAYS = 30
#: the follow-ups page's integrity flags look this many days back
FLAG_DAYS = 30


def _ranges(today: Any) -> list[tuple[str, str, str]]:
    """Quick ranges: (label, from, to)."""
    monday = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    return [
        (_("Today"), today.isoformat(), today.isoformat()),
        (_("Last 30 days"), (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), today.isoformat()),
        (_("This week"), monday.isoformat(), today.isoformat()),
        (_("This month"), month_start.isoformat(), today.isoformat()),
        (_("Last month"), last_month_end.replace(day=1).isoformat(), last_month_end.isoformat()),
    ]


@bp.get("/reports")
def reports() -> tuple[str, int]:
    ctx = hall_context()
    today = ctx.day()
    group_by = request.args.get("group_by", "zone")
    error, report, bookings = None, None, None
    # opened with no range: the last 30 days, so the hall's history shows at once (today alone is often empty)
    asked = {key: request.args[key] for key in ("from", "to") if request.args.get(key)}
    if not asked:
        asked = {"from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "to": today.isoformat()}
    try:
        period = Period.parse(asked.get("from"), asked.get("to"), today)
        report = summary(ctx, period, group_by)
        bookings = booking_report(ctx, period.first, period.last) if ctx.config.booking.enabled else None
    except HallqError as exc:
        error = exc.message
    charts = []
    if report and report["rows"]:
        minutes = [
            {**row, "mean_wait_m": _minutes(row["mean_wait_s"]), "p90_wait_m": _minutes(row["p90_wait_s"])}
            for row in report["rows"]
        ]
        charts.append(
            bars(
                _("Wait (min)"),
                minutes,
                [("mean_wait_m", _("mean"), "#2563eb"), ("p90_wait_m", _("P90"), "#93c5fd")],
                lambda value: f"{value:.1f}",
            )
        )
        levels = {str(level): pick(LEVELS[level], LEVELS_EN[level]) for level in LEVELS}
        charts.append(rating_bars(_("Ratings"), report["rows"], levels))
    query = {**asked, **({"group_by": group_by} if "group_by" in request.args else {})}
    return render_template(
        "manager/reports.html",
        report=report,
        error=error,
        charts=charts,
        groups=[(group, GROUP_NAMES[group]) for group in GROUPS],
        group_by=group_by,
        columns=COLUMNS,
        ranges=_ranges(today),
        export_query=urlencode(query),
        first=asked.get("from", today.isoformat()),
        last=asked.get("to", asked.get("from", today.isoformat())),
        levels=LEVELS,
        bookings=bookings,
        grace=ctx.config.appointments.grace_after_min,
        service_names={s.id: pick(s.name, s.name_en or s.name) for s in ctx.config.services},
    ), (422 if error else 200)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


@bp.get("/ranking")
def monthly_ranking() -> tuple[str, int]:
    ctx = hall_context()
    error, result = None, None
    try:
        result = ranking(ctx, month_period(request.args.get("month"), ctx.day()))
    except HallqError as exc:
        error = exc.message
    return render_template("manager/ranking.html", result=result, error=error, rule=ctx.config.ranking), (
        422 if error else 200
    )


@bp.get("/follow-ups")
def follow_ups() -> tuple[str, int]:
    ctx = hall_context()
    which = request.args.get("status", "open")
    error, rows = None, []
    try:
        rows = list_follow_ups(ctx, which)
    except HallqError as exc:
        error = exc.message
    return render_template(
        "manager/follow_ups.html",
        rows=rows,
        which=which,
        filters=FILTERS,
        statuses=STATUSES,
        statuses_en=STATUSES_EN,
        error=error,
        levels_en=LEVELS_EN,
        working_days=ctx.config.ratings.follow_up_working_days,
        # 好差评 integrity: the last 30 days' ratings that look made rather than given
        flags=integrity_flags(ctx, Period(ctx.day() - timedelta(days=FLAG_DAYS - 1), ctx.day())),
        flag_days=FLAG_DAYS,
    ), (422 if error else 200)
