"""Socket.IO pushes an operation produces; the shell emits them after the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Push:
    event: str
    data: dict[str, Any]
    rooms: tuple[str, ...] = field(default=("hall",))


def announce_text(number: str, window_number: int) -> str:
    return f"请{number}号到{window_number}号窗口办理"


def announce_text_en(number: str, window_number: int) -> str:
    return f"Ticket {number}, please go to window {window_number}"
