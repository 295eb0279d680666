"""The key of a citizen's status page (/t/<token>).

A token is derived from the ticket's number (day, zone, sequence) with the hall's secret, so the server can
print it again (a reprint) without keeping it: the database holds only its SHA-256, to find the ticket. It
leaves the server in the issuing kiosk's answer and on paper, nowhere else (no screen, no clerk, no device).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date
from typing import Protocol

from hallq.operations.context import HallContext

#: what a status token looks like in a URL: anything else is not looked up at all
MAX_LENGTH = 64


class Numbered(Protocol):
    service_day: date
    zone_id: str
    seq: int


def status_token(ctx: HallContext, ticket: Numbered) -> str:
    message = f"status|{ctx.config.mount}|{ticket.service_day.isoformat()}|{ticket.zone_id}|{ticket.seq}"
    digest = hmac.new(ctx.identity_secret, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def status_path(ctx: HallContext, ticket: Numbered) -> str:
    """The status page's path, under the hall's mount (/h/<hall>/t/... in a city)."""
    return f"{ctx.config.mount}/t/{status_token(ctx, ticket)}"
