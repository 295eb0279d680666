from __future__ import annotations

from typing import Any

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.hall import ANY_ROLE
from hallq.api.schemas import IssueTicket
from hallq.engine import Priority
from hallq.errors import NotFound
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.operations.snapshots import ticket_id_for_token, ticket_snapshot, ticket_status
from hallq.runtime import hall_context, send_pushes
from hallq.webauth import require_roles


@bp.post("/tickets")
@require_roles("kiosk", "clerk", "manager", "admin")
def post_ticket() -> tuple[dict[str, Any], int]:
    body = parse_body(IssueTicket)
    request = IssueRequest(
        service_id=body.service_id,
        priority=Priority(body.priority),
        appointment_code=body.appointment_code,
        kiosk_id=body.kiosk_id,
    )
    ticket, pushes = issue_ticket(hall_context(), request)
    send_pushes(pushes)
    ticket["print"] = {"ok": False, "error": "no printer configured for this kiosk"}
    return ticket, 201


@bp.get("/status/<status_token>")
def get_status(status_token: str) -> dict[str, Any]:
    """A citizen's own ticket, by the unguessable token of its status page; no login needed."""
    ctx = hall_context()
    ticket_id = ticket_id_for_token(ctx, status_token) if len(status_token) <= 64 else None
    if ticket_id is None:
        raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
    return ticket_status(ctx, ticket_id)


@bp.get("/tickets/<int:ticket_id>")
@require_roles(*ANY_ROLE)
def get_ticket(ticket_id: int) -> dict[str, Any]:
    return ticket_snapshot(hall_context(), ticket_id)
