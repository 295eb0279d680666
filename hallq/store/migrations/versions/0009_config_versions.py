"""hall_config_versions: the hall's configuration as versions in the database (administered from the pages)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hall_config_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("saved_at", hallq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=96), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_hall_config_versions")),
    )


def downgrade() -> None:
    op.drop_table("hall_config_versions")
