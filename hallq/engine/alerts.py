"""When a zone needs a manager's attention: a pure rule over its queue (thresholds from the hall file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from hallq.engine.issuing import OpeningHours


@dataclass(frozen=True)
class ZoneAlert:
    zone_id: str
    reason: str
    waiting: int
    longest_wait_s: int
    open_windows: int


def in_serving_hours(hours: OpeningHours, clock: time) -> bool:
    """Whether windows are meant to be serving at `clock` (hall time): opening hours less the lunch break."""
    if not hours.open <= clock < hours.close:
        return False
    return not (hours.lunch and hours.lunch[0] <= clock < hours.lunch[1])


def zone_alert(
    zone_id: str,
    waiting: int,
    longest_wait_s: float,
    open_windows: int,
    *,
    max_longest_wait_s: float,
    max_waiting_per_open_window: float,
    serving_hours: bool = True,
) -> ZoneAlert | None:
    """An alert when people wait and none of the zone's windows is open in serving hours, when someone has
    waited too long, or when too many wait for the windows open (none open counts as one)."""
    reasons = []
    if waiting and not open_windows and serving_hours:
        reasons.append("no_window_open")
    if waiting and longest_wait_s > max_longest_wait_s:
        reasons.append("long_wait")
    if waiting > max_waiting_per_open_window * max(1, open_windows):
        reasons.append("long_queue")
    if not reasons:
        return None
    return ZoneAlert(zone_id, "+".join(reasons), waiting, int(longest_wait_s), open_windows)
