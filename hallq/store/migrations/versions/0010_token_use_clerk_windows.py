"""api_tokens.last_used_at (when a device last used its token), users.windows (the windows a clerk may
sign in at; null: any)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hallq.store.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("last_used_at", hallq.store.models.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("windows", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("windows")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
