"""Which ticket a window calls next: one policy interface, fed the head of every queue it may call from.

The shell (SQL in the server, heaps in the simulator) asks the policy which service queues a window may
look at (`queues_for`), then hands it one `QueueHead` per non-empty queue: the ticket that queue would give
up first (green priority, then the earliest queue time), how many wait in it, and how many of the service's
A windows are open. The policy picks a head. Working on heads keeps call-next cheap however long the queues
are.
docs/call-rule.md explains the default rule and the figures behind it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
    #: A windows of this service that are open now (0: its B windows take it over, AB岗)
    a_open: int = 1

    @property
    def order_key(self) -> tuple[int, datetime, int]:
        return (self.rank, self.queued_at, self.ticket_id)


class CallPolicy(Protocol):
    name: str

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        """The service queues this window may call from, out of all the hall's `services`."""
        ...

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        """The head to call, or None when nothing here is for this window."""
        ...


def _first_in_order(heads: Sequence[QueueHead]) -> QueueHead | None:
    return min(heads, key=lambda head: head.order_key, default=None)


class LongestWaitPolicy:
    """Green priority first, then the longest-waiting ticket among the window's A and B services."""

    name = "longest-wait"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services | window.b_services

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        return _first_in_order([h for h in heads if h.targeted or window.serves(h.service_id)])


class DedicatedPolicy:
    """Baseline: a window serves only its A services, first come first served (no AB岗 at all)."""

    name = "dedicated"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        return _first_in_order([h for h in heads if h.targeted or h.service_id in window.a_services])


class PooledPolicy:
    """Baseline: every window serves every service, first come first served (one pooled queue)."""

    name = "pooled"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return frozenset(services)

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        return _first_in_order(heads)


@dataclass(frozen=True)
class ABPolicy:
    """The default A/B rule (AB岗).

    A window serves its A and B queues by how long their first tickets have waited, but an A ticket counts as
    having waited `a_bonus_s` longer. So a window keeps to its own work until a B queue's first ticket has
    waited `a_bonus_s` more than the A queue's, and never idles while a B ticket waits (work-conserving).
    A B queue gets the same bonus (it is treated as the window's own) when none of the service's A windows is
    open, or when it has more than `long_queue_per_window` tickets per open A window.
    Green priority comes before everything; a ticket transferred to this window counts as its own.
    """

    a_bonus_s: float = 300.0
    long_queue_per_window: int = 10
    name: str = "ab"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services | window.b_services

    def is_own(self, window: WindowView, head: QueueHead) -> bool:
        if head.targeted or head.service_id in window.a_services:
            return True
        return head.a_open == 0 or head.waiting > self.long_queue_per_window * head.a_open

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        eligible = [h for h in heads if h.targeted or window.serves(h.service_id)]
        if not eligible:
            return None

        def priority(head: QueueHead) -> tuple[int, float, datetime, int]:
            waited = (now - head.queued_at).total_seconds()
            credit = self.a_bonus_s if self.is_own(window, head) else 0.0
            return (head.rank, -(waited + credit), head.queued_at, head.ticket_id)

        return min(eligible, key=priority)


POLICIES: dict[str, type[CallPolicy]] = {
    policy.name: policy  # type: ignore[misc]
    for policy in (ABPolicy, LongestWaitPolicy, DedicatedPolicy, PooledPolicy)
}
DEFAULT_POLICY = "ab"


def make_policy(name: str = DEFAULT_POLICY, **options: float) -> CallPolicy:
    """A policy by name; `options` (e.g. a_bonus_s) configure the default A/B rule."""
    try:
        policy_class = POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown call policy {name!r}; known: {', '.join(sorted(POLICIES))}") from None
    return policy_class(**options) if options else policy_class()
