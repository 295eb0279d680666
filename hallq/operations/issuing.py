"""Issuing a ticket: number, ticket and event in one write transaction, so no duplicate and no gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from hallq.config.hall import Service
from hallq.engine import (
    IssueRefused,
    Priority,
    Status,
    check_caps,
    check_hours,
    check_offered,
    format_number,
    identity,
)
from hallq.engine.identity import check_person_limit
from hallq.operations.appointments import booked_service, check_in, claim
from hallq.operations.context import HallContext
from hallq.operations.errors import Conflict, Invalid
from hallq.operations.estimates import estimate_wait, refresh_before_writing
from hallq.operations.printing import print_json, queue_job
from hallq.operations.pushes import Push
from hallq.operations.queries import waiting_before, window_visits
from hallq.operations.status_tokens import status_path, status_token, token_hash
from hallq.operations.views import ticket_json
from hallq.operations.zones import zone_pushes
from hallq.store.db import upsert_insert
from hallq.store.models import NumberCounter, Ticket, TicketEvent


@dataclass(frozen=True)
class IssueRequest:
    #: None with an appointment code: the booking's service
    service_id: str | None
    priority: Priority = Priority.NORMAL
    appointment_code: str | None = None
    kiosk_id: str | None = None
    #: what the citizen typed or the card reader read, where the service asks (限号); never stored
    phone: str | None = None
    id_number: str | None = None
    #: the address the kiosk used, for the QR code when the hall file sets no public_url
    base_url: str = ""


@cache
def _bump_statement(dialect: str) -> Any:
    return (
        upsert_insert(dialect)(NumberCounter)
        .values(service_day=bindparam("day"), scope=bindparam("scope"), last=1)
        .on_conflict_do_update(
            index_elements=[NumberCounter.service_day, NumberCounter.scope],
            set_={"last": NumberCounter.last + 1},
        )
        .returning(NumberCounter.last)
    )


def voided_today(connection: Connection, day: date, zone_id: str) -> int:
    """How many of the zone's tickets were voided today (they give their place in its cap back)."""
    voided = connection.execute(
        select(NumberCounter.last).where(
            NumberCounter.service_day == day, NumberCounter.scope == f"{VOIDED_SCOPE}{zone_id}"
        )
    ).scalar()
    return int(voided or 0)


def bump_counter(connection: Connection, day: date, scope: str) -> int:
    """Add one to a day's counter and return the new value, atomically on SQLite and PostgreSQL."""
    statement = _bump_statement(connection.dialect.name)
    return int(connection.execute(statement, {"day": day, "scope": scope}).scalar_one())


#: number_counters scope of a zone's voided tickets that day (作废, operations/voiding.py): they do not count
#: against the zone's daily cap
VOIDED_SCOPE = "voided:"
#: number_counters scope of a person's tickets for a service that day (限号); the rest of the scope is a key
PERSON_SCOPE = "person:"
_INSERT_TICKET = insert(Ticket).returning(Ticket.id)
_INSERT_EVENT = insert(TicketEvent)
_TICKET_COLUMNS = [column.key for column in Ticket.__table__.columns if column.key != "id"]


