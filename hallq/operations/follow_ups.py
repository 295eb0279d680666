"""Follow-ups (回访/整改) of bad ratings: list them, move them on, flag the overdue ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, update

from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, Invalid, NotFound
from hallq.operations.pushes import Push
from hallq.operations.ratings import LEVELS
from hallq.store.models import FollowUp, Rating, RatingAppeal, Ticket

#: open (待回访) -> contacted (已回访) -> resolved (已整改办结); resolved is final
STATUSES = {"open": "待回访", "contacted": "已回访", "resolved": "已办结"}
STATUSES_EN = {"open": "To follow up", "contacted": "Contacted", "resolved": "Resolved"}
FILTERS = ("open", "overdue", "resolved", "all")
#: not resolved yet, as an IN list so the (status, due_on) index serves it
UNRESOLVED = ("open", "contacted")
MOVES = {"open": {"contacted", "resolved"}, "contacted": {"contacted", "resolved"}, "resolved": set()}


def _query() -> Select[FollowUp, Rating, Ticket, RatingAppeal]:
    return (
        select(FollowUp, Rating, Ticket, RatingAppeal)
        .join(Rating, Rating.id == FollowUp.rating_id)
        .join(Ticket, Ticket.id == FollowUp.ticket_id)
        .outerjoin(RatingAppeal, RatingAppeal.rating_id == FollowUp.rating_id)
    )


def follow_up_json(ctx: HallContext, row: Any, today: date) -> dict[str, Any]:
    follow_up, rating, ticket, appeal = row
    window = ctx.config.window_by_id.get(rating.window_id or "")
    service = ctx.config.service_by_id.get(ticket.service_id)
    tz = ctx.config.tz
    return {
        "id": follow_up.id,
        "ticket_id": ticket.id,
        "number": ticket.number,
        "service_day": ticket.service_day.isoformat(),
        "service": service.name if service else ticket.service_id,
        "window": {"id": window.id, "number": window.number, "name": window.label} if window else None,
        "clerk": rating.clerk,
        "level": rating.level,
        "label": LEVELS.get(rating.level or 0, ""),
        "rating_id": rating.id,
        "reasons": rating.reasons or [],
        "comment": rating.comment,
        "case_numbers": [case["case_number"] for case in rating.cases or []],
        # 申诉: the window's appeal and its outcome; an upheld one leaves the figures
        "appeal": {
            "state": appeal.state,
            "reason": appeal.reason,
            "filed_by": appeal.filed_by,
            "decided_by": appeal.decided_by,
            "decision_note": appeal.decision_note,
        }
        if appeal
        else None,
        "rated_at": rating.rated_at.astimezone(tz).isoformat(timespec="seconds"),
        "status": follow_up.status,
        "status_label": STATUSES[follow_up.status],
        "due_on": follow_up.due_on.isoformat(),
        "overdue": follow_up.status != "resolved" and today > follow_up.due_on,
        "note": follow_up.note,
        "handled_by": follow_up.handled_by,
        "updated_at": follow_up.updated_at.astimezone(tz).isoformat(timespec="seconds"),
    }


def list_follow_ups(ctx: HallContext, which: str = "open", limit: int = 500) -> list[dict[str, Any]]:
    """open: not yet resolved; overdue: not resolved and past due; resolved; all. Oldest due first."""
    if which not in FILTERS:
        raise Invalid("bad_filter", f"status: one of {', '.join(FILTERS)}")
    today = ctx.day()
    # pick the follow-ups on their own (index on status, due_on), then join the few picked to their rating
    # and ticket: a join first made PostgreSQL hash whole tables to return three rows
    order = (
        (FollowUp.due_on.desc(), FollowUp.id.desc())
        if which == "resolved"
        else (FollowUp.due_on, FollowUp.id)
    )
    picked = select(FollowUp.id).order_by(*order).limit(limit)
    if which in ("open", "overdue"):
        picked = picked.where(FollowUp.status.in_(UNRESOLVED))
    if which == "overdue":
        picked = picked.where(FollowUp.due_on < today)
    if which == "resolved":
        picked = picked.where(FollowUp.status == "resolved")
    query = _query().where(FollowUp.id.in_(picked.scalar_subquery())).order_by(*order)
    with ctx.store.read() as session:
        return [follow_up_json(ctx, row, today) for row in session.execute(query)]


def overdue_count(ctx: HallContext) -> int:
    with ctx.store.read() as session:
        return (
            session.scalar(
                select(func.count()).where(FollowUp.status.in_(UNRESOLVED), FollowUp.due_on < ctx.day())
            )
            or 0
        )


def update_follow_up(
    ctx: HallContext, follow_up_id: int, actor: Actor, status: str, note: str | None
) -> tuple[dict[str, Any], list[Push]]:
    """Record a call back (contacted) or the fix (resolved), with what was said or done."""
    if status not in STATUSES or status == "open":
        raise Invalid("bad_status", "status: contacted (已回访) or resolved (已办结)")
    if not (note or "").strip():  # 已回访 says what the citizen said; 已办结 what was done
        raise Invalid(
            "note_required",
            "请填写处理情况（回访了解到的情况或整改措施） / Say what the citizen said or what was done",
        )
    now = ctx.now()
    with ctx.store.write() as session:
        current = session.get(FollowUp, follow_up_id, with_for_update=True)
        if current is None:
            raise NotFound("unknown_follow_up", f"没有这条回访 / No follow-up {follow_up_id}")
        if status not in MOVES[current.status]:
            raise Conflict("follow_up_closed", "此回访已办结 / This follow-up is already resolved")
        values: dict[str, Any] = {"status": status, "handled_by": actor.name, "updated_at": now}
        if note is not None:
            values["note"] = note.strip()[:2000]
        if status == "resolved":
            values["resolved_at"] = now
        session.execute(update(FollowUp).where(FollowUp.id == follow_up_id).values(values))
    with ctx.store.read() as session:
        row = session.execute(_query().where(FollowUp.id == follow_up_id)).one()
        body = follow_up_json(ctx, row, ctx.day(now))
    return body, [Push("follow_up_changed", body, ("manager",))]
