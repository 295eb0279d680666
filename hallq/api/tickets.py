from __future__ import annotations

from typing import Any

from flask import request

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.hall import ANY_ROLE
from hallq.api.schemas import IssueTicket, NewAppointment, Rate, Reprint, VoidTicket
from hallq.engine import Priority
from hallq.operations.appointments import add_appointment
from hallq.operations.bursts import report_burst
from hallq.operations.errors import Forbidden, NotFound
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.operations.ratings import RatingInput, rate_ticket
from hallq.operations.reprint import queue_reprint
from hallq.operations.snapshots import ticket_id_for_token, ticket_snapshot, ticket_status
from hallq.operations.voiding import void_ticket
from hallq.web.auth import current_actor, require_roles
from hallq.web.ratelimits import KioskBurst
from hallq.web.runtime import hall_context, print_service, rate_limits, send_pushes


@bp.post("/tickets")
@require_roles("kiosk", "clerk", "manager", "admin")
def post_ticket() -> tuple[dict[str, Any], int]:
    body = parse_body(IssueTicket)
    actor = current_actor()
    assert actor is not None  # require_roles let it in
    kiosk_id = body.kiosk_id
    if actor.kiosk_id is not None:
        if kiosk_id not in (None, actor.kiosk_id):
            raise Forbidden(
                "wrong_kiosk",
                f"此令牌属于取号机 {actor.kiosk_id} / This token belongs to kiosk {actor.kiosk_id}",
            )
        kiosk_id = actor.kiosk_id
    try:
        rate_limits().issue(actor, request.remote_addr, body.service_id)
    except KioskBurst as burst:
        send_pushes(report_burst(hall_context(), burst.kiosk, burst.service_id, burst.per_minute))
        raise
    issue = IssueRequest(
        service_id=body.service_id,
        priority=Priority(body.priority),
        appointment_code=body.appointment_code,
        kiosk_id=kiosk_id,
        phone=body.phone,
        id_number=body.id_number,
        base_url=request.host_url,
    )
    ticket, pushes = issue_ticket(hall_context(), issue)
    send_pushes(pushes)
    if ticket["print"]["job_id"] is not None:
        print_service().submit(ticket["print"]["job_id"], kiosk_id or "")
    return ticket, 201


@bp.post("/appointments")
@require_roles("integration", "manager", "admin")
def post_appointment() -> tuple[dict[str, Any], int]:
    """A booking (预约) from a booking system or the province's platform (an integration token); it takes a
    place of the slot's 号源 where the service has one. The citizen checks in at a kiosk with its code."""
    body = parse_body(NewAppointment)
    return add_appointment(hall_context(), body.code, body.service_id, body.slot_at), 201


@bp.post("/tickets/<int:ticket_id>/print")
@require_roles("kiosk", "clerk", "manager", "admin")
def reprint(ticket_id: int) -> tuple[dict[str, Any], int]:
    """Print a ticket again (staff, or the kiosk that issued it): after paper-out, a jam, a lost slip."""
    body = parse_body(Reprint)
    actor = current_actor()
    assert actor is not None
    job_id, kiosk_id = queue_reprint(hall_context(), ticket_id, actor, body.kiosk_id, request.host_url)
    print_service().submit(job_id, kiosk_id)
    return {"job_id": job_id, "kiosk_id": kiosk_id, "state": "queued"}, 202


@bp.post("/tickets/<int:ticket_id>/cancel")
@require_roles("manager", "admin")
def cancel(ticket_id: int) -> dict[str, Any]:
    """作废: void a waiting ticket (a flood, a citizen who left), with a reason; its place in the day's caps
    is given back. Audited."""
    body = parse_body(VoidTicket)
    actor = current_actor()
    assert actor is not None
    ticket, pushes = void_ticket(hall_context(), ticket_id, actor, body.reason.strip())
    send_pushes(pushes)
    return ticket


@bp.post("/tickets/<int:ticket_id>/rating")
@require_roles("bridge", "evaluator", "manager", "admin")
def post_rating(ticket_id: int) -> tuple[dict[str, Any], int]:
    """A 好差评 for a finished visit: an evaluator pad (through the bridge), the window's rating tablet (only
    visits at its window), or staff entering one on a citizen's behalf."""
    body = parse_body(Rate)
    actor = current_actor()
    assert actor is not None
    source = {"bridge": "pad", "evaluator": "tablet"}.get(actor.role, "staff")
    window_id = actor.window_id if actor.role == "evaluator" else None
    given = _given(body, source, actor.name)
    rating, pushes = rate_ticket(hall_context(), ticket_id, given, window_id=window_id)
    send_pushes(pushes)
    return rating, 201


@bp.post("/status/<status_token>/rating")
def post_status_rating(status_token: str) -> tuple[dict[str, Any], int]:
    """The citizen rates the visit from the phone, by the status page's token (the QR on the ticket)."""
    body = parse_body(Rate)
    ctx = hall_context()
    ticket_id = ticket_id_for_token(ctx, status_token)
    if ticket_id is None:
        raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
    rating, pushes = rate_ticket(ctx, ticket_id, _given(body, "phone", "status-page"))
    send_pushes(pushes)
    return {key: rating[key] for key in ("level", "label", "bad", "indicators", "comment", "at")}, 201


def _given(body: Rate, source: str, device: str) -> RatingInput:
    reasons = [reason.strip()[:100] for reason in body.reasons if reason.strip()] if body.reasons else None
    return RatingInput(body.level, reasons, body.comment, source, device, request.remote_addr)


@bp.get("/status/<status_token>")
def get_status(status_token: str) -> dict[str, Any]:
    """A citizen's own ticket, by the unguessable token of its status page; no login needed."""
    ctx = hall_context()
    ticket_id = ticket_id_for_token(ctx, status_token)
    if ticket_id is None:
        raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
    return ticket_status(ctx, ticket_id)


@bp.get("/tickets/<int:ticket_id>")
@require_roles(*ANY_ROLE)
def get_ticket(ticket_id: int) -> dict[str, Any]:
    return ticket_snapshot(hall_context(), ticket_id)
