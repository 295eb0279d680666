"""SQLAlchemy models. Zones, services and windows live in the hall file; these are runtime data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from hallq.store.base import MAX_ID as MAX_ID
from hallq.store.base import Base
from hallq.store.base import UTCDateTime as UTCDateTime


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_day: Mapped[date]
    zone_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    #: 0 for green priority, 1 for everyone else: the first part of the queue order
    queue_rank: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    #: second part of the queue order; a transfer keeps it, so nobody loses their place
    queued_at: Mapped[datetime]
    first_called_at: Mapped[datetime | None]
    called_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    window_id: Mapped[str | None] = mapped_column(String(32))
    #: set when a ticket was transferred to one window in particular
    target_window_id: Mapped[str | None] = mapped_column(String(32))
    clerk: Mapped[str | None] = mapped_column(String(64))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    kiosk_id: Mapped[str | None] = mapped_column(String(64))
    appointment_code: Mapped[str | None] = mapped_column(String(64))
    estimated_wait_s: Mapped[int]
    #: SHA-256 of the key of the citizen's status page /t/<token> (operations/status_tokens.py)
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    outcome: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("zone_id", "service_day", "seq", name="uq_tickets_number"),
        Index("ix_tickets_queue", "service_day", "status", "service_id", "queue_rank", "queued_at"),
        Index("ix_tickets_zone_status", "service_day", "zone_id", "status"),
        Index("ix_tickets_window", "window_id", "status"),
        Index("ix_tickets_target", "target_window_id", "status"),
    )


class TicketEvent(Base):
    """One state change of a ticket: what, when, where, by whom."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)
    window_id: Mapped[str | None] = mapped_column(String(32))
    clerk: Mapped[str | None] = mapped_column(String(64))
    status_after: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class NumberCounter(Base):
    """Last number per service day and scope: "zone:A" numbers tickets, "service:x" counts caps."""

    __tablename__ = "number_counters"

    service_day: Mapped[date] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    last: Mapped[int]


class Appointment(Base):
    """A booked slot (预约), sent by the booking system; checking in at a kiosk gives its ticket."""

    __tablename__ = "appointments"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(32))
    slot_at: Mapped[datetime]
    created_at: Mapped[datetime]
    #: the ticket of the check-in; a code checks in once
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    #: "api" (a booking system, the province's platform) or "page" (hallq's own booking page, /book)
    channel: Mapped[str] = mapped_column(String(8), default="api", server_default="api")
    #: the citizen's name and mobile number, kept while the booking needs them (its messages), then cleared
    name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(16))
    #: the number's lasting keyed hash (engine/booking.phone_key): the limits and the 爽约 count
    phone_key: Mapped[str | None] = mapped_column(String(24), index=True)
    #: sha256 of the manage link's key: the citizen sees and cancels the booking with it
    manage_hash: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    #: counted against a 号源 slot (booking_slots): a cancellation gives the place back
    counted: Mapped[bool] = mapped_column(default=False, server_default=false())


class WindowState(Base):
    __tablename__ = "window_states"

    window_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    clerk: Mapped[str | None] = mapped_column(String(64))
    current_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    changed_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    #: part of every session cookie of this user: bumped at logout, password change and deactivation, so
    #: every session made before ends at its next request
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the windows a clerk may sign in at (window ids); None: any window
    windows: Mapped[list[str] | None] = mapped_column(JSON, default=None)


class ApiToken(Base):
    """A device or integration token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    window_id: Mapped[str | None] = mapped_column(String(32))
    #: a kiosk token bound to one kiosk of the hall file (its tickets print there; its agent prints for it)
    kiosk_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    #: when the device last used the token (to the minute: operations/token_use.py)
    last_used_at: Mapped[datetime | None]


class PrintJob(Base):
    """One ticket to print at one kiosk: queued -> sent (to an agent) -> printed | failed."""

    __tablename__ = "print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(String(300))
    #: where the QR code points (the hall's public URL, or the address the kiosk used)
    base_url: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class Rating(Base):
    """A citizen's 好差评 for one visit: level 5 (非常满意) .. 1 (非常不满意); one per ticket.

    A visit left unrated when rating closes gets a row with level NULL and source "timeout": unrated, never
    counted as satisfied.
    """

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    level: Mapped[int | None]
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    #: where it came from: pad (an evaluator on the bridge), tablet, phone, staff; timeout for unrated
    source: Mapped[str] = mapped_column(String(16))
    window_id: Mapped[str | None] = mapped_column(String(32))
    clerk: Mapped[str | None] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(index=True)
    #: the citizen's own words (其他)
    comment: Mapped[str | None] = mapped_column(String(300))
    #: the [ratings.indicators] version the content was offered under
    indicator_version: Mapped[str | None] = mapped_column(String(32))
    #: the cases (办件) the visit closed: [{"case_number", "service_code", "name"}]
    cases: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    #: who sent it: the device token's name, "status-page" or a staff user; and from which address
    device: Mapped[str | None] = mapped_column(String(96))
    address: Mapped[str | None] = mapped_column(String(45))
    #: an upheld appeal (申诉) takes it out of the ranking and the satisfaction figures; kept in the log
    excluded: Mapped[bool] = mapped_column(default=False, server_default=false())


class DeviceState(Base):
    """The last known state of a device (printer:K1, ...), so managers see faults when they open a page."""

    __tablename__ = "device_states"

    device_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(String(300))
    changed_at: Mapped[datetime]


class FollowUp(Base):
    """The follow-up (回访/整改) of one bad rating: open -> contacted -> resolved, due on a working day."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime]
    #: the last working day to resolve it, in the hall's calendar
    due_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(String(2000))
    handled_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_follow_ups_status_due", "status", "due_on"),)


