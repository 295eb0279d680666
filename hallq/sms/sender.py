"""The sender: every server process scans for due messages and sends the outbox, once a second.

Sent (2xx, or the vendor's "OK") is final; anything else is retried with back-off from `[messages]
retry_first_s`, doubling up to `retry_max_s`, until `give_up_after_min` (then dropped: a late "your turn is
near" helps nobody). Managers see each message's result (GET /api/v1/messages, the live page)."""

from __future__ import annotations

import logging
from typing import Any

from hallq.operations.context import HallContext
from hallq.operations.messages import claim_due, mark_failed, mark_sent, message_status, scan
from hallq.operations.outbox import backoff_s
from hallq.sms.adapters import Send, adapter_for

log = logging.getLogger(__name__)
EVERY_S = 1.0
BATCH = 20


def send_due(ctx: HallContext, send: Send | None = None, limit: int = BATCH) -> tuple[int, int]:
    """One turn: queue what is due, send what is queued; (sent, failed)."""
    rule = ctx.config.messages
    if not rule.enabled:
        return 0, 0
    scan(ctx)
    send = send or adapter_for(rule)
    if send is None:
        return 0, 0
    sent = failed = 0
    for message in claim_due(ctx, rule.timeout_s * 2 + 5, limit):
        error = send(message.message_id, message.phone, message.template, message.params)
        if error is None:
            mark_sent(ctx.store, message.id)
            sent += 1
        else:
            retry = backoff_s(message.attempts + 1, rule.retry_first_s, rule.retry_max_s)
            mark_failed(ctx.store, message.id, error, retry)
            log.warning("message %s not sent (%s); again in %.0f s", message.message_id, error, retry)
            failed += 1
    return sent, failed


def messages_loop(ctx: HallContext, socketio: Any, every_s: float = EVERY_S) -> None:
    """A Socket.IO background task for as long as the server runs."""
    adapters: dict[Any, Send | None] = {}
    while True:
        socketio.sleep(every_s)
        try:
            rule = ctx.config.messages  # a new version of the hall file may change the adapter
            if rule not in adapters:
                adapters.clear()
                adapters[rule] = adapter_for(rule)
            sent, failed = send_due(ctx, adapters[rule])
            if sent or failed:
                socketio.emit("messages_status", message_status(ctx, limit=0), to="manager")
        except Exception:  # a locked or unreachable database: try again next turn
            log.exception("sending messages failed")
