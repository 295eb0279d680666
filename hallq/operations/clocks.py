"""The shell's clocks, handed to the engine: the wall clock, and the benchmarks' compressed hall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class CompressedClock:
    """Hall time running `speed` times faster than `source` (seconds, monotonic), working days back to back:
    the day starts at `first_opening`, and when `day_s` of hall time have passed the clock jumps to the next
    day's opening. Benchmarks use it so a compressed run meets what a hall meets day after day (every day its
    own service day), instead of several days' traffic piled into one."""

    def __init__(
        self,
        first_opening: datetime,
        speed: float,
        day_s: float,
        source: Callable[[], float] = time.monotonic,
    ) -> None:
        if first_opening.tzinfo is None:
            raise ValueError("CompressedClock needs a timezone-aware first opening")
        if speed <= 0 or day_s <= 0:
            raise ValueError("CompressedClock needs a positive speed and day length")
        self.first_opening, self.speed, self.day_s = first_opening, speed, day_s
        self._source = source
        self._started = source()

    def now(self) -> datetime:
        days, into_day = divmod((self._source() - self._started) * self.speed, self.day_s)
        # whole calendar days in the hall's own time zone, so the opening keeps its wall-clock time
        opening = (self.first_opening + timedelta(days=days)).astimezone(self.first_opening.tzinfo)
        return opening + timedelta(seconds=into_day)
