"""Socket.IO pushes an operation produces; the shell emits them after the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Push:
    event: str
    data: dict[str, Any]
    rooms: tuple[str, ...] = field(default=("hall",))
