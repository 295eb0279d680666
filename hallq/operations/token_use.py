"""When each device token was last used: noted in memory on every request, written once a minute.

A device asks every few seconds; a write each time would cost more than the request. The administration page
shows the last use to the minute, which is what tells an admin that a kiosk went quiet or that a token they
are about to revoke is still in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, update

from hallq.store.db import Store
from hallq.store.models import ApiToken


class TokenUse:
    def __init__(self) -> None:
        self._seen: dict[int, datetime] = {}

    def seen(self, token_id: int, at: datetime) -> None:
        self._seen[token_id] = at

    def holding(self, token_ids: Iterable[int | None], at: datetime) -> None:
        """The tokens of open sockets: a display that only listens uses its token all the time it is
        connected."""
        for token_id in token_ids:
            if token_id is not None:
                self._seen[token_id] = at

    def flush(self, store: Store) -> int:
        """Write the uses noted since the last flush (never moving a later one back); how many tokens."""
        seen, self._seen = self._seen, {}
        if not seen:
            return 0
        with store.write() as session:
            for token_id, at in seen.items():
                session.execute(
                    update(ApiToken)
                    .where(ApiToken.id == token_id)
                    .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < at))
                    .values(last_used_at=at)
                )
        return len(seen)
