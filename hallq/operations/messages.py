"""Messages to a citizen's phone (docs/booking.md): "notify me" on a ticket, the scan that puts due messages
in the outbox, and the outbox itself (claimed with a lease, as operations/rating_reports.py does).

Every server process scans; a message's id is stable (`<hall>-t<ticket>-near`, `<hall>-b<code>-hour`) and
unique in the table, so two processes scanning at once queue it once, and a gateway sees each id at least
once and can drop repeats by it. A ticket gets at most two: "near" and "called"; a booking two reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select, update
from sqlalchemy.orm import Session

from hallq.engine import IssueRefused, Status
from hallq.engine.identity import masked_phone, normalise_phone
from hallq.operations.context import HallContext
from hallq.operations.errors import Conflict, Invalid, NotFound
from hallq.operations.outbox import PENDING, retry_later, unleased, wall_now
from hallq.store.db import Store, upsert_insert
from hallq.store.models import Appointment, Message, Ticket, TicketNotice

SENT, DROPPED = "sent", "dropped"
TICKET_KINDS = ("near", "called")


def notify_me(ctx: HallContext, ticket_id: int, phone: str, source: str) -> dict[str, Any]:
    """POST /api/v1/tickets/<id>/notify: a number for this ticket's messages (a second call replaces it)."""
    if not ctx.config.messages.enabled:
        raise Conflict("messages_off", "本大厅未开通短信提醒 / This hall sends no text messages")
    try:
        number = normalise_phone(phone)
    except IssueRefused as refused:
        raise Invalid(refused.code, refused.message) from None
    with ctx.store.write_connection() as connection:
        ticket = connection.execute(
            select(Ticket.status, Ticket.number).where(Ticket.id == ticket_id)
        ).first()
        if ticket is None:
            raise NotFound("unknown_ticket", "没有这张票 / No such ticket")
        if ticket.status not in (Status.WAITING, Status.CALLED):
            raise Conflict("ticket_not_waiting", "此号已不在等候中 / This ticket is no longer waiting")
        values = {"ticket_id": ticket_id, "phone": number, "source": source, "created_at": ctx.now()}
        statement = upsert_insert(connection.dialect.name)(TicketNotice).values(values)
        connection.execute(
            statement.on_conflict_do_update(index_elements=["ticket_id"], set_={"phone": number})
        )
    return {
        "ticket_id": ticket_id,
        "phone": masked_phone(number),
        "when_ahead": ctx.config.messages.notify_when_ahead,
    }


def _message_id(ctx: HallContext, what: str) -> str:
    return f"{ctx.config.province.hall_code or 'hallq'}-{what}"


def _queue(
    connection: Connection,
    ctx: HallContext,
    kind: str,
    what: str,
    phone: str,
    params: dict[str, Any],
    ticket_id: int | None = None,
    code: str | None = None,
) -> None:
    now = wall_now()
    values = {
        "message_id": _message_id(ctx, what),
        "kind": kind,
        "ticket_id": ticket_id,
        "appointment_code": code,
        "phone": phone,
        "template": getattr(ctx.config.messages.templates, kind),
        "params": params,
        "state": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }
    statement = upsert_insert(connection.dialect.name)(Message).values(values)
    connection.execute(statement.on_conflict_do_nothing(index_elements=["message_id"]))


def _not_queued(kind: str, ticket_column: Any) -> Any:
    return ~exists().where(Message.ticket_id == ticket_column, Message.kind == kind)


@dataclass(frozen=True)
class Due:
    kind: str
    what: str
    phone: str
    params: dict[str, Any]
    ticket_id: int | None = None
    code: str | None = None


def scan(ctx: HallContext) -> int:
    """Put the messages due now in the outbox: "near" for a waiting ticket with `notify_when_ahead` or fewer
    ahead, "called" for a called one, booking reminders a day and an hour before; how many were due. It
    reads first and writes only when something is due: every process runs it every second, and on SQLite a
    write would hold the hall's one write lock."""
    if not ctx.config.messages.enabled:
        return 0
    with ctx.store.read() as session:
        due = _tickets_due(session, ctx) + _reminders_due(session, ctx)
    if due:
        with ctx.store.write_connection() as connection:
            for message in due:
                _queue(
                    connection, ctx, message.kind, message.what, message.phone, message.params,
                    ticket_id=message.ticket_id, code=message.code,
                )  # fmt: skip
    return len(due)


