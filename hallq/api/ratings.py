"""好差评 beyond the rating itself: appeals (申诉) and the state of the reports to the province."""

from __future__ import annotations

from typing import Any

from flask import request

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import Appeal, AppealDecision
from hallq.operations.appeals import decide_appeal, file_appeal, list_appeals
from hallq.operations.rating_reports import report_status
from hallq.stats.integrity import integrity_flags
from hallq.stats.summary import Period
from hallq.web.auth import current_actor, require_roles
from hallq.web.runtime import hall_context


@bp.post("/ratings/<int:rating_id>/appeal")
@require_roles("clerk", "manager", "admin")
def post_appeal(rating_id: int) -> tuple[dict[str, Any], int]:
    body = parse_body(Appeal)
    actor = current_actor()
    assert actor is not None
    return file_appeal(hall_context(), rating_id, actor, body.reason.strip()), 201


@bp.post("/ratings/<int:rating_id>/appeal/decision")
@require_roles("manager", "admin")
def post_appeal_decision(rating_id: int) -> dict[str, Any]:
    body = parse_body(AppealDecision)
    actor = current_actor()
    assert actor is not None
    return decide_appeal(hall_context(), rating_id, actor, body.decision == "upheld", body.note.strip())


@bp.get("/appeals")
@require_roles("manager", "admin")
def get_appeals() -> dict[str, Any]:
    return {"appeals": list_appeals(hall_context())}


@bp.get("/ratings/flags")
@require_roles("manager", "admin")
def get_rating_flags() -> dict[str, Any]:
    """Ratings that look made rather than given, for a date range (?from=&to=, default today)."""
    ctx = hall_context()
    period = Period.parse(request.args.get("from"), request.args.get("to"), ctx.day())
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "flags": integrity_flags(ctx, period),
    }


@bp.get("/province/status")
@require_roles("manager", "admin")
def get_province_status() -> dict[str, Any]:
    return report_status(hall_context())
