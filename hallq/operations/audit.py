"""The audit log: written in the transaction of the change it records, so neither exists without the other."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from hallq.operations.context import Actor, HallContext
from hallq.store.models import AuditEntry

_INSERT = insert(AuditEntry)
#: the page size of GET /api/v1/audit
LIMIT = 200


def command_line() -> Actor:
    """Who acts from the `hallq` command: the operating system's user at the hall's server."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return Actor(role="admin", name=f"command line ({user})")


def record(
    connection: Connection | Session,
    at: datetime,
    action: str,
    actor: Actor,
    subject: str,
    detail: dict[str, Any] | None = None,
) -> None:
    values = {
        "at": at,
        "action": action,
        "actor": actor.name,
        "role": actor.role,
        "subject": subject[:200],
        "detail": detail,
    }
    connection.execute(_INSERT, values)


def entries(ctx: HallContext, before_id: int | None = None) -> list[dict[str, Any]]:
    """The newest entries first, a page at a time (before_id: the last id of the previous page)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(LIMIT)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    with ctx.store.read() as session:
        rows = session.scalars(query).all()
    return [
        {
            "id": row.id,
            "at": row.at.astimezone(ctx.config.tz).isoformat(timespec="seconds"),
            "action": row.action,
            "actor": row.actor,
            "role": row.role,
            "subject": row.subject,
            "detail": row.detail,
        }
        for row in rows
    ]
