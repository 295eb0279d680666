"""申诉: the window served asks that a bad rating not count; a manager upholds or rejects it, audited.

An upheld appeal takes the rating out of the satisfaction figures and the ranking (Rating.excluded); the
rating stays in the log, and its change goes to the province as a report of its own (kind "appeal").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hallq.operations.audit import record
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, Forbidden, NotFound
from hallq.operations.rating_reports import enqueue_change
from hallq.store.models import Rating, RatingAppeal, Ticket

BAD = (1, 2)


def file_appeal(ctx: HallContext, rating_id: int, by: Actor, reason: str) -> dict[str, Any]:
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            rating = session.get(Rating, rating_id)
            if rating is None:
                raise NotFound("unknown_rating", f"没有这条评价 / No rating {rating_id}")
            if rating.level not in BAD:
                raise Conflict("not_bad", "只能对差评申诉 / Only a bad rating may be appealed")
            if by.role == "clerk" and rating.clerk != by.name and by.window_id != rating.window_id:
                raise Forbidden(
                    "not_yours", "只能对本人办理的差评申诉 / Only the clerk who served may appeal"
                )
            session.add(
                RatingAppeal(
                    rating_id=rating_id,
                    reason=reason[:500],
                    filed_by=by.name[:96],
                    filed_at=now,
                    state="open",
                )
            )
            session.flush()
            record(session, now, "rating.appealed", by, f"rating {rating_id}", {"reason": reason[:200]})
    except IntegrityError:
        raise Conflict("already_appealed", "这条评价已申诉 / This rating was appealed already") from None
    return appeal_json(ctx, rating_id)


def decide_appeal(ctx: HallContext, rating_id: int, by: Actor, uphold: bool, note: str) -> dict[str, Any]:
    now = ctx.now()
    with ctx.store.write() as session:
        appeal = session.scalar(select(RatingAppeal).where(RatingAppeal.rating_id == rating_id))
        if appeal is None:
            raise NotFound("no_appeal", f"这条评价没有申诉 / Rating {rating_id} has no appeal")
        if appeal.state != "open":
            raise Conflict("decided", f"申诉已处理（{appeal.state}）/ The appeal was decided: {appeal.state}")
        appeal.state = "upheld" if uphold else "rejected"
        appeal.decided_by, appeal.decided_at, appeal.decision_note = by.name[:96], now, note[:500]
        rating = session.get(Rating, rating_id)
        assert rating is not None  # the appeal's foreign key
        rating.excluded = uphold
        session.flush()
        change = {
            "excluded": uphold,
            "appeal": {
                "state": appeal.state,
                "reason": appeal.reason,
                "decided_at": now.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
            },
        }
        reported = enqueue_change(session.connection(), rating_id, "appeal", change)
        detail = {"note": note[:200], "reported": reported}
        record(session, now, f"appeal.{appeal.state}", by, f"rating {rating_id}", detail)
    return appeal_json(ctx, rating_id)


def appeal_json(ctx: HallContext, rating_id: int) -> dict[str, Any]:
    with ctx.store.read() as session:
        row = session.execute(
            select(RatingAppeal, Rating.level, Rating.window_id, Rating.clerk, Ticket.number)
            .join(Rating, Rating.id == RatingAppeal.rating_id)
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(RatingAppeal.rating_id == rating_id)
        ).one()
    return _json(ctx, *row)


def list_appeals(ctx: HallContext, limit: int = 200) -> list[dict[str, Any]]:
    with ctx.store.read() as session:
        rows = session.execute(
            select(RatingAppeal, Rating.level, Rating.window_id, Rating.clerk, Ticket.number)
            .join(Rating, Rating.id == RatingAppeal.rating_id)
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .order_by(RatingAppeal.filed_at.desc())
            .limit(limit)
        ).all()
    return [_json(ctx, *row) for row in rows]


def _json(
    ctx: HallContext,
    appeal: RatingAppeal,
    level: int | None,
    window_id: str | None,
    clerk: str | None,
    number: str,
) -> dict[str, Any]:
    def local(at: Any) -> str | None:
        return at.astimezone(ctx.config.tz).isoformat(timespec="seconds") if at else None

    return {
        "rating_id": appeal.rating_id,
        "ticket": number,
        "level": level,
        "window": window_id,
        "clerk": clerk,
        "reason": appeal.reason,
        "filed_by": appeal.filed_by,
        "filed_at": local(appeal.filed_at),
        "state": appeal.state,
        "decided_by": appeal.decided_by,
        "decided_at": local(appeal.decided_at),
        "decision_note": appeal.decision_note,
    }
