from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import CallTicket, Empty, Evaluation, OpenWindow, Transfer
from hallq.operations import windows as ops
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import NotFound
from hallq.operations.evaluation import arm_evaluation
from hallq.operations.snapshots import window_snapshot
from hallq.web.auth import current_actor, require_roles
from hallq.web.runtime import hall_context, send_pushes

WINDOW_ROLES = ("clerk", "bridge", "manager", "admin")

Action = Callable[[HallContext, str, Actor], ops.Outcome]

SIMPLE_ACTIONS: dict[str, Action] = {
    "call-next": ops.call_next,
    "next": ops.next_ticket,
    "recall": ops.recall,
    "no-show": ops.no_show,
    "start": ops.start,
    "finish": ops.finish,
    "pause": partial(ops.change_state, verb="pause"),
    "resume": partial(ops.change_state, verb="resume"),
    "close": partial(ops.change_state, verb="close"),
}


def _answer(outcome: ops.Outcome) -> dict[str, Any]:
    send_pushes(outcome.pushes)
    return {"ticket": outcome.ticket, "window": outcome.window}


def _actor() -> Actor:
    actor = current_actor()
    assert actor is not None  # require_roles ran first
    return actor


@bp.get("/windows/<window_id>")
@require_roles(*WINDOW_ROLES, "display")
def get_window(window_id: str) -> dict[str, Any]:
    return window_snapshot(hall_context(), window_id)


@bp.post("/windows/<window_id>/<verb>")
@require_roles(*WINDOW_ROLES)
def window_action(window_id: str, verb: str) -> dict[str, Any]:
    action = SIMPLE_ACTIONS.get(verb)
    if action is None:
        raise NotFound("unknown_action", f"unknown window action {verb!r}")
    parse_body(Empty)
    return _answer(action(hall_context(), window_id, _actor()))


@bp.post("/windows/<window_id>/open")
@require_roles(*WINDOW_ROLES)
def open_window(window_id: str) -> dict[str, Any]:
    """A clerk signs in at the window; {"take_over": true} from another clerk who is signed in there."""
    body = parse_body(OpenWindow)
    return _answer(ops.open_window(hall_context(), window_id, _actor(), take_over=body.take_over))


@bp.post("/windows/<window_id>/call")
@require_roles(*WINDOW_ROLES)
def call_specific(window_id: str) -> dict[str, Any]:
    body = parse_body(CallTicket)
    return _answer(ops.call_ticket(hall_context(), window_id, _actor(), body.ticket_id))


@bp.post("/windows/<window_id>/requeue")
@require_roles(*WINDOW_ROLES)
def requeue(window_id: str) -> dict[str, Any]:
    """过号 undone: a no-show of this window today waits again in its old place."""
    body = parse_body(CallTicket)
    return _answer(ops.requeue(hall_context(), window_id, _actor(), body.ticket_id))


@bp.post("/windows/<window_id>/transfer")
@require_roles(*WINDOW_ROLES)
def transfer(window_id: str) -> dict[str, Any]:
    body = parse_body(Transfer)
    outcome = ops.transfer(
        hall_context(), window_id, _actor(), service_id=body.service_id, target_window_id=body.window_id
    )
    return _answer(outcome)


@bp.post("/windows/<window_id>/evaluation")
@require_roles("integration", "bridge", "clerk", "manager", "admin")
def evaluation(window_id: str) -> tuple[dict[str, Any], int]:
    """The evaluation trigger: a department's case system ties its cases (办件编号, 事项编码) to the visit
    in hand at the window, or to the one finished there last; the window's rating tablet asks for it. The
    clerk does the same by typing or scanning a case number at 办结."""
    body = parse_body(Evaluation)
    cases = [case.model_dump() for case in body.cases]
    applicant = body.applicant.model_dump() if body.applicant else None
    armed, pushes = arm_evaluation(hall_context(), window_id, _actor(), cases, applicant)
    send_pushes(pushes)
    return armed, 200
