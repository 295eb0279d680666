"""When a zone needs a manager's attention: a pure rule over its queue (thresholds from the hall file)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ZoneAlert:
    zone_id: str
    reason: str
    waiting: int
    longest_wait_s: int
    open_windows: int


def zone_alert(
    zone_id: str,
    waiting: int,
    longest_wait_s: float,
    open_windows: int,
    *,
    max_longest_wait_s: float,
    max_waiting_per_open_window: float,
) -> ZoneAlert | None:
    """An alert when someone has waited too long, or too many wait for the windows open (none open counts
    as one, so a zone nobody staffs is flagged as soon as its queue passes the threshold)."""
    reasons = []
    if waiting and longest_wait_s > max_longest_wait_s:
        reasons.append("long_wait")
    if waiting > max_waiting_per_open_window * max(1, open_windows):
        reasons.append("long_queue")
    if not reasons:
        return None
    return ZoneAlert(zone_id, "+".join(reasons), waiting, int(longest_wait_s), open_windows)