def _tickets_due(session: Session, ctx: HallContext) -> list[Due]:
    day, rule = ctx.day(), ctx.config.messages
    watched = session.execute(
        select(Ticket, TicketNotice.phone)
        .join(TicketNotice, TicketNotice.ticket_id == Ticket.id)
        .where(Ticket.service_day == day, TicketNotice.phone.is_not(None))
        .where(
            and_(Ticket.status == Status.WAITING, _not_queued("near", Ticket.id))
            | (Ticket.status.in_([Status.CALLED, Status.SERVING]) & _not_queued("called", Ticket.id))
        )
    ).all()
    waiting_services = {ticket.service_id for ticket, _ in watched if ticket.status == Status.WAITING}
    heads = _queue_heads(session, day, waiting_services, rule.notify_when_ahead)
    due = []
    for ticket, phone in watched:
        service = ctx.config.service_by_id.get(ticket.service_id)
        base: dict[str, str | int] = {
            "number": ticket.number,
            "service": service.name if service else ticket.service_id,
        }
        if ticket.status == Status.WAITING:
            ahead = heads.get(ticket.id)
            if ahead is None:  # more than notify_when_ahead ahead
                continue
            params, kind = base | {"ahead": ahead}, "near"
        else:
            window = ctx.config.window_by_id.get(ticket.window_id or "")
            params = base | {"window": str(window.number) if window else ""}
            kind = "called"
        due.append(Due(kind, f"t{ticket.id}-{kind}", phone or "", params, ticket_id=ticket.id))
    return due


def _queue_heads(session: Session, day: date, service_ids: set[str], near: int) -> dict[int, int]:
    """ticket id -> people ahead, for the first `near + 1` waiting tickets of each service (the
    order operations/queries.ahead_of counts in): one short indexed read per service, not one per ticket."""
    heads: dict[int, int] = {}
    for service_id in service_ids:
        ids = session.scalars(
            select(Ticket.id)
            .where(Ticket.service_day == day, Ticket.status == Status.WAITING)
            .where(Ticket.service_id == service_id)
            .order_by(Ticket.queue_rank, Ticket.queued_at, Ticket.id)
            .limit(near + 1)
        ).all()
        heads.update({ticket_id: position for position, ticket_id in enumerate(ids)})
    return heads


def _reminders_due(session: Session, ctx: HallContext) -> list[Due]:
    now, due = ctx.now(), []
    for kind, before in (("reminder_day", timedelta(days=1)), ("reminder_hour", timedelta(hours=1))):
        rows = session.execute(
            select(
                Appointment.code,
                Appointment.service_id,
                Appointment.slot_at,
                Appointment.phone,
                Appointment.created_at,
            ).where(
                Appointment.phone.is_not(None),
                Appointment.cancelled_at.is_(None),
                Appointment.ticket_id.is_(None),
                Appointment.slot_at > now,
                Appointment.slot_at <= now + before,
                ~exists().where(Message.appointment_code == Appointment.code, Message.kind == kind),
            )
        ).all()
        # a booking made within the hour (or the day) before its slot needs no reminder of it
        for row in (row for row in rows if row.created_at <= row.slot_at - before):
            service = ctx.config.service_by_id.get(row.service_id)
            local = row.slot_at.astimezone(ctx.config.tz)
            params: dict[str, Any] = {
                "code": row.code,
                "service": service.name if service else row.service_id,
                "time": f"{local:%m-%d %H:%M}",
            }
            due.append(Due(kind, f"b{row.code}-{kind}", row.phone or "", params, code=row.code))
    return due


@dataclass(frozen=True)
class Outgoing:
    id: int
    message_id: str
    phone: str
    template: str
    params: dict[str, Any]
    attempts: int


def _still_wanted(connection: Connection, ctx: HallContext, message: Any, now: datetime) -> str | None:
    """None when the message should go; else why it is dropped."""
    if now - message.created_at > timedelta(minutes=ctx.config.messages.give_up_after_min):
        return "超时未发 / too late"
    if message.ticket_id is not None:
        status = connection.scalar(select(Ticket.status).where(Ticket.id == message.ticket_id))
        if status not in (Status.WAITING, Status.CALLED, Status.SERVING):
            return "此号已办结 / ticket finished"
        if message.kind == "near" and status != Status.WAITING:
            return "已叫号 / already called"
    if message.appointment_code is not None:
        booking = connection.execute(
            select(Appointment.cancelled_at, Appointment.ticket_id).where(
                Appointment.code == message.appointment_code
            )
        ).first()
        if booking is None or booking.cancelled_at is not None or booking.ticket_id is not None:
            return "预约已取消或已签到 / booking cancelled or checked in"
    return None


