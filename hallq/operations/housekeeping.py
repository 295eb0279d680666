"""Chores the running server does every minute: close the rating of visits whose time to rate is over;
forget the 限号 counts of days gone by, applicants never reported and the mobile numbers of days gone by;
write when each device token was last used."""

from __future__ import annotations

import logging
from typing import Any

from hallq.operations.bursts import clear_old_bursts
from hallq.operations.context import Actor, HallContext
from hallq.operations.evaluation import forget_applicants
from hallq.operations.issuing import forget_past_people
from hallq.operations.messages import forget_numbers
from hallq.operations.ratings import close_unrated

log = logging.getLogger(__name__)
EVERY_S = 60.0


def housekeeping_loop(
    ctx: HallContext, socketio: Any, sockets: dict[str, Actor] | None = None, every_s: float = EVERY_S
) -> None:
    """A Socket.IO background task for as long as the server runs; a failure waits for the next turn."""
    while True:
        socketio.sleep(every_s)
        try:
            closed = close_unrated(ctx)
            forget_past_people(ctx)
            forget_applicants(ctx)
            forget_numbers(ctx)
            ctx.token_use.holding([a.token_id for a in list((sockets or {}).values())], ctx.now())
            ctx.token_use.flush(ctx.store)
            for push in clear_old_bursts(ctx):
                socketio.emit(push.event, push.data, to=list(push.rooms))
        except Exception:  # a locked or unreachable database: log it, try again in a minute
            log.exception("housekeeping failed")
            continue
        if closed:
            log.info("%d visits closed as unrated", closed)
