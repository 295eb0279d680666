"""好差评 tied to cases and reported to the province: ratings.comment, indicator_version, cases, device,
address, excluded; visit_cases (the cases armed for a visit), rating_reports (the outbox to the province),
rating_appeals (申诉)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = hallq.store.models.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("comment", sa.String(300), nullable=True))
        batch.add_column(sa.Column("indicator_version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("cases", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("device", sa.String(96), nullable=True))
        batch.add_column(sa.Column("address", sa.String(45), nullable=True))
        batch.add_column(sa.Column("excluded", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "visit_cases",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=True),
        sa.Column("added_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(96), nullable=False),
    )
    op.create_table(
        "rating_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rating_id", sa.Integer(), sa.ForeignKey("ratings.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(96), nullable=False, unique=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("leased_until", UTC_TIME(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("delivered_at", UTC_TIME(timezone=True), nullable=True),
    )
    op.create_index("ix_rating_reports_state_next", "rating_reports", ["state", "next_attempt_at"])
    op.create_index("ix_rating_reports_delivered_at", "rating_reports", ["delivered_at"])
    op.create_table(
        "rating_appeals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rating_id", sa.Integer(), sa.ForeignKey("ratings.id"), nullable=False, unique=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("filed_by", sa.String(96), nullable=False),
        sa.Column("filed_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("decided_by", sa.String(96), nullable=True),
        sa.Column("decided_at", UTC_TIME(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(500), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("rating_appeals")
    op.drop_index("ix_rating_reports_delivered_at", "rating_reports")
    op.drop_index("ix_rating_reports_state_next", "rating_reports")
    op.drop_table("rating_reports")
    op.drop_table("visit_cases")
    with op.batch_alter_table("ratings") as batch:
        for column in ("excluded", "address", "device", "cases", "indicator_version", "comment"):
            batch.drop_column(column)
