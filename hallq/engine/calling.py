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
from datetime import datetime, timedelta
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

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        """When a window that found nothing to call should look again, if time alone can change the answer."""
        ...


def _first_in_order(heads: Sequence[QueueHead]) -> QueueHead | None:
    return min(heads, key=lambda head: head.order_key, default=None)


def _is_own(window: WindowView, head: QueueHead) -> bool:
    return head.service_id in window.a_services or head.a_open == 0


class LongestWaitPolicy:
    """Green priority first, then the longest-waiting ticket among the window's A and B services."""

    name = "longest-wait"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services | window.b_services

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        return _first_in_order([h for h in heads if h.targeted or window.serves(h.service_id)])

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        return None


class DedicatedPolicy:
    """Baseline: a window serves only its A services, first come first served (no AB岗 at all)."""

    name = "dedicated"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        return _first_in_order([h for h in heads if h.targeted or h.service_id in window.a_services])

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        return None


class PooledPolicy:
    """Baseline: every window serves every service, first come first served (one pooled queue)."""

    name = "pooled"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return frozenset(services)

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        return _first_in_order(heads)

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        return None


@dataclass(frozen=True)
class ABPolicy:
    """The default A/B rule (AB岗): B helps when A is away or A's queue runs long.

    A window's own work is its A services, a ticket transferred to it, and any B service none of whose A
    windows is open (then the B window takes that service over). A B queue becomes the window's concern when
    it holds more than `help_queue_per_a_window` tickets per open A window (its A windows are falling
    behind), or once its first ticket has waited `b_help_after_s` (halls' "15 minutes" rule). Among what it
    may call, the window takes green priority first, then the longest wait, an own ticket counting as having
    waited `a_bonus_s` longer. docs/call-rule.md has the figures behind these defaults.
    """

    help_queue_per_a_window: float = 0.5
    b_help_after_s: float = 900.0
    a_bonus_s: float = 300.0
    name: str = "ab"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services | window.b_services

    def is_own(self, window: WindowView, head: QueueHead) -> bool:
        return head.targeted or _is_own(window, head)

    def may_help(self, window: WindowView, head: QueueHead, now: datetime) -> bool:
        if head.targeted or not window.serves(head.service_id):
            return head.targeted
        if self.is_own(window, head) or head.waiting > self.help_queue_per_a_window * head.a_open:
            return True
        return (now - head.queued_at).total_seconds() >= self.b_help_after_s

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        eligible = [h for h in heads if self.may_help(window, h, now)]
        if not eligible:
            return None

        def priority(head: QueueHead) -> tuple[int, float, datetime, int]:
            waited = (now - head.queued_at).total_seconds()
            credit = self.a_bonus_s if self.is_own(window, head) else 0.0
            return (head.rank, -(waited + credit), head.queued_at, head.ticket_id)

        return min(eligible, key=priority)

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        waiting_b = [
            h.queued_at for h in heads if window.serves(h.service_id) and not self.may_help(window, h, now)
        ]
        return min(waiting_b) + timedelta(seconds=self.b_help_after_s) if waiting_b else None


@dataclass(frozen=True)
class OwnFirstPolicy:
    """AB岗 as "help when you have nothing of your own": own work first, B tickets only when none waits.

    Own work is as in `ABPolicy` (A services, transfers to this window, a B service whose A windows are
    all away). While any own ticket waits the window calls own work, green priority first, then the longest
    wait; only a B ticket that has waited `b_help_after_s` competes with it, by its wait. With no own ticket
    waiting the window helps: it calls the B ticket that has waited longest, so no window idles while someone
    it could serve waits. docs/call-rule.md compares it with `ab`: shorter waits on hard days, less of each
    window's work its own on balanced ones.
    """

    b_help_after_s: float = 900.0
    name: str = "own-first"

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services | window.b_services

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        own = [h for h in heads if h.targeted or (window.serves(h.service_id) and _is_own(window, h))]
        helpable = [h for h in heads if not h.targeted and window.serves(h.service_id) and h not in own]
        if own:
            late = [h for h in helpable if (now - h.queued_at).total_seconds() >= self.b_help_after_s]
            return _first_in_order([*own, *late])
        return _first_in_order(helpable)

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        return None


POLICIES: dict[str, type[CallPolicy]] = {
    policy.name: policy  # type: ignore[misc]
    for policy in (ABPolicy, OwnFirstPolicy, LongestWaitPolicy, DedicatedPolicy, PooledPolicy)
}
#: citizens feel the wait, not the share of a window's work that is its own (docs/call-rule.md)
DEFAULT_POLICY = "own-first"
#: the rules a hall may run (`[hall.call_rule] rule`); `dedicated` and `pooled` are the simulator's baselines
HALL_RULES = ("ab", "own-first", "longest-wait")


def make_policy(name: str = DEFAULT_POLICY, **options: float) -> CallPolicy:
    """A policy by name; `options` (e.g. a_bonus_s) configure it, those it has no use for are ignored."""
    try:
        policy_class = POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown call policy {name!r}; known: {', '.join(sorted(POLICIES))}") from None
    fields = getattr(policy_class, "__dataclass_fields__", {})
    return policy_class(**{key: value for key, value in options.items() if key in fields and key != "name"})
