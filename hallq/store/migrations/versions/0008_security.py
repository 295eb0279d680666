"""only a hash of each status token is kept; users' session versions (logout ends every session)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 11:00:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_token_hash", sa.String(length=64), nullable=True))
    # tickets issued before keep their printed QR codes working: their tokens' hashes stand for them
    tickets = sa.table("tickets", sa.column("id"), sa.column("status_token"), sa.column("status_token_hash"))
    connection = op.get_bind()
    rows = connection.execute(sa.select(tickets.c.id, tickets.c.status_token)).all()
    for ticket_id, token in rows:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        connection.execute(tickets.update().where(tickets.c.id == ticket_id).values(status_token_hash=digest))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("status_token_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("uq_tickets_status_token", type_="unique")
        batch_op.drop_column("status_token")
        batch_op.create_unique_constraint(batch_op.f("uq_tickets_status_token_hash"), ["status_token_hash"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
    # the tokens themselves were never kept: older tickets' status pages cannot come back
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_tickets_status_token_hash", type_="unique")
        batch_op.alter_column("status_token_hash", new_column_name="status_token")
        batch_op.create_unique_constraint("uq_tickets_status_token", ["status_token"])
