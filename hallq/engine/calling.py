"""Which ticket a window calls next: one policy interface, fed the head of every queue it may call from.

The shell (SQL or the simulator) hands a policy one `QueueHead` per service queue: the ticket that queue
would give up first (green priority, then the earliest queue time) and how many wait in it. The policy
picks a head. Keeping the interface to heads keeps call-next cheap however long the queues are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class WindowView:
    id: str
    a_services: frozenset[str]
    b_services: frozenset[str]

    def serves(self, service_id: str) -> bool:
        return service_id in self.a_services or service_id in self.b_services


@dataclass(frozen=True)
class QueueHead:
    service_id: str
    ticket_id: int
    rank: int
    queued_at: datetime
    waiting: int
    #: the ticket was transferred to this very window
    targeted: bool = False

    @property
    def order_key(self) -> tuple[int, datetime, int]:
        return (self.rank, self.queued_at, self.ticket_id)


class CallPolicy(Protocol):
    name: str

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        """The head to call, or None when nothing here is for this window."""
        ...


class LongestWaitPolicy:
    """Green priority first, then the longest-waiting ticket among the window's A and B services."""

    name = "longest-wait"

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        eligible = [h for h in heads if h.targeted or window.serves(h.service_id)]
        return min(eligible, key=lambda head: head.order_key, default=None)


POLICIES: dict[str, type[CallPolicy]] = {LongestWaitPolicy.name: LongestWaitPolicy}
DEFAULT_POLICY = LongestWaitPolicy.name


def make_policy(name: str = DEFAULT_POLICY) -> CallPolicy:
    try:
        return POLICIES[name]()
    except KeyError:
        raise ValueError(f"unknown call policy {name!r}; known: {', '.join(sorted(POLICIES))}") from None
