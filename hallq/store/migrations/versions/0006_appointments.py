"""appointments (预约): booked slots checked in at the kiosk

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=32), nullable=False),
        sa.Column("slot_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_appointments")),
    )


def downgrade() -> None:
    op.drop_table("appointments")
