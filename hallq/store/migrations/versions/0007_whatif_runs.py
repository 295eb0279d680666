"""whatif_runs: what-ifs managers ran on /manager/whatif, kept so they can come back to them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whatif_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=96), nullable=False),
        sa.Column("created_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatif_runs")),
    )
    op.create_index(op.f("ix_whatif_runs_created_at"), "whatif_runs", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_whatif_runs_created_at"), table_name="whatif_runs")
    op.drop_table("whatif_runs")
