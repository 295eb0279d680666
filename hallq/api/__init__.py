"""The JSON API under /api/v1 (shared/api-contract.md)."""

from hallq.api import (
    accounts,
    bookings,
    config,
    hall,
    openapi,
    ratings,
    session,
    speech,
    stats,
    tickets,
    windows,
)
from hallq.api.blueprint import bp

__all__ = [
    "accounts",
    "bookings",
    "bp",
    "config",
    "hall",
    "openapi",
    "ratings",
    "session",
    "speech",
    "stats",
    "tickets",
    "windows",
]
