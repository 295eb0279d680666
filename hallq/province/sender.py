"""The sender: every server process sends the outbox's due reports to the province, one attempt each time.

2xx is delivered; anything else (an error answer, no answer within `[province] timeout_s`, a refused
connection) is retried later with back-off (operations/rating_reports.py). Managers see the counts and the
province's last answer on the live page (a `province_status` push after every turn that changed something).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from hallq.config.rating_rules import Province
from hallq.net.posting import post
from hallq.operations.context import HallContext
from hallq.operations.outbox import backoff_s
from hallq.operations.rating_reports import (
    claim_due,
    mark_delivered,
    mark_failed,
    report_status,
)
from hallq.province.shapes import Request, requests_for

log = logging.getLogger(__name__)
EVERY_S = 1.0
BATCH = 20

#: one POST: None when delivered (2xx), else what went wrong, in words for the live page
Post = Callable[[str, Request, float, str | None], str | None]


def http_post(url: str, request: Request, timeout_s: float, token: str | None) -> str | None:
    return post(url, request.body, request.content_type, timeout_s, token, "省平台")


def _token(province: Province) -> str | None:
    return os.environ.get(province.token_env) if province.token_env else None


def send_due(ctx: HallContext, post: Post = http_post, limit: int = BATCH) -> tuple[int, int]:
    """One turn: send the reports due now; (delivered, failed)."""
    province = ctx.config.province
    if not province.enabled:
        return 0, 0
    lease_s = province.timeout_s * 2 + 5
    delivered = failed = 0
    for report in claim_due(ctx.store, lease_s, limit):
        error = None
        for request in requests_for(report.payload, province):
            error = post(province.url, request, province.timeout_s, _token(province))
            if error is not None:
                break
        if error is None:
            mark_delivered(ctx.store, report.id)
            delivered += 1
        else:
            retry = backoff_s(report.attempts + 1, province.retry_first_s, province.retry_max_s)
            mark_failed(ctx.store, report.id, error, retry)
            log.warning(
                "rating report %s not delivered (%s); again in %.0f s", report.message_id, error, retry
            )
            failed += 1
    return delivered, failed


def province_loop(ctx: HallContext, socketio: Any, every_s: float = EVERY_S) -> None:
    """A Socket.IO background task for as long as the server runs."""
    while True:
        socketio.sleep(every_s)
        try:
            delivered, failed = send_due(ctx)
            if delivered or failed:
                socketio.emit("province_status", report_status(ctx), to="manager")
        except Exception:  # a locked or unreachable database: try again next turn
            log.exception("reporting ratings to the province failed")
