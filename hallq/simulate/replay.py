"""Recorded days for the simulator: the citizens who came, when, for what, and how long each visit took,
and when each window was away. `hallq.whatif` reads them from the hall's log; `HallDay` replays them
(docs/manager.md, "What if")."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True)
class RecordedTicket:
    service_id: str
    #: seconds after the day's local midnight
    issued_s: float
    #: when its queue counted it from (a booking's slot; else issued_s)
    queued_s: float
    rank: int
    #: how long its visit took at the window (None: never served; the service's distribution decides)
    visit_s: float | None
    #: what it waited in the hall (None: never called), and the window that served it
    recorded_wait_s: float | None = None
    recorded_window_id: str | None = None


@dataclass(frozen=True)
class RecordedAbsence:
    window_id: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class RecordedDay:
    day: date
    tickets: tuple[RecordedTicket, ...]
    #: windows paused or closed during opening hours (the whole day for a window never opened)
    absences: tuple[RecordedAbsence, ...]

    def scaled(self, factor: float, rng: random.Random, spread_s: float = 1800.0) -> RecordedDay:
        """The day with `factor` times as many citizens: below 1 each is dropped at random; above 1 extra
        ones copy a recorded citizen (service, visit) coming up to `spread_s` earlier or later."""
        if factor < 1.0:
            kept = [t for t in self.tickets if rng.random() < factor]
        else:
            kept = list(self.tickets)
            extra = factor - 1.0
            copies = int(extra * len(self.tickets)) + (rng.random() < (extra * len(self.tickets)) % 1)
            first = min((t.issued_s for t in self.tickets), default=0.0)
            last = max((t.issued_s for t in self.tickets), default=0.0)
            for model in rng.choices(self.tickets, k=copies) if self.tickets else []:
                moment = min(max(first, model.issued_s + rng.uniform(-spread_s, spread_s)), last)
                kept.append(
                    replace(
                        model, issued_s=moment, queued_s=moment, recorded_wait_s=None, recorded_window_id=None
                    )
                )
        kept.sort(key=lambda t: t.issued_s)
        return replace(self, tickets=tuple(kept))
