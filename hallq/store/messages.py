"""The text-message outbox (docs/booking.md): who asked to be told about a ticket, and each message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hallq.store.base import Base


class TicketNotice(Base):
    """A citizen's "notify me" for a ticket: the number, until the end of the day."""

    __tablename__ = "ticket_notices"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    #: cleared at the end of the day (the housekeeping turn)
    phone: Mapped[str | None] = mapped_column(String(16))
    #: kiosk, status-page or booking
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class Message(Base):
    """One message to a phone, sent at least once under `message_id` (stable: the gateway drops repeats by
    it); pending -> sent, or dropped (too late, or the ticket finished first)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(96), unique=True)
    #: near, called, reminder_day, reminder_hour
    kind: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    appointment_code: Mapped[str | None] = mapped_column(String(64))
    #: cleared once sent or dropped, and at the end of the day
    phone: Mapped[str | None] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_messages_state_next", "state", "next_attempt_at"),
        Index("ix_messages_created_at", "created_at"),
    )