def issue_ticket(ctx: HallContext, request: IssueRequest) -> tuple[dict[str, Any], list[Push]]:
    config = ctx.config
    service_id = request.service_id
    if service_id is None:
        if request.appointment_code is None:
            raise Invalid("no_service", "请选择事项 / Choose a service")
        service_id = booked_service(ctx, request.appointment_code)
    service = config.service_by_id.get(service_id)
    if service is None:
        raise Invalid("unknown_service", f"未知事项 / Unknown service {service_id!r}")
    zone = config.zone_by_id[service.zone]
    kiosk = config.kiosk_by_id.get(request.kiosk_id) if request.kiosk_id else None
    if request.kiosk_id and kiosk is None and config.kiosks:
        known = ", ".join(config.kiosk_by_id)
        raise Invalid(
            "unknown_kiosk", f"未知取号机 / Unknown kiosk {request.kiosk_id!r} (hall file: {known})"
        )
    now = ctx.now()
    try:
        check_hours(config.hall.hours, config.work_calendar, config.tz, now)
        green = request.priority is Priority.GREEN
        check_offered(service, green, config.hall.hours, config.tz, now)
    except IssueRefused as refused:
        raise Conflict(refused.code, refused.message) from None
    day = ctx.day(now)
    person = _person_key(ctx, request, service, day) if service.ask_identity else None
    refresh_before_writing(ctx)
    # The hot path of the hall: plain Core statements in one short transaction (see docs/benchmarks.md).
    with ctx.store.write_connection() as connection:
        seq = bump_counter(connection, day, f"zone:{zone.id}")
        service_count = bump_counter(connection, day, f"service:{service.id}") if service.daily_cap else 0
        zone_count = seq - voided_today(connection, day, zone.id) if zone.daily_cap else seq
        try:
            check_caps(zone, service, zone_count, service_count)
            if person is not None and service.ask_identity is not None:
                taken = bump_counter(connection, day, f"{PERSON_SCOPE}{person}")
                check_person_limit(service.ask_identity, service.person_limit(config.limits), taken)
        except IssueRefused as refused:  # the transaction rolls back: no number, no count is used up
            raise Conflict(refused.code, refused.message) from None
        queued_at = now
        if request.appointment_code is not None:  # 预约: queued from the start of the slot
            queued_at = check_in(connection, ctx, request.appointment_code, service.id, now)
        ahead = waiting_before(connection, day, service.id, request.priority.rank, queued_at)
        loads = window_visits(connection)
        estimate = estimate_wait(ctx, connection, loads, service.id, ahead)
        ticket = Ticket(
            service_day=day,
            zone_id=zone.id,
            seq=seq,
            number=format_number(zone.prefix, seq),
            service_id=service.id,
            priority=request.priority.value,
            queue_rank=request.priority.rank,
            status=Status.WAITING.value,
            issued_at=now,
            queued_at=queued_at,
            recalls=0,
            kiosk_id=request.kiosk_id,
            appointment_code=request.appointment_code,
            estimated_wait_s=estimate.estimate_s,
        )
        ticket.status_token_hash = token_hash(status_token(ctx, ticket))
        values = {key: getattr(ticket, key) for key in _TICKET_COLUMNS}
        ticket.id = connection.execute(_INSERT_TICKET, values).scalar_one()
        if request.appointment_code is not None:
            claim(connection, request.appointment_code, ticket.id, now)
        event = {
            "ticket_id": ticket.id,
            "type": "issued",
            "at": now,
            "window_id": None,
            "clerk": None,
            "status_after": Status.WAITING.value,
            "detail": {"kiosk_id": request.kiosk_id} if request.kiosk_id else None,
        }
        connection.execute(_INSERT_EVENT, event)
        job_id = None
        if kiosk is not None and kiosk.printer:
            # queued with the ticket: a crash after the answer still finds the job (PrintService.recover)
            job_id = queue_job(connection, ticket.id, kiosk.id, request.base_url, now)
        zone_changes = zone_pushes(ctx, connection, day, [zone.id], loads, now)
    body = ticket_json(ticket, config, ahead=ahead, estimate=estimate)
    # the one answer that carries the key of the citizen's status page: the issuing kiosk's (and the paper)
    body["status_url"] = status_path(ctx, ticket)
    body["print"] = print_json(job_id, None if job_id else no_print_reason(request.kiosk_id))
    return body, [Push("ticket_issued", public_ticket(body), ("hall", "manager")), *zone_changes]


def _person_key(ctx: HallContext, request: IssueRequest, service: Service, day: date) -> str:
    """The day's key of the person taking a ticket for a service that asks who (限号)."""
    kind = service.ask_identity
    assert kind is not None
    given = request.phone if kind == identity.PHONE else request.id_number
    try:
        value = identity.normalise(kind, given)
    except IssueRefused as refused:
        raise Invalid(refused.code, refused.message) from None
    return identity.person_key(ctx.identity_secret, day, service.id, kind, value)


def forget_past_people(ctx: HallContext) -> int:
    """Delete the 限号 counts of earlier days: they served their day, and kept they would only let someone
    holding the hall's secret test whether a given number took a ticket on a given day."""
    past = delete(NumberCounter).where(
        NumberCounter.service_day < ctx.day(), NumberCounter.scope.startswith(PERSON_SCOPE)
    )
    with ctx.store.write_connection() as connection:
        return connection.execute(past).rowcount or 0


def no_print_reason(kiosk_id: str | None) -> str:
    if kiosk_id is None:
        return "没有指定取号机，未打印 / No kiosk given: nothing printed"
    return "此取号机没有配置打印机 / No printer configured for this kiosk"


def public_ticket(body: dict[str, Any]) -> dict[str, Any]:
    """What may be pushed to shared screens: no status token."""
    return {k: v for k, v in body.items() if k not in ("status_url", "print")}