def claim_due(ctx: HallContext, lease_s: float, limit: int) -> list[Outgoing]:
    """Messages due now, each leased to this process for `lease_s`; those no longer wanted are dropped."""
    now = wall_now()
    free = unleased(Message, now)
    with ctx.store.read() as session:
        candidates = session.scalars(
            select(Message)
            .where(Message.state == PENDING, Message.next_attempt_at <= now, free)
            .order_by(Message.next_attempt_at, Message.id)
            .limit(limit)
        ).all()
    claimed = []
    for message in candidates:
        with ctx.store.write_connection() as connection:
            why_not = _still_wanted(connection, ctx, message, now)
            mine = update(Message).where(Message.id == message.id, Message.state == PENDING, free)
            if why_not is not None:
                connection.execute(mine.values(state=DROPPED, last_error=why_not, phone=None))
                continue
            if connection.execute(mine.values(leased_until=now + timedelta(seconds=lease_s))).rowcount:
                claimed.append(
                    Outgoing(
                        message.id,
                        message.message_id,
                        message.phone or "",
                        message.template,
                        message.params,
                        message.attempts,
                    )
                )
    return claimed


def mark_sent(store: Store, message_id: int) -> None:
    with store.write_connection() as connection:
        connection.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(
                state=SENT,
                sent_at=wall_now(),
                leased_until=None,
                attempts=Message.attempts + 1,
                last_error=None,
                phone=None,
            )
        )


def mark_failed(store: Store, message_id: int, error: str, retry_in_s: float) -> None:
    retry_later(store, Message, message_id, error, retry_in_s)


def message_status(ctx: HallContext, limit: int = 50) -> dict[str, Any]:
    """For managers: today's counts by state, and the latest messages with their send result (numbers
    masked; the number itself is gone once sent)."""
    day_start = _wall_day_start(ctx)
    with ctx.store.read() as session:
        counts = dict(
            session.execute(
                select(Message.state, func.count())
                .where(Message.created_at >= day_start)
                .group_by(Message.state)
            ).all()
        )
        failing = session.scalar(select(func.count()).where(Message.state == PENDING, Message.attempts > 0))
        latest = session.scalars(
            select(Message).where(Message.created_at >= day_start).order_by(Message.id.desc()).limit(limit)
        ).all()
    tz = ctx.config.tz
    return {
        "adapter": ctx.config.messages.adapter,
        "pending": counts.get(PENDING, 0),
        "sent": counts.get(SENT, 0),
        "dropped": counts.get(DROPPED, 0),
        "failing": failing or 0,
        "messages": [
            {
                "id": m.message_id,
                "kind": m.kind,
                "state": m.state,
                "attempts": m.attempts,
                "created_at": m.created_at.astimezone(tz).isoformat(timespec="seconds"),
                "sent_at": m.sent_at.astimezone(tz).isoformat(timespec="seconds") if m.sent_at else None,
                "result": m.last_error,
                "params": m.params,
            }
            for m in latest
        ],
    }


def _wall_day_start(ctx: HallContext) -> datetime:
    """Midnight of today by the wall clock: the outbox keeps wall-clock times (a demo's hall clock may run
    faster), and so does the end of its day."""
    return datetime.combine(wall_now().astimezone(ctx.config.tz).date(), time(0), ctx.config.tz)


def forget_numbers(ctx: HallContext) -> None:
    """Numbers are deleted at the end of the day: "notify me", unsent messages, bookings of days gone by."""
    day_start = datetime.combine(ctx.day(), time(0), ctx.config.tz)
    with ctx.store.write_connection() as connection:
        connection.execute(
            update(TicketNotice)
            .where(TicketNotice.created_at < day_start, TicketNotice.phone.is_not(None))
            .values(phone=None)
        )
        connection.execute(
            update(Message)
            .where(Message.created_at < _wall_day_start(ctx), Message.state == PENDING)
            .values(phone=None, state=DROPPED, last_error="当日结束 / end of day")
        )
        connection.execute(
            update(Appointment)
            .where(Appointment.slot_at < day_start, Appointment.phone.is_not(None))
            .values(phone=None, name=None)
        )