class VisitCases(Base):
    """The cases (办件) a department's case system or the clerk tied to a visit before it was rated."""

    __tablename__ = "visit_cases"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    cases: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    #: the applicant, kept only where [province] send_applicant asks, until the rating carries it out
    applicant: Mapped[dict[str, str] | None] = mapped_column(JSON)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(96))


class RatingReport(Base):
    """The outbox to the province: one row per rating and per later change (an appeal's outcome), sent at
    least once with a stable `message_id` the receiver can drop repeats by."""

    __tablename__ = "rating_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(96), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: pending -> delivered
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    #: a sender (any server process) holds the row until then while it sends
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_rating_reports_state_next", "state", "next_attempt_at"),
        Index("ix_rating_reports_delivered_at", "delivered_at"),
    )


class RatingAppeal(Base):
    """申诉: a window asks that a bad rating not count; a manager upholds or rejects it (audited)."""

    __tablename__ = "rating_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(500))
    filed_by: Mapped[str] = mapped_column(String(96))
    filed_at: Mapped[datetime]
    #: open -> upheld | rejected
    state: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(96))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))


class WindowEvent(Base):
    """A window opened, paused, resumed or closed: open time, idle share and attendance come from these."""

    __tablename__ = "window_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[str] = mapped_column(String(32))
    service_day: Mapped[date]
    #: the state the window is in from `at` on: open, paused or closed
    state: Mapped[str] = mapped_column(String(16))
    clerk: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_window_events_day", "service_day", "window_id", "at"),)


class AuditEntry(Base):
    """Who changed what outside the normal flow: hall file, users, tokens, and manual ticket actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    #: config.changed, user.created, user.password_set, token.created,
    #: ticket.called_specific, ticket.transferred, window.signed_in, window.taken_over, window.signed_out
    action: Mapped[str] = mapped_column(String(32))
    #: who: a username, a token's name, or "command line (<os user>)"
    actor: Mapped[str] = mapped_column(String(96))
    role: Mapped[str] = mapped_column(String(16))
    #: what it was done to: a username, a token's role and name, a ticket number, the hall file
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WhatIfRun(Base):
    """A what-if a manager ran on /manager/whatif: what was asked, how far it got, and its answer."""

    __tablename__ = "whatif_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: replay | staffing | consolidation
    kind: Mapped[str] = mapped_column(String(16))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: running | done | failed
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float)
    message: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class HallConfigVersion(Base):
    """One version of the hall's configuration (the hall file as JSON); the current one is the highest.

    Saving is an insert that names the version it was made on, so two admins never overwrite each other
    (operations/hall_versions.py); an earlier version is restored as a new one.
    """

    __tablename__ = "hall_config_versions"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime]
    #: who: a username, a token's name, or "hall file <path>" for an import at start
    saved_by: Mapped[str] = mapped_column(String(96))
    note: Mapped[str] = mapped_column(String(500), default="")
    base_version: Mapped[int | None]
    #: SHA-256 of the hall file's text, for a version imported from the file (a changed file comes in again)
    file_sha256: Mapped[str | None] = mapped_column(String(64))


class BookingSlot(Base):
    """How many bookings a 号源 slot holds: taken by a conditional UPDATE (taken < limit), so a slot never
    holds more than its capacity, whichever process books."""

    __tablename__ = "booking_slots"

    service_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot_at: Mapped[datetime] = mapped_column(primary_key=True)
    taken: Mapped[int] = mapped_column(Integer, default=0)


# the message outbox lives in its own module; imported here so every table is on one metadata
from hallq.store.messages import Message as Message  # noqa: E402
from hallq.store.messages import TicketNotice as TicketNotice  # noqa: E402
