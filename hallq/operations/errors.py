"""Errors every layer raises and the API turns into {"error", "message"} with a 4xx status."""

from __future__ import annotations

from typing import Any


class HallqError(Exception):
    status = 400

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status

    @property
    def extra(self) -> dict[str, Any]:
        """More of the answer than error and message (an error that lists problems, a conflict's version)."""
        return {}


class NotFound(HallqError):
    status = 404


class Forbidden(HallqError):
    status = 403


class Conflict(HallqError):
    status = 409


class Invalid(HallqError):
    status = 422


class TooManyRequests(HallqError):
    status = 429
