"""unrated visits, follow-ups of bad ratings, window events; indexes for the managers' reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.alter_column("level", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["rating_id"], ["ratings.id"], name=op.f("fk_follow_ups_rating_id_ratings")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_follow_ups_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
        sa.UniqueConstraint("rating_id", name=op.f("uq_follow_ups_rating_id")),
    )
    op.create_index("ix_follow_ups_status_due", "follow_ups", ["status", "due_on"], unique=False)
    op.create_table(
        "window_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.String(length=32), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("clerk", sa.String(length=64), nullable=True),
        sa.Column("at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_window_events")),
    )
    op.create_index("ix_window_events_day", "window_events", ["service_day", "window_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_window_events_day", table_name="window_events")
    op.drop_table("window_events")
    op.drop_index("ix_follow_ups_status_due", table_name="follow_ups")
    op.drop_table("follow_ups")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.alter_column("level", existing_type=sa.Integer(), nullable=False)
