"""A first wait estimate: the tickets ahead over the service capacity that can reach them."""

from __future__ import annotations

from dataclasses import dataclass

#: a B window is counted at this share of a window for a service it backs up
B_SHARE = 0.25
#: no estimate is longer than a hall day
MAX_ESTIMATE_S = 8 * 3600


@dataclass(frozen=True)
class Capacity:
    """Windows that can serve one service right now."""

    a_open: int
    b_open: int
    idle: int
    a_configured: int

    @property
    def servers(self) -> float:
        servers = self.a_open + B_SHARE * self.b_open
        if servers == 0:
            # nobody is staffed yet (before opening): assume the A windows will open
            servers = max(1, self.a_configured)
        return servers


def estimate_wait(ahead: int, mean_service_s: float, capacity: Capacity) -> int:
    """Seconds until a ticket with `ahead` tickets before it is called; never negative, never absurd."""
    if ahead < 0 or mean_service_s <= 0:
        raise ValueError("ahead and mean_service_s must be positive")
    still_queued = ahead + 1 - capacity.idle
    if still_queued <= 0:
        return 0
    seconds = still_queued * mean_service_s / capacity.servers
    return int(min(MAX_ESTIMATE_S, round(seconds)))
