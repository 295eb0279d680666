"""The evaluation trigger: a department's case system (or the clerk at 办结) ties cases (办件) to a visit.

As halls describe it: the case system finishes a case, gets its 办件编号 and calls the queue system; the
pad at the window shows the rating page; the rating goes to the province with the case. Here the cases are
tied to the visit in hand at the window (asked for at 办结, as always), or to the visit finished there last
while it may still be rated (the tablet asks again now).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, Forbidden, NotFound
from hallq.operations.pushes import Push
from hallq.operations.ratings import rating_open
from hallq.store.models import Rating, Ticket, VisitCases, WindowState

IN_HAND = ("called", "serving")


def arm_evaluation(
    ctx: HallContext,
    window_id: str,
    by: Actor,
    cases: list[dict[str, str]],
    applicant: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[Push]]:
    if window_id not in ctx.config.window_by_id:
        raise NotFound("unknown_window", f"未知窗口 / Unknown window {window_id!r}")
    if (by.window_id is not None and by.window_id != window_id) or not by.may_act_at(window_id):
        raise Forbidden("not_your_window", "您不能在这个窗口办理 / You may not act at this window")
    now = ctx.now()
    with ctx.store.write() as session:
        ticket, when = _visit(session, ctx, window_id)
        row = session.get(VisitCases, ticket.id)
        if row is None:
            row = VisitCases(ticket_id=ticket.id, cases=[], added_at=now, added_by=by.name[:96])
            session.add(row)
        known = {case["case_number"] for case in row.cases}
        row.cases = [*row.cases, *(case for case in cases if case["case_number"] not in known)]
        row.added_at, row.added_by = now, by.name[:96]
        if applicant and ctx.config.province.send_applicant:
            row.applicant = applicant
        armed = {"id": ticket.id, "number": ticket.number}
        all_cases = list(row.cases)
    body = {
        "window": window_id,
        "ticket": armed,
        "cases": all_cases,
        # at_finish: the visit is in hand, its rating is asked for at 办结; now: the tablet asks again now
        "asks": when,
        "applicant_kept": bool(applicant) and ctx.config.province.send_applicant,
    }
    pushes = []
    if when == "now":
        event = {"window": window_id, "ticket": armed, "ask_for_s": ctx.config.bridge.rating_timeout_s}
        pushes.append(Push("rating_requested", event, (f"window:{window_id}",)))
    return body, pushes


def _visit(session: Session, ctx: HallContext, window_id: str) -> tuple[Ticket, str]:
    """The visit in hand at the window, or the one finished there last while it may still be rated."""
    state = session.get(WindowState, window_id)
    if state is not None and state.current_ticket_id is not None:
        current = session.get(Ticket, state.current_ticket_id)
        if current is not None and current.status in IN_HAND:
            return current, "at_finish"
    last = session.scalar(
        select(Ticket)
        .where(Ticket.service_day == ctx.day(), Ticket.status == "finished", Ticket.window_id == window_id)
        .order_by(Ticket.finished_at.desc())
        .limit(1)
    )
    if last is None or last.finished_at is None or not rating_open(ctx, last.finished_at, ctx.now()):
        raise Conflict("no_visit", "本窗口现在没有可评价的办件 / No visit at this window to be rated now")
    if session.scalar(select(Rating.id).where(Rating.ticket_id == last.id)) is not None:
        raise Conflict("already_rated", f"{last.number} 已评价 / {last.number} is already rated")
    return last, "now"


def forget_applicants(ctx: HallContext) -> int:
    """The applicant's identity of a visit never rated (a no-show, a transfer, a timeout) is dropped a day
    past the time to rate: it is kept only for the province's report. How many were dropped."""
    cutoff = ctx.now() - timedelta(minutes=ctx.config.ratings.open_minutes, days=1)
    with ctx.store.write_connection() as connection:
        dropped = connection.execute(
            update(VisitCases)
            .where(VisitCases.applicant.is_not(None), VisitCases.added_at < cutoff)
            .values(applicant=null())
        ).rowcount
    return int(dropped or 0)
