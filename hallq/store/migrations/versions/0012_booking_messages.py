"""号源 booking and messages to citizens: appointments gain channel, name, phone, phone_key, manage_hash,
cancelled_at, counted; booking_slots (the places taken per slot); ticket_notices and messages (the outbox)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = hallq.store.base.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("channel", sa.String(8), nullable=False, server_default="api"))
        batch.add_column(sa.Column("name", sa.String(64), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(16), nullable=True))
        batch.add_column(sa.Column("phone_key", sa.String(24), nullable=True))
        batch.add_column(sa.Column("manage_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("cancelled_at", UTC_TIME(timezone=True), nullable=True))
        batch.add_column(sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_appointments_phone_key", ["phone_key"])
    op.create_table(
        "booking_slots",
        sa.Column("service_id", sa.String(32), primary_key=True),
        sa.Column("slot_at", UTC_TIME(timezone=True), primary_key=True),
        sa.Column("taken", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ticket_notices",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.String(96), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.Column("appointment_code", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("leased_until", UTC_TIME(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("sent_at", UTC_TIME(timezone=True), nullable=True),
    )
    op.create_index("ix_messages_state_next", "messages", ["state", "next_attempt_at"])
    op.create_index("ix_messages_created_at", "messages", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_created_at", "messages")
    op.drop_index("ix_messages_state_next", "messages")
    op.drop_table("messages")
    op.drop_table("ticket_notices")
    op.drop_table("booking_slots")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_index("ix_appointments_phone_key")
        for column in ("counted", "cancelled_at", "manage_hash", "phone_key", "phone", "name", "channel"):
            batch.drop_column(column)
