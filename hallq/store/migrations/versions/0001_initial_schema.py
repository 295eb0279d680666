"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 06:15:28.747076
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("window_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "number_counters",
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_day", "scope", name=op.f("pk_number_counters")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("zone_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("queue_rank", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_called_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("called_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_id", sa.String(length=32), nullable=True),
        sa.Column("target_window_id", sa.String(length=32), nullable=True),
        sa.Column("clerk", sa.String(length=64), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=True),
        sa.Column("appointment_code", sa.String(length=64), nullable=True),
        sa.Column("estimated_wait_s", sa.Integer(), nullable=False),
        sa.Column("status_token", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("status_token", name=op.f("uq_tickets_status_token")),
        sa.UniqueConstraint("zone_id", "service_day", "seq", name="uq_tickets_number"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_queue",
            ["service_day", "status", "service_id", "queue_rank", "queued_at"],
            unique=False,
        )
        batch_op.create_index("ix_tickets_target", ["target_window_id", "status"], unique=False)
        batch_op.create_index("ix_tickets_window", ["window_id", "status"], unique=False)
        batch_op.create_index("ix_tickets_zone_status", ["service_day", "zone_id", "status"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_id", sa.String(length=32), nullable=True),
        sa.Column("clerk", sa.String(length=64), nullable=True),
        sa.Column("status_after", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_events_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "window_states",
        sa.Column("window_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("clerk", sa.String(length=64), nullable=True),
        sa.Column("current_ticket_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["current_ticket_id"], ["tickets.id"], name=op.f("fk_window_states_current_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("window_id", name=op.f("pk_window_states")),
    )


def downgrade() -> None:

    op.drop_table("window_states")
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_events_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_events_at"))

    op.drop_table("ticket_events")
    op.drop_table("users")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_zone_status")
        batch_op.drop_index("ix_tickets_window")
        batch_op.drop_index("ix_tickets_target")
        batch_op.drop_index("ix_tickets_queue")

    op.drop_table("tickets")
    op.drop_table("number_counters")
    op.drop_table("api_tokens")
