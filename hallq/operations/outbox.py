"""What the two outboxes share (ratings to the province, operations/rating_reports.py; messages to citizens'
phones, operations/messages.py): rows `pending` until sent, leased to one server process while it sends,
retried later with back-off. Times are wall-clock UTC, not the hall's (possibly compressed) clock: delivery
is a matter of the network."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, update

from hallq.store.db import Store

PENDING = "pending"


def wall_now() -> datetime:
    return datetime.now(UTC)


def unleased(table: Any, now: datetime) -> ColumnElement[bool]:
    """No process holds the row (never leased, or its lease ran out: that process died while sending)."""
    return table.leased_until.is_(None) | (table.leased_until < now)


def backoff_s(attempts: int, first_s: float, max_s: float, rng: random.Random | None = None) -> float:
    """The wait before attempt `attempts + 1`: first_s, doubling, capped, with ±20 % jitter (many halls
    coming back at once after an outage do not all knock in the same second)."""
    base = min(max_s, first_s * 2 ** max(0, attempts - 1))
    return base * (rng or random).uniform(0.8, 1.2)


def retry_later(
    store: Store, table: Any, row_id: int, error: str, retry_in_s: float, now: datetime | None = None
) -> None:
    """A failed attempt: counted, its answer kept for managers, the lease given up, due again later."""
    now = now or wall_now()
    with store.write_connection() as connection:
        connection.execute(
            update(table)
            .where(table.id == row_id, table.state == PENDING)
            .values(
                attempts=table.attempts + 1,
                last_error=error[:300],
                next_attempt_at=now + timedelta(seconds=retry_in_s),
                leased_until=None,
            )
        )
