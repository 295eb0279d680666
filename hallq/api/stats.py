"""Managers' figures (/stats) and follow-ups of bad ratings; managers and admins only."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import FollowUpChange
from hallq.operations.errors import Invalid
from hallq.operations.follow_ups import list_follow_ups, update_follow_up
from hallq.stats.export import filename, to_csv, to_xlsx
from hallq.stats.live import live_hall, waiting_in_zone
from hallq.stats.ranking import month_period, ranking
from hallq.stats.summary import Period, summary
from hallq.web.auth import current_actor, require_roles
from hallq.web.runtime import hall_context, send_pushes

MANAGERS = ("manager", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_from_query() -> dict[str, Any]:
    ctx = hall_context()
    period = Period.parse(request.args.get("from"), request.args.get("to"), ctx.day())
    return summary(ctx, period, request.args.get("group_by", "zone"))


@bp.get("/stats/summary")
@require_roles(*MANAGERS)
def stats_summary() -> dict[str, Any]:
    return report_from_query()


@bp.get("/stats/export.csv")
@require_roles(*MANAGERS)
def stats_csv() -> Response:
    report = report_from_query()
    return _download(to_csv(report), "text/csv; charset=utf-8", filename(report, "csv"))


@bp.get("/stats/export.xlsx")
@require_roles(*MANAGERS)
def stats_xlsx() -> Response:
    ctx = hall_context()
    report = report_from_query()
    now = ctx.now().astimezone(ctx.config.tz)
    return _download(to_xlsx(report, ctx.config.hall.name, now), XLSX, filename(report, "xlsx"))


def _download(data: bytes, content_type: str, name: str) -> Response:
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/stats/ranking")
@require_roles(*MANAGERS)
def stats_ranking() -> dict[str, Any]:
    ctx = hall_context()
    return ranking(ctx, month_period(request.args.get("month"), ctx.day()))


@bp.get("/stats/live")
@require_roles(*MANAGERS)
def stats_live() -> dict[str, Any]:
    return live_hall(hall_context())


@bp.get("/follow-ups")
@require_roles(*MANAGERS)
def get_follow_ups() -> dict[str, Any]:
    which = request.args.get("status", "open")
    return {"status": which, "follow_ups": list_follow_ups(hall_context(), which)}


@bp.patch("/follow-ups/<int:follow_up_id>")
@require_roles(*MANAGERS)
def patch_follow_up(follow_up_id: int) -> dict[str, Any]:
    body = parse_body(FollowUpChange)
    actor = current_actor()
    assert actor is not None
    follow_up, pushes = update_follow_up(hall_context(), follow_up_id, actor, body.status, body.note)
    send_pushes(pushes)
    return follow_up


@bp.get("/stats/waiting")
@require_roles(*MANAGERS)
def stats_waiting() -> dict[str, Any]:
    """A zone's waiting tickets (?zone=A), in queue order: the live page voids (作废) from this list."""
    ctx = hall_context()
    zone_id = request.args.get("zone", "")
    if zone_id not in ctx.config.zone_by_id:
        raise Invalid("unknown_zone", f"未知分区 / Unknown zone {zone_id!r}")
    return {"zone_id": zone_id, "tickets": waiting_in_zone(ctx, zone_id)}
