"""Ending the sockets of a revoked token, or of a user whose sessions ended (logout, password, deactivation).

An HTTP request checks its token or session on every request; a socket was checked once, when it connected.
Every few seconds each server process checks the credentials its own sockets hold, in two indexed reads,
and disconnects those that no longer hold: a revocation made anywhere (a page, `hallq token revoke` on the
command line, another process) reaches every process this way, with no message to miss.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from hallq.operations.context import Actor
from hallq.store.db import Store
from hallq.store.models import ApiToken, User

log = logging.getLogger(__name__)
EVERY_S = 2.0


def ended_sids(store: Store, actors: dict[str, Actor]) -> list[str]:
    """The sockets among `actors` (sid -> who connected) whose token or session no longer holds."""
    current = dict(actors)  # sockets come and go while we read
    token_ids = {actor.token_id for actor in current.values() if actor.token_id is not None}
    user_ids = {actor.user_id for actor in current.values() if actor.user_id is not None}
    if not token_ids and not user_ids:
        return []
    with store.read() as session:
        revoked = set(
            session.scalars(
                select(ApiToken.id).where(ApiToken.id.in_(token_ids), ApiToken.revoked_at.is_not(None))
            )
            if token_ids
            else ()
        )
        live_sessions = {
            user_id: version
            for user_id, version in session.execute(
                select(User.id, User.session_version).where(User.id.in_(user_ids), User.active.is_(True))
            )
        }
    return [
        sid
        for sid, actor in current.items()
        if actor.token_id in revoked
        or (actor.user_id is not None and live_sessions.get(actor.user_id) != actor.session_version)
    ]


def end_sockets(store: Store, server: Any, actors: dict[str, Actor]) -> int:
    """Disconnect this process's sockets whose credentials ended; how many."""
    sids = ended_sids(store, actors)
    for sid in sids:
        log.warning("socket %s disconnected: its token was revoked or its session ended", sid)
        server.server.disconnect(sid, namespace="/")
    return len(sids)


def revocation_loop(store: Store, server: Any, actors: dict[str, Actor], every_s: float = EVERY_S) -> None:
    """A Socket.IO background task for as long as the server runs."""
    while True:
        server.sleep(every_s)
        try:
            end_sockets(store, server, actors)
        except Exception:  # a locked or unreachable database: try again on the next turn
            log.exception("checking sockets' credentials failed")
